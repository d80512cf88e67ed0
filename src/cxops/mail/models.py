"""Mailboxes of the email channel, the originals of received mail, and the quarantine."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cxops.core.models import Workspace
from cxops.mail import secrets


class Security(models.TextChoices):
    SSL = "ssl", _("SSL/TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("암호화 안 함")


class Mailbox(models.Model):
    """One support address (cs@shop.co.kr): read by IMAP, answered by SMTP."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="mailboxes")
    name = models.CharField(_("이름"), max_length=80, blank=True)
    address = models.EmailField(_("메일 주소"), max_length=200)
    from_name = models.CharField(_("보내는 사람 이름"), max_length=80, blank=True)
    imap_host = models.CharField(_("IMAP 서버"), max_length=200)
    imap_port = models.PositiveIntegerField(_("IMAP 포트"), default=993)
    imap_security = models.CharField(_("IMAP 보안"), max_length=10, choices=Security.choices, default=Security.SSL)
    imap_user = models.CharField(_("IMAP 사용자"), max_length=200)
    imap_password_enc = models.TextField(blank=True)
    imap_folder = models.CharField(_("받은편지함 폴더"), max_length=120, default="INBOX")
    smtp_host = models.CharField(_("SMTP 서버"), max_length=200)
    smtp_port = models.PositiveIntegerField(_("SMTP 포트"), default=587)
    smtp_security = models.CharField(_("SMTP 보안"), max_length=10, choices=Security.choices,
                                     default=Security.STARTTLS)
    smtp_user = models.CharField(_("SMTP 사용자"), max_length=200, blank=True)
    smtp_password_enc = models.TextField(blank=True)
    is_active = models.BooleanField(_("사용"), default=True)
    # IMAP state: UIDs are only meaningful within one UIDVALIDITY of the folder.
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_poll_ok = models.BooleanField(null=True)
    last_error = models.TextField(blank=True)
    received_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    quarantined_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["address"]
        constraints = [models.UniqueConstraint(fields=["workspace", "address"], name="uniq_mailbox_address")]

    def __str__(self) -> str:
        return self.address

    @property
    def imap_password(self) -> str:
        return secrets.decrypt(self.imap_password_enc)

    @imap_password.setter
    def imap_password(self, value: str) -> None:
        self.imap_password_enc = secrets.encrypt(value)

    @property
    def smtp_password(self) -> str:
        return secrets.decrypt(self.smtp_password_enc)

    @smtp_password.setter
    def smtp_password(self, value: str) -> None:
        self.smtp_password_enc = secrets.encrypt(value)

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[-1].lower()


def raw_path(instance: RawEmail | QuarantinedEmail, filename: str) -> str:
    now = timezone.now()
    return f"mail/{instance.workspace_id}/{now:%Y/%m}/{filename}"


class RawEmail(models.Model):
    """The untouched original of a received mail (quotes, all parts, every header)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    message = models.OneToOneField("tickets.Message", on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="raw_email")
    rfc_message_id = models.CharField(max_length=250, blank=True)
    file = models.FileField(upload_to=raw_path, max_length=300)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)


class QuarantineReason(models.TextChoices):
    TOO_LARGE = "too_large", _("메일이 너무 큼")
    TOO_DEEP = "too_deep", _("MIME 중첩이 너무 깊음")
    UNPARSEABLE = "unparseable", _("해석할 수 없음")
    NO_SENDER = "no_sender", _("보낸 사람 없음")
    EMPTY = "empty", _("빈 메일")
    INGEST_ERROR = "ingest_error", _("접수 중 오류")


class QuarantineStatus(models.TextChoices):
    HELD = "held", _("격리됨")
    REPROCESSED = "reprocessed", _("재처리됨")
    DISCARDED = "discarded", _("폐기됨")


class QuarantinedEmail(models.Model):
    """A received mail that could not become a ticket; admins look at it and reprocess it."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="quarantine")
    raw = models.FileField(upload_to=raw_path, max_length=300)
    size = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=20, choices=QuarantineReason.choices)
    detail = models.TextField(blank=True)
    subject_hint = models.CharField(max_length=250, blank=True)
    from_hint = models.CharField(max_length=250, blank=True)
    message_id = models.CharField(max_length=250, blank=True)
    raw_sha256 = models.CharField(max_length=64, db_index=True)
    imap_uid = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=QuarantineStatus.choices, default=QuarantineStatus.HELD)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["workspace", "status", "-received_at"], name="mailq_ws_status")]

    @property
    def reason_label(self) -> str:
        return str(dict(QuarantineReason.choices).get(self.reason, self.reason))
