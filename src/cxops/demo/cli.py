"""`cxops demo`: load the Korean demo data of 한빛 고객센터 (three client workspaces)."""

from __future__ import annotations

import argparse
from datetime import datetime


def _parse_now(value: str) -> datetime:
    from cxops.demo.clock import SEOUL

    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"시각 형식이 올바르지 않습니다: {value} (예: 2026-11-23T10:00:00+09:00)") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=SEOUL)


def _parse_count(value: str) -> int:
    try:
        count = int(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"숫자를 입력해 주세요: {value}") from exc
    if not 30 <= count <= 100_000:
        raise argparse.ArgumentTypeError("티켓 수는 30에서 100,000 사이로 입력해 주세요.")
    return count


def _pad(text: str, width: int, *, right: bool = False) -> str:
    """Pad to a terminal width, counting Hangul as two columns."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)
    fill = " " * max(0, width - used)
    return fill + text if right else text + fill


ROLE_LABELS = {"admin": "관리자", "manager": "매니저", "lead": "팀장", "agent": "상담원", "client_viewer": "고객사 열람"}


def cmd_demo(args: argparse.Namespace) -> int:
    from django.conf import settings

    from cxops.demo.build import load_demo
    from cxops.demo.clock import SEOUL
    from cxops.demo.content import SPECS
    from cxops.demo.people import CENTER_NAME, DEMO_PASSWORD, STAFF

    def log(line: str) -> None:
        if not args.quiet:
            print(line, flush=True)

    result = load_demo(seed=args.seed, now=args.now, tickets=args.tickets, reset=args.reset, log=log)
    if not result.created:
        print(result.message)
        return 0
    names = {spec.slug: spec.name for spec in SPECS}
    assert result.now is not None
    print(f"\n{CENTER_NAME} 데모 데이터를 만들었습니다 "
          f"(seed {result.seed}, 기준 시각 {result.now.astimezone(SEOUL):%Y-%m-%d %H:%M} KST, {result.seconds:.1f}초).")
    columns = (("tickets", "티켓"), ("open", "진행 중"), ("messages", "메시지"), ("calls", "통화"),
               ("customers", "고객"), ("members", "멤버"), ("macros", "매크로"))
    print("  " + _pad("워크스페이스", 24) + "".join(_pad(label, 9, right=True) for _key, label in columns))
    rows = [(f"{slug} ({names[slug]})", counts) for slug, counts in result.counts.items()]
    rows.append(("합계", result.totals))
    for label, counts in rows:
        print("  " + _pad(label, 24) + "".join(_pad(f"{counts.get(key, 0):,}", 9, right=True) for key, _ in columns))
    print(f"\n로그인 ({settings.SITE_URL}/) — 비밀번호는 모두 {DEMO_PASSWORD}")
    for staff in STAFF:
        roles = ", ".join(f"{slug} {ROLE_LABELS[role]}" for slug, role in staff.roles.items())
        print(f"  {staff.email:<28}{staff.name} ({staff.title}) — {roles}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo", help="load Korean demo data: an outsourced contact center with three client workspaces",
        description=("한빛 고객센터 데모 데이터를 만듭니다: 식품 쇼핑몰(shop), 킥보드 공유(scooter), "
                     "폐기물 수거(waste) 워크스페이스와 상담원, 90일치 문의와 통화 기록. "
                     "같은 --seed 와 --now 는 같은 데이터를 만듭니다."),
    )
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--now", type=_parse_now, default=None,
                   help="fixed clock, ISO 8601, e.g. 2026-11-23T10:00:00+09:00 (default: the current time)")
    p.add_argument("--tickets", type=_parse_count, default=2000, help="tickets across the three workspaces (default 2000)")
    p.add_argument("--reset", action="store_true", help="delete the demo workspaces first and rebuild them")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    p.set_defaults(handler=cmd_demo)
