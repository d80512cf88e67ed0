"""The one-pass reader of well-formed rows gives exactly what the careful cell-by-cell reader gives."""

from __future__ import annotations

import io
import random
from dataclasses import astuple
from datetime import datetime

import pytest
from openpyxl import Workbook

from cxops.kits.allbaro import parsing
from cxops.kits.allbaro.parsing import Parsed, load
from tests.kits.allbaro.builders import MANIFEST_HEADER, generation_csv, manifest, manifests_csv, table

ODD = {
    "date": ["2025-03-14", "2025.3.4", "20251341", "", " 20250314 ", "2025/03/14 00:00:00", "x", "2025031"],
    "code": ["510301", "2006-01-01", "51-3-1", "", " 51-03-01", "51-16-01"],
    "status": ["y", " Y", "X", "", "b", "M"],
    "qty": ["1,234.5", "abc", "-1", "", "+1.5", "1.2345", "  2.000 ", "0", ".5", "1."],
    "unit": ["1", "Ton", "kg", "KG", "g", "05", "", "톤", " 02"],
    "method": ["2301", "9000", "3101", "230", "", "1101", "2101 "],
    "number": ["", "20250103-00001", " 20250105-00099 "],
}
COLUMN_KIND = {0: "number", 1: "code", 3: "status", 5: "date", 6: "date", 7: "date", 8: "qty", 9: "unit",
               10: "method", 12: "qty", 14: "qty", 15: "date"}


def _rows(seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for n in range(1, 400):
        row = manifest(n, f"2025{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}", f"{rng.randint(1, 3000) / 1000:.3f}",
                       code=rng.choice(["51-03-01", "51-16-01", "06-01-01"]), unit=rng.choice(["01", "02"]))
        if rng.random() < 0.3:
            column = rng.choice(list(COLUMN_KIND))
            row[column] = rng.choice(ODD[COLUMN_KIND[column]])
        if rng.random() < 0.03:
            row = row[:rng.randint(1, len(row))]
        rows.append(row)
    rows[9][1] = "2006-01-01"  # a code Excel turned into a date: read, with a warning
    return rows


def _careful_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow(*_args: object) -> None:
        raise parsing._Slow

    for name in ("date", "code", "unit", "quantity", "method"):
        monkeypatch.setattr(parsing._FastCells, name, slow)


def _observed(parsed: Parsed) -> tuple[list[tuple[object, ...]], ...]:
    return ([astuple(m) for m in parsed.manifests], [astuple(g) for g in parsed.generation],
            [astuple(e) for e in parsed.errors], [astuple(w) for w in parsed.warnings])


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(MANIFEST_HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_and_careful_readers_agree_on_messy_csv(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _rows(seed)
    generation = table(["발생일자", "폐기물코드", "폐기물종류", "발생량", "단위"],
                       [[r[5], r[1], "폐합성수지", r[8], r[9]] for r in rows if len(r) > 9])

    def run() -> Parsed:
        return load(manifests=("m.csv", manifests_csv(rows)), generation=("g.csv", generation))

    fast = run()
    assert fast.errors and fast.warnings and len(fast.manifests) > 250  # the data exercises both paths
    _careful_only(monkeypatch)
    assert _observed(run()) == _observed(fast)


def test_fast_and_careful_readers_agree_on_typed_xlsx_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    rows: list[list[object]] = []
    for n, row in enumerate(_rows(4)[:120], start=1):
        typed: list[object] = list(row)
        if n % 3 == 0 and len(typed) > 8:
            typed[8] = float(row[8]) if row[8].replace(".", "", 1).isdigit() else row[8]
        if n % 5 == 0 and len(typed) > 5 and row[5].isdigit() and len(row[5]) == 8:
            typed[5] = datetime(int(row[5][:4]), int(row[5][4:6]), int(row[5][6:]))
        if n % 7 == 0 and len(typed) > 6:
            typed[6] = None
        rows.append(typed)

    def run() -> Parsed:
        return load(manifests=("m.xlsx", _xlsx(rows)), generation=("g.csv", generation_csv([])))

    fast = run()
    _careful_only(monkeypatch)
    assert _observed(run()) == _observed(fast)
