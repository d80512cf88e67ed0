"""Who else has a ticket open, and who is typing a reply ("김상담님이 답변 작성 중").

Kept in the shared Django cache (Redis or the file cache), so it works across web processes:
one short-lived key per (ticket, user) plus a small index of the user ids seen on the ticket.
A lost index update (two agents pinging in the same instant) heals on the next ping.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

TTL_S = 30  # an agent who stops pinging disappears after this long
REPLYING_HOLD_S = 15  # "replying" survives the regular "viewing" polls for this long after the last keystroke
VIEWING, REPLYING = "viewing", "replying"


def _key(ticket_id: int, user_id: int) -> str:
    return f"cxops:presence:{ticket_id}:{user_id}"


def _index_key(ticket_id: int) -> str:
    return f"cxops:presence:{ticket_id}:who"


@dataclass(frozen=True)
class Presence:
    user_id: int
    name: str
    state: str

    @property
    def replying(self) -> bool:
        return self.state == REPLYING


def ping(*, ticket_id: int, user_id: int, name: str, state: str = VIEWING, now: float | None = None) -> None:
    now = time.time() if now is None else now
    key = _key(ticket_id, user_id)
    entry = {"name": name, "state": state, "typed_at": now if state == REPLYING else 0.0}
    if state == VIEWING:
        previous = cache.get(key)
        if previous and previous.get("state") == REPLYING and now - previous.get("typed_at", 0) < REPLYING_HOLD_S:
            entry = {**entry, "state": REPLYING, "typed_at": previous["typed_at"]}
    cache.set(key, entry, TTL_S)
    index_key = _index_key(ticket_id)
    ids = cache.get(index_key) or []
    if user_id not in ids:
        cache.set(index_key, [*ids, user_id][-50:], TTL_S * 4)
    else:
        cache.touch(index_key, TTL_S * 4)


def others(*, ticket_id: int, user_id: int) -> list[Presence]:
    ids = [i for i in (cache.get(_index_key(ticket_id)) or []) if i != user_id]
    if not ids:
        return []
    found = cache.get_many([_key(ticket_id, i) for i in ids])
    result = []
    for other_id in ids:
        entry = found.get(_key(ticket_id, other_id))
        if entry:
            result.append(Presence(user_id=other_id, name=entry["name"], state=entry["state"]))
    return sorted(result, key=lambda p: (not p.replying, p.name))


def leave(*, ticket_id: int, user_id: int) -> None:
    cache.delete(_key(ticket_id, user_id))
