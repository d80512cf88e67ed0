from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "cxops.portal"
    label = "portal"
    verbose_name = "Public pages: inquiry board, customer portal, sign-in"
