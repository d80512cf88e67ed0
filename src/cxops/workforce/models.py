"""Workforce planning data of a workspace: planning settings per channel, saved forecasts, shift
templates, agent constraints, schedules with their assignments, and QA scorecards.

Data and invariants only; every write goes through :mod:`cxops.workforce.services`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from cxops.core.models import Membership, Workspace
from cxops.tickets.models import Channel, Ticket

# Channels answered from a queue while the customer waits (Erlang); the others are deferred work
# (board, e-mail, marketplace questions) staffed by workload within an answer window.
LIVE_CHANNELS = frozenset({Channel.PHONE, Channel.CHAT, Channel.MESSENGER})
INTERVAL_CHOICES = [(15, "15"), (30, "30"), (60, "60")]


class PlanningSettings(models.Model):
    """How one channel of a workspace is planned (one row per channel)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("채널"), max_length=20, choices=Channel.choices)
    interval_min = models.PositiveSmallIntegerField(_("구간(분)"), choices=INTERVAL_CHOICES, default=30)
    aht_s = models.PositiveIntegerField(_("평균 처리 시간(초)"), default=180, validators=[MinValueValidator(1)])
    target_sl = models.DecimalField(_("목표 서비스 레벨"), max_digits=4, decimal_places=3, default=Decimal("0.8"),
                                    validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))])
    answer_within_s = models.PositiveIntegerField(_("목표 응답 시간(초)"), default=20)
    shrinkage = models.DecimalField(_("비가동률"), max_digits=4, decimal_places=3, default=Decimal("0.3"),
                                    validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal("0.95"))])
    max_occupancy = models.DecimalField(_("최대 점유율"), max_digits=4, decimal_places=3, default=Decimal("0.85"),
                                        validators=[MinValueValidator(Decimal("0.05")), MaxValueValidator(Decimal(1))])
    patience_s = models.PositiveIntegerField(_("평균 인내 시간(초)"), null=True, blank=True,
                                             help_text="Set to plan with Erlang A (abandonment).")
    deferred = models.BooleanField(_("지연 응대 채널"), default=False,
                                   help_text="Board/e-mail: workload within the SLA window instead of Erlang.")
    sla_window_min = models.PositiveIntegerField(_("응답 기한(분)"), default=240, validators=[MinValueValidator(1)])
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "channel"], name="uniq_wf_settings_channel")]
        ordering = ["channel"]

    def __str__(self) -> str:
        return f"{self.workspace} · {self.channel}"


class ForecastSource(models.TextChoices):
    HISTORY = "history", _("워크스페이스 이력")
    CSV = "csv", _("CSV 가져오기")


class SavedForecast(models.Model):
    """A forecast kept for planning: ``values[d][i]`` arrivals on day ``start_date + d``, interval ``i``."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20, choices=Channel.choices)
    interval_min = models.PositiveSmallIntegerField(choices=INTERVAL_CHOICES)
    start_date = models.DateField()
    days = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=10, choices=ForecastSource.choices)
    values = models.JSONField(default=list)
    history_days = models.PositiveIntegerField(default=0)
    wape = models.FloatField(null=True, blank=True, help_text="Backtest on the last history week.")
    wape_naive = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "channel", "-created_at"], name="wf_fc_ws_chan")]

    def __str__(self) -> str:
        return f"{self.channel} {self.start_date} +{self.days}d"

    @property
    def end_date(self) -> dt.date:
        return self.start_date + dt.timedelta(days=self.days - 1)


class ShiftTemplate(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("이름"), max_length=40)
    start = models.TimeField(_("시작"))
    length_min = models.PositiveSmallIntegerField(_("길이(분)"), validators=[MinValueValidator(15),
                                                                              MaxValueValidator(1440)])
    breaks = models.JSONField(default=list, blank=True, help_text="[[offset_min, duration_min], …] unpaid.")
    cost = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_wf_shift_name")]
        ordering = ["start", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def paid_min(self) -> int:
        return self.length_min - sum(int(d) for _, d in self.breaks)

    @property
    def label(self) -> str:
        end = (dt.datetime.combine(dt.date(2000, 1, 1), self.start) + dt.timedelta(minutes=self.length_min)).time()
        return f"{self.name} {self.start:%H:%M}–{end:%H:%M}"


class DaysOff(models.TextChoices):
    ANY = "any", _("자유")
    CONSECUTIVE = "consecutive", _("연속 이틀 (순환)")


class AgentProfile(models.Model):
    """Scheduling constraints of one member (``days_off``: any, consecutive, or fixed weekdays "Sat;Sun")."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="workforce_profile")
    contract_hours = models.DecimalField(_("주 계약 시간"), max_digits=4, decimal_places=1, default=Decimal(40),
                                         validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(80))])
    min_hours = models.DecimalField(_("주 최소 시간"), max_digits=4, decimal_places=1, null=True, blank=True)
    days_off = models.CharField(_("휴무 방식"), max_length=40, default=DaysOff.CONSECUTIVE)
    max_consecutive_days = models.PositiveSmallIntegerField(_("최대 연속 근무일"), default=6,
                                                            validators=[MinValueValidator(1), MaxValueValidator(14)])
    preferred_days_off = models.JSONField(default=list, blank=True)
    forbidden_days = models.JSONField(default=list, blank=True)
    skills = models.JSONField(default=list, blank=True, help_text="Channels the agent works (default phone).")
    shifts = models.JSONField(default=list, blank=True, help_text="Allowed shift template names (empty = all).")
    seniority = models.SmallIntegerField(default=0)
    is_scheduled = models.BooleanField(_("근무표 대상"), default=True)

    def __str__(self) -> str:
        return f"profile {self.membership_id}"


class ScheduleStatus(models.TextChoices):
    DRAFT = "draft", _("초안")
    PUBLISHED = "published", _("게시됨")


class SolveStatus(models.TextChoices):
    QUEUED = "queued", _("대기 중")
    RUNNING = "running", _("계산 중")
    DONE = "done", _("완료")
    FAILED = "failed", _("실패")


class Schedule(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("이름"), max_length=120)
    start_date = models.DateField(_("시작일"))
    weeks = models.PositiveSmallIntegerField(_("주 수"), validators=[MinValueValidator(1), MaxValueValidator(6)])
    interval_min = models.PositiveSmallIntegerField(default=30, choices=INTERVAL_CHOICES)
    status = models.CharField(max_length=10, choices=ScheduleStatus.choices, default=ScheduleStatus.DRAFT)
    solve_status = models.CharField(max_length=10, choices=SolveStatus.choices, default=SolveStatus.QUEUED)
    solve_message = models.TextField(blank=True)
    solve_time_s = models.FloatField(null=True, blank=True)
    requirements = models.JSONField(default=dict, blank=True, help_text="channel → required heads per interval.")
    created_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-start_date"], name="wf_sched_ws_start")]

    def __str__(self) -> str:
        return self.name

    @property
    def days(self) -> int:
        return self.weeks * 7

    @property
    def end_date(self) -> dt.date:
        return self.start_date + dt.timedelta(days=self.days - 1)

    @property
    def is_published(self) -> bool:
        return self.status == ScheduleStatus.PUBLISHED


class ShiftAssignment(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="assignments")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    shift = models.ForeignKey(ShiftTemplate, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.PHONE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["schedule", "membership", "date"], name="uniq_wf_assignment")]
        indexes = [models.Index(fields=["workspace", "membership", "date"], name="wf_asg_ws_member")]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.date} {self.shift_id}"


class QaCriterion(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("항목"), max_length=120)
    description = models.TextField(_("설명"), blank=True)
    weight = models.PositiveSmallIntegerField(_("가중치"), default=1, validators=[MinValueValidator(1),
                                                                                MaxValueValidator(100)])
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_wf_qa_criterion")]

    def __str__(self) -> str:
        return self.name


QA_MAX_SCORE = 5


class QaScorecard(models.Model):
    """One evaluation of one ticket; ``total`` is the weighted score in 0–100."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    evaluator = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    total = models.FloatField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "agent", "-created_at"], name="wf_qa_ws_agent")]

    def __str__(self) -> str:
        return f"QA #{self.ticket_id} {self.total:.0f}"


class QaScore(models.Model):
    scorecard = models.ForeignKey(QaScorecard, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(QaCriterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MaxValueValidator(QA_MAX_SCORE)])
    weight = models.PositiveSmallIntegerField()
