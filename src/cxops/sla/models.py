"""Business calendars and SLA policies of a workspace (data and invariants only).

Plain data is stored as JSON in the shapes the pure modules read:

* ``weekly_hours``: ``{"mon": ["09:00-12:00", "13:00-18:00"], ..., "sun": []}``
* ``extra_holidays``: ``[{"date": "2026-12-31", "name": "창립기념일"}]``
* ``overrides``: ``[{"date": "2026-12-24", "intervals": ["09:00-15:00"], "note": "단축 근무"}]``
  (an empty ``intervals`` list closes the day; an override wins over a holiday)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from cxops.core.models import Team, Workspace


def default_cutoff_channels() -> list[str]:
    return ["board", "email"]


def default_pause_statuses() -> list[str]:
    return ["pending"]


class BusinessCalendarConfig(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="business_calendars")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, null=True, blank=True, related_name="business_calendars",
                             help_text="When set, the calendar of this team; otherwise a workspace calendar.")
    name = models.CharField(_("이름"), max_length=80)
    timezone = models.CharField(_("시간대"), max_length=64, default="Asia/Seoul")
    weekly_hours = models.JSONField(default=dict, blank=True)
    use_korean_holidays = models.BooleanField(default=True)
    extra_holidays = models.JSONField(default=list, blank=True)
    overrides = models.JSONField(default=list, blank=True)
    cutoff_time = models.TimeField(default=dt.time(17, 0))
    cutoff_channels = models.JSONField(default=default_cutoff_channels, blank=True)
    is_default = models.BooleanField(default=False, help_text="The workspace's calendar when no team calendar applies.")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["workspace", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="uniq_sla_calendar_name"),
            models.UniqueConstraint(fields=["workspace"], condition=models.Q(is_default=True),
                                    name="uniq_sla_calendar_default"),
        ]

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    """Conditions (empty list = any) and targets in business minutes. The first match by position wins."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sla_policies")
    name = models.CharField(_("이름"), max_length=80)
    position = models.IntegerField(default=100)
    is_active = models.BooleanField(default=True)
    calendar = models.ForeignKey(BusinessCalendarConfig, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="policies",
                                 help_text="Calendar for this policy; otherwise the ticket team's or the workspace's.")
    channels = models.JSONField(default=list, blank=True)
    priorities = models.JSONField(default=list, blank=True)
    types = models.JSONField(default=list, blank=True)
    customer_tiers = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_reply_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    pause_statuses = models.JSONField(default=default_pause_statuses, blank=True)
    warn_share = models.FloatField(default=0.75)
    use_cutoff = models.BooleanField(default=True, help_text="Board/email first response and replies follow the "
                                                             "calendar's cutoff rule.")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["workspace", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="uniq_sla_policy_name"),
            models.CheckConstraint(condition=models.Q(warn_share__gt=0) & models.Q(warn_share__lte=1),
                                   name="sla_policy_warn_share_range"),
        ]
        indexes = [models.Index(fields=["workspace", "is_active", "position"], name="sla_policy_ws_active_pos")]

    def __str__(self) -> str:
        return self.name

    def snapshot(self) -> dict[str, Any]:
        fields = ("name", "position", "is_active", "calendar_id", "channels", "priorities", "types",
                  "customer_tiers", "tags", "first_response_minutes", "next_reply_minutes", "resolution_minutes",
                  "pause_statuses", "warn_share", "use_cutoff")
        return {f: getattr(self, f) for f in fields}


class SlaTarget(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("첫 응답")
    NEXT_REPLY = "next_reply", _("다음 답변")
    RESOLUTION = "resolution", _("해결")


class SlaEventKind(models.TextChoices):
    WARNING = "warning", _("임박")
    BREACH = "breach", _("초과")
    MET = "met", _("완료")


class SlaEvent(models.Model):
    """One moment of an SLA clock: a warning, a breach, or a target met (with its time in both forms).

    Unique per ticket, target, kind and deadline, so the minute job and retries record each once.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="sla_events")
    policy = models.ForeignKey(SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    target = models.CharField(max_length=20, choices=SlaTarget.choices)
    kind = models.CharField(max_length=10, choices=SlaEventKind.choices)
    due_at = models.DateTimeField()
    at = models.DateTimeField(help_text="When it happened (the reply, the solve, the warning or breach moment).")
    started_at = models.DateTimeField(null=True, blank=True, help_text="When the clock of this target started.")
    wall_seconds = models.IntegerField(null=True, blank=True)
    business_seconds = models.IntegerField(null=True, blank=True)
    within_target = models.BooleanField(null=True, blank=True, help_text="For met rows: at or before the deadline.")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "target", "kind", "due_at"], name="uniq_sla_event"),
        ]
        indexes = [
            models.Index(fields=["ticket", "at"], name="sla_event_ticket_at"),
            models.Index(fields=["workspace", "kind", "-at"], name="sla_event_ws_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} {self.kind}"
