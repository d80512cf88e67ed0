from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "cxops.web"
    label = "web"
    verbose_name = "Web UI"
