"""Cheap bot defences for the public form: a signed "form opened at" stamp and a honeypot field.

The stamp is issued when the form is rendered and signed with the site secret, so a bot cannot
forge an old one; people need more than a couple of seconds to fill in a form, scripts do not.
Its random nonce also makes a double-clicked submit idempotent (same nonce → same inquiry).
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from enum import Enum

from django.conf import settings
from django.core import signing

STAMP_SALT = "cxops.portal.form-stamp"
HONEYPOT_FIELD = "homepage"
STAMP_FIELD = "started"

DEFAULT_MIN_FILL_SECONDS = 2.0
# A stamp older than this is refused: the page has been open for too long (or was scraped).
STAMP_MAX_AGE_SECONDS = 24 * 3600


class StampProblem(Enum):
    MISSING = "missing"
    FORGED = "forged"
    TOO_FAST = "too_fast"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Stamp:
    issued_at: float
    nonce: str


def min_fill_seconds() -> float:
    return float(getattr(settings, "CXOPS_PORTAL_MIN_FILL_SECONDS", DEFAULT_MIN_FILL_SECONDS))


def issue_stamp(*, workspace_id: int, issued_at: float | None = None, nonce: str | None = None) -> str:
    return signing.dumps(
        {"w": workspace_id, "t": round(time.time() if issued_at is None else issued_at, 3),
         "n": nonce or secrets.token_urlsafe(12)},
        salt=STAMP_SALT,
    )


def read_stamp(value: str, *, workspace_id: int) -> Stamp | None:
    """The stamp if it is genuine and was issued for this workspace's form."""
    if not value:
        return None
    try:
        data = signing.loads(value, salt=STAMP_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("w") != workspace_id:
        return None
    issued_at, nonce = data.get("t"), data.get("n")
    if not isinstance(issued_at, int | float) or not isinstance(nonce, str):
        return None
    return Stamp(issued_at=float(issued_at), nonce=nonce)


def check_stamp(value: str, *, workspace_id: int, now: float | None = None) -> tuple[Stamp | None, StampProblem | None]:
    if not value:
        return None, StampProblem.MISSING
    stamp = read_stamp(value, workspace_id=workspace_id)
    if stamp is None:
        return None, StampProblem.FORGED
    elapsed = (time.time() if now is None else now) - stamp.issued_at
    if elapsed > STAMP_MAX_AGE_SECONDS:
        return stamp, StampProblem.EXPIRED
    if elapsed < min_fill_seconds():
        return stamp, StampProblem.TOO_FAST
    return stamp, None


STAMP_MESSAGES: dict[StampProblem, str] = {
    StampProblem.MISSING: "문의 양식을 다시 불러왔습니다. 내용을 확인하고 한 번 더 '문의 접수'를 눌러 주세요.",
    StampProblem.FORGED: "문의 양식을 다시 불러왔습니다. 내용을 확인하고 한 번 더 '문의 접수'를 눌러 주세요.",
    StampProblem.EXPIRED: "페이지를 연 지 오래되어 양식을 새로 불러왔습니다. 내용을 확인하고 한 번 더 '문의 접수'를 눌러 주세요.",
    StampProblem.TOO_FAST: "너무 빨리 제출되었습니다. 입력한 내용을 확인하신 뒤 잠시 후 '문의 접수'를 다시 눌러 주세요.",
}
