from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cxops.core"
    label = "core"
    verbose_name = "CXOps core"
