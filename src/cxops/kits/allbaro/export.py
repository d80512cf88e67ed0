"""XLSX export of a check: ledger, fixes, checklist and unreadable rows (openpyxl). Pure module."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from cxops.kits.allbaro.explain import TYPE_BY_LETTER


def workbook_bytes(data: dict[str, Any]) -> bytes:
    """`data` is the JSON of a check (cxops.kits.allbaro.check.result_json)."""
    workbook = Workbook()
    ledger = workbook.active
    ledger.title = "대장"
    ledger.append(["사업장", "폐기물코드", "폐기물종류", "연도", "월", "전월보관량(톤)", "발생량(톤)", "위탁처리량(톤)",
                   "자가처리량(톤)", "당월보관량(톤)"])
    for r in data["ledger"]:
        ledger.append([r["site"], r["waste_code"], r["waste_name"], r["year"], r["month"], r["opening_t"],
                       r["generated_t"], r["consigned_t"], r["self_processed_t"], r["storage_end_t"]])
    fixes = workbook.create_sheet("고칠 곳")
    fixes.append(["번호", "유형", "문제", "사업장", "폐기물코드", "월", "날짜", "양(톤)", "인계서", "정정 기한", "조치", "근거"])
    for n, i in enumerate(data["issues"], start=1):
        fixes.append([n, i["type"], TYPE_BY_LETTER[i["type"]].title, i["site"], i["waste_code"], i["month"],
                      ", ".join(i["dates"]), i["amount_t"], ", ".join(i["manifests"]), i["due_date"] or "", i["fix"],
                      " / ".join(i["evidence"])])
    checklist = workbook.create_sheet("점검표")
    checklist.append(["항목", "결과", "내용"])
    for item in data["summary"]["checklist"]:
        checklist.append([item["label"], {True: "적합", False: "확인 필요", None: "직접 확인"}[item["ok"]], item["detail"]])
    if data["errors"]:
        errors = workbook.create_sheet("읽지 못한 행")
        errors.append(["파일", "행", "열", "값", "내용"])
        for e in data["errors"]:
            errors.append([e["file"], e["row"], e["column"], e["value"], e["message"]])
    for sheet in workbook.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    for row in ledger.iter_rows(min_row=2, min_col=6, max_col=10):
        for cell in row:
            cell.number_format = "0.000###"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
