"""Which agent should get a ticket: the pure ranking behind every assignment mode.

No Django here, so it is easy to test exhaustively and to benchmark. The services collect the
candidates (team members who are available now, their load and capacity, their skill score for
the ticket), ask `rank` for an order of preference, and then lock and re-check the agents in that
order: the first one who still has room under the lock gets the ticket.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MANUAL, ROUND_ROBIN, LEAST_LOADED, SKILL = "manual", "round_robin", "least_loaded", "skill"
MODES = (MANUAL, ROUND_ROBIN, LEAST_LOADED, SKILL)


@dataclass(frozen=True)
class Candidate:
    membership_id: int
    user_id: int
    load: int  # tickets whose SLA clock runs, assigned to this agent anywhere in the workspace
    capacity: int  # 0 = no limit
    skill: int = 0  # how well the agent's skills match this ticket (0 = not at all)

    @property
    def has_room(self) -> bool:
        return self.capacity == 0 or self.load < self.capacity


def rotation(ids: Sequence[int], last: int | None) -> dict[int, int]:
    """Round-robin position of each id: the first id after `last` comes first, then around."""
    ordered = sorted(ids)
    if last is None:
        return {mid: i for i, mid in enumerate(ordered)}
    start = next((i for i, mid in enumerate(ordered) if mid > last), 0)
    n = len(ordered)
    return {mid: (i - start) % n for i, mid in enumerate(ordered)}


def rank(candidates: Sequence[Candidate], *, mode: str, rr_last: int | None = None,
         require_skill: bool = False) -> list[Candidate]:
    """Candidates with room, most preferred first (empty for manual mode).

    * round robin: the next agent after the one who got the last ticket;
    * least loaded: the fewest running tickets; ties go round robin, so equal agents take turns;
    * skill: the best skill match, then the least loaded, then round robin. With
      `require_skill`, agents without a matching skill are left out.
    """
    if mode not in MODES:
        raise ValueError(f"unknown assignment mode: {mode}")
    if mode == MANUAL:
        return []
    pool = [c for c in candidates if c.has_room]
    if mode == SKILL and require_skill:
        pool = [c for c in pool if c.skill > 0]
    turn = rotation([c.membership_id for c in pool], rr_last)
    if mode == ROUND_ROBIN:
        return sorted(pool, key=lambda c: turn[c.membership_id])
    if mode == LEAST_LOADED:
        return sorted(pool, key=lambda c: (c.load, turn[c.membership_id]))
    return sorted(pool, key=lambda c: (-c.skill, c.load, turn[c.membership_id]))


def skill_score(skills: Sequence[tuple[int | None, int | None, str, int]], *, category_id: int | None,
                category_parent_id: int | None, product_id: int | None, channel: str) -> int:
    """Sum of the levels of an agent's skills that match the ticket. A skill is
    (category_id, product_id, channel, level); every subject it names must match the ticket, and a
    skill for a parent category matches its subcategories (at one point less than an exact match)."""
    score = 0
    for s_category, s_product, s_channel, level in skills:
        weight = 0
        if s_category is not None:
            if s_category == category_id:
                weight = 2
            elif category_parent_id is not None and s_category == category_parent_id:
                weight = 1
            else:
                continue
        if s_product is not None and s_product != product_id:
            continue
        if s_channel and s_channel != channel:
            continue
        score += level * 2 if weight == 0 else level * weight
    return score
