"""Each issue type on a small hand-made case, and the legitimate patterns that must stay quiet."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.kits.allbaro.explain import fmt_t
from cxops.kits.allbaro.ledger import build_ledger
from cxops.kits.allbaro.parsing import Generation, Manifest
from tests.kits.allbaro.builders import SITE, check, manifest

PLASTIC, WOOD = "51-03-01", "51-16-01"


def _types(data: dict[str, Any]) -> list[str]:
    return [i["type"] for i in data["issues"]]


def _one(data: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [i for i in data["issues"] if i["type"] == kind]
    assert len(found) == 1, data["issues"]
    return found[0]


def _storage(data: dict[str, Any], code: str, month: int) -> float:
    return next(r["storage_end_t"] for r in data["ledger"] if r["waste_code"] == code and r["month"] == month)


def test_balanced_year_has_no_issues_and_the_ledger_formula_holds() -> None:
    data = check([manifest(1, "20250110", "1.000"), manifest(2, "20250212", "2.500", method="9000")],
                 [("20250110", PLASTIC, "1.000"), ("20250212", PLASTIC, "2.500")])
    assert data["issues"] == []
    assert data["summary"]["ready"] is True
    feb = next(r for r in data["ledger"] if r["month"] == 2)
    assert (feb["generated_t"], feb["consigned_t"], feb["self_processed_t"], feb["storage_end_t"]) == (2.5, 2.5, 0, 0)


def test_a_manifest_without_generation() -> None:
    data = check([manifest(1, "20250314", "1.200"), manifest(2, "20250320", "0.500")],
                 [("20250320", PLASTIC, "0.500")])
    issue = _one(data, "a")
    assert (issue["waste_code"], issue["month"], issue["dates"], issue["amount_t"]) == (PLASTIC, 3, ["20250314"], 1.2)
    assert issue["fix"] == "2025-03-14에 51-03-01 발생량 1.200톤 추가"
    assert issue["manifests"] == ["20250314-00001"]
    assert _types(data) == ["a"]


def test_generation_registered_later_in_the_same_month_is_not_flagged() -> None:
    data = check([manifest(1, "20250314", "1.200")], [("20250317", PLASTIC, "1.200")])
    assert data["issues"] == []


def test_accumulating_code_with_positive_month_ends_is_not_flagged() -> None:
    gens = [(f"202501{d:02d}", PLASTIC, "0.400") for d in range(6, 11)] + [
        (f"202502{d:02d}", PLASTIC, "0.400") for d in range(3, 8)]
    data = check([manifest(1, "20250203", "2.400"), manifest(2, "20250228", "1.600")], gens)
    assert data["issues"] == []
    assert _storage(data, PLASTIC, 1) == 2.0 and _storage(data, PLASTIC, 12) == 0


@pytest.mark.parametrize(("status", "confirm", "variant"), [("B", "", "reserved_only"), ("M", "20250910", "error_state")])
def test_b_generation_without_confirmed_manifest(status: str, confirm: str, variant: str) -> None:
    data = check([manifest(1, "20250910", "0.496", status=status, confirm=confirm, processor_qty="")],
                 [("20250910", PLASTIC, "0.496")])
    issue = _one(data, "b")
    assert (issue["variant"], issue["month"], issue["amount_t"], issue["dates"]) == (variant, 9, 0.496, ["20250910"])
    assert _storage(data, PLASTIC, 12) == 0.496
    if variant == "error_state":
        assert issue["due_date"] == "2025-09-13" and "2025-09-13까지 정정" in issue["fix"]
    else:
        assert "확정등록" in issue["fix"]
    assert _types(data) == ["b"]


def test_confirmed_in_next_month_or_next_year_counts_by_hand_over_date() -> None:
    data = check([manifest(1, "20250731", "1.000", confirm="20250801"),
                  manifest(2, "20251231", "2.000", confirm="20260102", status="B", processor_qty="")],
                 [("20250731", PLASTIC, "1.000"), ("20251231", PLASTIC, "2.000")])
    assert data["issues"] == []
    assert _storage(data, PLASTIC, 7) == 0 and _storage(data, PLASTIC, 12) == 0


def test_reservation_redone_under_another_number_is_not_flagged() -> None:
    data = check([manifest(1, "20250910", "0.496", status="B", confirm="", processor_qty=""),
                  manifest(2, "20250911", "0.496")], [("20250910", PLASTIC, "0.496")])
    assert data["issues"] == []


def test_h_error_state_manifest_without_storage_effect() -> None:
    data = check([manifest(1, "20250610", "0.475", status="M", processor_qty=""), manifest(2, "20250611", "0.475")],
                 [("20250610", PLASTIC, "0.475")])
    issue = _one(data, "h")
    assert issue["due_date"] == "2025-06-13" and issue["manifests"] == ["20250610-00001"]
    assert issue["storage_effect_t"] == {}


@pytest.mark.parametrize(("gen_qty", "gen_unit", "amount"), [("0.284", "02", -0.283716), ("284", "01", 283.716)])
def test_c_unit_mixup_on_the_same_day(gen_qty: str, gen_unit: str, amount: float) -> None:
    data = check([manifest(1, "20250521", "0.284"), manifest(2, "20250601", "0.300"), manifest(3, "20250602", "0.300")],
                 [("20250521", PLASTIC, gen_qty, gen_unit), ("20250601", PLASTIC, "0.300"),
                  ("20250602", PLASTIC, "0.300")])
    issue = _one(data, "c")
    assert (issue["month"], issue["dates"], issue["amount_t"]) == (5, ["20250521"], amount)
    assert "단위를" in issue["fix"] and "0.284톤" in issue["fix"]
    assert _types(data) == ["c"]


def test_c_unit_mixup_on_a_manifest_in_kg() -> None:
    rows = [manifest(i, f"202501{i + 10:02d}", "0.500") for i in range(1, 7)]
    rows.append(manifest(9, "20250120", "0.500", unit="02"))
    gens = [(f"202501{i + 10:02d}", PLASTIC, "0.500") for i in range(1, 7)] + [("20250120", PLASTIC, "0.500")]
    issue = _one(check(rows, gens), "c")
    assert issue["variant"] == "manifest" and issue["manifests"] == ["20250120-00009"]
    assert "kg(02)에서 Ton(01)로" in issue["fix"]


def test_c_unit_mixup_on_accumulated_daily_generation() -> None:
    gens = [(f"202501{d:02d}", PLASTIC, "0.500") for d in range(6, 11)] + [("20250113", PLASTIC, "500")]
    data = check([manifest(1, "20250131", "3.000")], gens)
    issue = _one(data, "c")
    assert issue["dates"] == ["20250113"] and issue["amount_t"] == pytest.approx(499.5)
    assert "Ton(01)에서 kg(02)로" in issue["fix"]


def test_d_waste_code_mismatch() -> None:
    data = check([manifest(1, "20250813", "0.628", code=PLASTIC), manifest(2, "20250814", "1.000", code=WOOD)],
                 [("20250813", WOOD, "0.628"), ("20250814", WOOD, "1.000")])
    issue = _one(data, "d")
    assert (issue["waste_code"], issue["related_code"], issue["month"], issue["amount_t"]) == (PLASTIC, WOOD, 8, 0.628)
    assert "폐기물코드를 51-03-01에서 51-16-01로 정정" in issue["fix"]
    assert issue["storage_effect_t"] == {PLASTIC: -0.628, WOOD: 0.628}
    assert _types(data) == ["d"]


def test_e_weighing_mismatch_beyond_tolerance_only() -> None:
    data = check([manifest(1, "20250610", "1.433", processor_qty="1.118"),
                  manifest(2, "20250611", "1.000", processor_qty="0.970"),
                  manifest(3, "20250612", "1.000", carrier_qty="1.200")],
                 [("20250610", PLASTIC, "1.433"), ("20250611", PLASTIC, "1.000"), ("20250612", PLASTIC, "1.000")])
    issue = _one(data, "e")
    assert issue["manifests"] == ["20250610-00001", "20250612-00003"]
    assert issue["amount_t"] == pytest.approx(-0.115)
    assert "(-22.0%)" in issue["fix"] and "운반자 인수량 1.200톤(+20.0%)" in issue["fix"]
    assert issue["due_date"] == "2025-06-13"


def test_f_stale_opening_balance_but_not_a_cleared_one() -> None:
    data = check([manifest(1, "20250310", "0.430", code=WOOD), manifest(2, "20250102", "3.100")],
                 [("20250310", WOOD, "0.430")], opening=[(WOOD, "0.420"), (PLASTIC, "3.100")])
    issue = _one(data, "f")
    assert (issue["waste_code"], issue["month"], issue["amount_t"], issue["dates"]) == (WOOD, 1, 0.42, [])
    assert issue["fix"].startswith("51-16-01 전년도 이월량 0.420톤: 2024년에 처리된 분이면")
    assert _types(data) == ["f"]


@pytest.mark.parametrize(("method", "processor", "fixed"), [("1301", "(주)에코리젠", "2301"), ("2101", SITE, "1101")])
def test_g_processing_method_against_the_processor(method: str, processor: str, fixed: str) -> None:
    data = check([manifest(1, "20250902", "1.356", method=method, processor=processor)],
                 [("20250902", PLASTIC, "1.356")])
    issue = _one(data, "g")
    assert f"처리방법을 {method}(" in issue["fix"] and f"에서 {fixed}(" in issue["fix"]
    assert _types(data) == ["g"]


def test_legit_self_processing_and_next_year_rows_are_quiet() -> None:
    data = check([manifest(1, "20250102", "0.754", method="1101", processor="㈜테스트공장"),
                  manifest(2, "20260105", "9.000")],
                 [("20250102", PLASTIC, "0.754"), ("20260105", PLASTIC, "1.000")])
    assert data["issues"] == []
    assert data["summary"]["rows_outside_year"] == {"manifests": 1, "generation": 1}
    assert next(r for r in data["ledger"] if r["month"] == 1)["self_processed_t"] == 0.754


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 364), st.integers(0, 5_000), st.integers(0, 5_000), st.booleans()),
                max_size=40),
       st.integers(0, 3_000))
def test_ledger_identity_holds_for_any_data(rows: list[tuple[int, int, int, bool]], opening: int) -> None:
    from datetime import date, timedelta

    gens, mans = [], []
    for n, (day, gen_kg, out_kg, self_proc) in enumerate(rows):
        d = date(2025, 1, 1) + timedelta(days=day)
        gens.append(Generation(n, "s", d, PLASTIC, "", "", "02", gen_kg * 10**6))
        mans.append(Manifest(n, str(n), "s", PLASTIC, "", "Y", d, d, d, "", "02", out_kg * 10**6,
                             "1101" if self_proc else "2301", "", None, "", None, None))
    ledger = build_ledger(year=2025, keys=[("s", PLASTIC)], openings={("s", PLASTIC): opening * 10**6},
                          generation=gens, manifests=mans, names={})
    previous = opening * 10**6
    for row in ledger:
        assert row.opening_mg == previous
        assert row.storage_end_mg == row.opening_mg + row.generated_mg - row.consigned_mg - row.self_mg
        previous = row.storage_end_mg
    assert previous == opening * 10**6 + sum(g.mg for g in gens) - sum(m.mg for m in mans)


@pytest.mark.parametrize(("mg", "text"), [(1_200_000_000, "1.200"), (284_000, "0.000284"), (-4_194_000_000, "-4.194"),
                                          (1, "0.000000001"), (0, "0.000")])
def test_fmt_t(mg: int, text: str) -> None:
    assert fmt_t(mg) == text
