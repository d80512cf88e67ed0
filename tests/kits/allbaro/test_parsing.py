"""Reading Allbaro exports: encodings, XLSX, units, and row-level errors for everything unreadable."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from cxops.kits.allbaro.parsing import FileError, Parsed, load, parse_code, parse_date, parse_quantity, to_mg
from tests.kits.allbaro.builders import MANIFEST_HEADER, generation_csv, manifest, manifests_csv, opening_csv


def _load(manifests: bytes, generation: bytes | None = None, opening: bytes | None = None) -> Parsed:
    return load(manifests=("m.csv", manifests), generation=("g.csv", generation or generation_csv([])),
                opening=("o.csv", opening) if opening else None)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp949"])
def test_reads_csv_in_every_encoding(encoding: str) -> None:
    parsed = _load(manifests_csv([manifest(1, "20250103", "1.250")], encoding=encoding),
                   generation_csv([("20250103", "51-03-01", "1.250")], encoding=encoding))
    assert parsed.errors == []
    m = parsed.manifests[0]
    assert (m.number, m.code, m.site, m.give_date, m.mg, m.counted) == (
        "20250103-00001", "51-03-01", "(주)테스트공장", date(2025, 1, 3), 1_250_000_000, True)
    assert parsed.generation[0].site == "(주)테스트공장"  # the manifests' single site


def test_units_normalised_to_exact_milligrams() -> None:
    parsed = _load(manifests_csv([manifest(1, "20250103", "1.250", unit="02"), manifest(2, "20250104", "7", unit="03")]),
                   generation_csv([("20250103", "51-03-01", "0.001", "01"), ("20250103", "51-03-01", "0.284", "02"),
                                   ("20250103", "51-03-01", "0.001", "03")]))
    assert [m.mg for m in parsed.manifests] == [1_250_000, 7_000]
    assert [g.mg for g in parsed.generation] == [1_000_000, 284_000, 1]


def test_reads_xlsx_with_typed_cells_and_a_title_row() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "인계서진행상황"
    sheet.append(["인계서 진행상황 (올바로시스템)"])
    sheet.append(MANIFEST_HEADER)
    row: list[object] = manifest(1, "20250103", "1.250")
    row[1] = datetime(2006, 1, 1)  # Excel turned 06-01-01 into a date
    row[5] = 20250103  # numeric date
    row[8] = 1.25
    row[9] = 1  # unit lost its leading zero
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = load(manifests=("m.xlsx", buffer.getvalue()), generation=("g.csv", generation_csv([])))
    assert parsed.errors == []
    m = parsed.manifests[0]
    assert (m.code, m.give_date, m.mg, m.unit, m.row) == ("06-01-01", date(2025, 1, 3), 1_250_000_000, "01", 3)
    assert parsed.warnings[0].column == "폐기물코드" and "날짜" in parsed.warnings[0].message


def test_bad_rows_are_reported_with_file_row_column_value_and_message() -> None:
    rows = [
        manifest(1, "20250103", "1.250"),
        manifest(2, "20251341", "1.000"),          # impossible date
        manifest(3, "20250105", "abc"),            # quantity
        manifest(4, "20250106", "1.000", code="5103"),
        manifest(5, "20250107", "1.000", unit="05"),
        manifest(6, "20250108", "1.000", status="X", method="3101"),
        manifest(1, "20250103", "1.250"),          # duplicate number
    ]
    parsed = _load(manifests_csv(rows), generation_csv([("2025-01-03", "51-03-01", "-1", "01")]),
                   opening_csv([("51-03-01", "x")]))
    assert len(parsed.manifests) == 1
    found = {(e.file, e.row, e.column, e.value) for e in parsed.errors}
    assert ("m.csv", 3, "인계일자", "20251341") in found
    assert ("m.csv", 4, "위탁량", "abc") in found
    assert ("m.csv", 5, "폐기물코드", "5103") in found
    assert ("m.csv", 6, "단위", "05") in found
    assert ("m.csv", 7, "진행상황", "X") in found and ("m.csv", 7, "처리방법", "3101") in found
    assert ("m.csv", 8, "인계서번호", "20250103-00001") in found
    assert ("g.csv", 2, "발생량", "-1") in found
    assert ("o.csv", 2, "이월량", "x") in found
    assert all(e.message and any("가" <= ch <= "힣" for ch in e.message) for e in parsed.errors)
    assert len(parsed.errors) == 14  # a bad date fills 4 date columns; a bad quantity 3: every cell is named


def test_missing_header_and_old_xls_are_file_errors() -> None:
    with pytest.raises(FileError, match="위탁량"):
        _load(b"\xef\xbb\xbf\xec\x9d\xb8\xea\xb3\x84\xec\x84\x9c\xeb\xb2\x88\xed\x98\xb8\n1\n")
    with pytest.raises(FileError, match="xls"):
        _load(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    with pytest.raises(FileError, match="인코딩"):
        _load(b"\xff\xfe\xff\xfe\x81")


def test_generation_without_site_column_is_refused_when_manifests_name_several_sites() -> None:
    rows = [manifest(1, "20250103", "1.000"), manifest(2, "20250103", "1.000", site="(주)다른공장")]
    with pytest.raises(FileError, match="사업장"):
        _load(manifests_csv(rows), generation_csv([("20250103", "51-03-01", "1.000")]))


@pytest.mark.parametrize(("raw", "expected"), [
    ("20250314", date(2025, 3, 14)), ("2025-03-14", date(2025, 3, 14)), ("2025.3.4", date(2025, 3, 4)),
    ("2025/03/14", date(2025, 3, 14)), ("2025-03-14 00:00:00", date(2025, 3, 14)), ("2025031", None),
    ("20250230", None), ("", None), (datetime(2025, 3, 14, 9), date(2025, 3, 14)),
])
def test_parse_date(raw: object, expected: date | None) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("51-03-01", "51-03-01"), ("510301", "51-03-01"), (60101, "06-01-01"), ("2006-01-01", "06-01-01"),
    ("51-3-1", None), ("폐합성수지", None),
])
def test_parse_code(raw: object, expected: str | None) -> None:
    assert parse_code(raw)[0] == expected


@given(st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False))
def test_quantity_roundtrip_is_exact(value: object) -> None:
    text = f"{value:.3f}"
    parsed = parse_quantity(text)
    assert parsed is not None
    assert to_mg(parsed, "01") == int(parsed * 10**9) and to_mg(parsed, "02") * 1000 == to_mg(parsed, "01")
    assert parse_quantity(f"{float(text):,.3f}") == parsed  # thousands separators
