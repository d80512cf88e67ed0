"""`cxops allbaro check …`: reconcile Allbaro exports from files and print the ledger and the fixes."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def cmd_check(args: argparse.Namespace) -> int:
    from cxops.cli import fail, print_json
    from cxops.kits.allbaro import check, explain
    from cxops.kits.allbaro.parsing import FileError, load_paths

    try:
        parsed = load_paths(manifests=args.manifests, generation=args.generation, opening=args.opening)
    except FileError as exc:
        return fail(str(exc))
    _result, data = check.run(parsed, year=args.year)
    if args.json:
        print_json(data)
    else:
        out = sys.stdout
        for error in parsed.errors:
            out.write(f"[오류] {error.file} {error.row}행 {error.column} '{error.value}': {error.message}\n")
        out.write(f"{args.year}년 대장 (톤)\n")
        for row in data["ledger"]:
            out.write(f"{row['site']} {row['waste_code']} {row['month']:>2}월  발생 {row['generated_t']:>10.3f}  "
                      f"위탁 {row['consigned_t']:>10.3f}  자가 {row['self_processed_t']:>10.3f}  "
                      f"보관 {row['storage_end_t']:>10.3f}\n")
        out.write(f"\n고칠 곳 {len(data['issues'])}건\n")
        for issue in data["issues"]:
            title = explain.TYPE_BY_LETTER[issue["type"]].title
            out.write(f"({issue['type']}) {issue['waste_code']} {issue['month']}월 {title}\n    → {issue['fix']}\n")
    return 1 if parsed.errors else 0


def register(sub: Any) -> None:
    allbaro = sub.add_parser("allbaro", help="Allbaro waste-report assistant").add_subparsers(dest="action",
                                                                                              required=True)
    p = allbaro.add_parser("check", help="reconcile manifests, generation records and opening balances")
    p.add_argument("--manifests", required=True, help="인계서진행상황 export (CSV or XLSX)")
    p.add_argument("--generation", required=True, help="발생량 registrations (CSV or XLSX)")
    p.add_argument("--opening", help="이월량 (opening balances) per waste code")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_check)
