"""Korean wording: issue titles, exact fix instructions, the reply to the customer and the pre-report checklist.

Pure module (no Django). Every sentence a customer reads is built here so the CLI, the UI, the XLSX export and
the reply say the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from cxops.kits.allbaro.parsing import METHOD_LABEL, UNIT_LABEL

CORRECTION_DAYS = 3


@dataclass(frozen=True)
class IssueType:
    letter: str
    key: str
    title: str
    meaning: str


ISSUE_TYPES: tuple[IssueType, ...] = (
    IssueType("a", "manifest_without_generation", "인계서는 있으나 해당 일자 발생량 미등록 (보관량 음수)",
              "확정된 인계서의 위탁·자가처리량만큼 그 날짜에 발생량이 등록되지 않아 그 달 보관량이 음수가 됩니다."),
    IssueType("b", "generation_without_confirmed_manifest",
              "발생량은 등록됐으나 인계서 미확정(예약만) 또는 오류(M) (보관량 양수)",
              "예약등록만 되었거나 진행상황이 오류(M)인 인계서는 위탁처리량에 집계되지 않아 그만큼 보관량이 남습니다."),
    IssueType("c", "unit_mixup", "발생량·인계서 단위 오입력 kg/Ton (1000배 차이)",
              "같은 숫자를 다른 단위로 등록해 발생량과 위탁량이 1000배 차이 납니다."),
    IssueType("d", "waste_code_mismatch", "발생량과 다른 폐기물코드로 인계서 발행",
              "같은 날짜·같은 양의 발생량이 다른 폐기물코드로 등록되어 한 코드는 음수, 다른 코드는 양수로 남습니다."),
    IssueType("e", "weighing_mismatch", "처리자(운반자) 인수량과 위탁량 불일치 (허용오차 초과)",
              "처리자 계량 인수량이 위탁량과 허용오차 이상 다릅니다. 배출자 대장에는 영향이 없지만 3일 이내 정정해야 합니다."),
    IssueType("f", "stale_opening_balance", "전년도 이월량 미정리",
              "전년도 이월량이 한 해 동안 한 번도 처리되지 않아 연말 보관량이 0이 되지 않습니다."),
    IssueType("g", "wrong_processing_method", "처리방법 자가/위탁 오선택",
              "외부 처리자에게 넘긴 인계서에 자가처리(1xxx) 코드를, 또는 자체 처리에 위탁처리(2xxx) 코드를 선택했습니다."),
    IssueType("h", "error_state_manifest", "오류(M) 상태 인계서 (3일 이내 정정)",
              "진행상황이 오류(M)인 인계서입니다. 인계일부터 3일 이내에 배출자·운반자·처리자가 정정해야 합니다."),
)
TYPE_BY_LETTER = {t.letter: t for t in ISSUE_TYPES}


def fmt_t(mg: int) -> str:
    """Tonnes with at least three decimals, more only when needed (0.000284)."""
    value = Decimal(mg).scaleb(-9)
    text = f"{value:.9f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(3, '0')}"


def fmt_signed_t(mg: int) -> str:
    return ("+" if mg > 0 else "") + fmt_t(mg)


def fmt_day(day: date) -> str:
    return day.isoformat()


def deadline(day: date) -> date:
    return day + timedelta(days=CORRECTION_DAYS)


def unit_label(unit: str) -> str:
    return f"{UNIT_LABEL.get(unit, unit)}({unit})"


def method_label(method: str) -> str:
    label = METHOD_LABEL.get(method)
    return f"{method}({label})" if label else method


# --- fix sentences (one per finding; an issue joins them with ", ") --------------------------------

def fix_add_generation(day: date, code: str, mg: int) -> str:
    return f"{fmt_day(day)}에 {code} 발생량 {fmt_t(mg)}톤 추가"


def fix_confirm_manifest(number: str, day: date, code: str, mg: int) -> str:
    return f"인계서 {number}({fmt_day(day)}, {code}, {fmt_t(mg)}톤)을 인계일자 {fmt_day(day)} 기준으로 확정등록하고 운반자·처리자 인수 처리 요청"


def fix_error_manifest(number: str, day: date, code: str, mg: int, due: date) -> str:
    return (f"인계서 {number}({fmt_day(day)}, {code}, {fmt_t(mg)}톤) 오류 사유를 운반자·처리자와 확인해 "
            f"{fmt_day(due)}까지 정정하고 완료 처리")


def fix_generation_unit(day: date, code: str, qty_text: str, unit: str, new_unit: str | None, intended_mg: int) -> str:
    if new_unit:
        return (f"{fmt_day(day)} {code} 발생량 {qty_text}의 단위를 {unit_label(unit)}에서 {unit_label(new_unit)}로 정정 "
                f"({fmt_t(intended_mg)}톤)")
    return f"{fmt_day(day)} {code} 발생량 {qty_text} {unit_label(unit)}을 {fmt_t(intended_mg)}톤으로 정정"


def fix_manifest_unit(number: str, day: date, code: str, qty_text: str, unit: str, new_unit: str | None,
                      intended_mg: int) -> str:
    if new_unit:
        return (f"인계서 {number}({fmt_day(day)}, {code}) 위탁량 {qty_text}의 단위를 {unit_label(unit)}에서 "
                f"{unit_label(new_unit)}로 정정 요청 ({fmt_t(intended_mg)}톤)")
    return f"인계서 {number}({fmt_day(day)}, {code}) 위탁량 {qty_text} {unit_label(unit)}을 {fmt_t(intended_mg)}톤으로 정정 요청"


def fix_manifest_code(number: str, day: date, mg: int, wrong: str, right: str) -> str:
    return (f"인계서 {number}({fmt_day(day)}, {fmt_t(mg)}톤)의 폐기물코드를 {wrong}에서 {right}로 정정 요청 "
            f"(실물이 {wrong}이면 {fmt_day(day)} 발생량 {fmt_t(mg)}톤을 {right}에서 {wrong}로 옮겨 등록)")


def fix_weighing(number: str, party: str, given_mg: int, received_mg: int, due: date) -> str:
    rel = Decimal(received_mg - given_mg) / Decimal(given_mg) * 100 if given_mg else Decimal(0)
    return (f"인계서 {number} 위탁량 {fmt_t(given_mg)}톤 / {party} 인수량 {fmt_t(received_mg)}톤({rel:+.1f}%): "
            f"계량표 확인 후 {fmt_day(due)}까지 배출자·{party} 중 틀린 쪽 정정(인계서 수정 요청)")


def fix_opening(code: str, mg: int, year: int) -> str:
    return (f"{code} 전년도 이월량 {fmt_t(mg)}톤: {year - 1}년에 처리된 분이면 {year - 1}년 실적·이월량을 정정하고, "
            f"실제로 보관 중이면 위탁 처리 후 인계서 등록")


def fix_negative_opening(code: str, mg: int, year: int) -> str:
    return (f"{code} 전년도 이월량 {fmt_t(mg)}톤(음수): {year - 1}년 대장의 누락된 발생량을 먼저 등록해 "
            f"{year - 1}년 12월말 보관량을 0 이상으로 맞춘 뒤 이월량 정정")


def fix_method(number: str, day: date, wrong: str, right: str) -> str:
    return f"인계서 {number}({fmt_day(day)}) 처리방법을 {method_label(wrong)}에서 {method_label(right)}로 정정"


# --- reply and checklist ----------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckItem:
    key: str
    label: str
    ok: bool | None  # None: cannot be decided from the files, ask the customer
    detail: str


def checklist(*, year: int, has_ledger: bool, year_end_by_code: dict[str, int], issue_letters: Iterable[str],
              units: Sequence[str], today: date | None = None) -> list[CheckItem]:
    """The pre-report checklist (실적보고 전 점검표)."""
    letters = set(issue_letters)
    nonzero = {code: mg for code, mg in year_end_by_code.items() if abs(mg) >= 500_000}
    due = date(year + 1, 3, 1) - timedelta(days=1)
    items = [
        CheckItem("ledger", "월별 관리대장 생성 여부", has_ledger,
                  "1~12월 대장을 만들 수 있는 자료가 있습니다." if has_ledger else "대장을 만들 발생량·인계서 자료가 없습니다."),
        CheckItem("year_end_zero", "연말(12월말) 보관량 0", not nonzero,
                  "모든 폐기물코드의 12월말 보관량이 0입니다." if not nonzero else
                  "12월말 보관량이 남은 코드: " + ", ".join(f"{c} {fmt_t(mg)}톤" for c, mg in sorted(nonzero.items()))),
        CheckItem("processor_kind", "처리자 구분(자가/위탁)이 위·수탁계약서와 일치", False if "g" in letters else None,
                  "처리방법이 처리자와 맞지 않는 인계서가 있습니다." if "g" in letters else
                  "인계서의 처리자·처리방법이 위·수탁계약서와 같은지 계약서로 확인해 주세요."),
        CheckItem("units", "단위(Ton/kg/g) 일치", "c" not in letters,
                  "단위를 잘못 입력한 행이 있습니다." if "c" in letters else
                  "사용 단위: " + ", ".join(unit_label(u) for u in sorted(set(units)))),
        CheckItem("deadline", f"제출 기한 {fmt_day(due)} (2월 말)", None if today is None else today <= due,
                  f"{year}년 실적보고는 {fmt_day(due)}까지 제출합니다."
                  + ("" if today is None else f" 오늘 기준 {(due - today).days}일 남았습니다." if today <= due
                     else " 기한이 지났습니다.")),
    ]
    return items


def reply_text(*, customer_name: str, year: int, issues: Sequence[dict[str, object]],
               year_end_by_code: dict[str, int], guide_links: Sequence[tuple[str, str]] = ()) -> str:
    """The answer an agent sends: what is wrong and exactly what to change in 올바로시스템."""
    greeting = f"{customer_name} 담당자님, 안녕하세요." if customer_name else "안녕하세요."
    lines = [greeting, ""]
    if not issues:
        lines.append(f"보내 주신 {year}년 인계서·발생량 자료를 점검한 결과 월별 대장이 맞고 12월말 보관량이 모두 0입니다. "
                     "이대로 실적보고를 진행하시면 됩니다.")
    else:
        lines.append(f"보내 주신 {year}년 인계서·발생량 자료를 점검한 결과 실적보고 전에 고칠 곳이 {len(issues)}건 있습니다. "
                     "아래 순서대로 올바로시스템에서 정정해 주세요.")
        lines.append("")
        for number, issue in enumerate(issues, start=1):
            title = TYPE_BY_LETTER[str(issue["type"])].title
            lines.append(f"{number}. [{issue['waste_code']} · {issue['month']}월] {title}")
            lines.append(f"   → {issue['fix']}")
        remaining = {c: mg for c, mg in year_end_by_code.items() if abs(mg) >= 500_000}
        if remaining:
            lines.append("")
            lines.append("현재 12월말 보관량: " + ", ".join(f"{c} {fmt_t(mg)}톤" for c, mg in sorted(remaining.items()))
                         + " → 위 항목을 정정하면 0이 됩니다.")
    lines.append("")
    lines.append(f"정정 후 월별 대장을 다시 생성하시고, {year}년 실적보고는 {year + 1}년 2월 말까지 제출해 주세요.")
    if guide_links:
        lines.append("")
        lines.append("참고 안내:")
        lines.extend(f"- {title}: {url}" for title, url in guide_links)
    return "\n".join(lines)
