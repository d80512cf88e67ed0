"""Allbaro check at scale: 10 years × 20 sites (about 100,000 manifest rows), parse + reconcile end to end.

    .venv/bin/python bench/allbaro_bench.py [--years 10] [--sites 20] [--seed 7] [--repeat 3]

Generates the three exports deterministically into a temporary folder (CSV: manifests in UTF-8 with BOM,
generation in CP949 as Korean Excel saves it, opening balances), with a few planted problems per site-year,
then times reading the files and reconciling every year (each year opens with the previous December storage).
The check runs `--repeat` times on the same files; the best run counts (the machine is shared), with its
wall time and the CPU time of this process (`time.process_time`, which other work on the machine does not inflate).
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from cxops.kits.allbaro.parsing import load_paths
from cxops.kits.allbaro.reconcile import reconcile_years

HEADER = ["인계서번호", "폐기물코드", "폐기물종류", "진행상황", "배출자 업체명", "인계일자", "예약등록일자", "확정등록일자",
          "위탁량", "단위", "처리방법", "운반자 업체명", "운반자 인수량", "처리자 업체명", "처리자 인수량", "처리일자", "잔량"]
# code, name, style, pickups per week (per-manifest codes), method
CODES = [
    ("51-03-01", "폐합성수지", "per_manifest", 2, "2301"),
    ("51-01-01", "폐수처리오니", "accumulate", 1, "2301"),
    ("06-01-01", "폐유", "per_manifest", 1, "2101"),
    ("51-16-01", "폐목재", "per_manifest", 3, "1101"),
    ("51-11-01", "폐흡착제", "per_manifest", 3, "2101"),
]


def ymd(day: date) -> str:
    return day.strftime("%Y%m%d")


def generate(folder: Path, years: int, sites: int, seed: int) -> tuple[Path, Path, Path, int, int]:
    rng = random.Random(seed)
    first = 2016
    manifests = folder / "manifests.csv"
    generation = folder / "generation.csv"
    opening = folder / "opening.csv"
    n_man = n_gen = 0
    with manifests.open("w", encoding="utf-8-sig", newline="") as mf, \
            generation.open("w", encoding="cp949", newline="") as gf, \
            opening.open("w", encoding="utf-8-sig", newline="") as of:
        mw, gw, ow = csv.writer(mf), csv.writer(gf), csv.writer(of)
        mw.writerow(HEADER)
        gw.writerow(["발생일자", "폐기물코드", "폐기물종류", "발생량", "단위", "배출자 업체명"])
        ow.writerow(["배출자 업체명", "폐기물코드", "단위", "이월량"])
        serial = 0
        for s in range(sites):
            site = f"(주)벤치정밀 제{s + 1}공장"
            for code, _name, _style, _per_week, _method in CODES:
                ow.writerow([site, code, "01", "0.000"])
            day = date(first, 1, 1)
            end = date(first + years, 1, 1)
            pending: dict[str, int] = {code: 0 for code, *_ in CODES}
            while day < end:
                if day.weekday() < 5:
                    for code, name, style, per_week, method in CODES:
                        if style == "accumulate":
                            kg = rng.randint(300, 1200)
                            gw.writerow([ymd(day), code, name, f"{kg / 1000:.3f}", "01", site])
                            n_gen += 1
                            pending[code] += kg
                            pickup = day.weekday() == 4 or (day + timedelta(days=1)).year != day.year
                        else:
                            pickup = rng.random() < per_week / 5
                            if pickup:
                                kg = rng.randint(200, 3000)
                                unit, qty = "01", f"{kg / 1000:.3f}"
                                if rng.random() < 0.002:  # planted: kg typed as Ton number
                                    unit = "02"
                                if rng.random() < 0.003:  # planted: generation never registered
                                    pass
                                else:
                                    gw.writerow([ymd(day), code, name, qty, unit, site])
                                    n_gen += 1
                                pending[code] = kg
                        if not pickup or pending[code] == 0:
                            continue
                        serial += 1
                        kg = pending[code]
                        pending[code] = 0
                        status, confirm = "Y", ymd(day + timedelta(days=rng.randint(0, 2)))
                        roll = rng.random()
                        if roll < 0.002:
                            status, confirm = "B", ""
                        elif roll < 0.003:
                            status = "M"
                        processor_kg = kg + rng.randint(-kg // 40, kg // 40)
                        if rng.random() < 0.002:
                            processor_kg = kg * 7 // 10
                        self_proc = method.startswith("1")
                        processor = site if self_proc else "(주)한빛환경"
                        mw.writerow([f"{ymd(day)}-{serial:06d}", code, name, status, site, ymd(day), ymd(day), confirm,
                                     f"{kg / 1000:.3f}", "01", method, site if self_proc else "늘푸른운송(주)",
                                     f"{kg / 1000:.3f}", processor, f"{processor_kg / 1000:.3f}",
                                     ymd(day + timedelta(days=1)), "0.000"])
                        n_man += 1
                day += timedelta(days=1)
    return manifests, generation, opening, n_man, n_gen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    runs: list[tuple[float, float, float, float, float]] = []  # wall parse, wall reconcile, CPU parse, CPU reconcile
    with tempfile.TemporaryDirectory(prefix="allbaro-bench-") as tmp:
        t0 = time.perf_counter()
        m, g, o, n_man, n_gen = generate(Path(tmp), args.years, args.sites, args.seed)
        generated = time.perf_counter() - t0
        for attempt in range(max(args.repeat, 1)):
            c1, t1 = time.process_time(), time.perf_counter()
            parsed = load_paths(manifests=m, generation=g, opening=o)
            c2, t2 = time.process_time(), time.perf_counter()
            years = sorted({r.give_date.year for r in parsed.manifests})
            results = reconcile_years(parsed, years)
            c3, t3 = time.process_time(), time.perf_counter()
            runs.append((t3 - t1, t2 - t1, t3 - t2, c2 - c1, c3 - c2))
            print(f"run {attempt + 1}: parse {t2 - t1:.2f} s, reconcile {t3 - t2:.2f} s, total {t3 - t1:.2f} s "
                  f"(CPU {c3 - c1:.2f} s)")
    issues = sum(len(r.issues) for r in results)
    by_type: dict[str, int] = {}
    for r in results:
        for i in r.issues:
            by_type[i.type] = by_type.get(i.type, 0) + 1
    total, parse, reconcile, cpu_parse, cpu_reconcile = min(runs)
    print(f"data: {args.years} years x {args.sites} sites: {n_man:,} manifest rows, {n_gen:,} generation rows "
          f"(generated in {generated:.1f} s)")
    print(f"best of {len(runs)}: parse: {parse:.2f} s   reconcile {len(years)} years: {reconcile:.2f} s   "
          f"total check: {total:.2f} s   (CPU: parse {cpu_parse:.2f} s, reconcile {cpu_reconcile:.2f} s, "
          f"total {cpu_parse + cpu_reconcile:.2f} s)")
    print(f"ledger rows: {sum(len(r.ledger) for r in results):,}   issues: {issues:,} {dict(sorted(by_type.items()))}   "
          f"row errors: {len(parsed.errors)}")
    return 0 if total <= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
