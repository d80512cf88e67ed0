"""Reading exception-queue rows from CSV or XLSX uploads (pure: no Django imports).

The first row names the columns. `reference` (참조번호/주문번호) is required; `summary` (내용/사유) is
optional; every other column is kept as data.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from openpyxl import load_workbook

REFERENCE_HEADERS = ("reference", "참조번호", "참조 번호", "주문번호", "order_number")
SUMMARY_HEADERS = ("summary", "내용", "사유", "reason")
MAX_ROWS = 5000


class RowsError(ValueError):
    """A file that cannot be read; the message says what to fix (in Korean)."""


@dataclass
class Row:
    reference: str
    summary: str = ""
    data: dict[str, str] = field(default_factory=dict)


def _table(filename: str, content: bytes) -> list[list[str]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception as exc:  # openpyxl raises many types for a broken file
            raise RowsError("XLSX 파일을 읽을 수 없습니다. 엑셀에서 다시 저장해 주세요.") from exc
        if sheet is None:
            return []
        return [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "cp949"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise RowsError("CSV 파일의 문자 인코딩을 알 수 없습니다 (UTF-8 또는 CP949로 저장해 주세요).")
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    raise RowsError("CSV 또는 XLSX 파일만 올릴 수 있습니다.")


def read_rows(filename: str, content: bytes) -> list[Row]:
    table = [r for r in _table(filename, content) if any(r)]
    if not table:
        raise RowsError("파일에 행이 없습니다.")
    header = [h.strip().lower() for h in table[0]]
    ref_col = next((i for i, h in enumerate(header) if h in REFERENCE_HEADERS), None)
    if ref_col is None:
        raise RowsError("첫 행에 참조번호(reference 또는 주문번호) 열이 있어야 합니다.")
    sum_col = next((i for i, h in enumerate(header) if h in SUMMARY_HEADERS), None)
    if len(table) - 1 > MAX_ROWS:
        raise RowsError(f"한 번에 {MAX_ROWS}행까지 올릴 수 있습니다.")
    rows = []
    for number, raw in enumerate(table[1:], start=2):
        cells = raw + [""] * (len(header) - len(raw))
        reference = cells[ref_col]
        if not reference:
            raise RowsError(f"{number}행의 참조번호가 비어 있습니다.")
        rows.append(Row(reference=reference[:120], summary=cells[sum_col] if sum_col is not None else "",
                        data={table[0][i]: cells[i] for i in range(len(header)) if i not in (ref_col, sum_col)
                              and table[0][i]}))
    return rows
