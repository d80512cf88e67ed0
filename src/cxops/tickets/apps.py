from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "cxops.tickets"
    label = "tickets"
    verbose_name = "Tickets"

    def ready(self) -> None:
        from cxops.tickets import lookups

        lookups.connect_signals()
