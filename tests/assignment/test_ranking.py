from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxops.assignment.ranking import Candidate, rank, rotation, skill_score


def c(mid: int, load: int = 0, capacity: int = 0, skill: int = 0) -> Candidate:
    return Candidate(membership_id=mid, user_id=mid * 10, load=load, capacity=capacity, skill=skill)


def test_manual_ranks_nobody():
    assert rank([c(1), c(2)], mode="manual") == []


def test_unknown_mode_is_an_error():
    with pytest.raises(ValueError):
        rank([c(1)], mode="random")


def test_round_robin_starts_after_the_last_and_wraps():
    pool = [c(5), c(2), c(9)]
    assert [x.membership_id for x in rank(pool, mode="round_robin", rr_last=None)] == [2, 5, 9]
    assert [x.membership_id for x in rank(pool, mode="round_robin", rr_last=2)] == [5, 9, 2]
    assert [x.membership_id for x in rank(pool, mode="round_robin", rr_last=9)] == [2, 5, 9]
    # The last agent left the team: the next id after theirs still comes first.
    assert [x.membership_id for x in rank(pool, mode="round_robin", rr_last=6)] == [9, 2, 5]


def test_full_agents_are_left_out_and_zero_capacity_means_no_limit():
    pool = [c(1, load=3, capacity=3), c(2, load=50, capacity=0), c(3, load=1, capacity=2)]
    assert [x.membership_id for x in rank(pool, mode="least_loaded")] == [3, 2]


def test_least_loaded_ties_take_turns():
    pool = [c(1, load=2), c(2, load=1), c(3, load=1)]
    assert [x.membership_id for x in rank(pool, mode="least_loaded", rr_last=2)] == [3, 2, 1]


def test_skill_prefers_skill_then_load_and_can_require_it():
    pool = [c(1, load=0, skill=0), c(2, load=5, skill=6), c(3, load=1, skill=6), c(4, load=0, skill=2)]
    assert [x.membership_id for x in rank(pool, mode="skill")] == [3, 2, 4, 1]
    assert [x.membership_id for x in rank(pool, mode="skill", require_skill=True)] == [3, 2, 4]


def test_skill_score_matches_category_parent_product_and_channel():
    skills = [(10, None, "", 3), (1, None, "", 2), (None, 7, "", 4), (None, None, "chat", 5), (99, None, "", 5)]
    # exact category 3*2, parent 2*1, product 4*2; chat does not match phone; category 99 does not match
    assert skill_score(skills, category_id=10, category_parent_id=1, product_id=7, channel="phone") == 6 + 2 + 8
    assert skill_score(skills, category_id=None, category_parent_id=None, product_id=None, channel="chat") == 10
    # every subject a skill names must match
    assert skill_score([(10, None, "chat", 3)], category_id=10, category_parent_id=None, product_id=None,
                       channel="phone") == 0


@given(st.lists(st.tuples(st.integers(1, 50), st.integers(0, 10), st.integers(0, 10)), unique_by=lambda t: t[0],
                max_size=20),
       st.sampled_from(["round_robin", "least_loaded", "skill"]), st.one_of(st.none(), st.integers(0, 60)))
def test_ranking_is_a_permutation_of_the_agents_with_room(rows, mode, last):
    pool = [c(mid, load=load, capacity=cap) for mid, load, cap in rows]
    ranked = rank(pool, mode=mode, rr_last=last)
    assert sorted(x.membership_id for x in ranked) == sorted(x.membership_id for x in pool if x.has_room)
    if mode == "least_loaded":
        assert [x.load for x in ranked] == sorted(x.load for x in ranked)


@given(st.lists(st.integers(1, 100), unique=True, min_size=1, max_size=30), st.one_of(st.none(), st.integers(0, 100)))
def test_rotation_positions_are_0_to_n(ids, last):
    turn = rotation(ids, last)
    assert sorted(turn.values()) == list(range(len(ids)))
