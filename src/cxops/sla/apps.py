from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "cxops.sla"
    label = "sla"
    verbose_name = "CXOps SLA"
    default_auto_field = "django.db.models.BigAutoField"
