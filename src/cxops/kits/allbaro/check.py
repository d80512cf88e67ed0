"""One entry point for the CLI, the UI and the API: parse the files, reconcile a year, shape the JSON.

Pure module (no Django).
"""

from __future__ import annotations

from typing import Any

from cxops.kits.allbaro import explain
from cxops.kits.allbaro.ledger import tonnes
from cxops.kits.allbaro.parsing import Parsed
from cxops.kits.allbaro.reconcile import Result, reconcile


def result_json(parsed: Parsed, result: Result) -> dict[str, Any]:
    """{"ledger": [...], "issues": [...]} plus errors, warnings and a summary."""
    ends = result.year_end()
    by_code: dict[str, int] = {}
    for (_site, code), mg in ends.items():
        by_code[code] = by_code.get(code, 0) + mg
    return {
        "year": result.year,
        "ledger": [row.as_dict() for row in result.ledger],
        "issues": [issue.as_dict() for issue in result.issues],
        "errors": [e.as_dict() for e in parsed.errors],
        "warnings": [w.as_dict() for w in parsed.warnings],
        "summary": {
            "sites": sorted({site for site, _ in ends}),
            "waste_codes": sorted(by_code),
            "year_end_storage_t": {code: tonnes(mg) for code, mg in sorted(by_code.items())},
            "issue_count": len(result.issues),
            "error_count": len(parsed.errors),
            "rows_outside_year": result.out_of_year,
            "ready": not result.issues and not parsed.errors and all(abs(mg) < 500_000 for mg in ends.values()),
            "checklist": [item.__dict__ for item in explain.checklist(
                year=result.year, has_ledger=bool(result.ledger), year_end_by_code=by_code,
                issue_letters=[i.type for i in result.issues], units=result.units)],
        },
    }


def run(parsed: Parsed, *, year: int) -> tuple[Result, dict[str, Any]]:
    result = reconcile(parsed, year=year)
    return result, result_json(parsed, result)
