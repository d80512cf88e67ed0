"""Erlang B/C/A against every reference value, properties, the shrinkage trap, deferred work."""

from __future__ import annotations

import json
import math
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxops.workforce.erlang import (
    StaffingTarget,
    _log_wait_integral,
    asa_erlang_c,
    deferred_agents,
    deferred_requirements,
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    exact,
    metrics,
    required_agents,
    requirements_for,
    scheduled_agents,
    service_level_erlang_c,
    traffic_erlangs,
)

REF_PATH = Path(__file__).resolve().parents[3] / "shared" / "data" / "erlang" / "reference_values.json"
REF: dict[str, Any] = json.loads(REF_PATH.read_text(encoding="utf-8"))


def same6(actual: float, expected: float) -> bool:
    """Equal to 6 significant digits (relative difference below half a unit in the 6th digit)."""
    return math.isclose(actual, expected, rel_tol=5e-7, abs_tol=0.0)


# --- reference values ----------------------------------------------------------------------------


@pytest.mark.parametrize("row", REF["erlang_c_A10"]["per_agents"], ids=lambda r: f"N={r['agents']}")
def test_erlang_c_a10_matches_computed(row: dict[str, Any]) -> None:
    inputs = REF["erlang_c_A10"]["inputs"]
    assert traffic_erlangs(inputs["calls_per_interval"], inputs["aht_s"], inputs["interval_s"]) == 10
    m = erlang_c_metrics(
        calls=inputs["calls_per_interval"], interval_s=inputs["interval_s"], aht_s=inputs["aht_s"],
        agents=row["agents"], answer_within_s=inputs["answer_within_s"],
    )
    assert same6(m.p_wait, row["p_wait_computed"])
    assert same6(m.service_level, row["service_level_computed"])
    assert same6(m.asa_s, row["asa_s_computed"])
    assert m.occupancy == pytest.approx(row["occupancy"], abs=5e-7)
    assert m.abandonment == 0.0
    # published (rounded) figures agree at their printed precision
    assert m.service_level == pytest.approx(row["service_level"], abs=5e-7)


def test_erlang_c_a10_requirements() -> None:
    inputs = REF["erlang_c_A10"]["inputs"]
    common = {"calls": inputs["calls_per_interval"], "interval_s": inputs["interval_s"], "aht_s": inputs["aht_s"]}
    r = REF["erlang_c_A10"]["required_for_80_20"]
    req = required_agents(**common, target=StaffingTarget(0.8, 20, shrinkage=r["shrinkage"]))
    assert (req.agents, req.scheduled) == (r["agents"], r["scheduled"])
    r = REF["erlang_c_A10"]["required_for_80_20_max_occupancy_0.70"]
    req = required_agents(**common, target=StaffingTarget(0.8, 20, max_occupancy=0.70, shrinkage=r["shrinkage"]))
    assert (req.agents, req.scheduled) == (r["agents"], r["scheduled"])
    assert req.occupancy <= 0.70


def test_erlang_c_a48() -> None:
    block = REF["erlang_c_A48"]
    inputs, row = block["inputs"], block["at_55_agents"]
    common = {"calls": inputs["calls_per_interval"], "interval_s": inputs["interval_s"], "aht_s": inputs["aht_s"]}
    m15 = erlang_c_metrics(**common, agents=55, answer_within_s=15)
    m20 = erlang_c_metrics(**common, agents=55, answer_within_s=20)
    assert same6(m15.p_wait, row["p_wait_computed"])
    assert same6(m15.asa_s, row["asa_s_computed"])
    assert same6(m15.occupancy, row["occupancy_computed"])
    assert same6(m15.service_level, row["service_level_15s_computed"])
    assert same6(m20.service_level, row["service_level_20s_computed"])
    req = required_agents(**common, target=StaffingTarget(0.8, 20))
    assert req.agents == block["first_agents_meeting_80_20"]


def test_erlang_b_reference() -> None:
    ref = REF["erlang_b"]
    assert same6(erlang_b(ref["traffic_erlangs"], ref["lines"]), ref["blocking_computed"])


@pytest.mark.parametrize("row", REF["erlang_a"]["per_agents"], ids=lambda r: f"N={r['agents']}")
def test_erlang_a_matches_computed(row: dict[str, Any]) -> None:
    inputs = REF["erlang_a"]["inputs"]
    m = erlang_a_metrics(
        calls=inputs["calls_per_interval"], interval_s=inputs["interval_s"], aht_s=inputs["aht_s"],
        agents=row["agents"], answer_within_s=inputs["answer_within_s"], patience_s=inputs["mean_patience_s"],
    )
    for field in ("service_level", "abandonment", "p_wait", "asa_s", "occupancy"):
        assert same6(getattr(m, field), row[f"{field}_computed"]), field


def test_erlang_a_requirement_uses_patience() -> None:
    inputs = REF["erlang_a"]["inputs"]
    req = required_agents(
        calls=inputs["calls_per_interval"], interval_s=inputs["interval_s"], aht_s=inputs["aht_s"],
        target=StaffingTarget(0.85, inputs["answer_within_s"]), patience_s=inputs["mean_patience_s"],
    )
    assert req.agents == 13  # SL(13) = 0.858 ≥ 0.85, and 12 agents miss it
    req = required_agents(
        calls=inputs["calls_per_interval"], interval_s=inputs["interval_s"], aht_s=inputs["aht_s"],
        target=StaffingTarget(None, 20, max_abandonment=0.02), patience_s=inputs["mean_patience_s"],
    )
    assert req.agents == 14 and req.abandonment <= 0.02


def test_published_vs_exact_items_are_the_computed_side() -> None:
    # published 40.45 / 0.0573400 do not round from the exact values; we match the exact ones
    m12 = erlang_c_metrics(calls=100, interval_s=1800, aht_s=180, agents=12, answer_within_s=20)
    m16 = erlang_c_metrics(calls=100, interval_s=1800, aht_s=180, agents=16, answer_within_s=20)
    assert round(m12.asa_s, 2) == 40.44
    assert round(m16.p_wait, 8) == 0.05734033


# --- the shrinkage rounding trap -----------------------------------------------------------------


def test_shrinkage_rounding_trap() -> None:
    trap = REF["shrinkage_rounding_trap"]
    inputs = trap["inputs"]
    assert math.ceil(21 / (1 - 0.3)) == trap["scheduled_wrong_float"]  # the trap is real
    req = required_agents(
        calls=inputs["calls_per_interval"], interval_s=inputs["interval_s"], aht_s=inputs["aht_s"],
        target=StaffingTarget(inputs["target_service_level"], inputs["answer_within_s"], shrinkage=inputs["shrinkage"]),
    )
    assert req.agents == trap["required_agents"]
    assert req.scheduled == trap["scheduled_correct"]
    assert same6(req.service_level, trap["service_level_at_21_computed"])
    sl20 = service_level_erlang_c(inputs["traffic_erlangs"], 20, inputs["aht_s"], inputs["answer_within_s"])
    assert same6(sl20, trap["service_level_at_20_computed"])
    for shrinkage in (0.3, "0.3", Fraction(3, 10)):
        assert scheduled_agents(21, shrinkage) == 30


@given(st.integers(0, 2000), st.integers(0, 99))
def test_scheduled_agents_is_the_exact_ceiling(agents: int, percent: int) -> None:
    scheduled = scheduled_agents(agents, percent / 100)
    # smallest integer s with s · (1 − p) ≥ agents, in integers only
    assert scheduled * (100 - percent) >= agents * 100
    assert scheduled == 0 or (scheduled - 1) * (100 - percent) < agents * 100


def test_exact_reads_decimals() -> None:
    assert exact(0.1) == Fraction(1, 10)
    assert exact("0.85") == Fraction(17, 20)
    with pytest.raises(ValueError):
        exact(float("nan"))
    with pytest.raises(ValueError):
        scheduled_agents(3, 1)


# --- properties ----------------------------------------------------------------------------------

traffic_st = st.floats(min_value=0.01, max_value=300.0, allow_nan=False)


@given(traffic_st, st.integers(1, 400))
def test_erlang_b_in_unit_interval_and_decreasing(a: float, n: int) -> None:
    b_n, b_next = erlang_b(a, n), erlang_b(a, n + 1)
    assert 0.0 <= b_next <= b_n <= 1.0
    assert b_n <= erlang_c(a, n) <= 1.0  # B ≤ C


@given(traffic_st, st.integers(0, 50), st.floats(0, 120), st.floats(10, 1200))
def test_erlang_c_monotone_in_agents(a: float, extra: int, t: float, aht: float) -> None:
    n = math.floor(a) + 1 + extra
    sl, sl_next = service_level_erlang_c(a, n, aht, t), service_level_erlang_c(a, n + 1, aht, t)
    assert 0.0 <= sl <= sl_next <= 1.0
    assert erlang_c(a, n + 1) <= erlang_c(a, n)
    assert asa_erlang_c(a, n + 1, aht) <= asa_erlang_c(a, n, aht)
    assert service_level_erlang_c(a, n, aht, t + 5) >= sl


@given(traffic_st)
def test_unstable_queue_never_meets_a_target(a: float) -> None:
    n = math.ceil(a)  # N ≤ A: the Erlang C queue grows without bound
    assert erlang_c(a, n) == 1.0 or n > a
    n = math.floor(a)
    assert erlang_c(a, n) == 1.0
    assert service_level_erlang_c(a, n, 180, 20) == 0.0
    assert asa_erlang_c(a, n, 180) == math.inf


@settings(max_examples=40, deadline=None)
@given(
    st.floats(1, 400),  # calls per 30 min
    st.integers(1, 40),
    st.floats(30, 600),  # aht
    st.floats(30, 1200),  # patience
    st.floats(0, 60),  # T
)
def test_erlang_a_properties(calls: float, n: int, aht: float, patience: float, t: float) -> None:
    kw = {"calls": calls, "interval_s": 1800.0, "aht_s": aht, "patience_s": patience, "answer_within_s": t}
    m, m_next = erlang_a_metrics(agents=n, **kw), erlang_a_metrics(agents=n + 1, **kw)
    for value in (m.service_level, m.p_wait, m.abandonment, m.occupancy):
        assert 0.0 <= value <= 1.0 + 1e-12
    assert m_next.service_level >= m.service_level - 1e-9
    assert m_next.abandonment <= m.abandonment + 1e-12
    assert m_next.p_wait <= m.p_wait + 1e-12
    assert m_next.asa_s <= m.asa_s + 1e-9
    # flow balance: served + abandoned = offered
    a = calls * aht / 1800.0
    assert m.occupancy * n == pytest.approx(a * (1 - m.abandonment), rel=1e-9)
    # the patient-caller queue is never better than the one that sheds load
    if n > a:
        assert m.p_wait <= erlang_c(a, n) + 1e-9


@settings(max_examples=25, deadline=None)
@given(st.floats(0.5, 40), st.integers(1, 30), st.floats(0, 60))
def test_erlang_a_converges_to_erlang_c(a: float, extra: int, t: float) -> None:
    n = math.floor(a) + extra
    if n <= a + 0.3:
        n += 1
    c = erlang_c_metrics(calls=a * 10, interval_s=1800, aht_s=180, agents=n, answer_within_s=t)
    patient = erlang_a_metrics(calls=a * 10, interval_s=1800, aht_s=180, agents=n, answer_within_s=t, patience_s=1e12)
    assert patient.p_wait == pytest.approx(c.p_wait, rel=1e-4, abs=1e-9)
    assert patient.service_level == pytest.approx(c.service_level, rel=1e-4, abs=1e-9)
    assert patient.asa_s == pytest.approx(c.asa_s, rel=1e-4, abs=1e-9)
    assert patient.abandonment < 1e-5


@settings(max_examples=60, deadline=None)
@given(st.floats(0, 2000), st.floats(0.5, 0.95), st.sampled_from([None, 0.9, 0.85]), st.sampled_from([0, 0.3, 0.35]))
def test_required_agents_is_minimal(calls: float, sl: float, occ: float | None, shrink: float) -> None:
    target = StaffingTarget(sl, 20, max_occupancy=occ, shrinkage=shrink)
    req = required_agents(calls=calls, interval_s=1800, aht_s=240, target=target)
    a = calls * 240 / 1800
    if a == 0:  # includes volumes so small that the load underflows
        assert req.agents == 0
        return
    assert req.service_level >= sl
    if occ is not None:
        assert a <= occ * req.agents + 1e-9
    assert req.scheduled == scheduled_agents(req.agents, shrink)
    below = req.agents - 1
    m = metrics(calls=calls, interval_s=1800, aht_s=240, agents=below, answer_within_s=20)
    occupancy_breached = occ is not None and exact(calls) * 240 / 1800 > exact(occ) * below
    assert m.service_level < sl or occupancy_breached


def test_zero_traffic_and_errors() -> None:
    req = required_agents(calls=0, interval_s=1800, aht_s=180, target=StaffingTarget(shrinkage=0.3))
    assert (req.agents, req.scheduled, req.service_level) == (0, 0, 1.0)
    with pytest.raises(ValueError):
        required_agents(calls=100, interval_s=1800, aht_s=180, target=StaffingTarget(0.8, 20), max_agents=13)
    with pytest.raises(ValueError):
        StaffingTarget(shrinkage=1)
    with pytest.raises(ValueError):
        erlang_a_metrics(calls=1, interval_s=1800, aht_s=180, agents=1, answer_within_s=20, patience_s=0)
    nobody = erlang_a_metrics(calls=10, interval_s=1800, aht_s=180, agents=0, answer_within_s=20, patience_s=60)
    assert nobody.abandonment == 1.0 and nobody.service_level == 0.0


def test_week_of_intervals_meets_the_target_everywhere() -> None:
    # Speed is measured in bench/workforce_bench.py, not here (timed tests are flaky on shared CPUs).
    calls = [float(80 + 60 * math.sin(i / 48 * 2 * math.pi) + (i % 7)) for i in range(7 * 48)]
    target = StaffingTarget(0.8, 20, max_occupancy=0.85, shrinkage=0.3)
    reqs = requirements_for(calls, interval_s=1800, aht_s=180, target=target)
    assert len(reqs) == 336 and all(r.service_level >= 0.8 for r in reqs)


def test_erlang_a_week_batch_is_the_same_as_one_by_one() -> None:
    calls = [float(80 + 60 * math.sin(i / 48 * 2 * math.pi) + (i % 7)) for i in range(7 * 48)]
    calls[:3] = [0.0, 0.0, 80.0]  # zero load and a repeated volume
    target = StaffingTarget(0.8, 20, max_occupancy=0.85, shrinkage=0.3)
    reqs = requirements_for(calls, interval_s=1800, aht_s=180, target=target, patience_s=300)
    for volume, req in list(zip(calls, reqs, strict=True))[::7]:
        one = required_agents(calls=volume, interval_s=1800, aht_s=180, target=target, patience_s=300)
        assert one == req
        if volume:
            m = erlang_a_metrics(calls=volume, interval_s=1800, aht_s=180, agents=req.agents, answer_within_s=20,
                                 patience_s=300)
            assert (m.service_level, m.occupancy) == (req.service_level, req.occupancy)
    assert reqs[0].agents == 0 and reqs[2] == reqs[3 * 48 - 3 * 48 + 2]


def _served_within_by_uniformization(lam: float, n_mu: float, theta: float, t: float) -> float:
    """Oracle: P(served within t | wait) summed over the callers ahead, each by uniformization.

    An arrival that waits finds j callers ahead with probability ∝ Π_{i≤j} λ/(Nμ+iθ); it moves up at
    rate Nμ + jθ and abandons at rate θ. Independent of the closed form used by the module.
    """
    weights, q, j = [1.0], 1.0, 0
    while True:
        j += 1
        q *= lam / (n_mu + j * theta)
        weights.append(q)
        if q < 1e-18 * max(weights) and lam < n_mu + j * theta:
            break
    states = len(weights)
    rate = n_mu + states * theta
    g = [0.0] * states  # P(served within the jumps so far | j ahead)
    total = [0.0] * states
    x = rate * t
    log_poisson = -x
    for m in range(1, int(x + 12 * math.sqrt(x) + 40)):
        g = [(n_mu + k * theta) / rate * (1.0 if k == 0 else g[k - 1]) + (1 - (n_mu + (k + 1) * theta) / rate) * g[k]
             for k in range(states)]
        log_poisson += math.log(x) - math.log(m)
        p = math.exp(log_poisson)
        total = [a + p * b for a, b in zip(total, g, strict=True)]
    return sum(w * s for w, s in zip(weights, total, strict=True)) / sum(weights)


@settings(max_examples=30, deadline=None)
@given(
    st.floats(0.005, 0.3),  # λ per second
    st.integers(1, 40),
    st.floats(60, 400),  # aht
    st.floats(20, 1200),  # patience
    st.floats(0.5, 90),  # T
)
def test_wait_integral_matches_uniformization(lam: float, n: int, aht: float, patience: float, t: float) -> None:
    n_mu, theta = n / aht, 1 / patience
    log_i = float(_log_wait_integral(np.array([lam]), np.array([n_mu]), theta, t)[0])
    # P(served within t | wait) = Nμ·∫_0^t e^φ / S with S = Σ_j Π_{i≤j} λ/(Nμ+iθ)
    s, q, j = 1.0, 1.0, 0
    while True:
        j += 1
        q *= lam / (n_mu + j * theta)
        s += q
        if q < 1e-18 * s and lam < n_mu + j * theta:
            break
    closed = n_mu * math.exp(log_i) / s
    assert closed == pytest.approx(_served_within_by_uniformization(lam, n_mu, theta, t), rel=1e-9, abs=1e-13)


# --- deferred channels ---------------------------------------------------------------------------


def test_deferred_agents_exact() -> None:
    # 120 e-mails × 300 s within 4 h at 85 % → 36000 / 12240 = 2.94 → 3
    assert deferred_agents(volume=120, aht_s=300, window_s=4 * 3600, max_occupancy=0.85) == 3
    # 21 · 600 / (1800 · 0.7) = 10 exactly: no float overshoot
    assert deferred_agents(volume=21, aht_s=600, window_s=1800, max_occupancy=0.7) == 10


@given(st.lists(st.integers(0, 200), min_size=1, max_size=60), st.integers(1, 12))
def test_deferred_requirements_cover_the_work(volumes: list[int], width: int) -> None:
    aht, step = 240, 1800
    reqs = deferred_requirements(volumes, aht_s=aht, interval_s=step, sla_s=width * step)
    assert len(reqs) == len(volumes)
    # capacity provided covers all work, and work arriving by interval i is done by i + width − 1
    assert sum(reqs) * step >= sum(volumes) * aht
    for i in range(len(volumes)):
        due = sum(volumes[: i + 1]) * aht
        end = min(len(volumes), i + width)
        assert sum(reqs[:end]) * step >= due


@settings(max_examples=30, deadline=None)
@given(
    st.floats(1, 300),  # calls per 30 min
    st.floats(60, 400),  # aht
    st.floats(30, 900),  # patience
    st.sampled_from([(0.8, 20.0, None), (0.9, 30.0, 0.85), (None, 20.0, None)]),
)
def test_erlang_a_requirement_is_the_smallest_count_that_meets_the_target(
    calls: float, aht: float, patience: float, spec: tuple[float | None, float, float | None]
) -> None:
    sl, t, occ = spec
    target = StaffingTarget(sl, t, max_occupancy=occ, max_abandonment=None if sl else 0.05)
    got = required_agents(calls=calls, interval_s=1800, aht_s=aht, target=target, patience_s=patience).agents

    def meets(n: int) -> bool:
        m = erlang_a_metrics(calls=calls, interval_s=1800, aht_s=aht, agents=n, answer_within_s=t,
                             patience_s=patience)
        return ((sl is None or m.service_level >= sl) and (occ is None or m.occupancy <= occ)
                and (target.max_abandonment is None or m.abandonment <= target.max_abandonment))

    assert meets(got)
    assert got == 0 or not meets(got - 1)
