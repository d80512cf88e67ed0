from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cxops.demo"
    label = "demo"
    verbose_name = "Korean demo data"
