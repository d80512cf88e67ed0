"""Saved Allbaro checks, the per-workspace kit settings and the reminder log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from cxops.core.models import Workspace
from cxops.tickets.models import Customer, Ticket


class KitSettings(models.Model):
    """Whether a workspace uses the Allbaro kit and sends monthly ledger reminders to its customers."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="allbaro_settings")
    enabled = models.BooleanField(default=False)
    reminders_enabled = models.BooleanField(default=False)
    reminder_day = models.PositiveSmallIntegerField(default=5, help_text="Day of the month (1-28) to remind on.")
    updated_at = models.DateTimeField(auto_now=True)


class CheckStatus(models.TextChoices):
    READY = "ready", "보고 준비 완료"
    ISSUES = "issues", "고칠 곳 있음"
    ERRORS = "errors", "읽지 못한 행 있음"


class CheckRun(models.Model):
    """One reconciliation of a customer's files, kept with its full result so it can be shown and exported."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=CheckStatus.choices)
    issue_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    files = models.JSONField(default=list, help_text='[{"attachment_id", "filename", "kind"}]')
    result = models.JSONField(default=dict, help_text="cxops.kits.allbaro.check.result_json")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "customer", "-created_at"]),
                   models.Index(fields=["workspace", "-created_at"])]


class Reminder(models.Model):
    """A monthly 'generate your ledger' reminder sent to one customer (one per customer and month)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    month = models.CharField(max_length=7, help_text="YYYY-MM")
    email = models.CharField(max_length=254)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "customer", "month"],
                                               name="allbaro_reminder_once_a_month")]
