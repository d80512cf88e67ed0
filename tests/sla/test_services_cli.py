"""SLA models, services, selectors and the `cxops sla` CLI (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cxops.cli import main
from cxops.core.models import AuditEvent, Team, Workspace
from cxops.core.services import ServiceError
from cxops.sla.models import BusinessCalendarConfig, SlaPolicy
from cxops.sla.selectors import calendar_for, calendar_value, deadlines_for, policy_for
from cxops.sla.services import calendar_save, policy_save, workspace_sla_defaults_install

KST = ZoneInfo("Asia/Seoul")
WEEKDAYS = {k: ["09:00-12:00", "13:00-18:00"] for k in ("mon", "tue", "wed", "thu", "fri")}


def kst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=KST)  # type: ignore[misc]


def run(capsys: Any, *argv: str) -> tuple[int, Any]:
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip().startswith(("{", "[")) else out


pytestmark = pytest.mark.django_db


def test_fallback_default_calendar_without_rows(workspace: Workspace) -> None:
    config = calendar_for(workspace)
    assert config.pk is None and config.name == "기본 영업시간"
    result = deadlines_for(workspace, channel="board", created_at=kst(2026, 9, 23, 17, 30))
    assert result.policy is None
    assert result.deadlines.first_response_due_at == kst(2026, 9, 28, 18)
    assert result.deadlines.resolution_due_at is None
    assert not BusinessCalendarConfig.objects.exists()  # selectors never write


def test_defaults_install_is_idempotent_and_audited(workspace: Workspace) -> None:
    first = workspace_sla_defaults_install(workspace=workspace)
    assert first.created and first.calendar.is_default and first.calendar.cutoff_time == dt.time(17, 0)
    assert [p.name for p in first.policies] == ["긴급", "기본 SLA"]
    again = workspace_sla_defaults_install(workspace=workspace)
    assert not again.created and again.calendar.pk == first.calendar.pk
    assert BusinessCalendarConfig.objects.filter(workspace=workspace).count() == 1
    assert SlaPolicy.objects.filter(workspace=workspace).count() == 2
    actions = set(AuditEvent.objects.filter(workspace=workspace).values_list("action", flat=True))
    assert {"sla.calendar_create", "sla.policy_create"} <= actions


def test_deadlines_with_defaults(workspace: Workspace) -> None:
    workspace_sla_defaults_install(workspace=workspace)
    normal = deadlines_for(workspace, channel="board", created_at=kst(2026, 9, 23, 17, 30))
    assert normal.policy is not None and normal.policy.name == "기본 SLA"
    assert normal.deadlines.first_response_due_at == kst(2026, 9, 28, 18)
    assert normal.deadlines.resolution_due_at == kst(2026, 9, 30, 17, 30)
    urgent = deadlines_for(workspace, channel="board", priority="urgent", created_at=kst(2026, 9, 22, 11))
    assert urgent.policy is not None and urgent.policy.name == "긴급"
    assert urgent.deadlines.first_response_due_at == kst(2026, 9, 22, 14)


def test_policy_matching_and_team_calendars(workspace: Workspace) -> None:
    base = workspace_sla_defaults_install(workspace=workspace).calendar
    team = Team.objects.create(workspace=workspace, name="전화팀")
    phone_cal = calendar_save(workspace=workspace, actor=None, name="전화팀 (매일 09–21)", team=team,
                              weekly_hours={k: ["09:00-21:00"] for k in ("mon", "tue", "wed", "thu", "fri", "sat",
                                                                          "sun")},
                              use_korean_holidays=False, cutoff_channels=[])
    assert calendar_for(workspace, team) == phone_cal
    assert calendar_for(workspace) == base
    vip = policy_save(workspace=workspace, actor=None, name="VIP 환불", position=5, customer_tiers=["vip"],
                      tags=["환불"], first_response_minutes=30, use_cutoff=False)
    assert policy_for(workspace, channel="board", customer_tier="vip", tags=["환불", "배송"]) == vip
    assert policy_for(workspace, channel="board", customer_tier="vip").name == "기본 SLA"  # type: ignore[union-attr]
    policy_save(workspace=workspace, actor=None, name="VIP 환불", policy=vip, position=5, is_active=False,
                customer_tiers=["vip"], tags=["환불"], first_response_minutes=30)
    assert policy_for(workspace, channel="board", customer_tier="vip", tags=["환불"]).name == "기본 SLA"  # type: ignore[union-attr]
    # A phone ticket on Chuseok Saturday, team calendar (open every day, no cutoff).
    result = deadlines_for(workspace, channel="phone", team=team, created_at=kst(2026, 9, 26, 20))
    assert result.calendar == phone_cal
    assert result.deadlines.first_response_due_at == kst(2026, 9, 27, 16)  # 8 business hours


def test_calendar_save_validation(workspace: Workspace, other_workspace: Workspace) -> None:
    with pytest.raises(ServiceError, match="영업시간"):
        calendar_save(workspace=workspace, actor=None, name="잘못", weekly_hours={"mon": ["18:00-09:00"]})
    with pytest.raises(ServiceError, match="영업시간"):
        calendar_save(workspace=workspace, actor=None, name="잘못", weekly_hours=WEEKDAYS, timezone="Seoul/Nowhere")
    with pytest.raises(ServiceError, match="영업시간"):
        calendar_save(workspace=workspace, actor=None, name="잘못", weekly_hours=WEEKDAYS,
                      overrides=[{"date": "2026-13-01", "intervals": []}])
    with pytest.raises(ServiceError, match="채널"):
        calendar_save(workspace=workspace, actor=None, name="잘못", weekly_hours=WEEKDAYS, cutoff_channels=["fax"])
    other_team = Team.objects.create(workspace=other_workspace, name="남의 팀")
    with pytest.raises(ServiceError):
        calendar_save(workspace=workspace, actor=None, name="팀", weekly_hours=WEEKDAYS, team=other_team)
    assert not BusinessCalendarConfig.objects.exists()


def test_calendar_update_overrides_and_single_default(workspace: Workspace) -> None:
    a = calendar_save(workspace=workspace, actor=None, name="A", weekly_hours=WEEKDAYS)
    assert a.is_default  # the first workspace calendar becomes the default
    b = calendar_save(workspace=workspace, actor=None, name="B", weekly_hours=WEEKDAYS, is_default=True)
    a.refresh_from_db()
    assert b.is_default and not a.is_default
    b = calendar_save(workspace=workspace, actor=None, name="B", calendar=b, weekly_hours=WEEKDAYS, is_default=True,
                      extra_holidays=["2026-09-23"],
                      overrides=[{"date": "2026-09-28", "intervals": ["09:00-15:00"], "note": "단축 근무"}])
    result = deadlines_for(workspace, channel="email", created_at=kst(2026, 9, 22, 17, 30))
    assert result.calendar == b
    assert result.deadlines.first_response_due_at == kst(2026, 9, 28, 15)  # 09-23 closed, short day 09-28
    assert calendar_value(b) is calendar_value(b)  # cached per row version
    event = AuditEvent.objects.filter(action="sla.calendar_update").latest("id")
    assert "overrides" in event.changes and "extra_holidays" in event.changes
    with pytest.raises(ServiceError, match="같은 이름"):
        calendar_save(workspace=workspace, actor=None, name="A", weekly_hours=WEEKDAYS)


def test_policy_save_validation(workspace: Workspace) -> None:
    with pytest.raises(ServiceError, match="채널"):
        policy_save(workspace=workspace, actor=None, name="x", channels=["fax"])
    with pytest.raises(ServiceError, match="우선순위"):
        policy_save(workspace=workspace, actor=None, name="x", priorities=["asap"])
    with pytest.raises(ServiceError, match="목표"):
        policy_save(workspace=workspace, actor=None, name="x", first_response_minutes=0)
    with pytest.raises(ServiceError, match="목표"):
        policy_save(workspace=workspace, actor=None, name="x", warn_share=1.5)
    assert not SlaPolicy.objects.exists()


def test_cli_preview_json_example(workspace: Workspace, capsys: Any) -> None:
    code, data = run(capsys, "sla", "preview", "--workspace", workspace.slug, "--channel", "board",
                     "--priority", "normal", "--at", "2026-09-23T17:30:00+09:00", "--json")
    assert code == 0
    assert data["calendar"] == "기본 영업시간" and data["policy"] is None
    assert data["first_response_due_at"] == "2026-09-28T18:00:00+09:00"
    assert data["business_hours"]["weekly"]["mon"] == ["09:00-12:00", "13:00-18:00"]
    assert data["business_hours"]["cutoff"] == "17:00"
    code, data = run(capsys, "sla", "defaults", "--workspace", workspace.slug)
    assert code == 0 and data == {"calendar": "기본 영업시간", "policies": ["긴급", "기본 SLA"], "created": True}
    code, data = run(capsys, "sla", "preview", "--workspace", workspace.slug, "--channel", "board",
                     "--priority", "normal", "--at", "2026-09-23T17:30:00+09:00", "--json")
    assert data["policy"] == "기본 SLA"
    assert data["first_response_due_at"] == "2026-09-28T18:00:00+09:00"
    assert data["next_reply_due_at"] == "2026-09-28T18:00:00+09:00"
    assert data["resolution_due_at"] == "2026-09-30T17:30:00+09:00"
    # UTC input and plain output
    code, text = run(capsys, "sla", "preview", "--workspace", workspace.slug, "--at", "2026-09-23T08:30:00Z")
    assert code == 0 and "2026-09-28T18:00:00+09:00" in text


def test_cli_errors(workspace: Workspace, capsys: Any) -> None:
    assert main(["sla", "preview", "--workspace", "nope", "--json"]) == 2
    assert main(["sla", "preview", "--workspace", workspace.slug, "--at", "yesterday"]) == 2
    assert "형식" in capsys.readouterr().err
