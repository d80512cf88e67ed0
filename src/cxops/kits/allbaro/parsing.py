"""Read Allbaro exports: manifest progress list (인계서진행상황), generation records (발생량), opening balances (이월량).

Pure module (no Django). Accepts CSV in UTF-8 (with or without BOM) or CP949, tab-separated text and XLSX, read
by the project's one table reader (`cxops.tickets.tables`). Every row that cannot be read becomes a `RowError`
naming the file, row number, column, value and what to fix, in Korean; such rows are left out of the computation
and reported, never dropped silently. Quantities are kept as integer milligrams, so Ton/kg/g (units 01/02/03) add
up exactly.

Speed: a well-formed text row is read in one pass with memoised cell conversions (`_FastCells`); any other row is
read again cell by cell (`_RowReader`), which is what reports errors and warnings, so both give the same result.
"""

from __future__ import annotations

import gc
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import partial
from operator import itemgetter
from pathlib import Path
from typing import Any

from cxops.tickets.tables import EmptyFile, FileProblem, read_table_data

MG_PER_TON = 1_000_000_000
UNIT_MG: dict[str, int] = {"01": MG_PER_TON, "02": 1_000_000, "03": 1_000}
UNIT_LABEL: dict[str, str] = {"01": "Ton", "02": "kg", "03": "g"}
_UNIT_ALIASES: dict[str, str] = {
    "01": "01", "1": "01", "ton": "01", "t": "01", "톤": "01",
    "02": "02", "2": "02", "kg": "02", "킬로그램": "02",
    "03": "03", "3": "03", "g": "03", "그램": "03",
}
STATUS_LABEL: dict[str, str] = {"Y": "완료", "M": "오류", "B": "정상/진행중"}
METHOD_LABEL: dict[str, str] = {
    "1101": "자가처리 - 소각", "1201": "자가처리 - 매립", "1301": "자가처리 - 재활용",
    "1401": "자가처리 - 중간처리", "2101": "위탁처리 - 소각", "2201": "위탁처리 - 매립",
    "2301": "위탁처리 - 재활용", "2401": "위탁처리 - 중간처리(물리화학적)", "9000": "재위탁",
}
_CODE_RE = re.compile(r"^(\d{2})-(\d{2})-(\d{2})$")
_DATE_SEP = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?$")
_QTY_RE = re.compile(r"^[+]?\d+(\.\d+)?$")


class FileError(Exception):
    """A whole file cannot be read (wrong format, missing header columns)."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


@dataclass(frozen=True, slots=True)
class RowError:
    file: str
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "value": self.value,
                "message": self.message}


@dataclass(slots=True)
class Manifest:
    row: int
    number: str
    site: str
    code: str
    name: str
    status: str
    give_date: date
    reserve_date: date | None
    confirm_date: date | None
    qty_text: str
    unit: str
    mg: int
    method: str
    carrier: str
    carrier_mg: int | None
    processor: str
    processor_mg: int | None
    processed_date: date | None

    @property
    def counted(self) -> bool:
        """확정등록일자 present and 진행상황 Y/B: the manifest counts in the generator's ledger."""
        return self.confirm_date is not None and self.status in ("Y", "B")

    @property
    def self_processing(self) -> bool:
        return self.method.startswith("1")


@dataclass(slots=True)
class Generation:
    row: int
    site: str
    day: date
    code: str
    name: str
    qty_text: str
    unit: str
    mg: int


@dataclass(slots=True)
class Opening:
    row: int
    site: str
    code: str
    qty_text: str
    unit: str
    mg: int


@dataclass
class Parsed:
    manifests: list[Manifest] = field(default_factory=list)
    generation: list[Generation] = field(default_factory=list)
    openings: list[Opening] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many row objects that form no reference cycles.

    Reading and reconciling 100,000 rows keeps several new objects per row alive; the collector would rescan
    that growing heap again and again (about half of the CPU time). Reference counting still frees everything;
    the collector is switched back on when the block ends (if it was on: nested or concurrent pauses are safe).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# --- header maps: normalised header → field key -------------------------------------------------

def _norm_header(text: Any) -> str:
    return re.sub(r"[\s\ufeff\"'·_]", "", str(text or "")).lower()


MANIFEST_HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("인계서번호", "manf_nums"),
    "code": ("폐기물코드", "wste_code"),
    "name": ("폐기물종류", "wste_name"),
    "status": ("진행상황", "cls_yn"),
    "site": ("배출자업체명", "배출자", "emis_chrg_name"),
    "give_date": ("인계일자", "give_date"),
    "reserve_date": ("예약등록일자", "rese_work_date"),
    "confirm_date": ("확정등록일자", "work_date"),
    "qty": ("위탁량", "give_qunt"),
    "unit": ("단위", "give_qunt_unit"),
    "method": ("처리방법", "trtm_ways"),
    "carrier": ("운반자업체명", "tran_firm_name"),
    "carrier_qty": ("운반자인수량", "tran_qunt"),
    "processor": ("처리자업체명", "trtm_firm_name"),
    "processor_qty": ("처리자인수량", "trtm_qunt"),
    "processed_date": ("처리일자", "trtm_date"),
    "left": ("잔량", "left_qunt"),
}
MANIFEST_REQUIRED = ("number", "code", "status", "give_date", "confirm_date", "qty", "unit", "method")
GENERATION_HEADERS: dict[str, tuple[str, ...]] = {
    "day": ("발생일자", "gen_date"),
    "code": ("폐기물코드", "wste_code"),
    "name": ("폐기물종류", "wste_name"),
    "qty": ("발생량", "gen_qunt"),
    "unit": ("단위", "unit"),
    "site": ("배출자업체명", "사업장명", "배출자", "emis_chrg_name"),
}
GENERATION_REQUIRED = ("day", "code", "qty", "unit")
OPENING_HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("폐기물코드", "wste_code"),
    "qty": ("이월량", "전년도이월량", "opening_qunt"),
    "unit": ("단위", "unit"),
    "site": ("배출자업체명", "사업장명", "배출자", "emis_chrg_name"),
}
OPENING_REQUIRED = ("code", "qty")
COLUMN_LABEL: dict[str, str] = {
    "number": "인계서번호", "code": "폐기물코드", "name": "폐기물종류", "status": "진행상황", "site": "배출자 업체명",
    "give_date": "인계일자", "reserve_date": "예약등록일자", "confirm_date": "확정등록일자", "qty": "위탁량",
    "unit": "단위", "method": "처리방법", "carrier": "운반자 업체명", "carrier_qty": "운반자 인수량",
    "processor": "처리자 업체명", "processor_qty": "처리자 인수량", "processed_date": "처리일자", "left": "잔량",
    "day": "발생일자",
}


# --- reading tables -------------------------------------------------------------------------------

def read_rows(data: bytes, file: str, sheet_hint: str = "") -> list[tuple[int, list[Any]]]:
    """(row number as the user sees it, cells) for every non-blank row of a CSV or XLSX file.

    Read through the project's one table reader (`cxops.tickets.tables`); its whole-file problems (old .xls,
    undecodable text, broken workbook) become a `FileError` naming the file.
    """
    try:
        table = read_table_data(data, choose_sheet=partial(_choose_sheet, sheet_hint))
    except EmptyFile:
        return []
    except FileProblem as exc:
        raise FileError(file, str(exc)) from None
    rows = table.rows
    rows.insert(0, (table.header_row, list(table.headers)))
    return rows


def _choose_sheet(sheet_hint: str, sheets: Sequence[Any]) -> Any:
    """The sheet named `sheet_hint`, else the first sheet with an Allbaro header cell in its first 20 rows."""
    ordered = [s for s in sheets if s.title == sheet_hint] + [s for s in sheets if s.title != sheet_hint]
    for sheet in ordered:
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # a wrong stored size must not hide the header
        if any(_norm_header(c) in ("인계서번호", "발생일자", "이월량", "폐기물코드")
               for row in sheet.iter_rows(max_row=20, values_only=True) for c in row):
            return sheet
    return ordered[0]


def _locate_header(rows: Sequence[tuple[int, list[Any]]], headers: dict[str, tuple[str, ...]],
                   required: Sequence[str], file: str) -> tuple[int, dict[str, int]]:
    aliases = {_norm_header(alias): key for key, names in headers.items() for alias in names}
    best: tuple[int, dict[str, int]] = (-1, {})
    for index, (_number, cells) in enumerate(rows[:30]):
        mapping: dict[str, int] = {}
        for position, cell in enumerate(cells):
            key = aliases.get(_norm_header(cell))
            if key and key not in mapping:
                mapping[key] = position
        if all(key in mapping for key in required):
            return index, mapping
        if len(mapping) > len(best[1]):
            best = (index, mapping)
    missing = [COLUMN_LABEL.get(key, headers[key][0]) for key in required if key not in best[1]]
    raise FileError(file, "머리글(열 이름)을 찾을 수 없습니다: " + ", ".join(missing)
                    + ". 올바로시스템에서 내려받은 파일의 첫 행 머리글을 지우거나 바꾸지 말아 주세요.")


# --- cell parsers: return (value, error message) -------------------------------------------------

def _text(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def parse_date(cell: Any) -> date | None:
    """YYYYMMDD (Allbaro), YYYY-MM-DD, YYYY.MM.DD, YYYY/MM/DD or an Excel date cell; None if not a date."""
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = _text(cell).split(" ")[0]
    if text.isdigit():
        if len(text) != 8:
            return None
        year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
    else:
        match = _DATE_SEP.match(text)
        if not match:
            return None
        year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_code(cell: Any) -> tuple[str | None, str]:
    """Waste code NN-NN-NN. Also undoes Excel's habit of turning 06-01-01 into a date. Returns (code, warning)."""
    if isinstance(cell, datetime | date):
        return f"{cell.year % 100:02d}-{cell.month:02d}-{cell.day:02d}", "엑셀이 날짜로 바꾼 폐기물코드를 되돌렸습니다"
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        digits = f"{int(cell):06d}"
        if len(digits) == 6:
            return f"{digits[:2]}-{digits[2:4]}-{digits[4:]}", "숫자로 저장된 폐기물코드를 NN-NN-NN으로 바꿨습니다"
        return None, ""
    text = _text(cell)
    if _CODE_RE.match(text):
        return text, ""
    if len(text) == 6 and text.isdigit():
        return f"{text[:2]}-{text[2:4]}-{text[4:]}", ""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?: 00:00:00)?$", text)
    if match:  # "2006-01-01": a code typed into Excel and saved as a date
        return f"{match.group(1)[2:]}-{match.group(2)}-{match.group(3)}", "엑셀이 날짜로 바꾼 폐기물코드를 되돌렸습니다"
    return None, ""


def parse_unit(cell: Any) -> str | None:
    return _UNIT_ALIASES.get(_text(cell).lower())


def parse_quantity(cell: Any) -> Decimal | None:
    """A non-negative quantity; thousands separators allowed. None if unreadable."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return Decimal(cell) if cell >= 0 else None
    if isinstance(cell, float):
        value = Decimal(repr(cell))
        return value if value >= 0 else None
    text = _text(cell).replace(",", "")
    if not _QTY_RE.match(text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex already rules this out
        return None


def to_mg(quantity: Decimal, unit: str) -> int:
    return int((quantity * UNIT_MG[unit]).to_integral_value())


def _qty_text(quantity: Decimal) -> str:
    return f"{quantity:.3f}" if quantity == quantity.quantize(Decimal("0.001")) else format(quantity.normalize(), "f")


class _RowReader:
    """Reads one row's cells by key and collects errors with the column's Korean name."""

    def __init__(self, file: str, number: int, cells: list[Any], mapping: dict[str, int],
                 errors: list[RowError], warnings: list[RowError], qty_label: str = "위탁량") -> None:
        self.file, self.number, self.cells, self.mapping = file, number, cells, mapping
        self.labels = {**COLUMN_LABEL, "qty": qty_label}
        self.errors, self.warnings = errors, warnings
        self.ok = True

    def raw(self, key: str) -> Any:
        position = self.mapping.get(key)
        if position is None or position >= len(self.cells):
            return None
        return self.cells[position]

    def text(self, key: str) -> str:
        return _text(self.raw(key))

    def error(self, key: str, message: str) -> None:
        self.ok = False
        self.errors.append(RowError(self.file, self.number, self.labels.get(key, key), self.text(key), message))

    def warn(self, key: str, message: str) -> None:
        self.warnings.append(RowError(self.file, self.number, self.labels.get(key, key), self.text(key), message))

    def date(self, key: str, *, required: bool) -> date | None:
        raw = self.raw(key)
        if _text(raw) == "":
            if required:
                self.error(key, f"{COLUMN_LABEL[key]}가 비어 있습니다. YYYYMMDD 형식으로 입력해 주세요.")
            return None
        value = parse_date(raw)
        if value is None:
            self.error(key, f"{COLUMN_LABEL[key]}를 날짜로 읽을 수 없습니다. YYYYMMDD 형식(예: 20250314)으로 입력해 주세요.")
        return value

    def code(self) -> str:
        raw = self.raw("code")
        code, warning = parse_code(raw)
        if code is None:
            self.error("code", "폐기물코드는 NN-NN-NN 형식(예: 51-03-01)이어야 합니다.")
            return ""
        if warning:
            self.warn("code", f"{warning}: {code}. 원본 파일의 폐기물코드 열을 텍스트 형식으로 저장해 주세요.")
        return code

    def unit(self, key: str = "unit", *, default: str | None = None) -> str:
        if default is not None and self.text(key) == "":
            return default
        unit = parse_unit(self.raw(key))
        if unit is None:
            self.error(key, "단위는 01(Ton), 02(kg), 03(g) 중 하나여야 합니다.")
            return "01"
        return unit

    def quantity(self, key: str, *, required: bool) -> Decimal | None:
        raw = self.raw(key)
        if _text(raw) == "":
            if required:
                self.error(key, f"{self.labels.get(key, key)}이 비어 있습니다. 0 이상의 숫자를 입력해 주세요.")
            return None
        value = parse_quantity(raw)
        if value is None:
            self.error(key, f"{self.labels.get(key, key)}을 숫자로 읽을 수 없습니다. 0 이상의 숫자(예: 1.250)로 입력해 주세요.")
        return value


class _Slow(Exception):
    """This row needs the careful cell-by-cell reading (it has an error, a warning or non-text cells)."""


class _FastCells:
    """Memoised cell conversions for the usual, well-formed text row.

    Values repeat heavily (a few thousand dates, quantities and codes over 100,000 rows), so each distinct cell
    text is converted once, with the very functions the careful reader uses; anything that would give an
    error or a warning raises `_Slow`, and the row is then read by `_RowReader`, which reports it.
    Non-text cells (typed XLSX cells, missing cells) raise AttributeError/IndexError: the careful reader too.
    """

    def __init__(self) -> None:
        self.dates: dict[str, date | None] = {}
        self.codes: dict[str, str] = {}
        self.units: dict[str, str | None] = {}
        self.quantities: dict[tuple[str, str], tuple[str, int] | None] = {}
        self.methods: dict[str, str] = {}

    def date(self, raw: str) -> date | None:
        """None for an empty cell."""
        try:
            return self.dates[raw]
        except KeyError:
            pass
        value = parse_date(raw) if raw.strip() else None
        if value is None and raw.strip():
            raise _Slow
        self.dates[raw] = value
        return value

    def code(self, raw: str) -> str:
        code = self.codes.get(raw)
        if code is None:
            found, warning = parse_code(raw.strip())
            code = self.codes[raw] = found if found and not warning else ""
        if not code:
            raise _Slow
        return code

    def unit(self, raw: str) -> str:
        try:
            unit = self.units[raw]
        except KeyError:
            unit = self.units[raw] = parse_unit(raw.strip())
        if unit is None:
            raise _Slow
        return unit

    def quantity(self, raw: str, unit: str) -> tuple[str, int] | None:
        """(text as shown, milligrams), None for an empty cell."""
        key = (raw, unit)
        try:
            return self.quantities[key]
        except KeyError:
            pass
        text = raw.strip()
        if not text:
            value = None
        else:
            qty = parse_quantity(text)
            if qty is None:
                raise _Slow
            value = (_qty_text(qty), to_mg(qty, unit))
        self.quantities[key] = value
        return value

    def method(self, raw: str) -> str:
        method = self.methods.get(raw)
        if method is None:
            text = raw.strip()
            ok = len(text) == 4 and text.isdigit() and (text[0] in "12" or text == "9000")
            method = self.methods[raw] = text if ok else ""
        if not method:
            raise _Slow
        return method


def _getter(mapping: dict[str, int], keys: Sequence[str]) -> Any:
    """cells → the cells of `keys` as a tuple; a column missing from the file reads as empty text."""
    positions = [mapping.get(key) for key in keys]
    if all(p is not None for p in positions):
        return itemgetter(*positions)
    return lambda cells: tuple("" if p is None else cells[p] for p in positions)


# --- the three files --------------------------------------------------------------------------------

_MANIFEST_FAST_KEYS = ("number", "code", "status", "give_date", "reserve_date", "confirm_date", "qty", "unit",
                       "method", "site", "name", "carrier", "carrier_qty", "processor", "processor_qty",
                       "processed_date")


def parse_manifests(data: bytes, file: str, parsed: Parsed) -> None:
    rows = read_rows(data, file, sheet_hint="인계서진행상황")
    header, mapping = _locate_header(rows, MANIFEST_HEADERS, MANIFEST_REQUIRED, file)
    seen: dict[str, int] = {}
    errors, warnings, out = parsed.errors, parsed.warnings, parsed.manifests
    get = _getter(mapping, _MANIFEST_FAST_KEYS)
    fast = _FastCells()
    statuses = {s: s for s in STATUS_LABEL}
    for index in range(header + 1, len(rows)):
        number, cells = rows[index]
        try:  # one pass over the usual well-formed text row
            (number_raw, code_raw, status_raw, give_raw, reserve_raw, confirm_raw, qty_raw, unit_raw, method_raw,
             site_raw, name_raw, carrier_raw, carrier_qty_raw, processor_raw, processor_qty_raw,
             processed_raw) = get(cells)
            manf = number_raw.strip()
            status = statuses.get(status_raw.strip().upper())
            give_date = fast.date(give_raw)
            if not manf or manf in seen or status is None or give_date is None:
                raise _Slow
            unit = fast.unit(unit_raw)
            qty = fast.quantity(qty_raw, unit)
            if qty is None:
                raise _Slow
            carrier_qty = fast.quantity(carrier_qty_raw, unit)
            processor_qty = fast.quantity(processor_qty_raw, unit)
            # positional, in field order (3x cheaper than keywords at this volume); test_fast_reading compares
            # every field with the careful reader's keyword construction
            manifest = Manifest(
                number, manf, site_raw.strip(), fast.code(code_raw), name_raw.strip(), status, give_date,
                fast.date(reserve_raw), fast.date(confirm_raw), qty[0], unit, qty[1], fast.method(method_raw),
                carrier_raw.strip(), None if carrier_qty is None else carrier_qty[1], processor_raw.strip(),
                None if processor_qty is None else processor_qty[1], fast.date(processed_raw))
        except (_Slow, AttributeError, IndexError):
            careful = _read_manifest(file, number, cells, mapping, seen, errors, warnings)
            if careful is None:
                continue
            manifest = careful
        seen[manifest.number] = number
        out.append(manifest)


def _read_manifest(file: str, number: int, cells: list[Any], mapping: dict[str, int], seen: dict[str, int],
                   errors: list[RowError], warnings: list[RowError]) -> Manifest | None:
    """The careful reading of one row: every unreadable cell becomes a RowError (None if any)."""
    r = _RowReader(file, number, cells, mapping, errors, warnings)
    manf = r.text("number")
    if not manf:
        r.error("number", "인계서번호가 비어 있습니다.")
    elif manf in seen:
        r.error("number", f"같은 인계서번호가 {seen[manf]}행에도 있습니다. 중복 행을 지워 주세요.")
    code = r.code()
    status = r.text("status").upper()
    if status not in STATUS_LABEL:
        r.error("status", "진행상황은 Y(완료), M(오류), B(정상/진행중) 중 하나여야 합니다.")
    give_date = r.date("give_date", required=True)
    reserve_date = r.date("reserve_date", required=False)
    confirm_date = r.date("confirm_date", required=False)
    processed_date = r.date("processed_date", required=False)
    unit = r.unit()
    qty = r.quantity("qty", required=True)
    carrier_qty = r.quantity("carrier_qty", required=False)
    processor_qty = r.quantity("processor_qty", required=False)
    method = r.text("method")
    if not (len(method) == 4 and method.isdigit() and (method[0] in "12" or method == "9000")):
        r.error("method", "처리방법 코드는 1xxx(자가처리), 2xxx(위탁처리), 9000(재위탁) 중 하나여야 합니다.")
    if not r.ok or give_date is None or qty is None:
        return None
    return Manifest(
        row=number, number=manf, site=r.text("site"), code=code, name=r.text("name"), status=status,
        give_date=give_date, reserve_date=reserve_date, confirm_date=confirm_date, qty_text=_qty_text(qty),
        unit=unit, mg=to_mg(qty, unit), method=method, carrier=r.text("carrier"),
        carrier_mg=None if carrier_qty is None else to_mg(carrier_qty, unit), processor=r.text("processor"),
        processor_mg=None if processor_qty is None else to_mg(processor_qty, unit), processed_date=processed_date,
    )


def parse_generation(data: bytes, file: str, parsed: Parsed) -> None:
    rows = read_rows(data, file, sheet_hint="발생량")
    header, mapping = _locate_header(rows, GENERATION_HEADERS, GENERATION_REQUIRED, file)
    out = parsed.generation
    get = _getter(mapping, ("day", "code", "qty", "unit", "site", "name"))
    fast = _FastCells()
    for index in range(header + 1, len(rows)):
        number, cells = rows[index]
        try:
            day_raw, code_raw, qty_raw, unit_raw, site_raw, name_raw = get(cells)
            day = fast.date(day_raw)
            code = fast.code(code_raw)
            unit = fast.unit(unit_raw)
            qty = fast.quantity(qty_raw, unit)
            if day is None or qty is None:
                raise _Slow
            out.append(Generation(number, site_raw.strip(), day, code, name_raw.strip(), qty[0], unit, qty[1]))
        except (_Slow, AttributeError, IndexError):
            r = _RowReader(file, number, cells, mapping, parsed.errors, parsed.warnings, qty_label="발생량")
            day_ = r.date("day", required=True)
            code = r.code()
            unit = r.unit()
            quantity = r.quantity("qty", required=True)
            if not r.ok or day_ is None or quantity is None:
                continue
            out.append(Generation(row=number, site=r.text("site"), day=day_, code=code, name=r.text("name"),
                                  qty_text=_qty_text(quantity), unit=unit, mg=to_mg(quantity, unit)))


def parse_openings(data: bytes, file: str, parsed: Parsed) -> None:
    rows = read_rows(data, file, sheet_hint="이월량")
    header, mapping = _locate_header(rows, OPENING_HEADERS, OPENING_REQUIRED, file)
    seen: dict[tuple[str, str], int] = {}
    for number, cells in rows[header + 1:]:
        r = _RowReader(file, number, cells, mapping, parsed.errors, parsed.warnings, qty_label="이월량")
        code = r.code()
        unit = r.unit(default="01")
        qty = r.quantity("qty", required=True)
        key = (r.text("site"), code)
        if code and key in seen:
            r.error("code", f"같은 폐기물코드의 이월량이 {seen[key]}행에도 있습니다. 한 줄로 합쳐 주세요.")
        if not r.ok or qty is None:
            continue
        seen[key] = number
        parsed.openings.append(Opening(row=number, site=key[0], code=code, qty_text=_qty_text(qty), unit=unit,
                                       mg=to_mg(qty, unit)))


def _assign_sites(parsed: Parsed, files: dict[str, str]) -> None:
    """Generation/opening files often have no site column: give their rows the manifests' single site."""
    sites = Counter(m.site for m in parsed.manifests)
    only = next(iter(sites)) if len(sites) == 1 else ""
    for kind, records in (("generation", parsed.generation), ("opening", parsed.openings)):
        if not records or any(r.site for r in records):
            continue
        if len(sites) > 1:
            raise FileError(files[kind], "인계서에 사업장이 여러 곳인데 이 파일에는 사업장(배출자 업체명) 열이 없습니다. "
                                         "사업장별로 나눠 올리거나 배출자 업체명 열을 추가해 주세요.")
        for record in records:
            record.site = only


def load(*, manifests: tuple[str, bytes], generation: tuple[str, bytes],
         opening: tuple[str, bytes] | None = None) -> Parsed:
    """Parse the three inputs given as (file name, content). Raises FileError for unreadable files."""
    parsed = Parsed()
    with paused_gc():
        parse_manifests(manifests[1], manifests[0], parsed)
        parse_generation(generation[1], generation[0], parsed)
        files = {"generation": generation[0], "opening": opening[0] if opening else ""}
        if opening is not None:
            parse_openings(opening[1], opening[0], parsed)
        _assign_sites(parsed, files)
    return parsed


def load_paths(*, manifests: str | Path, generation: str | Path, opening: str | Path | None = None) -> Parsed:
    def read(path: str | Path) -> tuple[str, bytes]:
        p = Path(path)
        try:
            return p.name, p.read_bytes()
        except OSError as exc:
            raise FileError(p.name, f"파일을 열 수 없습니다 ({exc.strerror}).") from exc

    return load(manifests=read(manifests), generation=read(generation),
                opening=read(opening) if opening is not None else None)


def detect_kind(data: bytes, file: str) -> str | None:
    """Which export a file is ("manifests", "generation", "opening") judged by its header row; None if none."""
    try:
        rows = read_rows(data, file)
    except FileError:
        return None
    for kind, headers, required in (("manifests", MANIFEST_HEADERS, MANIFEST_REQUIRED),
                                    ("generation", GENERATION_HEADERS, GENERATION_REQUIRED),
                                    ("opening", OPENING_HEADERS, OPENING_REQUIRED)):
        try:
            _locate_header(rows, headers, required, file)
        except FileError:
            continue
        return kind
    return None
