"""Tiny Allbaro export builders for hand-made test cases."""

from __future__ import annotations

import csv
import io
from typing import Any

SITE = "(주)테스트공장"
MANIFEST_HEADER = ["인계서번호", "폐기물코드", "폐기물종류", "진행상황", "배출자 업체명", "인계일자", "예약등록일자",
                   "확정등록일자", "위탁량", "단위", "처리방법", "운반자 업체명", "운반자 인수량", "처리자 업체명",
                   "처리자 인수량", "처리일자", "잔량"]


def manifest(number: int, day: str, qty: str, code: str = "51-03-01", *, status: str = "Y", confirm: str | None = None,
             unit: str = "01", method: str = "2301", processor: str = "(주)처리회사", processor_qty: str | None = None,
             carrier_qty: str | None = None, site: str = SITE) -> list[str]:
    return [f"{day}-{number:05d}", code, "폐합성수지", status, site, day, day, day if confirm is None else confirm,
            qty, unit, method, "운반(주)", qty if carrier_qty is None else carrier_qty, processor,
            qty if processor_qty is None else processor_qty, day, "0.000"]


def table(header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def manifests_csv(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    return table(MANIFEST_HEADER, rows, encoding)


def generation_csv(rows: list[tuple[str, str, str] | tuple[str, str, str, str]], encoding: str = "utf-8-sig") -> bytes:
    """rows of (date, code, qty[, unit])."""
    return table(["발생일자", "폐기물코드", "폐기물종류", "발생량", "단위"],
                 [[r[0], r[1], "", r[2], r[3] if len(r) > 3 else "01"] for r in rows], encoding)


def opening_csv(rows: list[tuple[str, str]]) -> bytes:
    return table(["폐기물코드", "단위", "이월량"], [[code, "01", qty] for code, qty in rows])


def check(manifests: list[list[str]], generation: list[Any], opening: list[tuple[str, str]] | None = None,
          year: int = 2025) -> dict[str, Any]:
    from cxops.kits.allbaro import check as check_module
    from cxops.kits.allbaro.parsing import load

    parsed = load(manifests=("m.csv", manifests_csv(manifests)), generation=("g.csv", generation_csv(generation)),
                  opening=("o.csv", opening_csv(opening)) if opening is not None else None)
    assert parsed.errors == []
    return check_module.run(parsed, year=year)[1]
