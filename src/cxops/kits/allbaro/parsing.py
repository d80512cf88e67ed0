"""Read Allbaro exports: manifest progress list (인계서진행상황), generation records (발생량), opening balances (이월량).

Pure module (no Django). Accepts CSV in UTF-8 (with or without BOM) or CP949, and XLSX. Every row that cannot
be read becomes a `RowError` naming the file, row number, column, value and what to fix, in Korean; such rows are
left out of the computation and reported, never dropped silently. Quantities are kept as integer milligrams, so
Ton/kg/g (units 01/02/03) add up exactly.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

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

def _decode(data: bytes, file: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949")
    except UnicodeDecodeError as exc:
        raise FileError(file, "파일 인코딩을 읽을 수 없습니다. UTF-8 또는 CP949(엑셀 CSV) 형식으로 저장해 주세요.") from exc


def read_rows(data: bytes, file: str, sheet_hint: str = "") -> list[tuple[int, list[Any]]]:
    """(row number as the user sees it, cells) for every row of a CSV or XLSX file."""
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, file, sheet_hint)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileError(file, "예전 엑셀(.xls) 형식은 읽을 수 없습니다. 엑셀에서 .xlsx 또는 CSV로 다시 저장해 주세요.")
    text = _decode(data, file)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(number, row) for number, row in enumerate(reader, start=1)]


def _read_xlsx(data: bytes, file: str, sheet_hint: str) -> list[tuple[int, list[Any]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileError(file, "엑셀(xlsx) 파일을 열 수 없습니다. 파일이 손상되지 않았는지 확인해 주세요.") from exc
    try:
        names = workbook.sheetnames
        ordered = ([sheet_hint] if sheet_hint in names else []) + [n for n in names if n != sheet_hint]
        first: list[tuple[int, list[Any]]] | None = None
        for name in ordered:
            rows = [(number, list(row)) for number, row in
                    enumerate(workbook[name].iter_rows(values_only=True), start=1)]
            if first is None:
                first = rows
            if any(_norm_header(c) in ("인계서번호", "발생일자", "이월량", "폐기물코드") for _, r in rows[:20] for c in r):
                return rows
        return first or []
    finally:
        workbook.close()


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


def _data_rows(rows: list[tuple[int, list[Any]]], start: int) -> Iterable[tuple[int, list[Any]]]:
    for number, cells in rows[start + 1:]:
        if all(_text(c) == "" for c in cells):
            continue
        yield number, cells


# --- the three files --------------------------------------------------------------------------------

def parse_manifests(data: bytes, file: str, parsed: Parsed) -> None:
    rows = read_rows(data, file, sheet_hint="인계서진행상황")
    header, mapping = _locate_header(rows, MANIFEST_HEADERS, MANIFEST_REQUIRED, file)
    seen: dict[str, int] = {}
    errors, warnings = parsed.errors, parsed.warnings
    for number, cells in _data_rows(rows, header):
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
            continue
        seen[manf] = number
        parsed.manifests.append(Manifest(
            row=number, number=manf, site=r.text("site"), code=code, name=r.text("name"), status=status,
            give_date=give_date, reserve_date=reserve_date, confirm_date=confirm_date, qty_text=_qty_text(qty),
            unit=unit, mg=to_mg(qty, unit), method=method, carrier=r.text("carrier"),
            carrier_mg=None if carrier_qty is None else to_mg(carrier_qty, unit), processor=r.text("processor"),
            processor_mg=None if processor_qty is None else to_mg(processor_qty, unit), processed_date=processed_date,
        ))


def parse_generation(data: bytes, file: str, parsed: Parsed) -> None:
    rows = read_rows(data, file, sheet_hint="발생량")
    header, mapping = _locate_header(rows, GENERATION_HEADERS, GENERATION_REQUIRED, file)
    for number, cells in _data_rows(rows, header):
        r = _RowReader(file, number, cells, mapping, parsed.errors, parsed.warnings, qty_label="발생량")
        day = r.date("day", required=True)
        code = r.code()
        unit = r.unit()
        qty = r.quantity("qty", required=True)
        if not r.ok or day is None or qty is None:
            continue
        parsed.generation.append(Generation(row=number, site=r.text("site"), day=day, code=code, name=r.text("name"),
                                            qty_text=_qty_text(qty), unit=unit, mg=to_mg(qty, unit)))


def parse_openings(data: bytes, file: str, parsed: Parsed) -> None:
    rows = read_rows(data, file, sheet_hint="이월량")
    header, mapping = _locate_header(rows, OPENING_HEADERS, OPENING_REQUIRED, file)
    seen: dict[tuple[str, str], int] = {}
    for number, cells in _data_rows(rows, header):
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
