"""`cxops complaints …`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache

from cxops.cli import main
from cxops.complaints import services
from cxops.complaints.models import ComplaintModel, RegulatorComplaint
from tests.factories import make_member, make_ticket


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _json(capsys: Any) -> Any:
    return json.loads(capsys.readouterr().out)


def test_regulator_add_list_and_check(workspace, capsys, django_capture_on_commit_callbacks):
    make_member(workspace, "lead")
    agent = make_member(workspace, "agent")
    ticket = make_ticket(workspace)
    with django_capture_on_commit_callbacks(execute=True):
        code = main(["complaints", "regulator", "add", "--workspace", "shop", "--agency", "kca", "--reference",
                     "KCA-2026-33", "--received", "2026-12-01", "--due", "2026-12-20", "--ticket", str(ticket.number),
                     "--json"])
    assert code == 0 and _json(capsys)["ticket"] == ticket.number
    assert RegulatorComplaint.objects.get(workspace=workspace).reference_number == "KCA-2026-33"
    services.remedy_propose(ticket=ticket, by=agent, kind="refund", amount=70_000, reason="전액 환불")
    assert main(["complaints", "list", "--workspace", "shop", "--json"]) == 0
    data = _json(capsys)
    assert data["regulator_complaints"][0]["reference_number"] == "KCA-2026-33"
    assert data["pending_remedies"][0]["amount"] == 70_000
    assert data["escalations"][0]["ticket"] == ticket.number
    assert main(["complaints", "list", "--workspace", "shop"]) == 0
    assert "₩70,000" in capsys.readouterr().out
    assert main(["complaints", "check", "--workspace", "shop", "--json"]) == 0
    assert set(_json(capsys)) == {"breached", "reminders"}


def test_errors_are_reported_in_korean(workspace, capsys):
    assert main(["complaints", "list", "--workspace", "nope"]) == 2
    assert "워크스페이스를 찾을 수 없습니다" in capsys.readouterr().err
    assert main(["complaints", "regulator", "add", "--workspace", "shop", "--agency", "1372", "--reference", "x",
                 "--received", "2026-12-05", "--due", "2026-12-01"]) == 2
    assert "회신 기한은 접수일 이후여야 합니다" in capsys.readouterr().err


def test_score_and_retrain(workspace, capsys):
    assert main(["complaints", "score", "--workspace", "shop", "--json", "1372에 신고할게요"]) == 0
    data = _json(capsys)
    assert data["is_complaint"] and "threat:1372" in data["matched"]
    assert main(["complaints", "score", "--workspace", "shop", "--json", "배송지 변경 가능한가요?"]) == 0
    assert not _json(capsys)["is_complaint"]
    assert main(["complaints", "retrain", "--workspace", "shop", "--json"]) == 0
    assert _json(capsys)["feedback"] == 0
    assert ComplaintModel.objects.filter(workspace=workspace).count() == 1


def test_cli_agency_choices_match_the_model() -> None:
    from cxops.complaints.cli import AGENCY_CHOICES
    from cxops.complaints.models import Agency

    assert tuple(Agency.values) == AGENCY_CHOICES
