"""The published sample case: every planted problem found, no look-alike flagged, ledger to 0.001 t."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cxops.kits.allbaro import check
from cxops.kits.allbaro.parsing import load_paths
from cxops.kits.allbaro.reconcile import apply_actions, reconcile

SAMPLE = Path("/work/shared/data/allbaro/sample_2025")
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="shared Allbaro sample not available")


def _expected() -> dict[str, Any]:
    return json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))


def _ledger_matches(ledger: list[dict[str, Any]], expected: dict[str, Any]) -> None:
    got = {(row["waste_code"], row["month"]): row for row in ledger}
    assert len(got) == sum(len(v["months"]) for v in expected.values())
    for code, data in expected.items():
        for month in data["months"]:
            row = got[(code, month["month"])]
            for theirs, ours in (("generated", "generated_t"), ("consigned_confirmed", "consigned_t"),
                                 ("self_processed", "self_processed_t"), ("storage_end", "storage_end_t")):
                assert row[ours] == pytest.approx(month[theirs], abs=0.001), (code, month["month"], theirs)


@pytest.mark.parametrize("manifest_file", ["manifests.csv", "manifests.xlsx"])
def test_sample_2025_finds_every_planted_problem_and_reproduces_the_ledger(manifest_file: str) -> None:
    expected = _expected()
    parsed = load_paths(manifests=SAMPLE / manifest_file, generation=SAMPLE / "generation.csv",
                        opening=SAMPLE / "opening_balance.csv")
    assert parsed.errors == [] and parsed.warnings == []
    _result, data = check.run(parsed, year=2025)
    _ledger_matches(data["ledger"], expected["ledger"])

    issues = data["issues"]
    for problem in expected["problems"]:
        matches = [i for i in issues if (i["type"], i["waste_code"], i["month"])
                   == (problem["type"], problem["wste_code"], problem["month"])]
        assert len(matches) == 1, problem["id"]
        issue = matches[0]
        assert issue["type_key"] == problem["type_key"]
        assert issue["dates"] == problem["dates"], problem["id"]
        assert issue["amount_t"] == pytest.approx(problem["amount_ton"], abs=0.001), problem["id"]
        assert set(problem.get("manf_nums", [])) <= set(issue["manifests"]), problem["id"]
        assert issue["fix"]
    assert len(issues) == len(expected["problems"])  # nothing else flagged: look-alikes stay quiet

    flagged = {n for i in issues for n in i["manifests"]}
    for distractor in expected["distractors"]:
        numbers = distractor.get("manf_nums", [])
        for number in [numbers] if isinstance(numbers, str) else numbers:
            assert number not in flagged, distractor["kind"]


def test_sample_2025_exact_fix_strings() -> None:
    parsed = load_paths(manifests=SAMPLE / "manifests.csv", generation=SAMPLE / "generation.csv",
                        opening=SAMPLE / "opening_balance.csv")
    fixes = {(i["type"], i["waste_code"]): i["fix"] for i in check.run(parsed, year=2025)[1]["issues"]}
    assert fixes[("a", "51-03-01")] == ("2025-04-11에 51-03-01 발생량 1.669톤 추가, "
                                        "2025-04-15에 51-03-01 발생량 1.897톤 추가")
    assert fixes[("c", "06-01-01")].startswith("2025-05-21 06-01-01 발생량 0.284의 단위를 kg(02)에서 Ton(01)로 정정")
    assert "51-03-01에서 51-16-01로 정정" in fixes[("d", "51-03-01")]
    assert "2025-06-15까지" in fixes[("e", "51-03-01")]
    assert "1301(자가처리 - 재활용)에서 2301(위탁처리 - 재활용)로 정정" in fixes[("g", "51-03-01")]
    assert "2025-06-13까지 정정" in fixes[("b", "51-11-01")]


def test_applying_the_fixes_gives_ledger_after_fixes() -> None:
    expected = _expected()
    parsed = load_paths(manifests=SAMPLE / "manifests.csv", generation=SAMPLE / "generation.csv",
                        opening=SAMPLE / "opening_balance.csv")
    result = reconcile(parsed, year=2025)
    fixed = reconcile(apply_actions(parsed, result.issues), year=2025)
    _ledger_matches([row.as_dict() for row in fixed.ledger], expected["ledger_after_fixes"])
    assert all(mg == 0 for mg in fixed.year_end().values())
    assert [i.type for i in fixed.issues] == ["e"]  # weighing needs the weighing slip, not a data edit


def test_cli_json_contract() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cxops.cli", "allbaro", "check", "--manifests", str(SAMPLE / "manifests.csv"),
         "--generation", str(SAMPLE / "generation.csv"), "--opening", str(SAMPLE / "opening_balance.csv"),
         "--year", "2025", "--json"], capture_output=True, text=True, check=True, timeout=120)
    data = json.loads(out.stdout)
    assert {"ledger", "issues"} <= set(data)
    assert len(data["ledger"]) == 60
    for row in data["ledger"]:
        assert {"waste_code", "month", "generated_t", "consigned_t", "self_processed_t", "storage_end_t"} <= set(row)
        assert isinstance(row["month"], int) and isinstance(row["storage_end_t"], float)
    for issue in data["issues"]:
        assert {"type", "waste_code", "month", "dates", "amount_t", "fix"} <= set(issue)
        assert isinstance(issue["dates"], list)
    assert sorted(i["type"] for i in data["issues"]) == ["a", "b", "b", "c", "d", "e", "f", "g"]


def test_cli_reports_unreadable_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "cxops.cli", "allbaro", "check", "--manifests", str(bad),
         "--generation", str(SAMPLE / "generation.csv"), "--year", "2025", "--json"],
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "머리글" in out.stderr and "인계서번호" in out.stderr
