"""Complaint handling: detection (rules, a lexical model, agents' feedback), escalations with their own
SLA, the compensation policy and approvals, and complaints filed with regulators.

Money is integer won. Every record belongs to one workspace.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cxops.core.models import AppendOnlyModel, Membership, Workspace
from cxops.tickets.models import Ticket


class ComplaintType(models.TextChoices):
    DELIVERY = "delivery", _("배송")
    QUALITY = "quality", _("품질·불량")
    REFUND = "refund", _("환불·교환")
    SERVICE = "service", _("응대 태도")
    BILLING = "billing", _("결제·가격")
    SAFETY = "safety", _("안전·위생")
    OTHER = "other", _("기타")


class Severity(models.TextChoices):
    NORMAL = "normal", _("보통")
    HIGH = "high", _("높음")
    CRITICAL = "critical", _("심각")


SEVERITY_RANK = {Severity.NORMAL: 0, Severity.HIGH: 1, Severity.CRITICAL: 2}

# Delegated-authority limits by role when a member has no limit of their own (won).
DEFAULT_ROLE_LIMITS = {"agent": 30_000, "lead": 100_000, "manager": 500_000, "admin": 1_000_000}


class ComplaintConfig(models.Model):
    """Per-workspace detection and compensation settings (created with defaults on first use)."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="complaint_config")
    threshold = models.FloatField(_("민원 판정 기준 점수"), default=0.6,
                                  help_text="Rules and model combined; at or above this a ticket is flagged.")
    model_enabled = models.BooleanField(_("문장 모델 사용"), default=True)
    builtin_threats = models.BooleanField(_("기본 신고·고소 문구 사용"), default=True)
    repeat_days = models.PositiveSmallIntegerField(_("재문의 기간(일)"), default=7)
    repeat_min_tickets = models.PositiveSmallIntegerField(_("재문의 건수"), default=3)
    role_limits = models.JSONField(default=dict, blank=True, help_text='{"agent": 30000, "lead": 100000, ...}')
    regulator_reminder_days = models.PositiveSmallIntegerField(_("기관 민원 사전 알림(일)"), default=3)
    updated_at = models.DateTimeField(default=timezone.now)

    def limit_for_role(self, role: str) -> int:
        limits = {**DEFAULT_ROLE_LIMITS, **{k: int(v) for k, v in (self.role_limits or {}).items()}}
        return int(limits.get(role, 0))


class RuleKind(models.TextChoices):
    PHRASE = "phrase", _("문구")
    THREAT = "threat", _("신고·고소 언급")
    CHANNEL = "channel", _("채널")
    REPEAT = "repeat", _("반복 문의")


class ComplaintRule(models.Model):
    """One detection rule. `weight` is how sure a match alone makes us (0–1); threats default to 1."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="complaint_rules")
    kind = models.CharField(max_length=10, choices=RuleKind.choices)
    value = models.CharField(_("값"), max_length=120, blank=True)
    weight = models.FloatField(_("가중치"), default=0.7)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "value", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class ComplaintModel(models.Model):
    """A workspace's trained complaint scorer (plain JSON weights, see `scoring.LexicalModel`)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="complaint_models")
    data = models.JSONField()
    examples = models.PositiveIntegerField(default=0)
    feedback = models.PositiveIntegerField(default=0)
    metrics = models.JSONField(default=dict, blank=True)
    trained_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-trained_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-trained_at"], name="cmodel_ws_trained")]


class FlagSource(models.TextChoices):
    RULE = "rule", _("규칙")
    MODEL = "model", _("모델")
    AGENT = "agent", _("상담원")
    REGULATOR = "regulator", _("기관 민원")


class ComplaintFlag(models.Model):
    """The complaint state of one ticket. Its history is in ComplaintFlagEvent."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="complaint_flag")
    is_complaint = models.BooleanField(default=True)
    source = models.CharField(max_length=10, choices=FlagSource.choices)
    score = models.FloatField(default=0.0)
    model_score = models.FloatField(null=True, blank=True)
    matched = models.JSONField(default=list, blank=True, help_text="Labels of the rules that matched.")
    complaint_type = models.CharField(max_length=12, choices=ComplaintType.choices, default=ComplaintType.OTHER)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", help_text="The agent who last flagged or unflagged it.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "is_complaint", "-updated_at"], name="cflag_ws_state")]

    def __str__(self) -> str:
        return f"#{self.ticket.number} {'민원' if self.is_complaint else '일반'}"


class FlagAction(models.TextChoices):
    DETECTED = "detected", _("자동 감지")
    FLAGGED = "flagged", _("민원 지정")
    UNFLAGGED = "unflagged", _("민원 해제")


class ComplaintFlagEvent(AppendOnlyModel):
    """Every change of a ticket's complaint state; agents' flags and unflags train the model."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    flag = models.ForeignKey(ComplaintFlag, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=FlagAction.choices)
    source = models.CharField(max_length=10, choices=FlagSource.choices)
    score = models.FloatField(default=0.0)
    matched = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True, help_text="The text judged, kept as a training example.")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["workspace", "action", "created_at"], name="cflagev_ws_action")]


class OwnerRole(models.TextChoices):
    LEAD = "lead", _("팀장")
    MANAGER = "manager", _("매니저")
    ADMIN = "admin", _("관리자")


class EscalationRule(models.Model):
    """A row of the escalation matrix: for complaints matching the conditions, tier N goes to this owner
    and must be answered within `response_minutes` business minutes. Empty condition lists match all."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="escalation_rules")
    tier = models.PositiveSmallIntegerField(default=1)
    severities = models.JSONField(default=list, blank=True)
    complaint_types = models.JSONField(default=list, blank=True)
    regulator_only = models.BooleanField(default=False)
    owner_role = models.CharField(max_length=10, choices=OwnerRole.choices, default=OwnerRole.LEAD)
    owner = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    response_minutes = models.PositiveIntegerField(_("응답 기한(영업 분)"), default=60)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["tier", "position", "id"]


class EscalationStatus(models.TextChoices):
    OPEN = "open", _("대기")
    ACKNOWLEDGED = "acknowledged", _("확인됨")
    RESOLVED = "resolved", _("완료됨")


class Escalation(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations")
    tier = models.PositiveSmallIntegerField(default=1)
    reason = models.CharField(max_length=300)
    owner = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    owner_role = models.CharField(max_length=10, choices=OwnerRole.choices, default=OwnerRole.LEAD)
    status = models.CharField(max_length=12, choices=EscalationStatus.choices, default=EscalationStatus.OPEN)
    due_at = models.DateTimeField()
    breached = models.BooleanField(default=False)
    breached_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "status", "due_at"], name="esc_ws_status_due"),
            models.Index(fields=["ticket", "tier"], name="esc_ticket_tier"),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket.number} {self.tier}차 에스컬레이션"

    @property
    def is_open(self) -> bool:
        return self.status != EscalationStatus.RESOLVED


class RemedyKind(models.TextChoices):
    REFUND = "refund", _("환불")
    COUPON = "coupon", _("쿠폰")
    POINTS = "points", _("적립금")
    RESHIPMENT = "reshipment", _("재발송")


class CompensationPolicy(models.Model):
    """Channel × product type × complaint type → a remedy allowed up to `max_amount` won. Empty = any."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="compensation_policies")
    channel = models.CharField(max_length=20, blank=True)
    product_type = models.CharField(max_length=60, blank=True)
    complaint_type = models.CharField(max_length=12, choices=ComplaintType.choices, blank=True)
    kind = models.CharField(max_length=12, choices=RemedyKind.choices)
    max_amount = models.PositiveIntegerField(_("최대 금액(원)"))
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "channel", "product_type", "complaint_type", "id"]

    @property
    def specificity(self) -> int:
        return bool(self.channel) + bool(self.product_type) + bool(self.complaint_type)


class DelegatedAuthority(models.Model):
    """A member's own limit for remedies they may give without approval (won)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="delegated_authority")
    limit = models.PositiveIntegerField(_("전결 한도(원)"))
    updated_at = models.DateTimeField(default=timezone.now)


class RemedyStatus(models.TextChoices):
    PROPOSED = "proposed", _("제안")
    PENDING = "pending_approval", _("승인 대기")
    APPROVED = "approved", _("승인됨")
    REJECTED = "rejected", _("반려됨")
    ISSUED = "issued", _("지급됨")


class Remedy(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="remedies")
    kind = models.CharField(max_length=12, choices=RemedyKind.choices)
    amount = models.PositiveIntegerField(_("금액(원)"))
    status = models.CharField(max_length=20, choices=RemedyStatus.choices, default=RemedyStatus.PROPOSED)
    complaint_type = models.CharField(max_length=12, choices=ComplaintType.choices, default=ComplaintType.OTHER)
    reason = models.CharField(_("사유"), max_length=300)
    policy = models.ForeignKey(CompensationPolicy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    within_policy = models.BooleanField(default=False)
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    proposer_limit = models.PositiveIntegerField(default=0)
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    decision_reason = models.CharField(max_length=300, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "status", "-created_at"], name="remedy_ws_status")]

    def __str__(self) -> str:
        return f"#{self.ticket.number} {self.get_kind_display()} {self.amount:,}원"


class Agency(models.TextChoices):
    CONSUMER_1372 = "1372", _("1372 소비자상담센터")
    KCA = "kca", _("한국소비자원")
    EPEOPLE = "epeople", _("국민신문고")
    FTC = "ftc", _("공정거래위원회")
    OTHER = "other", _("기타")


class RegulatorStatus(models.TextChoices):
    RECEIVED = "received", _("접수")
    RESPONDING = "responding", _("회신 준비")
    ANSWERED = "answered", _("회신 완료")
    CLOSED = "closed", _("종결")


REGULATOR_OPEN = (RegulatorStatus.RECEIVED, RegulatorStatus.RESPONDING)


class RegulatorComplaint(models.Model):
    """A complaint a customer filed with an outside body, with the date our answer is due."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey(Ticket, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="regulator_complaints")
    agency = models.CharField(max_length=10, choices=Agency.choices)
    reference_number = models.CharField(_("접수 번호"), max_length=80)
    received_on = models.DateField(_("접수일"))
    response_due = models.DateField(_("회신 기한"))
    status = models.CharField(max_length=12, choices=RegulatorStatus.choices, default=RegulatorStatus.RECEIVED)
    summary = models.TextField(_("내용"), blank=True)
    owner = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["response_due", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "agency", "reference_number"],
                                               name="uniq_regulator_reference")]
        indexes = [models.Index(fields=["workspace", "status", "response_due"], name="reg_ws_status_due")]

    def __str__(self) -> str:
        return f"{self.get_agency_display()} {self.reference_number}"
