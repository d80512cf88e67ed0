"""Every write of complaint handling: one transaction each, with an audit row.

Detection (`detect_on_ticket`) is a ticket lifecycle hook; everything else is called by views, the
API, the CLI and the jobs with keyword-only arguments.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cxops.complaints import detection, scoring
from cxops.complaints.models import (
    REGULATOR_OPEN,
    Agency,
    CompensationPolicy,
    ComplaintConfig,
    ComplaintFlag,
    ComplaintFlagEvent,
    ComplaintModel,
    ComplaintRule,
    ComplaintType,
    DelegatedAuthority,
    Escalation,
    EscalationRule,
    EscalationStatus,
    FlagAction,
    FlagSource,
    OwnerRole,
    RegulatorComplaint,
    RegulatorStatus,
    Remedy,
    RemedyKind,
    RemedyStatus,
    RuleKind,
    Severity,
)
from cxops.core.audit import record
from cxops.core.models import Membership, Role, User, Workspace
from cxops.core.services import ServiceError
from cxops.core.text import lexemes_many
from cxops.tickets.extensions import ChangeKind, TicketChange
from cxops.tickets.models import MessageKind, Ticket

log = logging.getLogger(__name__)

MAX_AMOUNT = 100_000_000
FEEDBACK_WEIGHT = 3.0
MAX_TIER = 3
# Messages older than this when they arrive (a channel catching up, a migration) are not escalated.
BACKFILL_AGE = timedelta(days=1)
# The matrix a workspace gets until it stores its own: lead in an hour, manager in half a day, admin in a day.
DEFAULT_MATRIX: tuple[tuple[int, str, int], ...] = ((1, OwnerRole.LEAD, 60), (2, OwnerRole.MANAGER, 240),
                                                    (3, OwnerRole.ADMIN, 480))


# --- helpers ------------------------------------------------------------------------------------------

def _writer(by: Membership | None, workspace: Workspace) -> User | None:
    if by is None:
        return None
    if by.workspace_id != workspace.pk or not by.can_write:
        raise PermissionError("이 워크스페이스에서 쓰기 권한이 없습니다.")
    return by.user


def _manager(by: Membership | None, workspace: Workspace) -> User | None:
    user = _writer(by, workspace)
    if by is not None and not by.has_role(Role.MANAGER):
        raise PermissionError("매니저 이상만 민원 설정을 바꿀 수 있습니다.")
    return user


def ticket_url(ticket: Ticket) -> str:
    return reverse("ticket_detail", kwargs={"slug": ticket.workspace.slug, "number": ticket.number})


def ticket_text(ticket: Ticket) -> str:
    """The text a complaint judgement is about: the subject and the customer's messages (first 3)."""
    bodies = list(ticket.messages.filter(kind=MessageKind.CUSTOMER).order_by("created_at", "id")
                  .values_list("body_text", flat=True)[:3])
    return "\n".join([ticket.subject, *bodies]).strip()


def _notify(*, workspace: Workspace, recipients: Sequence[Membership], kind: str, title: str, body: str = "",
            url: str = "", dedupe_key: str = "", email_now: bool = False) -> int:
    from cxops.notifications.services import notify

    return len(notify(workspace=workspace, recipients=recipients, kind=kind, title=title, body=body, url=url,
                      dedupe_key=dedupe_key, email_now=email_now))


def _leads(workspace: Workspace, ticket: Ticket | None) -> list[Membership]:
    from cxops.notifications.selectors import leads_for

    return leads_for(workspace=workspace, team=ticket.team if ticket is not None else None)


def _won(amount: int) -> str:
    return f"₩{amount:,}"


# --- configuration ------------------------------------------------------------------------------------

def config_get_or_create(*, workspace: Workspace) -> ComplaintConfig:
    config, _ = ComplaintConfig.objects.get_or_create(workspace=workspace, defaults={"role_limits": {}})
    return config


@transaction.atomic
def config_update(*, workspace: Workspace, by: Membership | None, threshold: float | None = None,
                  model_enabled: bool | None = None, builtin_threats: bool | None = None,
                  repeat_days: int | None = None, repeat_min_tickets: int | None = None,
                  role_limits: dict[str, int] | None = None,
                  regulator_reminder_days: int | None = None) -> ComplaintConfig:
    actor = _manager(by, workspace)
    config = config_get_or_create(workspace=workspace)
    before = {f: getattr(config, f) for f in ("threshold", "model_enabled", "builtin_threats", "repeat_days",
                                              "repeat_min_tickets", "role_limits", "regulator_reminder_days")}
    if threshold is not None:
        if not 0.05 <= threshold <= 0.99:
            raise ServiceError("판정 기준 점수는 0.05~0.99 사이여야 합니다.")
        config.threshold = threshold
    if model_enabled is not None:
        config.model_enabled = model_enabled
    if builtin_threats is not None:
        config.builtin_threats = builtin_threats
    if repeat_days is not None:
        if not 1 <= repeat_days <= 90:
            raise ServiceError("재문의 기간은 1~90일이어야 합니다.")
        config.repeat_days = repeat_days
    if repeat_min_tickets is not None:
        if not 2 <= repeat_min_tickets <= 50:
            raise ServiceError("재문의 건수는 2~50건이어야 합니다.")
        config.repeat_min_tickets = repeat_min_tickets
    if role_limits is not None:
        clean: dict[str, int] = {}
        for role, limit in role_limits.items():
            if role not in (Role.AGENT, Role.LEAD, Role.MANAGER, Role.ADMIN):
                raise ServiceError(f"알 수 없는 역할입니다: {role}")
            if not 0 <= int(limit) <= MAX_AMOUNT:
                raise ServiceError("전결 한도는 0원 이상 1억 원 이하여야 합니다.")
            clean[str(role)] = int(limit)
        config.role_limits = clean
    if regulator_reminder_days is not None:
        if not 1 <= regulator_reminder_days <= 30:
            raise ServiceError("기관 민원 사전 알림은 1~30일 전이어야 합니다.")
        config.regulator_reminder_days = regulator_reminder_days
    config.updated_at = timezone.now()
    config.save()
    after = {f: getattr(config, f) for f in before}
    record(workspace=workspace, actor=actor, action="complaint_config.update", obj=config,
           changes={k: [before[k], after[k]] for k in before if before[k] != after[k]})
    transaction.on_commit(lambda: detection.forget_rules(workspace.pk))
    return config


@transaction.atomic
def rule_add(*, workspace: Workspace, by: Membership | None, kind: str, value: str = "",
             weight: float | None = None) -> ComplaintRule:
    actor = _manager(by, workspace)
    if kind not in RuleKind.values:
        raise ServiceError(f"알 수 없는 규칙 종류입니다: {kind}")
    value = " ".join(value.split())[:120]
    if kind in (RuleKind.PHRASE, RuleKind.THREAT, RuleKind.CHANNEL) and not value:
        raise ServiceError("규칙의 값(문구나 채널)을 입력해 주세요.")
    if kind == RuleKind.CHANNEL:
        from cxops.tickets.models import Channel

        if value not in Channel.values:
            raise ServiceError(f"알 수 없는 채널입니다: {value}")
    if weight is None:
        weight = 1.0 if kind == RuleKind.THREAT else 0.7
    if not 0.0 < weight <= 1.0:
        raise ServiceError("가중치는 0보다 크고 1 이하여야 합니다.")
    rule = ComplaintRule.objects.create(workspace=workspace, kind=kind, value=value, weight=weight)
    record(workspace=workspace, actor=actor, action="complaint_rule.create", obj=rule,
           changes={"kind": [None, kind], "value": [None, value], "weight": [None, weight]})
    transaction.on_commit(lambda: detection.forget_rules(workspace.pk))
    return rule


@transaction.atomic
def rule_delete(*, rule: ComplaintRule, by: Membership | None) -> None:
    actor = _manager(by, rule.workspace)
    record(workspace=rule.workspace, actor=actor, action="complaint_rule.delete", obj=rule,
           changes={"kind": [rule.kind, None], "value": [rule.value, None]})
    workspace_id = rule.workspace_id
    rule.delete()
    transaction.on_commit(lambda: detection.forget_rules(workspace_id))


def _clean_choices(values: Sequence[str], allowed: Sequence[str], what: str) -> list[str]:
    out = []
    for value in values:
        if value not in allowed:
            raise ServiceError(f"알 수 없는 {what}입니다: {value}")
        if value not in out:
            out.append(value)
    return out


@transaction.atomic
def escalation_rule_add(*, workspace: Workspace, by: Membership | None, tier: int, owner_role: str = OwnerRole.LEAD,
                        owner: Membership | None = None, response_minutes: int = 60,
                        severities: Sequence[str] = (), complaint_types: Sequence[str] = (),
                        regulator_only: bool = False) -> EscalationRule:
    actor = _manager(by, workspace)
    if not 1 <= tier <= MAX_TIER:
        raise ServiceError("단계는 1~3이어야 합니다.")
    if owner_role not in OwnerRole.values:
        raise ServiceError(f"알 수 없는 담당 역할입니다: {owner_role}")
    if owner is not None and (owner.workspace_id != workspace.pk or not owner.has_role(Role.LEAD)):
        raise ServiceError("담당자는 이 워크스페이스의 팀장 이상이어야 합니다.")
    if not 1 <= response_minutes <= 60 * 24 * 10:
        raise ServiceError("응답 기한은 1분 이상 14,400분 이하(영업 시간 기준)여야 합니다.")
    rule = EscalationRule.objects.create(
        workspace=workspace, tier=tier, owner_role=owner_role, owner=owner, response_minutes=response_minutes,
        severities=_clean_choices(severities, Severity.values, "심각도"),
        complaint_types=_clean_choices(complaint_types, ComplaintType.values, "민원 유형"),
        regulator_only=regulator_only,
        position=EscalationRule.objects.filter(workspace=workspace, tier=tier).count())
    record(workspace=workspace, actor=actor, action="escalation_rule.create", obj=rule,
           changes={"tier": [None, tier], "owner_role": [None, owner_role], "response_minutes": [None, response_minutes],
                    "severities": [None, rule.severities], "complaint_types": [None, rule.complaint_types],
                    "regulator_only": [None, regulator_only]})
    return rule


@transaction.atomic
def escalation_rule_delete(*, rule: EscalationRule, by: Membership | None) -> None:
    actor = _manager(by, rule.workspace)
    record(workspace=rule.workspace, actor=actor, action="escalation_rule.delete", obj=rule,
           changes={"tier": [rule.tier, None], "owner_role": [rule.owner_role, None]})
    rule.delete()


@transaction.atomic
def policy_add(*, workspace: Workspace, by: Membership | None, kind: str, max_amount: int, channel: str = "",
               product_type: str = "", complaint_type: str = "") -> CompensationPolicy:
    actor = _manager(by, workspace)
    from cxops.tickets.models import Channel

    if kind not in RemedyKind.values:
        raise ServiceError(f"알 수 없는 보상 종류입니다: {kind}")
    if channel and channel not in Channel.values:
        raise ServiceError(f"알 수 없는 채널입니다: {channel}")
    if complaint_type and complaint_type not in ComplaintType.values:
        raise ServiceError(f"알 수 없는 민원 유형입니다: {complaint_type}")
    if not 0 <= max_amount <= MAX_AMOUNT:
        raise ServiceError("최대 금액은 0원 이상 1억 원 이하여야 합니다.")
    policy = CompensationPolicy.objects.create(
        workspace=workspace, kind=kind, max_amount=max_amount, channel=channel,
        product_type=" ".join(product_type.split())[:60], complaint_type=complaint_type)
    record(workspace=workspace, actor=actor, action="compensation_policy.create", obj=policy,
           changes={"kind": [None, kind], "max_amount": [None, max_amount], "channel": [None, channel],
                    "product_type": [None, policy.product_type], "complaint_type": [None, complaint_type]})
    return policy


@transaction.atomic
def policy_delete(*, policy: CompensationPolicy, by: Membership | None) -> None:
    actor = _manager(by, policy.workspace)
    record(workspace=policy.workspace, actor=actor, action="compensation_policy.delete", obj=policy,
           changes={"kind": [policy.kind, None], "max_amount": [policy.max_amount, None]})
    policy.delete()


@transaction.atomic
def authority_set(*, workspace: Workspace, by: Membership | None, member: Membership,
                  limit: int | None) -> DelegatedAuthority | None:
    """Give `member` a limit of their own, or (None) fall back to their role's default."""
    actor = _manager(by, workspace)
    if member.workspace_id != workspace.pk:
        raise ServiceError("이 워크스페이스의 구성원이 아닙니다.")
    current = DelegatedAuthority.objects.filter(membership=member).first()
    before = current.limit if current else None
    if limit is None:
        if current is not None:
            current.delete()
        result = None
    else:
        if not 0 <= limit <= MAX_AMOUNT:
            raise ServiceError("전결 한도는 0원 이상 1억 원 이하여야 합니다.")
        result, _ = DelegatedAuthority.objects.update_or_create(
            membership=member, defaults={"workspace": workspace, "limit": limit, "updated_at": timezone.now()})
    record(workspace=workspace, actor=actor, action="delegated_authority.set", obj=member,
           changes={"limit": [before, limit]})
    return result


def authority_limit(member: Membership) -> int:
    own = DelegatedAuthority.objects.filter(membership=member).values_list("limit", flat=True).first()
    if own is not None:
        return int(own)
    return detection.config_for(member.workspace_id).limit_for_role(member.role)


# --- detection ----------------------------------------------------------------------------------------

def _recent_ticket_count(ticket: Ticket, days: int) -> int | None:
    if not ticket.customer_id:
        return None
    since = ticket.created_at - timedelta(days=days)
    return Ticket.objects.filter(workspace_id=ticket.workspace_id, customer_id=ticket.customer_id,
                                 created_at__gte=since).count()


def detect_on_ticket(change: TicketChange) -> None:
    """Lifecycle hook (order 30): score a new ticket or a customer's new message, flag it when the
    rules and the model together reach the workspace threshold. Escalating and notifying run after
    the commit in a job, so a ticket is created about as fast as without complaint handling."""
    if change.kind not in (ChangeKind.CREATED, ChangeKind.CUSTOMER_MESSAGE):
        return
    message = change.message
    if message is None or message.kind != MessageKind.CUSTOMER:
        return
    ticket = change.ticket
    existing = None if change.kind == ChangeKind.CREATED else ComplaintFlag.objects.filter(ticket=ticket).first()
    if existing is not None and existing.is_complaint:
        return
    ruleset = detection.ruleset_for(ticket.workspace_id)
    text = f"{ticket.subject}\n{message.body_text}" if change.kind == ChangeKind.CREATED else message.body_text
    parts = lexemes_many([ticket.subject, message.body_text]) if change.kind == ChangeKind.CREATED \
        else lexemes_many([message.body_text])
    tokens = [t for part in parts for t in part]
    needs_repeat = any(r.kind == RuleKind.REPEAT for r in ruleset.rules)
    recent = _recent_ticket_count(ticket, ruleset.repeat_days) if needs_repeat else None
    verdict = detection.evaluate(workspace_id=ticket.workspace_id, text=text, tokens=tokens, channel=ticket.channel,
                                 recent_tickets=recent, ruleset=ruleset)
    if not verdict.is_complaint(ruleset.threshold):
        return
    if existing is not None and existing.decided_by_id and not verdict.threat:
        return  # an agent said it is not a complaint; only a new threat to report overrides that
    source = FlagSource.RULE if verdict.matched else FlagSource.MODEL
    now = timezone.now()
    if existing is None:
        flag = ComplaintFlag.objects.create(
            workspace_id=ticket.workspace_id, ticket=ticket, is_complaint=True, source=source, score=verdict.score,
            model_score=verdict.model_score, matched=verdict.matched, complaint_type=verdict.complaint_type,
            severity=verdict.severity, created_at=now, updated_at=now)
    else:
        flag = existing
        flag.is_complaint, flag.source, flag.score, flag.model_score = True, source, verdict.score, verdict.model_score
        flag.matched, flag.severity, flag.updated_at = verdict.matched, verdict.severity, now
        flag.save()
    ComplaintFlagEvent.objects.create(workspace_id=ticket.workspace_id, flag=flag, action=FlagAction.DETECTED,
                                      source=source, score=verdict.score, matched=verdict.matched, created_at=now)
    record(workspace=ticket.workspace, actor=None, action="complaint.detect", obj=ticket,
           changes={"score": [None, verdict.score], "matched": [None, verdict.matched]}, actor_label="complaints")
    if message.created_at < now - BACKFILL_AGE:
        return  # an old message a channel caught up on: flagged for the record, nobody is paged
    flag_id = flag.pk

    def _escalate() -> None:
        from cxops.complaints import jobs

        jobs.complaint_escalate(flag_id)

    transaction.on_commit(_escalate)


def _flag_event(flag: ComplaintFlag, *, action: str, source: str, actor: User | None, note: str = "",
                text: str = "") -> ComplaintFlagEvent:
    return ComplaintFlagEvent.objects.create(
        workspace_id=flag.workspace_id, flag=flag, action=action, source=source, score=flag.score,
        matched=flag.matched, note=note[:300], text=text, actor=actor)


def retrain_pending_key(workspace_id: int) -> str:
    return f"cxops:complaints:retrain-pending:{workspace_id}"


def _enqueue_retrain(workspace_id: int) -> None:
    """Retrain after the commit; a burst of flags while one retrain waits in the queue adds no second one."""
    def _go() -> None:
        from cxops.complaints import jobs

        if cache.add(retrain_pending_key(workspace_id), 1, 600):
            jobs.complaint_model_retrain(workspace_id)

    transaction.on_commit(_go)


@transaction.atomic
def complaint_flag(*, ticket: Ticket, by: Membership, complaint_type: str = "", severity: str = "",
                   note: str = "") -> ComplaintFlag:
    """An agent marks a ticket as a complaint: kept as feedback, and escalated at once."""
    actor = _writer(by, ticket.workspace)
    if complaint_type and complaint_type not in ComplaintType.values:
        raise ServiceError(f"알 수 없는 민원 유형입니다: {complaint_type}")
    if severity and severity not in Severity.values:
        raise ServiceError(f"알 수 없는 심각도입니다: {severity}")
    text = ticket_text(ticket)
    now = timezone.now()
    flag = ComplaintFlag.objects.select_for_update().filter(ticket=ticket).first()
    before = {"is_complaint": flag.is_complaint if flag else None}
    if flag is None:
        flag = ComplaintFlag(workspace_id=ticket.workspace_id, ticket=ticket, created_at=now,
                             complaint_type=detection.guess_type(text))
    flag.is_complaint = True
    flag.source = FlagSource.AGENT
    flag.decided_by = actor
    flag.complaint_type = complaint_type or flag.complaint_type
    flag.severity = severity or flag.severity
    flag.updated_at = now
    flag.save()
    _flag_event(flag, action=FlagAction.FLAGGED, source=FlagSource.AGENT, actor=actor, note=note, text=text)
    record(workspace=ticket.workspace, actor=actor, action="complaint.flag", obj=ticket,
           changes={"is_complaint": [before["is_complaint"], True], "complaint_type": [None, flag.complaint_type],
                    "severity": [None, flag.severity]})
    if not Escalation.objects.filter(ticket=ticket).exclude(status=EscalationStatus.RESOLVED).exists():
        escalation_open(ticket=ticket, tier=1, reason=f"상담원 민원 지정: {note}" if note else "상담원 민원 지정",
                        flag=flag)
    _enqueue_retrain(ticket.workspace_id)
    return flag


@transaction.atomic
def complaint_unflag(*, ticket: Ticket, by: Membership, note: str = "") -> ComplaintFlag:
    """An agent says this is not a complaint: kept as feedback; open escalations are resolved."""
    actor = _writer(by, ticket.workspace)
    flag = ComplaintFlag.objects.select_for_update().filter(ticket=ticket).first()
    text = ticket_text(ticket)
    now = timezone.now()
    if flag is None:
        flag = ComplaintFlag(workspace_id=ticket.workspace_id, ticket=ticket, created_at=now, source=FlagSource.AGENT)
    was = flag.is_complaint if flag.pk else None
    flag.is_complaint = False
    flag.decided_by = actor
    flag.updated_at = now
    flag.save()
    _flag_event(flag, action=FlagAction.UNFLAGGED, source=FlagSource.AGENT, actor=actor, note=note, text=text)
    for escalation in Escalation.objects.filter(ticket=ticket).exclude(status=EscalationStatus.RESOLVED):
        escalation.status, escalation.resolved_at = EscalationStatus.RESOLVED, now
        escalation.resolution = "민원 해제"
        escalation.save(update_fields=["status", "resolved_at", "resolution"])
    record(workspace=ticket.workspace, actor=actor, action="complaint.unflag", obj=ticket,
           changes={"is_complaint": [was, False], "note": [None, note]})
    _enqueue_retrain(ticket.workspace_id)
    return flag


# --- escalations --------------------------------------------------------------------------------------

def _matrix_row(ticket: Ticket, tier: int, severity: str, complaint_type: str,
                regulator: bool) -> tuple[str, Membership | None, int]:
    rows = [r for r in EscalationRule.objects.filter(workspace_id=ticket.workspace_id, tier=tier, is_active=True)
            .select_related("owner")]
    if not rows and not EscalationRule.objects.filter(workspace_id=ticket.workspace_id, is_active=True).exists():
        role, minutes = next((r, m) for t, r, m in DEFAULT_MATRIX if t == tier)
        return role, None, minutes
    # Regulator-only rows first when it is a regulator complaint, then the most specific matching row.
    def fits(r: EscalationRule) -> bool:
        return ((not r.severities or severity in r.severities)
                and (not r.complaint_types or complaint_type in r.complaint_types)
                and (regulator or not r.regulator_only))
    candidates = sorted((r for r in rows if fits(r)),
                        key=lambda r: (-int(r.regulator_only), -(bool(r.severities) + bool(r.complaint_types)),
                                       r.position, r.pk))
    if not candidates:
        raise LookupError(tier)
    row = candidates[0]
    return row.owner_role, row.owner, row.response_minutes


def _recipients(ticket: Ticket, owner_role: str, owner: Membership | None) -> list[Membership]:
    if owner is not None and owner.is_active:
        return [owner]
    if owner_role == OwnerRole.LEAD:
        return _leads(ticket.workspace, ticket)
    roles = [Role.MANAGER, Role.ADMIN] if owner_role == OwnerRole.MANAGER else [Role.ADMIN]
    found = list(Membership.objects.filter(workspace_id=ticket.workspace_id, is_active=True, role__in=roles)
                 .select_related("user").order_by("id"))
    return found or _leads(ticket.workspace, ticket)


def escalation_due(ticket: Ticket, start: datetime, minutes: int) -> datetime:
    from cxops.sla.calendar import add_business_time
    from cxops.sla.selectors import calendar_for, calendar_value

    cal = calendar_value(calendar_for(ticket.workspace, ticket.team))
    return add_business_time(cal, start, timedelta(minutes=minutes))


def escalation_open(*, ticket: Ticket, tier: int, reason: str, flag: ComplaintFlag | None = None,
                    regulator: bool = False, actor: User | None = None) -> Escalation | None:
    """Open a tier-N escalation by the workspace matrix and tell its owners now (in-app and email).
    None when the matrix has no row for this tier (the top tier was reached)."""
    severity = flag.severity if flag else Severity.NORMAL
    complaint_type = flag.complaint_type if flag else ComplaintType.OTHER
    try:
        owner_role, owner, minutes = _matrix_row(ticket, tier, severity, complaint_type, regulator)
    except (LookupError, StopIteration):
        return None
    recipients = _recipients(ticket, owner_role, owner)
    now = timezone.now()
    with transaction.atomic():
        escalation = Escalation.objects.create(
            workspace_id=ticket.workspace_id, ticket=ticket, tier=tier, reason=reason[:300],
            owner=owner or (recipients[0] if recipients else None), owner_role=owner_role,
            due_at=escalation_due(ticket, now, minutes), created_at=now)
        record(workspace=ticket.workspace, actor=actor, action="escalation.open", obj=escalation,
               changes={"tier": [None, tier], "owner": [None, str(escalation.owner or "")],
                        "due_at": [None, escalation.due_at.isoformat()]}, actor_label="" if actor else "complaints")
        local_due = timezone.localtime(escalation.due_at, escalation_tz(ticket))
        _notify(workspace=ticket.workspace, recipients=recipients, kind="complaint.escalation",
                title=f"[민원 {tier}차] #{ticket.number} {ticket.subject}"[:200],
                body=f"{reason}\n응답 기한: {local_due:%Y-%m-%d %H:%M}", url=ticket_url(ticket),
                dedupe_key=f"complaint-escalation:{escalation.pk}", email_now=True)
    return escalation


def escalation_tz(ticket: Ticket) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(ticket.workspace.timezone or "Asia/Seoul")


def _owner_or_lead(by: Membership, escalation: Escalation) -> User | None:
    actor = _writer(by, escalation.ticket.workspace)
    if not (by.has_role(Role.LEAD) or escalation.owner_id == by.pk):
        raise PermissionError("에스컬레이션은 담당자나 팀장 이상만 처리할 수 있습니다.")
    return actor


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, by: Membership) -> Escalation:
    actor = _owner_or_lead(by, escalation)
    if escalation.status != EscalationStatus.OPEN:
        raise ServiceError("대기 중인 에스컬레이션만 확인할 수 있습니다.")
    escalation.status, escalation.acknowledged_at = EscalationStatus.ACKNOWLEDGED, timezone.now()
    if escalation.owner_id is None:
        escalation.owner = by
    escalation.save(update_fields=["status", "acknowledged_at", "owner"])
    record(workspace=escalation.ticket.workspace, actor=actor, action="escalation.acknowledge", obj=escalation,
           changes={"status": [EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED]})
    return escalation


@transaction.atomic
def escalation_resolve(*, escalation: Escalation, by: Membership, resolution: str = "") -> Escalation:
    actor = _owner_or_lead(by, escalation)
    if escalation.status == EscalationStatus.RESOLVED:
        raise ServiceError("이미 완료된 에스컬레이션입니다.")
    before = escalation.status
    escalation.status, escalation.resolved_at = EscalationStatus.RESOLVED, timezone.now()
    escalation.resolution = " ".join(resolution.split())[:300]
    escalation.save(update_fields=["status", "resolved_at", "resolution"])
    record(workspace=escalation.ticket.workspace, actor=actor, action="escalation.resolve", obj=escalation,
           changes={"status": [before, EscalationStatus.RESOLVED], "resolution": [None, escalation.resolution]})
    return escalation


def escalations_check_breaches(*, workspace: Workspace, now: datetime | None = None) -> int:
    """Mark open (not acknowledged) escalations past due as breached, tell their owners, and open the
    next tier. Idempotent: a breached escalation is not looked at again."""
    now = now or timezone.now()
    count = 0
    overdue = (Escalation.objects.filter(workspace=workspace, status=EscalationStatus.OPEN, breached=False,
                                         due_at__lte=now)
               .select_related("ticket", "ticket__workspace", "ticket__team", "owner"))
    for escalation in overdue:
        with transaction.atomic():
            locked = Escalation.objects.select_for_update().filter(pk=escalation.pk, breached=False).first()
            if locked is None:
                continue
            locked.breached, locked.breached_at = True, now
            locked.save(update_fields=["breached", "breached_at"])
            ticket = escalation.ticket
            record(workspace=workspace, actor=None, action="escalation.breach", obj=locked,
                   changes={"breached": [False, True]}, actor_label="complaints")
            if escalation.owner is not None:
                _notify(workspace=workspace, recipients=[escalation.owner], kind="complaint.escalation_breach",
                        title=f"[민원 기한 초과] #{ticket.number} {ticket.subject}"[:200],
                        body=f"{escalation.tier}차 에스컬레이션의 응답 기한이 지났습니다.", url=ticket_url(ticket),
                        dedupe_key=f"complaint-breach:{escalation.pk}")
            flag = ComplaintFlag.objects.filter(ticket=ticket).first()
            if escalation.tier < MAX_TIER:
                escalation_open(ticket=ticket, tier=escalation.tier + 1, flag=flag,
                                reason=f"{escalation.tier}차 응답 기한 초과로 상향",
                                regulator=RegulatorComplaint.objects.filter(ticket=ticket).exists())
            count += 1
    return count


# --- compensation -------------------------------------------------------------------------------------

def policy_for(*, ticket: Ticket, kind: str, complaint_type: str) -> CompensationPolicy | None:
    """The most specific active policy row for this ticket's channel, product type and complaint type."""
    product_type = ticket.product.product_type if ticket.product_id and ticket.product else ""
    rows = [p for p in CompensationPolicy.objects.filter(workspace_id=ticket.workspace_id, kind=kind, is_active=True)
            if p.channel in ("", ticket.channel) and p.product_type in ("", product_type)
            and p.complaint_type in ("", complaint_type)]
    rows.sort(key=lambda p: (-p.specificity, -p.max_amount, p.pk))
    return rows[0] if rows else None


@transaction.atomic
def remedy_propose(*, ticket: Ticket, by: Membership, kind: str, amount: int, reason: str,
                   complaint_type: str = "") -> Remedy:
    """Propose a remedy. Within the policy and the proposer's delegated authority it is approved at
    once; otherwise it waits for a lead or manager, who are told now."""
    actor = _writer(by, ticket.workspace)
    if kind not in RemedyKind.values:
        raise ServiceError(f"알 수 없는 보상 종류입니다: {kind}")
    if not 0 <= amount <= MAX_AMOUNT:
        raise ServiceError("금액은 0원 이상 1억 원 이하로 입력해 주세요.")
    reason = " ".join(reason.split())[:300]
    if not reason:
        raise ServiceError("보상 사유를 입력해 주세요.")
    flag = ComplaintFlag.objects.filter(ticket=ticket).first()
    if complaint_type and complaint_type not in ComplaintType.values:
        raise ServiceError(f"알 수 없는 민원 유형입니다: {complaint_type}")
    complaint_type = complaint_type or (flag.complaint_type if flag else ComplaintType.OTHER)
    policy = policy_for(ticket=ticket, kind=kind, complaint_type=complaint_type)
    within = policy is not None and amount <= policy.max_amount
    limit = authority_limit(by)
    auto = within and amount <= limit
    now = timezone.now()
    remedy = Remedy.objects.create(
        workspace_id=ticket.workspace_id, ticket=ticket, kind=kind, amount=amount, reason=reason,
        complaint_type=complaint_type, policy=policy, within_policy=within, proposer=actor, proposer_limit=limit,
        status=RemedyStatus.APPROVED if auto else RemedyStatus.PENDING,
        decision_reason="전결 한도 안 (자동 승인)" if auto else "", decided_at=now if auto else None, created_at=now)
    record(workspace=ticket.workspace, actor=actor, action="remedy.propose", obj=remedy,
           changes={"kind": [None, kind], "amount": [None, amount], "status": [None, remedy.status],
                    "within_policy": [None, within], "proposer_limit": [None, limit]})
    if not auto:
        why = [f"전결 한도 {_won(limit)} 초과"] if amount > limit else []
        if not within:
            why.append("보상 정책 범위 밖" if policy is None else f"정책 한도 {_won(policy.max_amount)} 초과")
        approvers = [m for m in _leads(ticket.workspace, ticket) if m.pk != by.pk]
        _notify(workspace=ticket.workspace, recipients=approvers, kind="complaint.remedy_approval",
                title=f"[보상 승인 요청] #{ticket.number} {remedy.get_kind_display()} {_won(amount)}",
                body=f"{actor.label if actor else ''}: {reason}\n({', '.join(why)})", url=ticket_url(ticket),
                dedupe_key=f"remedy-approval:{remedy.pk}", email_now=True)
    return remedy


def _approver(by: Membership, remedy: Remedy) -> User | None:
    actor = _writer(by, remedy.ticket.workspace)
    if not by.has_role(Role.LEAD):
        raise PermissionError("보상 승인은 팀장 이상만 할 수 있습니다.")
    if remedy.status != RemedyStatus.PENDING:
        raise ServiceError("승인 대기 중인 보상만 승인하거나 반려할 수 있습니다.")
    if remedy.proposer_id == by.user_id:
        raise ServiceError("자신이 제안한 보상은 직접 승인할 수 없습니다.")
    return actor


@transaction.atomic
def remedy_approve(*, remedy: Remedy, by: Membership, reason: str = "") -> Remedy:
    actor = _approver(by, remedy)
    limit = authority_limit(by)
    if remedy.amount > limit:
        raise ServiceError(f"승인 한도({_won(limit)})를 넘는 금액입니다. 더 높은 권한자의 승인이 필요합니다.")
    return _decide(remedy, actor, RemedyStatus.APPROVED, reason)


@transaction.atomic
def remedy_reject(*, remedy: Remedy, by: Membership, reason: str) -> Remedy:
    actor = _approver(by, remedy)
    if not reason.strip():
        raise ServiceError("반려 사유를 입력해 주세요.")
    return _decide(remedy, actor, RemedyStatus.REJECTED, reason)


def _decide(remedy: Remedy, actor: User | None, status: str, reason: str) -> Remedy:
    before = remedy.status
    remedy.status, remedy.approver, remedy.decided_at = status, actor, timezone.now()
    remedy.decision_reason = " ".join(reason.split())[:300]
    remedy.save(update_fields=["status", "approver", "decided_at", "decision_reason"])
    ticket = remedy.ticket
    record(workspace=ticket.workspace, actor=actor, action=f"remedy.{'approve' if status == 'approved' else 'reject'}",
           obj=remedy, changes={"status": [before, status], "reason": [None, remedy.decision_reason]})
    proposer = (Membership.objects.filter(workspace_id=ticket.workspace_id, user_id=remedy.proposer_id).first()
                if remedy.proposer_id is not None else None)
    if proposer is not None:
        verb = "승인" if status == RemedyStatus.APPROVED else "반려"
        _notify(workspace=ticket.workspace, recipients=[proposer], kind="complaint.remedy_decided",
                title=f"[보상 {verb}] #{ticket.number} {remedy.get_kind_display()} {_won(remedy.amount)}",
                body=remedy.decision_reason, url=ticket_url(ticket), dedupe_key=f"remedy-decided:{remedy.pk}")
    return remedy


@transaction.atomic
def remedy_issue(*, remedy: Remedy, by: Membership) -> Remedy:
    actor = _writer(by, remedy.ticket.workspace)
    if remedy.status != RemedyStatus.APPROVED:
        raise ServiceError("승인된 보상만 지급 완료로 바꿀 수 있습니다.")
    remedy.status, remedy.issued_at = RemedyStatus.ISSUED, timezone.now()
    remedy.save(update_fields=["status", "issued_at"])
    record(workspace=remedy.ticket.workspace, actor=actor, action="remedy.issue", obj=remedy,
           changes={"status": [RemedyStatus.APPROVED, RemedyStatus.ISSUED]})
    return remedy


# --- regulator complaints -----------------------------------------------------------------------------

@transaction.atomic
def regulator_add(*, workspace: Workspace, by: Membership | None, agency: str, reference_number: str,
                  received_on: date, response_due: date, summary: str = "", ticket: Ticket | None = None,
                  owner: Membership | None = None) -> RegulatorComplaint:
    actor = _writer(by, workspace)
    if agency not in Agency.values:
        raise ServiceError(f"알 수 없는 기관입니다: {agency}")
    reference_number = reference_number.strip()[:80]
    if not reference_number:
        raise ServiceError("기관 접수 번호를 입력해 주세요.")
    if response_due < received_on:
        raise ServiceError("회신 기한은 접수일 이후여야 합니다.")
    if ticket is not None and ticket.workspace_id != workspace.pk:
        raise ServiceError("이 워크스페이스의 티켓이 아닙니다.")
    if owner is not None and owner.workspace_id != workspace.pk:
        raise ServiceError("이 워크스페이스의 구성원이 아닙니다.")
    if RegulatorComplaint.objects.filter(workspace=workspace, agency=agency, reference_number=reference_number).exists():
        raise ServiceError(f"이미 등록된 접수 번호입니다: {reference_number}")
    item = RegulatorComplaint.objects.create(
        workspace=workspace, agency=agency, reference_number=reference_number, received_on=received_on,
        response_due=response_due, summary=summary.strip(), ticket=ticket, owner=owner, created_by=actor)
    record(workspace=workspace, actor=actor, action="regulator_complaint.create", obj=item,
           changes={"agency": [None, agency], "reference_number": [None, reference_number],
                    "response_due": [None, response_due.isoformat()], "ticket": [None, ticket.number if ticket else None]})
    if ticket is not None:
        now = timezone.now()
        flag = ComplaintFlag.objects.select_for_update().filter(ticket=ticket).first()
        if flag is None:
            flag = ComplaintFlag(workspace=workspace, ticket=ticket, created_at=now,
                                 complaint_type=detection.guess_type(ticket.subject))
        flag.is_complaint, flag.source, flag.severity, flag.updated_at = True, FlagSource.REGULATOR, Severity.CRITICAL, now
        flag.save()
        _flag_event(flag, action=FlagAction.FLAGGED, source=FlagSource.REGULATOR, actor=actor,
                    note=f"{item.get_agency_display()} {reference_number}")
        open_tiers = list(Escalation.objects.filter(ticket=ticket).exclude(status=EscalationStatus.RESOLVED)
                          .values_list("tier", flat=True))
        tier = min(MAX_TIER, max(open_tiers) + 1) if open_tiers else 1
        escalation_open(ticket=ticket, tier=tier, flag=flag, regulator=True, actor=actor,
                        reason=f"기관 민원 접수: {item.get_agency_display()} {reference_number} "
                               f"(회신 기한 {response_due.isoformat()})")
    else:
        _notify(workspace=workspace, recipients=_leads(workspace, None), kind="complaint.regulator",
                title=f"[기관 민원] {item.get_agency_display()} {reference_number}",
                body=f"회신 기한 {response_due.isoformat()}\n{summary}",
                url=reverse("complaints_home", kwargs={"slug": workspace.slug}),
                dedupe_key=f"regulator-new:{item.pk}", email_now=True)
    return item


@transaction.atomic
def regulator_set_status(*, item: RegulatorComplaint, by: Membership, status: str) -> RegulatorComplaint:
    actor = _writer(by, item.workspace)
    if status not in RegulatorStatus.values:
        raise ServiceError(f"알 수 없는 상태입니다: {status}")
    before = item.status
    item.status = status
    if status == RegulatorStatus.ANSWERED and item.answered_at is None:
        item.answered_at = timezone.now()
    item.save(update_fields=["status", "answered_at"])
    record(workspace=item.workspace, actor=actor, action="regulator_complaint.status", obj=item,
           changes={"status": [before, status]})
    return item


def regulator_reminders(*, workspace: Workspace, today: date | None = None) -> int:
    """Remind the owner (else the leads) N days before the response deadline, the day before, on the
    day, and every day it is overdue. One notice per complaint, recipient and day."""
    from zoneinfo import ZoneInfo

    today = today or timezone.localtime(timezone.now(), ZoneInfo(workspace.timezone or "Asia/Seoul")).date()
    config = detection.config_for(workspace.pk)
    sent = 0
    for item in (RegulatorComplaint.objects.filter(workspace=workspace, status__in=REGULATOR_OPEN)
                 .select_related("owner", "ticket", "ticket__team")):
        days = (item.response_due - today).days
        if days not in (config.regulator_reminder_days, 1, 0) and days >= 0:
            continue
        label = "D-day" if days == 0 else (f"D-{days}" if days > 0 else f"D+{-days} 기한 초과")
        recipients = [item.owner] if item.owner is not None and item.owner.is_active else _leads(workspace, item.ticket)
        url = ticket_url(item.ticket) if item.ticket else reverse("complaints_home", kwargs={"slug": workspace.slug})
        with transaction.atomic():
            sent += _notify(workspace=workspace, recipients=recipients, kind="complaint.regulator_due",
                            title=f"[기관 민원 {label}] {item.get_agency_display()} {item.reference_number}",
                            body=f"회신 기한 {item.response_due.isoformat()}", url=url,
                            dedupe_key=f"regulator-due:{item.pk}:{today.isoformat()}", email_now=days <= 0)
    return sent


# --- the model ----------------------------------------------------------------------------------------

def feedback_examples(*, workspace: Workspace) -> list[tuple[str, bool]]:
    """Agents' final decision per ticket (the latest flag or unflag wins), with the text they judged."""
    latest: dict[int, tuple[str, bool]] = {}
    events = (ComplaintFlagEvent.objects.filter(workspace=workspace, source=FlagSource.AGENT,
                                                action__in=[FlagAction.FLAGGED, FlagAction.UNFLAGGED])
              .exclude(text="").order_by("created_at", "id").values_list("flag_id", "action", "text"))
    for flag_id, action, text in events:
        latest[flag_id] = (text, action == FlagAction.FLAGGED)
    return list(latest.values())


def model_retrain(*, workspace: Workspace) -> ComplaintModel:
    """Train the workspace's scorer on the seed set plus its agents' feedback and make it current."""
    seed = scoring.seed_examples()
    feedback = feedback_examples(workspace=workspace)
    texts = [t for t, _ in seed] + [t for t, _ in feedback]
    tokens = lexemes_many(texts)
    examples = [(scoring.features(scoring.norm(t), k), label, 1.0)
                for (t, label), k in zip(seed, tokens[:len(seed)], strict=True)]
    examples += [(scoring.features(scoring.norm(t), k), label, FEEDBACK_WEIGHT)
                 for (t, label), k in zip(feedback, tokens[len(seed):], strict=True)]
    model = scoring.train(examples)
    with transaction.atomic():
        row = ComplaintModel.objects.create(workspace=workspace, data=model.to_json(), examples=len(examples),
                                            feedback=len(feedback), metrics=model.metrics)
        record(workspace=workspace, actor=None, action="complaint_model.train", obj=row,
               changes={"examples": [None, len(examples)], "feedback": [None, len(feedback)],
                        "cv_accuracy": [None, model.metrics.get("cv_accuracy")]}, actor_label="complaints")
        ComplaintModel.objects.filter(workspace=workspace).exclude(
            pk__in=list(ComplaintModel.objects.filter(workspace=workspace).values_list("pk", flat=True)[:3])).delete()
    workspace_id, row_id = workspace.pk, row.pk
    transaction.on_commit(lambda: cache.set(detection.model_cache_key(workspace_id), row_id, 3600))
    return row
