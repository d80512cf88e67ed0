"""The acceptance contract end to end: `cxops tickets import` (label columns filled) → `cxops triage train`
→ `cxops triage predict` on JSON lines, on a small Korean set."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from cxops.cli import main
from cxops.insights.models import TrainedModel
from cxops.tickets.models import Ticket

pytestmark = pytest.mark.django_db

# (category, product, subject, body) — four reasons, three products, ten tickets each way.
SEEDS: dict[str, list[tuple[str, str]]] = {
    "배송 > 배송 지연": [
        ("배송이 너무 늦어요", "주문한지 일주일이 지났는데 아직도 안 와요"),
        ("언제 도착하나요", "배송이 지연되고 있어요 언제 받을 수 있나요"),
        ("아직 못 받았어요", "택배가 며칠째 그대로예요 배송 지연 확인 부탁드려요"),
        ("배송지연 문의", "출고됐다는데 배송이 안 와요"),
        ("배송 언제 오나요", "기다리다 지쳤어요 배송 좀 빨리 해주세요"),
    ],
    "취소/교환/반품 > 환불": [
        ("환불 요청합니다", "반품 보냈는데 환불이 아직 안 들어왔어요"),
        ("환불 언제 되나요", "카드 취소가 안 됐어요 환불 처리 부탁드립니다"),
        ("환불 문의", "환불 금액이 다르게 들어왔어요"),
        ("돈 돌려주세요", "취소했는데 환불이 안 돼요"),
        ("환불 처리 확인", "환불 신청한 지 열흘째입니다"),
    ],
    "상품 > 상품 불량": [
        ("제품이 고장났어요", "받자마자 전원이 안 켜져요 불량인 것 같아요"),
        ("불량품이 왔어요", "포장을 뜯어보니 파손되어 있었어요"),
        ("작동이 안 돼요", "충전이 안 되는 불량이에요"),
        ("하자 있는 상품", "옆면이 깨져서 왔어요 불량 교환 원해요"),
        ("고장 문의", "이틀 쓰고 고장났어요 소리가 안 나요"),
    ],
    "회원/계정 > 로그인": [
        ("로그인이 안 돼요", "비밀번호를 맞게 넣었는데 로그인이 안 됩니다"),
        ("비밀번호 찾기", "비밀번호를 잊어버렸어요 로그인 방법 알려주세요"),
        ("아이디 찾기 문의", "아이디가 기억이 안 나서 로그인을 못 해요"),
        ("로그인 오류", "앱에서 로그인하면 계속 튕겨요"),
        ("계정 잠김", "로그인 시도를 여러 번 해서 계정이 잠겼어요"),
    ],
}
PRODUCTS = ["무선 이어폰 프로", "스마트 워치 S2", "보조배터리 10000"]


def _rows() -> list[dict[str, str]]:
    rows = []
    n = 0
    for round_ in range(2):
        for category, items in SEEDS.items():
            for subject, body in items:
                n += 1
                product = PRODUCTS[n % len(PRODUCTS)]
                suffix = "" if round_ == 0 else " 확인 부탁드립니다"
                rows.append({"외부ID": f"T{n:03d}", "접수일시": f"2026-0{1 + n % 9}-1{n % 10} 10:00",
                             "제목": subject, "내용": body + suffix, "분류": category, "상품": product,
                             "연락처": f"010-5555-{n:04d}"})
    return rows


def _write_csv(path: Any, rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _run(capsys: Any, args: list[str], stdin: str | None = None, monkeypatch: Any = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_train_predict_end_to_end(workspace, tmp_path, capsys, monkeypatch):
    path = tmp_path / "history.csv"
    _write_csv(path, _rows())
    code, out, _ = _run(capsys, ["tickets", "import", str(path), "--workspace", "shop"])
    assert code == 0, out
    assert json.loads(out)["created"] == 40

    code, out, _ = _run(capsys, ["triage", "train", "--workspace", "shop", "--field", "category"])
    assert code == 0
    summary = json.loads(out)
    assert summary["examples"] == 40 and summary["labels"] == 4
    assert 0.0 <= summary["cv_accuracy"] <= 1.0 and summary["seconds"] >= 0
    assert TrainedModel.objects.filter(workspace=workspace, field="category", active=True).count() == 1

    lines = [
        {"id": "a", "text": "주문한 물건이 아직도 안 왔어요 배송이 너무 늦네요"},
        {"id": 7, "text": "환불 처리가 언제 되는지 알려주세요"},
        {"id": "c", "text": "로그인하려는데 비밀번호가 틀리다고 나와요"},
        {"id": "d", "text": "받은 제품이 불량이에요 전원이 안 켜져요"},
    ]
    stdin = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    code, out, err = _run(capsys, ["triage", "predict", "--workspace", "shop", "--field", "category"], stdin,
                          monkeypatch)
    assert code == 0, err
    results = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in results] == ["a", 7, "c", "d"]
    assert [r["label"] for r in results] == ["배송 > 배송 지연", "취소/교환/반품 > 환불", "회원/계정 > 로그인",
                                             "상품 > 상품 불량"]
    for r in results:
        assert set(r) == {"id", "label", "confidence", "alternatives"}
        assert 0.0 < r["confidence"] <= 1.0
        assert all(set(a) == {"label", "confidence"} for a in r["alternatives"])
        assert r["label"] not in [a["label"] for a in r["alternatives"]]


def test_train_product_and_type(workspace, tmp_path, capsys, monkeypatch):
    path = tmp_path / "history.csv"
    _write_csv(path, _rows())
    assert _run(capsys, ["tickets", "import", str(path), "--workspace", "shop"])[0] == 0
    code, out, _ = _run(capsys, ["triage", "train", "--workspace", "shop", "--field", "product"])
    assert code == 0 and json.loads(out)["labels"] == 3
    # Ticket type is not an import column: the history's types are set as agents would have.
    Ticket.objects.filter(workspace=workspace, category__name__in=["상품 불량", "배송 지연"]).update(type="complaint")
    code, out, _ = _run(capsys, ["triage", "train", "--workspace", "shop", "--field", "type"])
    assert code == 0 and json.loads(out)["labels"] == 2
    stdin = json.dumps({"id": 1, "text": "스마트워치S2가 고장났어요 불량 아닌가요"}, ensure_ascii=False) + "\n"
    code, out, _ = _run(capsys, ["triage", "predict", "--workspace", "shop", "--field", "product"], stdin, monkeypatch)
    assert code == 0
    # The name is matched in the text despite the missing spaces.
    assert json.loads(out)["label"] == "스마트 워치 S2"
    code, out, _ = _run(capsys, ["triage", "predict", "--workspace", "shop", "--field", "type"], stdin, monkeypatch)
    assert json.loads(out)["label"] == "complaint"


def test_train_without_enough_labels_says_what_is_missing(workspace, capsys):
    code, _out, err = _run(capsys, ["triage", "train", "--workspace", "shop", "--field", "category"])
    assert code == 2
    assert "학습할 데이터가 부족합니다" in err


def test_predict_without_model_uses_rules_and_reports_bad_lines(workspace, capsys, monkeypatch):
    stdin = (json.dumps({"id": 1, "text": "배송이 너무 늦어요 언제 와요?"}, ensure_ascii=False) + "\n"
             + "not json\n" + json.dumps({"id": 3}) + "\n")
    code, out, err = _run(capsys, ["triage", "predict", "--workspace", "shop", "--field", "category"], stdin,
                          monkeypatch)
    assert code == 1
    assert "학습된 모델이 없어" in err
    first, second, third = (json.loads(line) for line in out.splitlines())
    assert first["label"] == "배송 > 배송 지연" and first["id"] == 1
    assert "error" in second and second["id"] is None
    assert third["id"] == 3 and "error" in third


def test_unsure_threshold_gives_null_labels(workspace, tmp_path, capsys, monkeypatch):
    path = tmp_path / "history.csv"
    _write_csv(path, _rows())
    assert _run(capsys, ["tickets", "import", str(path), "--workspace", "shop"])[0] == 0
    assert _run(capsys, ["triage", "train", "--workspace", "shop", "--field", "category",
                         "--unsure-threshold", "0.99"])[0] == 0
    stdin = json.dumps({"id": "x", "text": "안녕하세요"}, ensure_ascii=False) + "\n"
    code, out, _ = _run(capsys, ["triage", "predict", "--workspace", "shop", "--field", "category"], stdin, monkeypatch)
    result = json.loads(out)
    assert code == 0 and result["label"] is None and result["confidence"] < 0.99
