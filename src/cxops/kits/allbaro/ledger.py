"""Monthly waste ledger (폐기물 관리대장) per site × waste code × month, in integer milligrams.

당월보관량 = 전월보관량 + 당월발생량 − 위탁처리량 − 자가처리량. Month by 인계일자 (hand-over date); a manifest counts
when it has a 확정등록일자 and its 진행상황 is Y or B; 처리방법 1xxx is self-processing, 2xxx and 9000 consigned.
Pure module (no Django).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from cxops.kits.allbaro.parsing import MG_PER_TON, Generation, Manifest

Key = tuple[str, str]  # (site, waste code)


def tonnes(mg: int) -> float:
    """Milligrams → tonnes as the nearest float to the exact decimal value."""
    return float(Decimal(mg).scaleb(-9))


@dataclass(slots=True)
class LedgerRow:
    site: str
    code: str
    name: str
    year: int
    month: int
    opening_mg: int
    generated_mg: int
    consigned_mg: int
    self_mg: int
    storage_end_mg: int

    def as_dict(self) -> dict[str, object]:
        return {
            "site": self.site, "waste_code": self.code, "waste_name": self.name, "year": self.year,
            "month": self.month, "opening_t": tonnes(self.opening_mg), "generated_t": tonnes(self.generated_mg),
            "consigned_t": tonnes(self.consigned_mg), "self_processed_t": tonnes(self.self_mg),
            "storage_end_t": tonnes(self.storage_end_mg),
        }


def build_ledger(*, year: int, keys: Iterable[Key], openings: Mapping[Key, int], generation: Iterable[Generation],
                 manifests: Iterable[Manifest], names: Mapping[str, str]) -> list[LedgerRow]:
    """Twelve rows per key; `generation`/`manifests` must already be limited to `year`."""
    sums: dict[Key, list[list[int]]] = {key: [[0] * 12, [0] * 12, [0] * 12] for key in keys}
    for g in generation:
        sums[(g.site, g.code)][0][g.day.month - 1] += g.mg
    for m in manifests:
        if not m.counted:
            continue
        sums[(m.site, m.code)][2 if m.self_processing else 1][m.give_date.month - 1] += m.mg
    rows: list[LedgerRow] = []
    for key in sorted(sums):
        generated, consigned, self_processed = sums[key]
        balance = openings.get(key, 0)
        for month in range(12):
            opening = balance
            balance = opening + generated[month] - consigned[month] - self_processed[month]
            rows.append(LedgerRow(site=key[0], code=key[1], name=names.get(key[1], ""), year=year, month=month + 1,
                                  opening_mg=opening, generated_mg=generated[month], consigned_mg=consigned[month],
                                  self_mg=self_processed[month], storage_end_mg=balance))
    return rows


def year_end(rows: Iterable[LedgerRow]) -> dict[Key, int]:
    return {(r.site, r.code): r.storage_end_mg for r in rows if r.month == 12}


__all__ = ["MG_PER_TON", "Key", "LedgerRow", "build_ledger", "tonnes", "year_end"]
