from django.apps import AppConfig


class CollaborationConfig(AppConfig):
    name = "cxops.collaboration"
    label = "collaboration"
    verbose_name = "협업 (체크리스트, 변경 캘린더, 요청·결정 기록)"

    def ready(self) -> None:
        from cxops.collaboration import jobs  # noqa: F401  (registers the Huey periodic tasks)
