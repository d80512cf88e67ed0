"""The notification center: one row per recipient and event, read in the app and emailed at once or
in a digest, as the member chooses."""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from cxops.core.models import Membership, Workspace


class DigestMode(models.TextChoices):
    IMMEDIATE = "immediate", _("바로 받기")
    HOURLY = "hourly", _("매시간 요약")
    DAILY = "daily", _("하루 한 번 요약 (오전 8시)")
    OFF = "off", _("이메일 받지 않기")


class Notification(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=60, help_text="Dotted source and event, e.g. sla.breach.")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True,
                                  help_text="When set, the same key makes one notification per recipient.")
    email_now = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], condition=~models.Q(dedupe_key=""),
                                    name="uniq_notification_dedupe"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notif_recipient_unread"),
            models.Index(fields=["emailed_at", "read_at"], name="notif_digest_pending"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="notification_preference")
    digest = models.CharField(_("이메일 알림"), max_length=10, choices=DigestMode.choices, default=DigestMode.DAILY)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.membership}: {self.digest}"


class OutsideEmail(models.Model):
    """A notification mailed straight to an address that belongs to no member of the workspace (an
    outside team's contact, a distribution list). With a `dedupe_key` it goes once per address and key."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="outside_emails")
    address = models.CharField(max_length=254)
    kind = models.CharField(max_length=60, help_text="Dotted source and event, as on Notification.")
    title = models.CharField(max_length=200)
    dedupe_key = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "address", "dedupe_key"], condition=~models.Q(dedupe_key=""),
                                    name="uniq_outside_email_dedupe"),
        ]

    def __str__(self) -> str:
        return f"{self.address}: {self.title}"
