"""`cxops staffing / forecast / schedule` JSON contracts, through cxops.cli.main."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cxops.cli import main

STAFFING_KEYS = {"agents", "scheduled", "service_level", "p_wait", "asa_s", "occupancy", "abandonment"}
BANK = Path(__file__).resolve().parents[3] / "shared" / "data" / "callcenter" / "anonymous_bank_1999-02_halfhour.csv"


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> Any:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_staffing_erlang_c(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, [
        "staffing", "--calls", "100", "--interval-min", "30", "--aht-s", "180", "--target-sl", "0.8",
        "--answer-within-s", "20", "--shrinkage", "0.3", "--max-occupancy", "0.85", "--json",
    ])
    assert set(out) == STAFFING_KEYS
    assert out["agents"] == 14 and out["scheduled"] == 20
    assert out["service_level"] == pytest.approx(0.8883500192, rel=1e-7)
    assert out["occupancy"] == pytest.approx(10 / 14)
    assert out["abandonment"] == 0.0


def test_staffing_erlang_a(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, [
        "staffing", "--calls", "100", "--interval-min", "30", "--aht-s", "180", "--target-sl", "0.8",
        "--answer-within-s", "20", "--shrinkage", "0.3", "--max-occupancy", "0.85", "--patience-s", "300", "--json",
    ])
    assert set(out) == STAFFING_KEYS
    assert out["agents"] == 13 and out["scheduled"] == 19
    assert out["abandonment"] == pytest.approx(0.02496330363, rel=1e-7)


def test_staffing_rounding_trap(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, ["staffing", "--calls", "165", "--aht-s", "180", "--shrinkage", "0.3", "--json"])
    assert (out["agents"], out["scheduled"]) == (21, 30)


def test_staffing_forecast_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "fc.csv"
    path.write_text(
        "date,interval_start,forecast\n2024-03-04,09:30,165\n2024-03-04,09:00,100\n2024-03-04,10:00,0\n",
        encoding="utf-8",
    )
    out = run_json(capsys, ["staffing", "--forecast", str(path), "--aht-s", "180", "--shrinkage", "0.3", "--json"])
    assert [(r["interval_start"], r["agents"], r["scheduled"]) for r in out] == [
        ("09:00", 14, 20), ("09:30", 21, 30), ("10:00", 0, 0)
    ]
    assert all(set(r) == STAFFING_KEYS | {"date", "interval_start", "calls"} for r in out)


def test_staffing_offered_column_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staffing", "--forecast", str(BANK), "--aht-s", "180"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + 21 * 48 and lines[0].split()[:2] == ["date", "start"]


def test_staffing_user_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["staffing", "--aht-s", "180", "--json"]) == 2
    assert "--calls" in capsys.readouterr().err
    assert main(["staffing", "--calls", "10", "--aht-s", "180", "--shrinkage", "1.2", "--json"]) == 2
    assert "shrinkage" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("date,interval_start\n2024-01-01,09:00\n", encoding="utf-8")
    assert main(["staffing", "--forecast", str(bad), "--aht-s", "180"]) == 2
    assert "forecast or offered" in capsys.readouterr().err


def test_forecast_json(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, [
        "forecast", "--history", str(BANK), "--interval-min", "30", "--horizon-days", "7", "--json",
    ])
    assert len(out) == 7 * 48
    assert all(set(row) == {"date", "interval_start", "forecast"} for row in out)
    assert out[0]["date"] == "1999-02-22" and out[0]["interval_start"] == "00:00"
    assert out[-1]["date"] == "1999-02-28" and out[-1]["interval_start"] == "23:30"
    assert all(isinstance(row["forecast"], float) and row["forecast"] >= 0 for row in out)


def test_forecast_backtest_json(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, ["forecast", "--history", str(BANK), "--backtest-days", "7", "--json"])
    assert out["train_days"] == 14 and out["improvement"] > 0.12
    assert main(["forecast", "--history", str(BANK), "--backtest-days", "7", "--holidays", "kr"]) == 0
    assert "seasonal naive" in capsys.readouterr().out


def test_forecast_feeds_staffing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = run_json(capsys, ["forecast", "--history", str(BANK), "--horizon-days", "1", "--json"])
    path = tmp_path / "fc.csv"
    path.write_text("date,interval_start,forecast\n" + "".join(
        f"{r['date']},{r['interval_start']},{r['forecast']}\n" for r in out), encoding="utf-8")
    staffing = run_json(capsys, ["staffing", "--forecast", str(path), "--aht-s", "200", "--shrinkage", "0.3", "--json"])
    assert len(staffing) == 48
    assert max(r["agents"] for r in staffing) > min(r["agents"] for r in staffing)


def test_forecast_user_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["forecast", "--history", str(tmp_path / "missing.csv"), "--json"]) == 2
    assert "missing.csv" in capsys.readouterr().err
