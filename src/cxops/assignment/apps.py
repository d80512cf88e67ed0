from django.apps import AppConfig


class AssignmentConfig(AppConfig):
    name = "cxops.assignment"
    label = "assignment"
    verbose_name = "배정 (라우팅, 자동 배정, 다음 티켓 받기)"

    def ready(self) -> None:
        from cxops.assignment import hooks, jobs, routing  # noqa: F401  (Huey tasks)

        hooks.install()
        routing.connect_signals()
