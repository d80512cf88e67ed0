"""Complaint handling services: detection hook, flags and feedback, escalations, remedies, regulators."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.http import Http404

from cxops.complaints import detection, selectors, services
from cxops.complaints.models import (
    Agency,
    ComplaintFlag,
    ComplaintFlagEvent,
    ComplaintModel,
    Escalation,
    EscalationStatus,
    FlagAction,
    FlagSource,
    RemedyKind,
    RemedyStatus,
    RuleKind,
    Severity,
)
from cxops.core.models import AuditEvent, Membership, Workspace
from cxops.core.services import ServiceError
from cxops.notifications.models import Notification
from cxops.tickets.models import Product
from cxops.tickets.services import TicketFields, ticket_customer_message
from tests.factories import make_member, make_ticket, make_user

Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _ticket(workspace: Workspace, capture: Capture, body: str, **kw: Any) -> Any:
    with capture(execute=True):
        return make_ticket(workspace, body=body, **kw)


def test_threat_to_report_flags_escalates_and_notifies_lead(workspace, lead, agent, django_capture_on_commit_callbacks):
    lead.user.email = "lead@shop.example"
    ticket = _ticket(workspace, django_capture_on_commit_callbacks,
                     "환불을 3주째 안 해주시네요. 소비자원에 신고하겠습니다.", subject="환불 지연")
    flag = ComplaintFlag.objects.get(ticket=ticket)
    assert flag.is_complaint and flag.source == FlagSource.RULE
    assert "threat:소비자원" in flag.matched and "threat:신고" in flag.matched
    assert flag.severity == Severity.HIGH and flag.complaint_type == "refund"
    escalation = Escalation.objects.get(ticket=ticket)
    assert escalation.tier == 1 and escalation.owner == lead and escalation.status == EscalationStatus.OPEN
    assert escalation.due_at > ticket.created_at
    note = Notification.objects.get(recipient=lead, kind="complaint.escalation")
    assert f"#{ticket.number}" in note.title
    assert any(f"#{ticket.number}" in m.subject for m in mail.outbox)  # emailed at once
    assert not Notification.objects.filter(recipient=agent).exists()
    assert AuditEvent.objects.filter(workspace=workspace, action="complaint.detect").exists()
    assert AuditEvent.objects.filter(workspace=workspace, action="escalation.open").exists()


def test_ordinary_inquiry_is_not_flagged(workspace, lead, django_capture_on_commit_callbacks):
    ticket = _ticket(workspace, django_capture_on_commit_callbacks, "배송지 주소를 변경하고 싶어요.")
    assert not ComplaintFlag.objects.filter(ticket=ticket).exists()
    assert not Escalation.objects.exists()


def test_1372_inside_an_order_number_is_not_a_threat(workspace):
    verdict = detection.evaluate(workspace_id=workspace.pk, text="주문번호 2026113720 배송 문의드립니다")
    assert verdict.matched == [] and not verdict.threat
    verdict = detection.evaluate(workspace_id=workspace.pk, text="1372에 민원 넣겠습니다")
    assert "threat:1372" in verdict.matched


def test_model_alone_flags_an_angry_message(workspace, django_capture_on_commit_callbacks):
    ticket = _ticket(workspace, django_capture_on_commit_callbacks,
                     "벌써 몇 번째 연락드리는지 모르겠네요. 정말 화가 나고 어이가 없습니다.")
    flag = ComplaintFlag.objects.get(ticket=ticket)
    assert flag.source == FlagSource.MODEL and flag.matched == [] and flag.model_score >= 0.6


def test_workspace_rules_channel_and_repeat(workspace, admin, django_capture_on_commit_callbacks):
    services.config_update(workspace=workspace, by=admin, repeat_days=7, repeat_min_tickets=2, model_enabled=False)
    services.rule_add(workspace=workspace, by=admin, kind=RuleKind.REPEAT, weight=0.8)
    services.rule_add(workspace=workspace, by=admin, kind=RuleKind.PHRASE, value="책임자 바꿔", weight=0.9)
    first = _ticket(workspace, django_capture_on_commit_callbacks, "배송 언제 오나요?", phone="010-3333-4444")
    assert not ComplaintFlag.objects.filter(ticket=first).exists()
    second = _ticket(workspace, django_capture_on_commit_callbacks, "아직 안 왔어요", phone="010-3333-4444",
                     subject="다시 문의")
    assert ComplaintFlag.objects.get(ticket=second).matched == ["repeat:"]
    third = _ticket(workspace, django_capture_on_commit_callbacks, "책임자 바꿔 주세요", phone="010-5555-6666")
    assert ComplaintFlag.objects.get(ticket=third).matched == ["phrase:책임자 바꿔"]


def test_only_managers_change_rules(workspace, agent):
    with pytest.raises(PermissionError):
        services.rule_add(workspace=workspace, by=agent, kind=RuleKind.PHRASE, value="환불")


def test_unflag_is_kept_and_respected_until_a_new_threat(workspace, agent, lead, django_capture_on_commit_callbacks):
    ticket = _ticket(workspace, django_capture_on_commit_callbacks, "정말 최악이네요. 짜증나서 못 쓰겠어요.")
    assert ComplaintFlag.objects.get(ticket=ticket).is_complaint
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_unflag(ticket=ticket, by=agent, note="단순 불평, 민원 아님")
    flag = ComplaintFlag.objects.get(ticket=ticket)
    assert not flag.is_complaint and flag.decided_by == agent.user
    assert Escalation.objects.get(ticket=ticket).status == EscalationStatus.RESOLVED
    event = ComplaintFlagEvent.objects.get(flag=flag, action=FlagAction.UNFLAGGED)
    assert event.actor == agent.user and "최악" in event.text
    # Retrained on that feedback (job run on commit).
    model = ComplaintModel.objects.get(workspace=workspace)
    assert model.feedback == 1 and model.metrics["cv_accuracy"] > 0.5
    with django_capture_on_commit_callbacks(execute=True):
        ticket_customer_message(ticket=ticket, body_text="진짜 화가 나네요. 최악입니다.")
    assert not ComplaintFlag.objects.get(ticket=ticket).is_complaint
    with django_capture_on_commit_callbacks(execute=True):
        ticket_customer_message(ticket=ticket, body_text="고소하겠습니다.")
    flag.refresh_from_db()
    assert flag.is_complaint and flag.source == FlagSource.RULE
    assert Escalation.objects.filter(ticket=ticket, status=EscalationStatus.OPEN).count() == 1


def test_agent_flag_escalates_at_once(workspace, agent, lead, django_capture_on_commit_callbacks):
    ticket = _ticket(workspace, django_capture_on_commit_callbacks, "주문 취소 부탁드립니다.")
    with django_capture_on_commit_callbacks(execute=True):
        flag = services.complaint_flag(ticket=ticket, by=agent, complaint_type="service", severity="high",
                                       note="통화 중 강하게 항의")
    assert flag.source == FlagSource.AGENT and flag.complaint_type == "service"
    escalation = Escalation.objects.get(ticket=ticket)
    assert "강하게 항의" in escalation.reason
    assert Notification.objects.filter(recipient=lead, kind="complaint.escalation").count() == 1
    assert ComplaintModel.objects.get(workspace=workspace).feedback == 1


def test_viewer_cannot_flag(workspace, viewer, django_capture_on_commit_callbacks):
    ticket = _ticket(workspace, django_capture_on_commit_callbacks, "문의")
    with pytest.raises(PermissionError):
        services.complaint_flag(ticket=ticket, by=viewer)


def test_escalation_due_follows_business_calendar_and_breach_goes_up(workspace, agent, lead,
                                                                        django_capture_on_commit_callbacks):
    manager = make_member(workspace, "manager")
    ticket = _ticket(workspace, django_capture_on_commit_callbacks, "문의")
    # Saturday 2026-12-05 11:00 KST: the lead's hour starts Monday 09:00 → due 10:00 KST (01:00 UTC).
    saturday = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    assert services.escalation_due(ticket, saturday, 60) == datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_flag(ticket=ticket, by=agent)
    first = Escalation.objects.get(ticket=ticket)
    assert services.escalations_check_breaches(workspace=workspace, now=first.due_at - timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.escalations_check_breaches(workspace=workspace, now=first.due_at + timedelta(minutes=1)) == 1
    first.refresh_from_db()
    assert first.breached
    second = Escalation.objects.get(ticket=ticket, tier=2)
    assert second.owner == manager
    assert Notification.objects.filter(recipient=lead, kind="complaint.escalation_breach").exists()
    assert Notification.objects.filter(recipient=manager, kind="complaint.escalation").exists()
    # Idempotent.
    assert services.escalations_check_breaches(workspace=workspace, now=first.due_at + timedelta(minutes=2)) == 0


def test_escalation_matrix_row_by_type_and_owner(workspace, admin, agent, lead, django_capture_on_commit_callbacks):
    other_lead = make_member(workspace, "lead")
    services.escalation_rule_add(workspace=workspace, by=admin, tier=1, owner_role="lead", response_minutes=120)
    services.escalation_rule_add(workspace=workspace, by=admin, tier=1, owner=other_lead, response_minutes=30,
                                 complaint_types=["safety"])
    ticket = _ticket(workspace, django_capture_on_commit_callbacks, "문의")
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_flag(ticket=ticket, by=agent, complaint_type="safety")
    escalation = Escalation.objects.get(ticket=ticket)
    assert escalation.owner == other_lead
    assert Notification.objects.filter(recipient=other_lead).count() == 1
    assert not Notification.objects.filter(recipient=lead).exists()
    esc = Escalation.objects.get(ticket=ticket)
    with pytest.raises(PermissionError):
        services.escalation_acknowledge(escalation=esc, by=agent)
    services.escalation_acknowledge(escalation=esc, by=other_lead)
    services.escalation_resolve(escalation=esc, by=other_lead, resolution="고객 통화 완료")
    esc.refresh_from_db()
    assert esc.status == EscalationStatus.RESOLVED and esc.resolution == "고객 통화 완료"


@pytest.fixture
def refund_policy(workspace: Workspace, admin: Membership) -> Any:
    return services.policy_add(workspace=workspace, by=admin, kind=RemedyKind.REFUND, max_amount=100_000)


def test_remedy_over_agent_limit_needs_lead_approval(workspace, agent, lead, refund_policy,
                                                     django_capture_on_commit_callbacks):
    ticket = _ticket(workspace, django_capture_on_commit_callbacks, "불량품이 왔어요")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        remedy = services.remedy_propose(ticket=ticket, by=agent, kind="refund", amount=50_000, reason="불량 전액 환불")
    assert remedy.status == RemedyStatus.PENDING and remedy.within_policy and remedy.proposer_limit == 30_000
    note = Notification.objects.get(recipient=lead, kind="complaint.remedy_approval")
    assert "₩50,000" in note.title and "전결 한도 ₩30,000 초과" in note.body
    assert len(mail.outbox) == 2 and all("[보상 승인 요청]" in m.subject for m in mail.outbox)  # lead and admin
    with pytest.raises(PermissionError):
        services.remedy_approve(remedy=remedy, by=agent)
    with pytest.raises(ServiceError):
        services.remedy_reject(remedy=remedy, by=lead, reason="  ")
    services.remedy_approve(remedy=remedy, by=lead, reason="불량 확인")
    remedy.refresh_from_db()
    assert remedy.status == RemedyStatus.APPROVED and remedy.approver == lead.user
    assert Notification.objects.filter(recipient=agent, kind="complaint.remedy_decided").exists()
    services.remedy_issue(remedy=remedy, by=agent)
    remedy.refresh_from_db()
    assert remedy.status == RemedyStatus.ISSUED
    actions = list(AuditEvent.objects.filter(object_type="remedy", object_id=str(remedy.pk))
                   .order_by("created_at", "id").values_list("action", flat=True))
    assert actions == ["remedy.propose", "remedy.approve", "remedy.issue"]


def test_remedy_within_limit_and_policy_is_approved_at_once(workspace, agent, refund_policy,
                                                            django_capture_on_commit_callbacks):
    ticket = _ticket(workspace, django_capture_on_commit_callbacks, "문의")
    remedy = services.remedy_propose(ticket=ticket, by=agent, kind="refund", amount=20_000, reason="배송비 환불")
    assert remedy.status == RemedyStatus.APPROVED and remedy.approver is None


def test_remedy_outside_policy_needs_approval_and_limits_bind_approvers(workspace, agent, lead, admin,
                                                                       django_capture_on_commit_callbacks):
    services.policy_add(workspace=workspace, by=admin, kind="coupon", max_amount=5_000, channel="board")
    ticket = _ticket(workspace, django_capture_on_commit_callbacks, "문의")
    coupon = services.remedy_propose(ticket=ticket, by=agent, kind="coupon", amount=10_000, reason="사과 쿠폰")
    assert coupon.status == RemedyStatus.PENDING and not coupon.within_policy
    points = services.remedy_propose(ticket=ticket, by=agent, kind="points", amount=1_000, reason="적립금")
    assert points.status == RemedyStatus.PENDING and points.policy is None
    big = services.remedy_propose(ticket=ticket, by=agent, kind="refund", amount=300_000, reason="전액")
    with pytest.raises(ServiceError, match="승인 한도"):
        services.remedy_approve(remedy=big, by=lead)
    services.remedy_approve(remedy=big, by=admin)
    own = services.remedy_propose(ticket=ticket, by=lead, kind="refund", amount=200_000, reason="전액")
    with pytest.raises(ServiceError, match="직접 승인"):
        services.remedy_approve(remedy=own, by=lead)
    services.remedy_reject(remedy=coupon, by=lead, reason="정책상 쿠폰은 5천 원까지")
    coupon.refresh_from_db()
    assert coupon.status == RemedyStatus.REJECTED and coupon.decision_reason == "정책상 쿠폰은 5천 원까지"


def test_delegated_authority_per_member_and_by_role(workspace, admin, agent):
    assert services.authority_limit(agent) == 30_000
    services.config_update(workspace=workspace, by=admin, role_limits={"agent": 10_000})
    assert services.authority_limit(agent) == 10_000
    services.authority_set(workspace=workspace, by=admin, member=agent, limit=70_000)
    assert services.authority_limit(agent) == 70_000
    services.authority_set(workspace=workspace, by=admin, member=agent, limit=None)
    assert services.authority_limit(agent) == 10_000


def test_most_specific_policy_wins(workspace, admin, django_capture_on_commit_callbacks):
    product = Product.objects.create(workspace=workspace, name="한우 세트", product_type="신선식품")
    services.policy_add(workspace=workspace, by=admin, kind="refund", max_amount=30_000)
    services.policy_add(workspace=workspace, by=admin, kind="refund", max_amount=80_000, product_type="신선식품",
                        complaint_type="quality")
    ticket = _ticket(workspace, django_capture_on_commit_callbacks, "문의")
    ticket.product = product
    ticket.save(update_fields=["product"])
    assert services.policy_for(ticket=ticket, kind="refund", complaint_type="quality").max_amount == 80_000
    assert services.policy_for(ticket=ticket, kind="refund", complaint_type="delivery").max_amount == 30_000


def test_regulator_complaint_flags_escalates_and_reminds(workspace, agent, lead, django_capture_on_commit_callbacks):
    ticket = _ticket(workspace, django_capture_on_commit_callbacks, "문의")
    with django_capture_on_commit_callbacks(execute=True):
        item = services.regulator_add(workspace=workspace, by=agent, agency=Agency.CONSUMER_1372,
                                      reference_number="1372-2026-0012345", received_on=date(2026, 12, 1),
                                      response_due=date(2026, 12, 10), ticket=ticket)
    flag = ComplaintFlag.objects.get(ticket=ticket)
    assert flag.severity == Severity.CRITICAL and flag.source == FlagSource.REGULATOR
    assert "1372-2026-0012345" in Escalation.objects.get(ticket=ticket).reason
    with pytest.raises(ServiceError, match="이미 등록"):
        services.regulator_add(workspace=workspace, by=agent, agency="1372", reference_number="1372-2026-0012345",
                               received_on=date(2026, 12, 1), response_due=date(2026, 12, 10))
    sent = {d: services.regulator_reminders(workspace=workspace, today=date(2026, 12, d)) for d in range(5, 12)}
    assert sent == {5: 0, 6: 0, 7: 1, 8: 0, 9: 1, 10: 1, 11: 1}
    assert services.regulator_reminders(workspace=workspace, today=date(2026, 12, 10)) == 0  # once a day
    titles = list(Notification.objects.filter(recipient=lead, kind="complaint.regulator_due")
                  .values_list("title", flat=True))
    assert any("D-3" in t for t in titles) and any("D-day" in t for t in titles) and any("D+1" in t for t in titles)
    services.regulator_set_status(item=item, by=agent, status="answered")
    assert services.regulator_reminders(workspace=workspace, today=date(2026, 12, 12)) == 0


def test_report_per_product_and_reason(workspace, agent, lead, refund_policy, django_capture_on_commit_callbacks):
    product = Product.objects.create(workspace=workspace, name="샤인머스캣 2kg", product_type="과일")
    from cxops.tickets.models import Category

    parent = Category.objects.create(workspace=workspace, name="상품")
    reason = Category.objects.create(workspace=workspace, name="불량", parent=parent)
    ticket = _ticket(workspace, django_capture_on_commit_callbacks, "문의")
    ticket.product, ticket.category = product, reason
    ticket.save(update_fields=["product", "category"])
    services.remedy_propose(ticket=ticket, by=agent, kind="refund", amount=20_000, reason="a")
    services.remedy_propose(ticket=ticket, by=agent, kind="refund", amount=10_000, reason="b")
    pending = services.remedy_propose(ticket=ticket, by=agent, kind="refund", amount=90_000, reason="c")
    assert pending.status == RemedyStatus.PENDING
    rows = selectors.remedies_report(membership=lead)
    assert [(r.product, r.reason, r.kind, r.count, r.amount) for r in rows] == [
        ("샤인머스캣 2kg", "상품 > 불량", "환불", 2, 30_000)]


def test_other_workspace_is_invisible(workspace, other_workspace, agent, refund_policy,
                                      django_capture_on_commit_callbacks):
    outsider = make_member(other_workspace, "admin", user=make_user())
    ticket = _ticket(workspace, django_capture_on_commit_callbacks, "문의")
    remedy = services.remedy_propose(ticket=ticket, by=agent, kind="refund", amount=50_000, reason="a")
    with pytest.raises(Http404):
        selectors.remedy_get(membership=outsider, remedy_id=remedy.pk)
    with pytest.raises(PermissionError):
        services.remedy_approve(remedy=remedy, by=outsider)
    assert selectors.remedies_pending(membership=outsider).count() == 0


def test_hook_ignores_agent_created_tickets_and_replies(workspace, agent, django_capture_on_commit_callbacks):
    from cxops.tickets.models import MessageKind
    from cxops.tickets.services import ticket_create, ticket_reply

    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(workspace=workspace, channel="phone", subject="통화 메모", by=agent,
                               body_text="고객이 소비자원 신고 언급", first_message_kind=MessageKind.NOTE,
                               fields=TicketFields())
        ticket_reply(ticket=ticket, by=agent, body_text="소비자원 신고 전에 다시 확인드리겠습니다")
    assert not ComplaintFlag.objects.filter(ticket=ticket).exists()


def test_old_backfilled_message_is_flagged_but_not_escalated(workspace, lead, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from cxops.tickets.services import ticket_create

    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(workspace=workspace, channel="marketplace", subject="지난달 문의",
                               body_text="소비자원에 신고하겠습니다", created_at=timezone.now() - timedelta(days=30))
    assert ComplaintFlag.objects.get(ticket=ticket).is_complaint
    assert not Escalation.objects.filter(ticket=ticket).exists()
    assert not Notification.objects.filter(recipient=lead).exists()


def test_a_waiting_retrain_absorbs_further_feedback(workspace, agent, django_capture_on_commit_callbacks):
    ticket = _ticket(workspace, django_capture_on_commit_callbacks, "문의")
    cache.set(services.retrain_pending_key(workspace.pk), 1, 600)  # one is already queued
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_unflag(ticket=ticket, by=agent)
    assert not ComplaintModel.objects.filter(workspace=workspace).exists()
    cache.delete(services.retrain_pending_key(workspace.pk))
    with django_capture_on_commit_callbacks(execute=True):
        services.complaint_flag(ticket=ticket, by=agent)
    assert ComplaintModel.objects.get(workspace=workspace).feedback == 1  # the latest decision per ticket
