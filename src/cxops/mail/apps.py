from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "cxops.mail"
    label = "mail"
    verbose_name = "이메일 채널 (메일함, 격리함)"

    def ready(self) -> None:
        from cxops.mail import jobs  # noqa: F401  (registers the Huey polling tasks)
