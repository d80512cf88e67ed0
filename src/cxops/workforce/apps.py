from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "cxops.workforce"
    label = "workforce"
    verbose_name = "인력 계획 (예측, 인력 산정, 근무표, KPI)"
