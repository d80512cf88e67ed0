import json
from pathlib import Path
from typing import Any

import pytest

from cxops.cli import main
from cxops.collaboration.models import Checklist
from cxops.core.models import Workspace

pytestmark = pytest.mark.django_db


def test_checklist_instantiate_json(workspace: Workspace, tmp_path: Path, capsys: Any) -> None:
    spec = {"name": "신규 제휴몰 입점", "items": [
        {"title": "신규 전화번호 개통", "owner_team": "IT", "offset_business_days": -6},
        {"title": "오픈 당일 점검", "owner_team": "CS", "offset_business_days": 0},
        {"title": "첫 주 점검", "owner_team": "CS", "offset_business_days": 7},
    ]}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    code = main(["checklist", "instantiate", "--workspace", "shop", "--template-file", str(path),
                 "--launch-date", "2026-10-05", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == "신규 제휴몰 입점" and data["launch_date"] == "2026-10-05"
    assert [(i["title"], i["due_date"], i["d_label"]) for i in data["items"]] == [
        ("신규 전화번호 개통", "2026-09-23", "D-12"),
        ("오픈 당일 점검", "2026-10-02", "D-3"),
        ("첫 주 점검", "2026-10-15", "D+10"),
    ]
    assert Checklist.objects.get(pk=data["id"]).workspace == workspace


def test_checklist_instantiate_errors(workspace: Workspace, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "t.json"
    path.write_text('{"name": "x", "items": [{"title": "a", "offset_business_days": "soon"}]}', encoding="utf-8")
    args = ["checklist", "instantiate", "--workspace", "shop", "--template-file", str(path), "--launch-date"]
    assert main([*args, "2026-10-05"]) == 2
    assert "offset_business_days" in capsys.readouterr().err
    assert main([*args, "2026-13-05"]) == 2
    assert main(["checklist", "instantiate", "--workspace", "nope", "--template-file", str(path),
                 "--launch-date", "2026-10-05"]) == 2
    assert not Checklist.objects.exists()
