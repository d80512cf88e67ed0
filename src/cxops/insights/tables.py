"""Rows of a CSV (UTF-8 with or without BOM, or CP949 from Korean Excel) or XLSX file, with header aliases."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cxops.core.services import ServiceError
from cxops.tickets.importer import header_key


@dataclass
class RowError:
    row: int | None
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


@dataclass
class Table:
    """Data rows as {column: text} with the row number as in the file (header row = its own number)."""

    rows: list[tuple[int, dict[str, str]]]
    header_names: dict[str, str]  # column → the name written in the file
    ignored: list[str]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _raw_rows(data: bytes, filename: str) -> list[list[str]]:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
            raise ServiceError("엑셀 파일을 읽을 수 없습니다. .xlsx 형식으로 저장해 주세요.") from exc
        sheet = workbook.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
        return rows
    for encoding in ("utf-8-sig", "cp949"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ServiceError("파일 인코딩을 알 수 없습니다. UTF-8 또는 CP949(엑셀 CSV)로 저장해 주세요.")
    return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text))]


def read_table(data: bytes, filename: str, aliases: Mapping[str, Sequence[str]], required: Sequence[str]) -> Table:
    """Parse a file; unknown headers are ignored (listed), a missing required column is an error."""
    rows = _raw_rows(data, filename)
    lookup = {header_key(alias): column for column, names in aliases.items() for alias in (column, *names)}
    header_index = next((i for i, row in enumerate(rows) if any(row)), None)
    if header_index is None:
        raise ServiceError("파일에 내용이 없습니다.")
    header = rows[header_index]
    positions: dict[str, int] = {}
    names: dict[str, str] = {}
    ignored: list[str] = []
    for position, name in enumerate(header):
        column = lookup.get(header_key(name)) if name else None
        if column is None:
            if name:
                ignored.append(name)
            continue
        if column in positions:
            raise ServiceError(f"'{name}' 열이 두 번 있습니다. 하나만 남겨 주세요.")
        positions[column] = position
        names[column] = name
    missing = [c for c in required if c not in positions]
    if missing:
        wanted = ", ".join(f"{c}({'/'.join(aliases[c][:2])})" for c in missing)
        raise ServiceError(f"필수 열이 없습니다: {wanted}. 첫 줄에 열 이름을 적어 주세요.")
    out: list[tuple[int, dict[str, str]]] = []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if not any(row):
            continue
        out.append((index + 1, {c: (row[p] if p < len(row) else "") for c, p in positions.items()}))
    return Table(rows=out, header_names=names, ignored=ignored)


def read_path(path: str | Path, aliases: Mapping[str, Sequence[str]], required: Sequence[str]) -> Table:
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise ServiceError(f"파일을 열 수 없습니다: {path}") from exc
    return read_table(data, file.name, aliases, required)
