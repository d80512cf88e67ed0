from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "cxops.sla"
    label = "sla"
    verbose_name = "CXOps SLA"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cxops.sla import jobs  # noqa: F401  (registers the periodic job)
        from cxops.sla.services import ticket_sla_changed, ticket_sla_prepare
        from cxops.sla.views import sla_ticket_panels
        from cxops.tickets.extensions import register_ticket_lifecycle, register_ticket_panels, register_ticket_prepare

        register_ticket_prepare(ticket_sla_prepare)
        register_ticket_lifecycle(ticket_sla_changed, order=10)
        register_ticket_panels(sla_ticket_panels)
