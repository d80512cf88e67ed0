"""Find why storage (보관량) does not fall to zero and say exactly what to fix.

Pure module (no Django). Works per site × waste code on a daily series of integer milligrams:

1. unit mix-ups (c): a generation row and a confirmed manifest on the same day and code whose quantities differ
   by exactly 1000×, or a row 1000× off its code's usual size that the ledger confirms (shortfall or leftover);
2. shortfalls: walking each month day by day, a month that ends below zero is explained by the days on which
   confirmed manifests took out more than had been generated; a shortfall on a day whose manifest matches a
   generation row of the same day and amount under *another* waste code is a code mismatch (d), the rest is
   missing generation (a);
3. with those corrected, a manifest that was only reserved or is in error (M) is the reason storage stays up
   (b) when storage from its date to year end never drops below its amount; other error-state manifests are (h);
4. a carried-over balance (이월량) that storage never drops below all year, and that is still there in December,
   was never cleared (f);
5. row checks: processor/carrier weighing beyond the tolerance (e), self-processing codes on manifests to an
   outside processor or consigned codes to oneself (g).

Every issue carries its evidence, the storage effect and machine-applicable fix actions.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal, getcontext
from itertools import accumulate
from operator import sub
from typing import Any

from cxops.kits.allbaro import explain
from cxops.kits.allbaro.ledger import Key, LedgerRow, build_ledger, tonnes, year_end
from cxops.kits.allbaro.parsing import UNIT_MG, Generation, Manifest, Opening, Parsed, paused_gc

TOLERANCE_MG = 500_000  # 0.0005 t: quantities are registered to the kilogram
WEIGHING_TOLERANCE = Decimal("0.10")
OUTLIER_RATIO = 300


@dataclass
class Issue:
    type: str
    site: str
    code: str
    month: int
    dates: list[date]
    amount_mg: int
    fixes: list[str]
    evidence: list[str]
    manifests: list[str] = field(default_factory=list)
    variant: str = ""
    related_code: str = ""
    due: date | None = None
    storage_effect: dict[str, int] = field(default_factory=dict)
    actions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fix(self) -> str:
        return ", ".join(self.fixes)

    @property
    def title(self) -> str:
        return explain.TYPE_BY_LETTER[self.type].title

    def as_dict(self) -> dict[str, Any]:
        kind = explain.TYPE_BY_LETTER[self.type]
        return {
            "type": self.type, "type_key": kind.key, "title": kind.title, "variant": self.variant,
            "site": self.site, "waste_code": self.code, "related_code": self.related_code, "month": self.month,
            "dates": [d.strftime("%Y%m%d") for d in self.dates], "amount_t": tonnes(self.amount_mg),
            "fix": self.fix, "evidence": self.evidence, "manifests": self.manifests,
            "due_date": self.due.isoformat() if self.due else None,
            "storage_effect_t": {code: tonnes(mg) for code, mg in self.storage_effect.items()},
            "actions": self.actions,
        }


@dataclass
class Result:
    year: int
    ledger: list[LedgerRow]
    issues: list[Issue]
    names: dict[str, str]
    out_of_year: dict[str, int]
    units: list[str]

    def year_end(self) -> dict[Key, int]:
        return year_end(self.ledger)


_COMPANY_NOISE = re.compile(r"\(주\)|㈜|주식회사|\(유\)|유한회사|\(재\)|재단법인|\(사\)|[\s().,·\-]")


def same_party(a: str, b: str) -> bool:
    """Company names equal after dropping legal-form marks and spaces; a plant name may extend the company."""
    x, y = _COMPANY_NOISE.sub("", a), _COMPANY_NOISE.sub("", b)
    return bool(x and y) and (x == y or x.startswith(y) or y.startswith(x))


def _unit_for(factor_mg: int) -> str | None:
    return next((unit for unit, mg in UNIT_MG.items() if mg == factor_mg), None)


def _exact_unmatched(gens: list[Generation], mans: list[Manifest]) -> tuple[list[Generation], list[Manifest]]:
    """Pair generation rows and manifests of one day one-to-one by equal quantity; return the leftovers."""
    if len(gens) == 1 and len(mans) == 1:  # the usual day
        return ([], []) if gens[0].mg == mans[0].mg else (list(gens), list(mans))
    pool = Counter(m.mg for m in mans)
    left_gens = []
    for g in gens:
        if pool[g.mg]:
            pool[g.mg] -= 1
        else:
            left_gens.append(g)
    gen_pool = Counter(g.mg for g in gens)
    left_mans = []
    for m in mans:
        if gen_pool[m.mg]:
            gen_pool[m.mg] -= 1
        else:
            left_mans.append(m)
    return left_gens, left_mans


@dataclass
class _ByYear:
    """The parsed rows split by report year in one pass, and the waste names (first name seen per code)."""

    manifests: dict[int, list[Manifest]]
    generation: dict[int, list[Generation]]
    names: dict[str, str]
    manifest_count: int
    generation_count: int

    @classmethod
    def of(cls, parsed: Parsed) -> _ByYear:
        manifests: dict[int, list[Manifest]] = defaultdict(list)
        generation: dict[int, list[Generation]] = defaultdict(list)
        names: dict[str, str] = {}
        for g in parsed.generation:
            generation[g.day.year].append(g)
            if g.name and g.code not in names:
                names[g.code] = g.name
        for m in parsed.manifests:
            manifests[m.give_date.year].append(m)
            if m.name and m.code not in names:
                names[m.code] = m.name
        return cls(manifests=manifests, generation=generation, names=names,
                   manifest_count=len(parsed.manifests), generation_count=len(parsed.generation))


class _Checker:
    def __init__(self, parsed: Parsed, year: int, openings: dict[Key, int] | None,
                 weighing_tolerance: Decimal, by_year: _ByYear | None = None) -> None:
        rows = by_year if by_year is not None else _ByYear.of(parsed)
        self.year = year
        self.tolerance = weighing_tolerance
        self.jan1 = date(year, 1, 1)
        self.ndays = (date(year, 12, 31) - self.jan1).days + 1
        self.month_bounds = [((date(year, m, 1) - self.jan1).days,
                              (date(year + (m == 12), m % 12 + 1, 1) - self.jan1).days) for m in range(1, 13)]
        self.mans = rows.manifests.get(year, [])
        self.gens = rows.generation.get(year, [])
        self.out_of_year = {"manifests": rows.manifest_count - len(self.mans),
                            "generation": rows.generation_count - len(self.gens)}
        self.openings: dict[Key, int] = (openings if openings is not None
                                         else {(o.site, o.code): o.mg for o in parsed.openings})
        self.opening_rows: dict[Key, Opening] = {(o.site, o.code): o for o in parsed.openings}
        self.names: dict[str, str] = dict(rows.names)
        self.keys: set[Key] = set(self.openings) | {(m.site, m.code) for m in self.mans} | {
            (g.site, g.code) for g in self.gens}
        self.gen_day: dict[Key, list[int]] = {k: [0] * self.ndays for k in self.keys}
        self.out_day: dict[Key, list[int]] = {k: [0] * self.ndays for k in self.keys}
        self.gens_at: dict[tuple[Key, int], list[Generation]] = defaultdict(list)
        self.counted_at: dict[tuple[Key, int], list[Manifest]] = defaultdict(list)
        self.all_at: dict[tuple[Key, int], list[Manifest]] = defaultdict(list)
        jan1 = self.jan1.toordinal()
        gen_day, out_day, gens_at, all_at, counted_at = (self.gen_day, self.out_day, self.gens_at, self.all_at,
                                                         self.counted_at)
        for g in self.gens:
            key, d = (g.site, g.code), g.day.toordinal() - jan1
            gen_day[key][d] += g.mg
            gens_at[(key, d)].append(g)
        for m in self.mans:
            key, d = (m.site, m.code), m.give_date.toordinal() - jan1
            all_at[(key, d)].append(m)
            if m.counted:
                out_day[key][d] += m.mg
                counted_at[(key, d)].append(m)
        self.site_keys: dict[str, list[Key]] = defaultdict(list)
        for key in sorted(self.keys):
            self.site_keys[key[0]].append(key)
        self.ledger = build_ledger(year=year, keys=self.keys, openings=self.openings, generation=self.gens,
                                   manifests=self.mans, names=self.names)
        self.month_end: dict[Key, list[int]] = defaultdict(list)
        for row in self.ledger:
            self.month_end[(row.site, row.code)].append(row.storage_end_mg)
        self.issues: list[Issue] = []
        self.involved: set[int] = set()  # id() of rows already explained by a unit mix-up
        self.used_gens: set[int] = set()

    def day(self, d: int) -> date:
        return self.jan1 + timedelta(days=d)

    def idx(self, day: date) -> int:
        return (day - self.jan1).days

    # --- (c) unit mix-ups ------------------------------------------------------------------------
    def unit_mixups(self) -> None:
        # the most used unit per key (ties: the unit seen first, generation rows before manifests)
        counts = Counter((g.site, g.code, g.unit) for g in self.gens)
        counts.update((m.site, m.code, m.unit) for m in self.mans)
        best: dict[Key, int] = {}
        dominant: dict[Key, str] = {}
        for (site, code, unit), count in counts.items():
            if count > best.get((site, code), 0):
                best[(site, code)] = count
                dominant[(site, code)] = unit
        gens_at = self.gens_at
        for (key, d), mans in self.counted_at.items():
            gens = gens_at.get((key, d))
            if not gens or (len(gens) == 1 and len(mans) == 1 and gens[0].mg == mans[0].mg):
                continue  # nothing on this day, or the usual day: one generation row, one manifest, same amount
            left_gens, left_mans = _exact_unmatched(gens, mans)
            for g in left_gens:
                for m in left_mans:
                    if id(m) in self.involved or not (g.mg * 1000 == m.mg or g.mg == m.mg * 1000):
                        continue
                    if m.unit != dominant[key] and g.unit == dominant[key]:
                        self._manifest_unit(key, d, m, g.mg, f"같은 날 발생량 {g.qty_text} {explain.unit_label(g.unit)}")
                    else:
                        self._generation_unit(key, d, g, m.mg,
                                              f"같은 날 인계서 {m.number} 위탁량 {m.qty_text} {explain.unit_label(m.unit)}")
                    self.involved.update((id(g), id(m)))
                    break
        self._outliers()

    def _outliers(self) -> None:
        by_key_gen: dict[Key, list[Generation]] = defaultdict(list)
        for g in self.gens:
            by_key_gen[(g.site, g.code)].append(g)
        by_key_man: dict[Key, list[Manifest]] = defaultdict(list)
        for m in self.mans:
            if m.counted:
                by_key_man[(m.site, m.code)].append(m)
        for key, gens in by_key_gen.items():
            if len(gens) < 5:
                continue
            median = sorted(g.mg for g in gens)[len(gens) // 2]
            if median == 0:
                continue
            low, high = median // OUTLIER_RATIO, median * OUTLIER_RATIO
            for g in gens:
                if low < g.mg < high or id(g) in self.involved:  # not 300x off: _rescaled would say None
                    continue
                intended = self._rescaled(g.mg, median)
                if intended is None:
                    continue
                month = g.day.month - 1
                ends = self.month_end[key]
                if (intended > g.mg and min(ends[month:]) < -TOLERANCE_MG) or \
                        (intended < g.mg and ends[-1] >= g.mg - intended - TOLERANCE_MG):
                    self._generation_unit(key, self.idx(g.day), g, intended,
                                          f"이 코드 발생량의 보통 크기 {explain.fmt_t(median)}톤과 1000배 차이")
                    self.involved.add(id(g))
        for key, mans in by_key_man.items():
            if len(mans) < 5:
                continue
            median = sorted(m.mg for m in mans)[len(mans) // 2]
            if median == 0:
                continue
            low, high = median // OUTLIER_RATIO, median * OUTLIER_RATIO
            for m in mans:
                if low < m.mg < high or id(m) in self.involved:
                    continue
                intended = self._rescaled(m.mg, median)
                if intended is None:
                    continue
                month = m.give_date.month - 1
                ends = self.month_end[key]
                if (intended > m.mg and ends[-1] >= intended - m.mg - TOLERANCE_MG) or \
                        (intended < m.mg and min(ends[month:]) < -TOLERANCE_MG):
                    self._manifest_unit(key, self.idx(m.give_date), m, intended,
                                        f"이 코드 인계서 위탁량의 보통 크기 {explain.fmt_t(median)}톤과 1000배 차이")
                    self.involved.add(id(m))

    @staticmethod
    def _rescaled(mg: int, median: int) -> int | None:
        if mg * OUTLIER_RATIO <= median:
            candidate = mg * 1000
        elif mg >= median * OUTLIER_RATIO and mg % 1000 == 0:
            candidate = mg // 1000
        else:
            return None
        return candidate if median // 20 <= candidate <= median * 20 else None

    def _generation_unit(self, key: Key, d: int, g: Generation, intended: int, evidence: str) -> None:
        new_unit = _unit_for(UNIT_MG[g.unit] * intended // g.mg) if g.mg else None
        self.gen_day[key][d] += intended - g.mg
        self.issues.append(Issue(
            type="c", variant="generation", site=key[0], code=key[1], month=g.day.month, dates=[g.day],
            amount_mg=g.mg - intended,
            fixes=[explain.fix_generation_unit(g.day, g.code, g.qty_text, g.unit, new_unit, intended)],
            evidence=[f"발생량 {g.row}행: {g.qty_text} {explain.unit_label(g.unit)} = {explain.fmt_t(g.mg)}톤; {evidence}"],
            storage_effect={key[1]: g.mg - intended},
            actions=[{"op": "set_generation_quantity", "row": g.row, "date": g.day.strftime("%Y%m%d"),
                      "wste_code": g.code, "unit": new_unit or g.unit,
                      "qty": str(Decimal(intended) / UNIT_MG[new_unit or "01"]) if new_unit else
                      str(Decimal(intended).scaleb(-9)), "mg": intended}],
        ))

    def _manifest_unit(self, key: Key, d: int, m: Manifest, intended: int, evidence: str) -> None:
        new_unit = _unit_for(UNIT_MG[m.unit] * intended // m.mg) if m.mg else None
        self.out_day[key][d] += intended - m.mg
        self.issues.append(Issue(
            type="c", variant="manifest", site=key[0], code=key[1], month=m.give_date.month, dates=[m.give_date],
            amount_mg=m.mg - intended, manifests=[m.number],
            fixes=[explain.fix_manifest_unit(m.number, m.give_date, m.code, m.qty_text, m.unit, new_unit, intended)],
            evidence=[f"인계서 {m.number}: 위탁량 {m.qty_text} {explain.unit_label(m.unit)} = {explain.fmt_t(m.mg)}톤; "
                      f"{evidence}"],
            storage_effect={key[1]: intended - m.mg},
            actions=[{"op": "set_manifest_quantity", "manf_nums": m.number, "mg": intended}],
        ))

    # --- (a)/(d) shortfalls -----------------------------------------------------------------------
    def shortfalls(self) -> None:
        events: list[tuple[Key, int, int]] = []
        for key in sorted(self.keys):
            gen, out = self.gen_day[key], self.out_day[key]
            balance = max(self.openings.get(key, 0), 0)  # a negative carry-over is reported on its own (f)
            for start, end in self.month_bounds:
                running = balance
                month_events: list[list[int]] = []
                for d in range(start, end):
                    running += gen[d] - out[d]
                    if running < -TOLERANCE_MG:
                        month_events.append([d, -running])
                        running = 0
                unclamped = balance + sum(gen[start:end]) - sum(out[start:end])
                if unclamped >= -TOLERANCE_MG:
                    balance = unclamped
                    continue
                excess = sum(e[1] for e in month_events) + unclamped  # deficits later recovered in the month
                for event in month_events:
                    cut = min(event[1], excess)
                    event[1] -= cut
                    excess -= cut
                events.extend((key, d, amount) for d, amount in month_events if amount > TOLERANCE_MG)
                balance = 0 if unclamped < 0 else unclamped
        missing: dict[tuple[Key, int], list[tuple[int, int]]] = defaultdict(list)
        for key, d, amount in events:
            amount = self._code_mismatches(key, d, amount)
            if amount > TOLERANCE_MG:
                self.gen_day[key][d] += amount
                missing[(key, self.day(d).month)].append((d, amount))
        for (key, month), items in sorted(missing.items()):
            days = [self.day(d) for d, _ in items]
            manifests = [m.number for d, _ in items for m in self.counted_at.get((key, d), [])]
            total = sum(a for _, a in items)
            self.issues.append(Issue(
                type="a", site=key[0], code=key[1], month=month, dates=days, amount_mg=total, manifests=manifests,
                fixes=[explain.fix_add_generation(self.day(d), key[1], a) for d, a in items],
                evidence=[f"{self.day(d).isoformat()}: 확정 인계서 "
                          + ", ".join(f"{m.number} {explain.fmt_t(m.mg)}톤" for m in self.counted_at.get((key, d), []))
                          + f" / 그날까지 누적 발생량 부족 {explain.fmt_t(a)}톤" for d, a in items]
                + [f"{month}월말 보관량 {explain.fmt_t(self.month_end[key][month - 1])}톤 (음수)"],
                storage_effect={key[1]: -total},
                actions=[{"op": "add_generation", "date": self.day(d).strftime("%Y%m%d"), "wste_code": key[1],
                          "mg": a} for d, a in items],
            ))

    def _code_mismatches(self, key: Key, d: int, amount: int) -> int:
        _gens, candidates = _exact_unmatched(self.gens_at.get((key, d), []), self.counted_at.get((key, d), []))
        for m in sorted(candidates, key=lambda m: -m.mg):
            if id(m) in self.involved or m.mg > amount + TOLERANCE_MG:
                continue
            for other in self.site_keys[key[0]]:
                if other == key:
                    continue
                spare, _ = _exact_unmatched(self.gens_at.get((other, d), []), self.all_at.get((other, d), []))
                g = next((g for g in spare if g.mg == m.mg and id(g) not in self.used_gens), None)
                if g is None:
                    continue
                self.used_gens.add(id(g))
                self.involved.add(id(m))
                self.out_day[key][d] -= m.mg
                self.out_day[other][d] += m.mg
                amount -= m.mg
                day = m.give_date
                self.issues.append(Issue(
                    type="d", site=key[0], code=key[1], related_code=other[1], month=day.month, dates=[day],
                    amount_mg=m.mg, manifests=[m.number],
                    fixes=[explain.fix_manifest_code(m.number, day, m.mg, key[1], other[1])],
                    evidence=[f"인계서 {m.number}({key[1]} {self.names.get(key[1], '')}) {explain.fmt_t(m.mg)}톤: "
                              f"같은 날 {key[1]} 발생량 없음",
                              f"같은 날·같은 양의 발생량이 {other[1]} {self.names.get(other[1], '')}로 등록됨 "
                              f"(발생량 {g.row}행), 그 코드에는 이 날짜 인계서 없음"],
                    storage_effect={key[1]: -m.mg, other[1]: m.mg},
                    actions=[{"op": "set_manifest_code", "manf_nums": m.number, "from_code": key[1],
                              "to_code": other[1]}],
                ))
                break
        return amount

    # --- (b)/(h) unconfirmed manifests, (f) stale opening balances -------------------------------
    def balances(self) -> dict[Key, list[int]]:
        return {key: list(accumulate(map(sub, self.gen_day[key], self.out_day[key]),  # both ndays long
                                     initial=self.openings.get(key, 0)))[1:] for key in self.keys}

    def unconfirmed(self, balances: dict[Key, list[int]]) -> None:
        pending = sorted((m for m in self.mans if not m.counted), key=lambda m: (m.give_date, m.number))
        grouped: dict[tuple[str, Key, int], list[tuple[Manifest, bool]]] = defaultdict(list)
        for m in pending:
            key, d = (m.site, m.code), self.idx(m.give_date)
            series = balances[key]
            variant = "error_state" if m.status == "M" else "reserved_only"
            if min(series[d:]) >= m.mg - TOLERANCE_MG:
                for i in range(d, self.ndays):
                    series[i] -= m.mg
                grouped[(variant, key, m.give_date.month)].append((m, True))
            elif variant == "error_state":
                grouped[("h", key, m.give_date.month)].append((m, False))
        for (variant, key, month), items in sorted(grouped.items(), key=lambda kv: (kv[0][1], kv[0][2], kv[0][0])):
            mans = [m for m, _ in items]
            total = sum(m.mg for m in mans)
            if variant == "h":
                self.issues.append(Issue(
                    type="h", variant="error_state", site=key[0], code=key[1], month=month,
                    dates=sorted({m.give_date for m in mans}), amount_mg=total, manifests=[m.number for m in mans],
                    fixes=[explain.fix_error_manifest(m.number, m.give_date, m.code, m.mg, self._due(m)) for m in mans],
                    evidence=[self._pending_evidence(m) for m in mans], due=min(self._due(m) for m in mans),
                    actions=[{"op": "confirm_manifest", "manf_nums": m.number} for m in mans],
                ))
                continue
            fixes = [explain.fix_error_manifest(m.number, m.give_date, m.code, m.mg, self._due(m))
                     if variant == "error_state" else explain.fix_confirm_manifest(m.number, m.give_date, m.code, m.mg)
                     for m in mans]
            self.issues.append(Issue(
                type="b", variant=variant, site=key[0], code=key[1], month=month,
                dates=sorted({m.give_date for m in mans}), amount_mg=total, manifests=[m.number for m in mans],
                fixes=fixes, evidence=[self._pending_evidence(m) for m in mans]
                + [f"12월말 보관량 {explain.fmt_t(self.month_end[key][-1])}톤이 이 인계서 위탁량만큼 남음"],
                due=min(self._due(m) for m in mans) if variant == "error_state" else None,
                storage_effect={key[1]: total},
                actions=[{"op": "confirm_manifest", "manf_nums": m.number} for m in mans],
            ))

    def _due(self, m: Manifest) -> date:
        return explain.deadline(m.give_date)

    def _pending_evidence(self, m: Manifest) -> str:
        state = ("진행상황 M(오류)" if m.status == "M" else "확정등록일자 없음(예약등록만)")
        same_day = [g for g in self.gens_at.get(((m.site, m.code), self.idx(m.give_date)), []) if g.mg == m.mg]
        gen_note = f"; 같은 날 같은 양 발생량 등록됨(발생량 {same_day[0].row}행)" if same_day else ""
        return f"인계서 {m.number} {m.give_date.isoformat()} {m.code} {explain.fmt_t(m.mg)}톤: {state}{gen_note}"

    def stale_openings(self, balances: dict[Key, list[int]]) -> None:
        for key in sorted(self.keys):
            opening = self.openings.get(key, 0)
            if opening < -TOLERANCE_MG:
                self.issues.append(Issue(
                    type="f", variant="negative", site=key[0], code=key[1], month=1, dates=[], amount_mg=opening,
                    fixes=[explain.fix_negative_opening(key[1], opening, self.year)],
                    evidence=[f"이월량 {explain.fmt_t(opening)}톤 (전년도 12월말 보관량이 음수)"],
                    storage_effect={key[1]: opening},
                    actions=[{"op": "set_opening", "wste_code": key[1], "mg": 0}],
                ))
                continue
            if opening <= TOLERANCE_MG:
                continue
            series = balances[key]
            floor = min(opening, min(series))
            if floor <= TOLERANCE_MG or series[-1] < floor - TOLERANCE_MG:
                continue
            row = self.opening_rows.get(key)
            self.issues.append(Issue(
                type="f", site=key[0], code=key[1], month=1, dates=[], amount_mg=floor,
                fixes=[explain.fix_opening(key[1], floor, self.year)],
                evidence=[f"이월량 {explain.fmt_t(opening)}톤" + (f" (이월량 파일 {row.row}행)" if row else ""),
                          f"1~12월 보관량이 한 번도 {explain.fmt_t(floor)}톤 아래로 내려가지 않음",
                          f"12월말 보관량 {explain.fmt_t(self.month_end[key][-1])}톤"],
                storage_effect={key[1]: floor},
                actions=[{"op": "set_opening", "wste_code": key[1], "mg": opening - floor}],
            ))

    # --- (e) weighing, (g) processing method ----------------------------------------------------
    def _off_scale(self) -> Callable[[int, int], bool]:
        """(received, given) → |received − given| / given > tolerance, for given > 0, in integers.

        Decides exactly as the Decimal division at the context's precision: only a quotient within that
        precision's rounding of the tolerance is left to the Decimal division itself.
        """
        tolerance = self.tolerance
        num, den = tolerance.as_integer_ratio()
        scale = 10 ** max(getcontext().prec - 2, 0)

        def over(received: int, given: int) -> bool:
            lhs, rhs = abs(received - given) * den, num * abs(given)
            if abs(lhs - rhs) * scale <= abs(rhs):
                return abs(Decimal(received - given) / Decimal(given)) > tolerance
            return lhs > rhs

        return over

    def row_checks(self) -> None:
        weighing: dict[tuple[Key, int], list[tuple[Manifest, str, int]]] = defaultdict(list)
        methods: dict[tuple[Key, int], list[tuple[Manifest, str]]] = defaultdict(list)
        over = self._off_scale()
        parties: dict[tuple[str, str], bool] = {}  # (processor, site) → same_party: a few pairs, many rows
        for m in self.mans:
            key = (m.site, m.code)
            for party, received in (("처리자", m.processor_mg), ("운반자", m.carrier_mg)):
                if received is None or m.mg == 0:
                    continue
                if over(received, m.mg):
                    weighing[(key, m.give_date.month)].append((m, party, received))
                    break
            if m.site and m.processor and m.method[:1] in ("1", "2"):
                pair = (m.processor, m.site)
                same = parties.get(pair)
                if same is None:
                    same = parties[pair] = same_party(m.processor, m.site)
                if m.method.startswith("1") and not same:
                    methods[(key, m.give_date.month)].append((m, "2" + m.method[1:]))
                elif m.method.startswith("2") and same:
                    methods[(key, m.give_date.month)].append((m, "1" + m.method[1:]))
        for (key, month), items in sorted(weighing.items()):
            dues = [explain.deadline(m.processed_date or m.give_date) for m, _, _ in items]
            self.issues.append(Issue(
                type="e", site=key[0], code=key[1], month=month, dates=sorted({m.give_date for m, _, _ in items}),
                amount_mg=sum(r - m.mg for m, _, r in items), manifests=[m.number for m, _, _ in items],
                fixes=[explain.fix_weighing(m.number, p, m.mg, r, due) for (m, p, r), due in zip(items, dues, strict=True)],
                evidence=[f"인계서 {m.number}: 위탁량 {explain.fmt_t(m.mg)}톤, {p} 인수량 {explain.fmt_t(r)}톤 "
                          f"(허용오차 {self.tolerance * 100:.0f}% 초과)" for m, p, r in items],
                due=min(dues),
            ))
        for (key, month), method_items in sorted(methods.items()):
            counted = [m for m, _ in method_items if m.counted]
            shift = sum(m.mg for m in counted)
            self.issues.append(Issue(
                type="g", site=key[0], code=key[1], month=month, dates=sorted({m.give_date for m, _ in method_items}),
                amount_mg=sum(m.mg for m, _ in method_items), manifests=[m.number for m, _ in method_items],
                variant="self_to_outside" if method_items[0][0].self_processing else "outside_to_self",
                fixes=[explain.fix_method(m.number, m.give_date, m.method, right) for m, right in method_items],
                evidence=[f"인계서 {m.number}: 처리방법 {explain.method_label(m.method)}, 처리자 {m.processor}, "
                          f"배출자 {m.site}" for m, _ in method_items]
                + ([f"{'자가처리량' if method_items[0][0].self_processing else '위탁처리량'}이 "
                    f"{explain.fmt_t(shift)}톤 많게 집계됨 (보관량 합계는 같음)"] if shift else []),
                actions=[{"op": "set_method", "manf_nums": m.number, "from": m.method, "to": right}
                         for m, right in method_items],
            ))

    def run(self) -> Result:
        self.unit_mixups()
        self.shortfalls()
        series = self.balances()
        self.unconfirmed(series)
        self.stale_openings(series)
        self.row_checks()
        order = {t.letter: i for i, t in enumerate(explain.ISSUE_TYPES)}
        self.issues.sort(key=lambda i: (i.site, i.month, i.code, order[i.type], i.dates[:1]))
        units = sorted({g.unit for g in self.gens} | {m.unit for m in self.mans})
        return Result(year=self.year, ledger=self.ledger, issues=self.issues, names=self.names,
                      out_of_year=self.out_of_year, units=units)


def reconcile(parsed: Parsed, *, year: int, openings: dict[Key, int] | None = None,
              weighing_tolerance: Decimal = WEIGHING_TOLERANCE, _by_year: _ByYear | None = None) -> Result:
    """Ledger and issues for one report year. `openings` overrides the opening-balance file (year chaining)."""
    with paused_gc():
        return _Checker(parsed, year, openings, weighing_tolerance, _by_year).run()


def reconcile_years(parsed: Parsed, years: Iterable[int]) -> list[Result]:
    """Several consecutive years: each year opens with the previous year's December storage as exported."""
    results: list[Result] = []
    openings: dict[Key, int] | None = None
    with paused_gc():
        by_year = _ByYear.of(parsed)  # one pass over the rows, not one per year
        for year in sorted(years):
            result = reconcile(parsed, year=year, openings=openings, _by_year=by_year)
            openings = result.year_end()
            results.append(result)
    return results


def apply_actions(parsed: Parsed, issues: Iterable[Issue]) -> Parsed:
    """A copy of the data with every issue's fix actions applied (what the customer will have after fixing)."""
    manifests = {m.number: replace(m) for m in parsed.manifests}
    generation = [replace(g) for g in parsed.generation]
    by_row = {g.row: g for g in generation}
    openings = {(o.site, o.code): replace(o) for o in parsed.openings}
    for issue in issues:
        for action in issue.actions:
            op = action["op"]
            if op == "add_generation":
                day = date(int(action["date"][:4]), int(action["date"][4:6]), int(action["date"][6:]))
                generation.append(Generation(row=0, site=issue.site, day=day, code=action["wste_code"], name="",
                                             qty_text="", unit="01", mg=action["mg"]))
            elif op == "set_generation_quantity":
                by_row[action["row"]].mg = action["mg"]
            elif op == "set_manifest_quantity":
                manifests[action["manf_nums"]].mg = action["mg"]
            elif op == "set_manifest_code":
                manifests[action["manf_nums"]].code = action["to_code"]
            elif op == "confirm_manifest":
                m = manifests[action["manf_nums"]]
                m.status, m.confirm_date = "Y", m.confirm_date or m.give_date
            elif op == "set_method":
                manifests[action["manf_nums"]].method = action["to"]
            elif op == "set_opening":
                key = (issue.site, action["wste_code"])
                if key in openings:
                    openings[key].mg = action["mg"]
    return Parsed(manifests=list(manifests.values()), generation=generation, openings=list(openings.values()),
                  errors=list(parsed.errors), warnings=list(parsed.warnings))
