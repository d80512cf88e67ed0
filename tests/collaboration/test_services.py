from datetime import date

import pytest
from django.http import Http404

from cxops.collaboration import selectors, services
from cxops.collaboration.models import ItemStatus, RequestRevision
from cxops.collaboration.specs import PARTNER_MALL_OPENING, SpecError, parse_template
from cxops.core.models import AuditEvent, Membership, Workspace
from cxops.core.services import ServiceError
from tests.factories import make_member, make_ticket

pytestmark = pytest.mark.django_db


def test_builtin_template_instantiates_with_business_day_due_dates(workspace: Workspace, agent: Membership) -> None:
    checklist = services.checklist_instantiate(workspace=workspace, spec=PARTNER_MALL_OPENING,
                                               launch_date=date(2026, 10, 5), actor=agent.user)
    items = {i.title: i for i in checklist.items.all()}
    assert items["상담원 교육"].due_date == date(2026, 10, 2)  # D-1 business day (10-05 is a holiday)
    assert items["오픈 후 문의 유형 점검"].due_date == date(2026, 10, 15)
    assert items["신규 전화번호 개통"].offset_business_days == -30
    assert all(i.scenario for i in items.values())
    assert AuditEvent.objects.filter(workspace=workspace, action="checklist.create").exists()


def test_workspace_extra_holiday_moves_due_dates(workspace: Workspace) -> None:
    workspace.settings = {"business_calendar": {"extra_holidays": ["2026-10-02"]}}
    workspace.save()
    spec = parse_template({"name": "x", "items": [{"title": "a", "offset_business_days": -1}]})
    checklist = services.checklist_instantiate(workspace=workspace, spec=spec, launch_date=date(2026, 10, 5),
                                               actor=None)
    assert checklist.items.get().due_date == date(2026, 10, 1)


def test_parse_template_errors() -> None:
    with pytest.raises(SpecError):
        parse_template({"name": "x", "items": []})
    with pytest.raises(SpecError):
        parse_template({"name": "", "items": [{"title": "a"}]})
    with pytest.raises(SpecError):
        parse_template({"name": "x", "items": [{"title": "a", "offset_business_days": 1.5}]})


def test_item_update_assignee_must_be_member(workspace: Workspace, other_workspace: Workspace,
                                             agent: Membership) -> None:
    checklist = services.checklist_instantiate(workspace=workspace, spec=PARTNER_MALL_OPENING,
                                               launch_date=date(2026, 10, 5), actor=None)
    item = checklist.items.first()
    assert item is not None
    stranger = make_member(other_workspace)
    with pytest.raises(ServiceError):
        services.item_update(item=item, by=agent, status="done", assignee_id=stranger.pk, outside_team="")
    services.item_update(item=item, by=agent, status="done", assignee_id=agent.pk, outside_team="제휴사")
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE and item.done_at and item.done_by_label == agent.user.label


def test_progress_and_overdue(workspace: Workspace, agent: Membership) -> None:
    checklist = services.checklist_instantiate(workspace=workspace, spec=PARTNER_MALL_OPENING,
                                               launch_date=date(2020, 3, 2), actor=None)
    items = list(checklist.items.all())
    services.item_update(item=items[0], by=agent, status="done", assignee_id=None, outside_team="")
    items = list(checklist.items.all())
    result = selectors.progress(items, date(2026, 1, 1))
    assert (result.total, result.done, result.overdue) == (9, 1, 8)
    assert selectors.overdue_items(workspace=workspace).count() == 8


def test_share_token_is_bound_to_workspace_and_version(workspace: Workspace, other_workspace: Workspace,
                                                       lead: Membership) -> None:
    checklist = services.checklist_instantiate(workspace=workspace, spec=PARTNER_MALL_OPENING,
                                               launch_date=date(2026, 10, 5), actor=None)
    token = services.share_token(checklist, "제휴사")
    grant = services.share_grant(token, workspace_id=workspace.pk)
    assert grant is not None and grant.team == "제휴사" and grant.checklist_id == checklist.pk
    assert services.share_grant(token, workspace_id=other_workspace.pk) is None
    assert services.share_grant(token[:-2] + "xx", workspace_id=workspace.pk) is None
    services.share_links_revoke(checklist=checklist, by=lead)
    with pytest.raises(Http404):
        selectors.shared_checklist_get(workspace=workspace, checklist_id=checklist.pk, version=grant.version)


def test_request_revisions_are_append_only(workspace: Workspace, agent: Membership) -> None:
    ticket = make_ticket(workspace)
    request = services.request_create(workspace=workspace, by=agent, data=services.RequestInput(
        title="자동 품절취소 실패 주문 관리 화면", priority="high", ticket_numbers=[ticket.number],
        stakeholders=[{"name": "물류팀", "position": "매일 오전 확인 가능"}]))
    services.request_revise(request=request, by=agent, note="결정 반영", data=services.RequestInput(
        title="자동 품절취소 실패 주문 관리 화면", status="decided", decision="관리 화면 개발",
        decision_date=date(2026, 11, 20), rationale="월 300건", ticket_numbers=[ticket.number]))
    history = selectors.request_history(request=request)
    assert [r.revision for r in history] == [2, 1]
    assert history[1].status == "open" and history[0].status == "decided"
    first = history[1]
    first.title = "고쳐 쓰기"
    with pytest.raises(PermissionError):
        first.save()
    with pytest.raises(PermissionError):
        first.delete()
    with pytest.raises(PermissionError):
        RequestRevision.objects.filter(request=request).update(title="x")
    with pytest.raises(PermissionError):
        RequestRevision.objects.filter(request=request).delete()
    current = list(selectors.current_revisions(membership=agent))
    assert [(r.request_id, r.revision) for r in current] == [(request.pk, 2)]
    assert list(selectors.current_revisions(membership=agent, query="품절취소"))
    assert not list(selectors.current_revisions(membership=agent, query="없는말"))


def test_request_ticket_numbers_validated_within_workspace(workspace: Workspace, other_workspace: Workspace,
                                                           agent: Membership) -> None:
    make_ticket(other_workspace)
    with pytest.raises(ServiceError):
        services.request_create(workspace=workspace, by=agent, data=services.RequestInput(
            title="x", ticket_numbers=[999999]))
    with pytest.raises(ServiceError):
        services.request_create(workspace=workspace, by=agent, data=services.RequestInput(
            title="x", decision="하기로 함"))


def test_weekly_summary(workspace: Workspace, agent: Membership) -> None:
    services.request_create(workspace=workspace, by=agent, data=services.RequestInput(
        title="주간 요청", status="decided", decision="승인", decision_date=date.today()))
    monday = date.today()
    from datetime import timedelta

    monday -= timedelta(days=monday.weekday())
    summary = selectors.weekly_summary(membership=agent, week_start=monday)
    assert len(summary.decided) == 1
    assert "주간 요청" in summary.as_text()


def test_change_macros_must_be_in_workspace(workspace: Workspace, other_workspace: Workspace,
                                            agent: Membership) -> None:
    from cxops.tickets.services import macro_save

    other_macro = macro_save(workspace=other_workspace, by=make_member(other_workspace), title="t", body="b")
    data = services.ChangeInput(kind="promotion", title="블랙프라이데이", starts_on=date(2026, 11, 27),
                                macro_ids=[other_macro.pk])
    with pytest.raises(ServiceError):
        services.change_save(workspace=workspace, data=data, actor=agent.user)
    data.macro_ids = []
    event = services.change_save(workspace=workspace, data=data, actor=agent.user)
    assert event.submitted_by_label == agent.user.label
