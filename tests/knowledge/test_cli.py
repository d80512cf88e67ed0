from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from cxops.cli import main
from cxops.knowledge.models import Article, ArticleStatus, Audience

pytestmark = pytest.mark.django_db

ROWS = [
    {"external_id": "kb-1", "title": "환불 신청 방법", "body": "주문 내역에서 환불 신청 버튼을 누르세요.",
     "category": "결제", "tags": "환불, 카드"},
    {"external_id": "kb-2", "title": "배송 조회 방법", "body": "마이페이지에서 배송 조회를 누르면 송장 번호가 보입니다.",
     "category": "배송", "tags": "배송"},
    {"external_id": "kb-3", "title": "상담원용 보상 기준", "body": "배송 지연 3일 이상이면 적립금 3천원",
     "category": "배송", "tags": "", "audience": "내부"},
]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def run(argv: list[str], capsys: Any) -> tuple[int, Any, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_jsonl_creates_then_updates(workspace, tmp_path, capsys):
    path = write_jsonl(tmp_path / "kb.jsonl", ROWS)
    code, out, _err = run(["kb", "import", str(path), "--workspace", "shop"], capsys)
    assert code == 0, out
    assert json.loads(out) == {"created": 3, "updated": 0, "unchanged": 0, "errors": []}
    article = Article.objects.get(workspace=workspace, external_id="kb-1")
    assert article.status == ArticleStatus.PUBLISHED and article.category.name == "결제"
    assert article.tags == ["환불", "카드"] and article.body.startswith("<p>")
    assert Article.objects.get(external_id="kb-3").audience == Audience.INTERNAL
    assert article.embeddings.count() == 1  # indexed synchronously
    rows = [dict(ROWS[0], title="환불 신청하는 방법"), ROWS[1]]
    code, out, _err = run(["kb", "import", str(write_jsonl(tmp_path / "b.jsonl", rows)), "--workspace", "shop"],
                          capsys)
    assert json.loads(out) == {"created": 0, "updated": 1, "unchanged": 1, "errors": []}
    assert Article.objects.get(external_id="kb-1").title == "환불 신청하는 방법"


def test_import_csv_with_korean_headers_cp949(workspace, tmp_path, capsys):
    text = "외부ID,제목,본문,분류,태그,상태\nf-1,교환 방법,교환 신청은 7일 이내,교환,교환,초안\n"
    path = tmp_path / "kb.csv"
    path.write_bytes(text.encode("cp949"))
    code, out, _err = run(["kb", "import", str(path), "--workspace", "shop"], capsys)
    assert code == 0 and json.loads(out)["created"] == 1
    assert Article.objects.get(external_id="f-1").status == ArticleStatus.DRAFT


def test_import_xlsx(workspace, tmp_path, capsys):
    book = Workbook()
    sheet = book.active
    sheet.append(["external_id", "title", "body", "category", "tags"])
    sheet.append(["x-1", "회원 탈퇴", "설정 > 계정 > 탈퇴", "계정", "탈퇴;계정"])
    book.save(tmp_path / "kb.xlsx")
    code, out, _err = run(["kb", "import", str(tmp_path / "kb.xlsx"), "--workspace", "shop"], capsys)
    assert code == 0 and json.loads(out)["created"] == 1
    assert Article.objects.get(external_id="x-1").tags == ["탈퇴", "계정"]


def test_import_is_all_or_nothing_with_row_errors(workspace, tmp_path, capsys):
    rows = [ROWS[0], {"external_id": "", "title": "제목", "body": "본문"},
            {"external_id": "kb-9", "title": "", "body": "본문", "audience": "everyone"}, ROWS[0]]
    code, out, _err = run(["kb", "import", str(write_jsonl(tmp_path / "bad.jsonl", rows)), "--workspace", "shop"],
                          capsys)
    assert code == 1
    data = json.loads(out)
    assert data["created"] == 0 and data["updated"] == 0
    assert {(e["row"], e["column"]) for e in data["errors"]} == {
        (2, "external_id"), (3, "title"), (3, "audience"), (4, "external_id")}
    assert not Article.objects.filter(workspace=workspace).exists()


def test_import_missing_column_and_bad_file(workspace, tmp_path, capsys):
    path = tmp_path / "kb.csv"
    path.write_text("external_id,title\na,b\n", encoding="utf-8")
    code, out, _err = run(["kb", "import", str(path), "--workspace", "shop"], capsys)
    assert code == 1 and json.loads(out)["errors"][0]["column"] == "body"
    code, out, _err = run(["kb", "import", str(tmp_path / "nope.csv"), "--workspace", "shop"], capsys)
    assert code == 1 and "찾을 수 없습니다" in json.loads(out)["errors"][0]["message"]


def test_export_round_trip(workspace, tmp_path, capsys):
    run(["kb", "import", str(write_jsonl(tmp_path / "kb.jsonl", ROWS)), "--workspace", "shop"], capsys)
    code, out, _err = run(["kb", "export", "--workspace", "shop", "--format", "jsonl"], capsys)
    assert code == 0
    exported = [json.loads(line) for line in out.splitlines()]
    assert [r["external_id"] for r in exported] == ["kb-1", "kb-2", "kb-3"]
    assert exported[2]["audience"] == "internal"
    for fmt in ("csv", "xlsx"):
        target = tmp_path / f"out.{fmt}"
        assert run(["kb", "export", "--workspace", "shop", "--format", fmt, "--output", str(target)], capsys)[0] == 0
    assert load_workbook(target).active.max_row == 4
    code, out, _err = run(["kb", "import", str(tmp_path / "out.csv"), "--workspace", "shop"], capsys)
    assert json.loads(out) == {"created": 0, "updated": 0, "unchanged": 3, "errors": []}


def test_suggest_contract(workspace, tmp_path, capsys, monkeypatch):
    run(["kb", "import", str(write_jsonl(tmp_path / "kb.jsonl", ROWS)), "--workspace", "shop"], capsys)
    code, out, _err = run(["kb", "reindex", "--workspace", "shop"], capsys)
    assert code == 0 and json.loads(out)["indexed"] == 3
    lines = [{"id": 1, "text": "환불 신청 방법 알려주세요"}, {"id": "b", "text": "배송조회"},
             {"id": 3, "text": ""}, {"id": 4, "text": "배송 지연 보상 기준"}]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(json.dumps(x, ensure_ascii=False) for x in lines)))
    code, out, _err = run(["kb", "suggest", "--workspace", "shop", "--k", "2"], capsys)
    assert code == 0
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == [1, "b", 3, 4]
    assert results[0]["results"][0]["external_id"] == "kb-1"
    assert set(results[0]["results"][0]) == {"external_id", "title", "score"}
    assert results[1]["results"][0]["external_id"] == "kb-2"
    assert results[2]["results"] == []
    assert results[3]["results"][0]["external_id"] == "kb-3"  # internal articles too (operator tool)
    assert all(len(r["results"]) <= 2 for r in results)
    assert all(0 <= x["score"] <= 1 for r in results for x in r["results"])


def test_suggest_bad_input(workspace, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("not json\n"))
    code, _out, err = run(["kb", "suggest", "--workspace", "shop"], capsys)
    assert code == 2 and "JSON" in err
    code, _out, err = run(["kb", "suggest", "--workspace", "nope"], capsys)
    assert code == 2 and "워크스페이스" in err
