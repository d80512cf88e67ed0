"""Read a CSV/TSV or XLSX file into rows: the one table reader of the project.

Pure module (no Django), so pure readers such as the Allbaro kit's parser can use it as well as the ticket and
knowledge importers (`cxops.tickets.importer.read_table` adds the file-name checks for those).

- Text files in UTF-8 (with or without BOM), CP949 (Korean Excel's CSV) or UTF-16 with BOM (Excel's
  "유니코드 텍스트"); the delimiter (comma, tab or semicolon) is taken from the first non-empty line that has one,
  so a title line above the header does not hide it.
- XLSX through openpyxl in read-only, values-only mode; the first worksheet unless the caller chooses one.
- Blank rows are left out; row numbers stay as the user sees them in the file (blank rows count, as in Excel).
- A file that cannot be read at all raises `FileProblem` with a Korean message saying what to do.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

logger = logging.getLogger(__name__)

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls, or an encrypted .xlsx
OLD_XLS_MESSAGE = ("예전 엑셀(.xls) 형식이거나 암호가 걸린 엑셀 파일입니다. 암호를 풀고 "
                   "'Excel 통합 문서(.xlsx)' 또는 CSV로 다시 저장해 주세요.")
SheetChooser = Callable[[Sequence[Any]], Any]  # the workbook's worksheets → the one to read


class FileProblem(Exception):
    """The file as a whole cannot be read; the message says what to do."""


class EmptyFile(FileProblem):
    """The file has no non-blank row at all."""


@dataclass
class Table:
    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[Any]]]  # (1-based row number in the file, cells)


def read_table_data(data: bytes, *, choose_sheet: SheetChooser | None = None) -> Table:
    """The table in a file's content, recognised by the content itself (XLSX, old XLS refused, else text).

    The first non-blank row is `headers` (cells as text); `rows` are the non-blank rows below it with their
    cells as read (strings from a text file; str, int, float, datetime or None from a workbook).
    """
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, choose_sheet)
    if data.startswith(OLE_MAGIC):
        raise FileProblem(OLD_XLS_MESSAGE)
    return _read_csv(_decode(data))


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "유니코드 텍스트" is UTF-16 with a byte-order mark, tab-separated.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        for encoding in ("utf-8-sig", "cp949"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if "\x00" in text:
                break
            return text
    raise FileProblem("파일의 문자 인코딩을 알 수 없거나 텍스트 파일이 아닙니다. "
                      "CSV를 UTF-8 또는 CP949(EUC-KR)로 저장하거나 .xlsx로 올려 주세요.")


def _sniff_delimiter(text: str) -> str:
    """The delimiter of the first non-empty line that has one (of the first 30 non-empty lines); else a comma."""
    head = text[:65536]  # the header is near the top: do not split a whole large file into lines
    lines = head.splitlines()
    if len(head) < len(text):
        lines = lines[:-1]  # possibly cut off
    non_empty = [line for line in lines if line.strip()][:30]
    if not non_empty and len(head) < len(text):
        non_empty = [line for line in text.splitlines() if line.strip()][:30]
    for line in non_empty:
        counts = {d: line.count(d) for d in (",", "\t", ";")}
        best = max(counts, key=lambda d: (counts[d], d == ","))
        if counts[best]:
            return best
    return ","


def _read_csv(text: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    try:
        return _table(enumerate(reader, start=1))
    except csv.Error as exc:
        raise FileProblem(f"CSV 형식이 올바르지 않습니다 ({reader.line_num}번째 줄 근처: {exc}). "
                          "따옴표가 짝이 맞는지 확인해 주세요.") from None


def _read_xlsx(data: bytes, choose_sheet: SheetChooser | None = None) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        logger.info("unreadable xlsx: %r", exc)
        raise FileProblem("엑셀 파일을 열 수 없습니다(손상되었거나 xlsx가 아닙니다). "
                          "엑셀에서 열어 .xlsx로 다시 저장해 주세요.") from None
    except Exception as exc:  # openpyxl raises assorted errors on malformed parts
        logger.info("unreadable xlsx: %r", exc)
        raise FileProblem("엑셀 파일을 열 수 없습니다. 엑셀에서 열어 .xlsx로 다시 저장해 주세요.") from None
    try:
        if not workbook.worksheets:
            raise FileProblem("엑셀 파일에 시트가 없습니다.")
        sheet = choose_sheet(workbook.worksheets) if choose_sheet else workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some writers store a wrong size; read every row
        return _table(enumerate((list(row) for row in sheet.iter_rows(values_only=True)), start=1))
    finally:
        workbook.close()


def _blank(cells: list[Any]) -> bool:
    for cell in cells:
        if cell is None:
            continue
        if cell.__class__ is str:
            first = cell[:1]
            if first and first != "\ufeff" and not first.isspace():
                return False  # text that does not strip to nothing: decided without cell_text
        if cell_text(cell):
            return False
    return True


def _table(numbered_rows: Iterable[tuple[int, list[Any]]]) -> Table:
    headers: list[str] | None = None
    header_row = 0
    rows: list[tuple[int, list[Any]]] = []
    append = rows.append
    for number, cells in numbered_rows:
        if _blank(cells):
            continue
        if headers is None:
            headers, header_row = [cell_text(c) for c in cells], number
        else:
            append((number, cells))
    if headers is None:
        raise EmptyFile("파일이 비어 있습니다. 첫 행에 열 이름, 그 아래에 자료를 한 행씩 넣어 주세요.")
    return Table(headers=headers, header_row=header_row, rows=rows)


def cell_text(value: Any) -> str:
    """A cell as trimmed text (Excel numbers without a trailing .0, dates in ISO form)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    text = str(value).replace("\ufeff", "").strip()
    # Undo the "'" an export puts in front of text that a spreadsheet would run as a formula.
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@":
        text = text[1:]
    return text
