"""Erlang B, Erlang C and Erlang A (M/M/N+M) queueing formulas and staffing solvers.

Pure module: no Django imports, safe to call from the CLI, jobs and benchmarks.

Conventions (the same as ``shared/data/erlang/reference_values.json``):

- traffic ``A = calls_per_interval * aht_s / interval_s`` (erlangs);
- Erlang B is the blocking probability of ``N`` lines, computed with the recurrence
  ``B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1))`` which never overflows (every term is in [0, 1]);
- Erlang C ``p_wait = N·B / (N − A·(1 − B))`` for ``N > A`` (1 otherwise);
  service level ``P(wait ≤ T) = 1 − p_wait·exp(−(N − A)·T / aht)``, ``ASA = p_wait·aht / (N − A)``,
  occupancy ``A / N``;
- Erlang A adds exponential patience with mean ``patience_s`` (abandonment rate ``θ = 1/patience``).
  The stationary law of the birth–death chain is computed exactly from Erlang B and the product of
  the queue ratios ``λ / (Nμ + kθ)`` (in log space, truncated when the tail is below 1e-17); the
  service level is the share of *all* arrivals served within ``T`` (abandoners count as misses).
  A caller with ``k`` callers ahead moves up at rate ``Nμ + kθ`` and abandons at rate ``θ``; mixed
  over ``k``, the chance of being served within ``T`` is ``Nμ·∫_0^T e^φ(x) dx / S`` with
  ``φ(x) = −(Nμ + θ)x + (λ/θ)(1 − e^(−θx))`` and ``S = Σ_k Π_{i≤k} λ/(Nμ + iθ)`` — a smooth,
  log-concave integrand, integrated by Gauss–Legendre (the same figures as uniformization of the
  caller's chain, to ~1e-12, at a fraction of the cost). ``ASA = Lq / λ`` over all arrivals,
  abandonment ``θ·Lq / λ``, occupancy ``carried load / N``. Everything is vectorised over many
  (volume, agents) rows, so a week of distinct volumes is staffed in a few numpy passes.

Staffing solvers search the smallest ``N`` that meets every target (service level within ``T``,
ASA, maximum occupancy, maximum abandonment); all of them are monotone in ``N``. Erlang A searches
all distinct volumes of a forecast together, starting from their Erlang C answers.

Shrinkage: ``scheduled = ceil(agents / (1 − shrinkage))`` is computed with exact rationals. Binary
floating point gives ``21 / (1 − 0.3) = 30.000000000000004`` and ``ceil`` returns 31 instead of 30
(the "rounding trap"); here a float shrinkage is read as the decimal it was written as
(``Fraction(repr(0.3)) = 3/10``), so the division is exact. The same exact arithmetic is used for
the occupancy bound and the deferred-work (board, e-mail) requirements.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

import numpy as np

Number = int | float | str | Decimal | Fraction

__all__ = [
    "QueueMetrics",
    "Requirement",
    "StaffingTarget",
    "asa_erlang_c",
    "deferred_agents",
    "deferred_requirements",
    "erlang_a_metrics",
    "erlang_b",
    "erlang_c",
    "erlang_c_metrics",
    "exact",
    "metrics",
    "required_agents",
    "requirements_for",
    "scheduled_agents",
    "service_level_erlang_c",
    "traffic_erlangs",
]

_LOG_TAIL = 40.0  # stop the queue-length sum when a term is e^-40 (~4e-18) below the largest one
_MAX_QUEUE_STATES = 200_000


def exact(value: Number) -> Fraction:
    """The exact rational a user meant: floats are read as their shortest decimal (0.3 → 3/10)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise TypeError("a number is required")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return Fraction(repr(value))
    return Fraction(str(value).strip())


def _ceil(value: Fraction) -> int:
    return -((-value.numerator) // value.denominator)


def traffic_erlangs(calls: float, aht_s: float, interval_s: float) -> float:
    """Offered load in erlangs for ``calls`` arrivals per ``interval_s`` with mean handle time ``aht_s``."""
    if calls < 0 or aht_s < 0 or interval_s <= 0:
        raise ValueError("calls and aht_s must be >= 0 and interval_s > 0")
    return float(calls) * float(aht_s) / float(interval_s)


def erlang_b(traffic: float, servers: int) -> float:
    """Blocking probability of ``servers`` lines offered ``traffic`` erlangs (iterative recurrence)."""
    if traffic < 0 or servers < 0:
        raise ValueError("traffic and servers must be >= 0")
    b = 1.0
    for n in range(1, servers + 1):
        ab = traffic * b
        b = ab / (n + ab)
    return b


def _erlang_c_from_b(traffic: float, agents: int, b: float) -> float:
    if agents <= traffic:
        return 1.0
    return agents * b / (agents - traffic * (1.0 - b))


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that an arrival waits (all ``agents`` busy); 1 when the queue is unstable."""
    if traffic == 0:
        return 0.0
    return _erlang_c_from_b(traffic, agents, erlang_b(traffic, agents))


def service_level_erlang_c(traffic: float, agents: int, aht_s: float, answer_within_s: float) -> float:
    """Erlang C ``P(wait ≤ T)``; 0 when the queue is unstable."""
    if traffic == 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    pw = erlang_c(traffic, agents)
    return 1.0 - pw * math.exp(-(agents - traffic) * answer_within_s / aht_s)


def asa_erlang_c(traffic: float, agents: int, aht_s: float) -> float:
    """Erlang C mean wait over all arrivals (seconds); ``inf`` when the queue is unstable."""
    if traffic == 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return erlang_c(traffic, agents) * aht_s / (agents - traffic)


@dataclass(frozen=True, slots=True)
class QueueMetrics:
    """Steady-state figures of one interval staffed with ``agents``."""

    agents: int
    service_level: float
    p_wait: float
    asa_s: float
    occupancy: float
    abandonment: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _c_metrics_from_b(traffic: float, agents: int, b: float, aht_s: float, answer_within_s: float) -> QueueMetrics:
    if traffic == 0:
        return QueueMetrics(agents, 1.0, 0.0, 0.0, 0.0, 0.0)
    if agents <= traffic:
        return QueueMetrics(agents, 0.0, 1.0, math.inf, 1.0, 0.0)
    pw = _erlang_c_from_b(traffic, agents, b)
    gap = agents - traffic
    return QueueMetrics(
        agents=agents,
        service_level=1.0 - pw * math.exp(-gap * answer_within_s / aht_s),
        p_wait=pw,
        asa_s=pw * aht_s / gap,
        occupancy=traffic / agents,
        abandonment=0.0,
    )


def _check_inputs(calls: float, interval_s: float, aht_s: float, agents: int, answer_within_s: float) -> None:
    if calls < 0:
        raise ValueError("calls must be >= 0")
    if interval_s <= 0 or aht_s <= 0:
        raise ValueError("interval_s and aht_s must be > 0")
    if agents < 0:
        raise ValueError("agents must be >= 0")
    if answer_within_s < 0:
        raise ValueError("answer_within_s must be >= 0")


def erlang_c_metrics(
    *, calls: float, interval_s: float, aht_s: float, agents: int, answer_within_s: float
) -> QueueMetrics:
    """Erlang C (infinitely patient callers) figures for one interval."""
    _check_inputs(calls, interval_s, aht_s, agents, answer_within_s)
    traffic = traffic_erlangs(calls, aht_s, interval_s)
    return _c_metrics_from_b(traffic, agents, erlang_b(traffic, agents), aht_s, answer_within_s)


# --- Erlang A (M/M/N+M), evaluated for many (arrival rate, agents) rows at once ----------------------


def _erlang_b_rows(traffic: np.ndarray, servers: np.ndarray) -> np.ndarray:
    """:func:`erlang_b` of every (traffic, servers) row: the same recurrence, all rows in step."""
    b = np.ones(traffic.shape)
    for n in range(1, int(servers.max(initial=0)) + 1):
        ab = traffic * b
        np.copyto(b, ab / (n + ab), where=servers >= n)
    return b


def _queue_sums(lam: np.ndarray, n_mu: np.ndarray, theta: float) -> tuple[np.ndarray, np.ndarray]:
    """``log S`` and ``Σ k·q_k / S`` per row, ``S = Σ_{k≥0} q_k``, ``q_k = Π_{i=1..k} λ / (Nμ + iθ)``.

    ``q_k`` is proportional to P(k callers waiting | all agents busy). The terms are summed in
    widening chunks with a running log-sum-exp; a row stops once its terms decrease and the last one
    is e^-40 below its largest (the neglected tail is then below 1e-17 of the sum).
    """
    rows = lam.shape[0]
    log_lam = np.log(lam)
    top = np.zeros(rows)  # largest log q_k so far (q_0 = 1)
    total = np.ones(rows)  # Σ q_k · e^-top
    moment = np.zeros(rows)  # Σ k·q_k · e^-top
    last = np.zeros(rows)  # log q_k of the last term summed
    active = np.arange(rows)
    start, width = 1, 64
    while active.size:
        k = np.arange(start, start + width, dtype=float)
        logs = np.cumsum(log_lam[active, None] - np.log(n_mu[active, None] + theta * k), axis=1)
        logs += last[active, None]
        peak = np.maximum(top[active], logs.max(axis=1))
        scale = np.exp(top[active] - peak)
        terms = np.exp(logs - peak[:, None])
        total[active] = total[active] * scale + terms.sum(axis=1)
        moment[active] = moment[active] * scale + (terms * k).sum(axis=1)
        top[active] = peak
        last[active] = logs[:, -1]
        done = (lam[active] < n_mu[active] + theta * k[-1]) & (logs[:, -1] < peak - _LOG_TAIL)
        active = active[~done]
        start += width
        if active.size and start > _MAX_QUEUE_STATES:
            raise ValueError("queue too long to evaluate: add agents or check patience_s")
        width = min(width * 2, 65_536)
    return top + np.log(total), moment / total


@lru_cache(maxsize=16)
def _gauss_legendre(nodes: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(nodes)
    return x, w


def _log_wait_integral(lam: np.ndarray, n_mu: np.ndarray, theta: float, t: float) -> np.ndarray:
    """``log ∫_0^t e^φ(x) dx`` per row, ``φ(x) = −(Nμ + θ)·x + (λ/θ)·(1 − e^(−θx))``.

    The offered wait of a caller who finds every agent busy has density ``Nμ·e^φ(x) / S`` on
    ``x > 0`` after discounting by the caller's own patience ``e^(−θx)`` (the mixture over the number
    of callers ahead, each a sum of exponential stages ``Nμ + iθ``, sums to this; Laplace transforms
    agree term by term). So ``P(served within t | wait) = Nμ·∫_0^t e^φ / S``.

    φ is concave (``φ'' = −λθe^(−θx)``, ``φ' = λe^(−θx) − (Nμ + θ)``), so the integrand is
    log-concave and only a window around the maximum ``x*`` of φ on [0, t] matters: left of ``x*``
    the curvature is at least ``λθe^(−θx*)``; right of it φ is below the tangent at an end maximum
    ``x* = 0`` and below the tangent at ``x* + 1/θ`` (slope ``≤ −(1 − 1/e)(Nμ + θ)``). Outside the
    window where these bounds put φ within 46 of its maximum, the integrand adds below 1e-20 of the
    total. Gauss–Legendre on the window, with nodes for its steepest slope, then converges to
    rounding error (tests check it against uniformization of the caller's chain).
    """
    rows = lam.shape[0]
    if t <= 0:
        return np.full(rows, -np.inf)
    b = n_mu + theta
    slope0 = lam - b
    slope_t = lam * math.exp(-theta * t) - b
    drop = 46.0
    with np.errstate(divide="ignore", over="ignore"):
        x_peak = np.clip(np.log(lam / b) / theta, 0.0, t)
        reach_lo = np.sqrt(2.0 * drop / (lam * theta * np.exp(-theta * x_peak)))
        reach_lo = np.where(slope_t > 0, np.minimum(reach_lo, drop / np.where(slope_t > 0, slope_t, 1.0)), reach_lo)
        reach_hi = 1.0 / theta + drop / ((1.0 - math.exp(-1.0)) * b)
        reach_hi = np.where(slope0 < 0, np.minimum(reach_hi, drop / np.where(slope0 < 0, -slope0, 1.0)), reach_hi)
    lo = np.maximum(0.0, x_peak - reach_lo)
    hi = np.minimum(t, x_peak + reach_hi)
    half = (hi - lo) / 2.0
    steep = np.maximum(np.abs(lam * np.exp(-theta * lo) - b), np.abs(lam * np.exp(-theta * hi) - b)) * half
    # nodes per row from its own slope (rounded up to a few sizes), so a row's value never depends
    # on the other rows of the batch
    need = np.minimum(2048.0, np.maximum(24.0, np.ceil(1.3 * steep) + 20.0))
    nodes_of = np.where(need <= 24, 24, 2 ** np.ceil(np.log2(need))).astype(int)
    out = np.empty(rows)
    for nodes in np.unique(nodes_of).tolist():
        sel = np.nonzero(nodes_of == nodes)[0]
        x, w = _gauss_legendre(int(nodes))
        xs = lo[sel, None] + half[sel, None] * (x + 1.0)
        phi = -b[sel, None] * xs - (lam[sel] / theta)[:, None] * np.expm1(-theta * xs)
        peak = phi.max(axis=1)
        with np.errstate(divide="ignore"):
            out[sel] = peak + np.log((np.exp(phi - peak[:, None]) * w).sum(axis=1) * half[sel])
    return out


def _erlang_a_rows(
    lam: np.ndarray, agents: np.ndarray, mu: float, theta: float, t: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Erlang A (service level, p_wait, ASA, occupancy, abandonment) per row; λ > 0, agents ≥ 1."""
    traffic = lam / mu
    b = _erlang_b_rows(traffic, agents)
    n_mu = agents * mu
    log_s, mean_queue = _queue_sums(lam, n_mu, theta)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        x = np.exp(np.log(b) + log_s)  # B·S: P(all busy) / P(N−1 busy)·…, may overflow to inf
        p_wait = np.where(np.isinf(x), 1.0, x / (1.0 - b + x))
        served_in_t = np.exp(np.log(n_mu) + _log_wait_integral(lam, n_mu, theta, t) - log_s)
    lq = p_wait * mean_queue
    service_level = (1.0 - p_wait) + p_wait * served_in_t
    abandonment = theta * lq / lam
    carried = (lam - theta * lq) / mu
    # rounding can leave 1 + 1e-12 when every agent is busy
    return (
        np.clip(service_level, 0.0, 1.0),
        np.clip(p_wait, 0.0, 1.0),
        lq / lam,
        np.clip(carried / agents, 0.0, 1.0),
        np.clip(abandonment, 0.0, 1.0),
    )


def erlang_a_metrics(
    *,
    calls: float,
    interval_s: float,
    aht_s: float,
    agents: int,
    answer_within_s: float,
    patience_s: float,
) -> QueueMetrics:
    """Erlang A (M/M/N+M) figures for one interval; callers abandon after an exponential patience."""
    _check_inputs(calls, interval_s, aht_s, agents, answer_within_s)
    if patience_s <= 0:
        raise ValueError("patience_s must be > 0")
    lam = calls / interval_s
    if lam == 0:
        return QueueMetrics(agents, 1.0, 0.0, 0.0, 0.0, 0.0)
    if agents == 0:
        return QueueMetrics(0, 0.0, 1.0, float(patience_s), 0.0, 1.0)
    sl, pw, asa, occ, ab = _erlang_a_rows(
        np.array([lam], dtype=float), np.array([agents]), 1.0 / aht_s, 1.0 / patience_s, float(answer_within_s)
    )
    return QueueMetrics(agents, float(sl[0]), float(pw[0]), float(asa[0]), float(occ[0]), float(ab[0]))


def metrics(
    *,
    calls: float,
    interval_s: float,
    aht_s: float,
    agents: int,
    answer_within_s: float,
    patience_s: float | None = None,
) -> QueueMetrics:
    """Erlang A when a mean patience is given, Erlang C otherwise."""
    if patience_s is None:
        return erlang_c_metrics(
            calls=calls, interval_s=interval_s, aht_s=aht_s, agents=agents, answer_within_s=answer_within_s
        )
    return erlang_a_metrics(
        calls=calls,
        interval_s=interval_s,
        aht_s=aht_s,
        agents=agents,
        answer_within_s=answer_within_s,
        patience_s=patience_s,
    )


@dataclass(frozen=True, slots=True)
class StaffingTarget:
    """What an interval must achieve; ``None`` switches a target off.

    ``service_level`` is the share answered within ``answer_within_s`` seconds (Erlang A: share of
    all arrivals served within T). ``max_occupancy`` and ``shrinkage`` are read exactly.
    """

    service_level: float | None = 0.8
    answer_within_s: float = 20.0
    max_asa_s: float | None = None
    max_occupancy: Number | None = None
    max_abandonment: float | None = None
    shrinkage: Number = 0

    def __post_init__(self) -> None:
        if self.service_level is not None and not 0.0 <= self.service_level < 1.0 + 1e-12:
            raise ValueError("service_level must be in [0, 1]")
        if self.answer_within_s < 0:
            raise ValueError("answer_within_s must be >= 0")
        if self.max_asa_s is not None and self.max_asa_s < 0:
            raise ValueError("max_asa_s must be >= 0")
        if self.max_occupancy is not None and not 0 < exact(self.max_occupancy) <= 1:
            raise ValueError("max_occupancy must be in (0, 1]")
        if self.max_abandonment is not None and not 0.0 <= self.max_abandonment <= 1.0:
            raise ValueError("max_abandonment must be in [0, 1]")
        if not 0 <= exact(self.shrinkage) < 1:
            raise ValueError("shrinkage must be in [0, 1)")


@dataclass(frozen=True, slots=True)
class Requirement:
    """Smallest staffing meeting a target, with the figures it achieves."""

    agents: int
    scheduled: int
    service_level: float
    p_wait: float
    asa_s: float
    occupancy: float
    abandonment: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def scheduled_agents(agents: int, shrinkage: Number) -> int:
    """Heads to schedule so that ``agents`` remain after ``shrinkage`` (exact: 21 at 0.3 → 30)."""
    if agents < 0:
        raise ValueError("agents must be >= 0")
    s = exact(shrinkage)
    if not 0 <= s < 1:
        raise ValueError("shrinkage must be in [0, 1)")
    return _ceil(Fraction(agents) / (1 - s))


def _meets(m: QueueMetrics, target: StaffingTarget, traffic: Fraction, patience: bool) -> bool:
    if target.service_level is not None and m.service_level < target.service_level:
        return False
    if target.max_asa_s is not None and m.asa_s > target.max_asa_s:
        return False
    if target.max_abandonment is not None and m.abandonment > target.max_abandonment:
        return False
    if target.max_occupancy is not None:
        if patience:
            if m.occupancy > float(_exact_cached(target.max_occupancy)):
                return False
        elif traffic > _exact_cached(target.max_occupancy) * m.agents:  # exact: A / N ≤ max
            return False
    return True


def required_agents(
    *,
    calls: float,
    interval_s: float,
    aht_s: float,
    target: StaffingTarget,
    patience_s: float | None = None,
    max_agents: int | None = None,
) -> Requirement:
    """Smallest number of agents meeting every target of ``target`` (Erlang A if ``patience_s``).

    Zero traffic needs zero agents. Raises ``ValueError`` when the target cannot be met with
    ``max_agents`` (default: ``10·A + 100``), e.g. a service level of exactly 1 with T = 0.
    """
    _check_inputs(calls, interval_s, aht_s, 0, target.answer_within_s)
    traffic = float(calls) * float(aht_s) / float(interval_s)
    limit = max_agents if max_agents is not None else int(10 * traffic) + 100
    if traffic == 0:
        return _requirement(QueueMetrics(0, 1.0, 0.0, 0.0, 0.0, 0.0), target)
    if patience_s is None:
        found = _erlang_c_search(calls, interval_s, aht_s, target, traffic, limit)
        if found is None:
            raise ValueError(f"target not reachable with {limit} agents")
        n, b = found
        return _requirement(_c_metrics_from_b(traffic, n, b, float(aht_s), target.answer_within_s), target)
    return _required_agents_a(
        [calls], interval_s=interval_s, aht_s=aht_s, target=target, patience_s=patience_s, max_agents=max_agents
    )[0]


def _required_agents_a(
    calls: Sequence[float],
    *,
    interval_s: float,
    aht_s: float,
    target: StaffingTarget,
    patience_s: float,
    max_agents: int | None,
) -> list[Requirement]:
    """Erlang A staffing for many volumes (each with positive traffic), searched for all at once.

    Every target is monotone in the number of agents, so each row keeps the largest count known to
    miss (``lo``) and the smallest known to meet (``hi``) and each round evaluates the next
    candidates of every unresolved row in one vectorised call. Abandonment shortens the queue, so
    the Erlang C answer is almost always the Erlang A answer or within a couple of agents of it:
    round one tries it and the count below; rows off by more step, gallop or bisect.
    """
    if patience_s <= 0:
        raise ValueError("patience_s must be > 0")
    mu, theta, t = 1.0 / float(aht_s), 1.0 / float(patience_s), float(target.answer_within_s)
    sl_min, asa_max, ab_max = target.service_level, target.max_asa_s, target.max_abandonment
    occ_max = None if target.max_occupancy is None else float(_exact_cached(target.max_occupancy))
    rows = len(calls)
    lam_of = [float(c) / float(interval_s) for c in calls]
    limits: list[int] = []
    lo = [-1] * rows  # largest count known to miss every-target (-1: none yet)
    hi: list[QueueMetrics | None] = [None] * rows  # figures of the smallest count known to meet
    pending: list[list[int]] = []
    for c in calls:
        traffic = float(c) * float(aht_s) / float(interval_s)
        limit = max_agents if max_agents is not None else int(10 * traffic) + 100
        limits.append(limit)
        seeded = _erlang_c_search(c, interval_s, aht_s, target, traffic, limit)
        seed = seeded[0] if seeded is not None else min(limit, max(1, math.ceil(traffic)))
        pending.append([n for n in (seed - 1, seed) if 0 <= n <= limit] or [limit])
    rounds = 0
    while True:
        rounds += 1
        cand_row = [r for r, ns in enumerate(pending) for _ in ns]
        cand_n = [n for ns in pending for n in ns]
        if not cand_n:
            break
        nz = [i for i, n in enumerate(cand_n) if n > 0]
        found: list[QueueMetrics] = [QueueMetrics(0, 0.0, 1.0, float(patience_s), 0.0, 1.0)] * len(cand_n)
        ok = np.zeros(len(cand_n), dtype=bool)
        zero_ok = ((sl_min is None or sl_min <= 0.0) and (asa_max is None or float(patience_s) <= asa_max)
                   and (ab_max is None or ab_max >= 1.0))
        for i, n in enumerate(cand_n):
            if n == 0:
                ok[i] = zero_ok
        if nz:
            agents = np.array([cand_n[i] for i in nz])
            sl, pw, asa, occ, ab = _erlang_a_rows(np.array([lam_of[cand_row[i]] for i in nz]), agents, mu, theta, t)
            meets = np.ones(len(nz), dtype=bool)
            if sl_min is not None:
                meets &= sl >= sl_min
            if asa_max is not None:
                meets &= asa <= asa_max
            if ab_max is not None:
                meets &= ab <= ab_max
            if occ_max is not None:
                meets &= occ <= occ_max
            ok[nz] = meets
            for j, i in enumerate(nz):
                if meets[j]:
                    found[i] = QueueMetrics(cand_n[i], float(sl[j]), float(pw[j]), float(asa[j]), float(occ[j]),
                                            float(ab[j]))
        for i, (r, n) in enumerate(zip(cand_row, cand_n, strict=True)):
            if ok[i]:
                best = hi[r]
                if best is None or n < best.agents:
                    hi[r] = found[i]
            elif n > lo[r]:
                lo[r] = n
        for r in range(rows):
            pending[r] = _next_candidates(lo[r], hi[r], limits[r], rounds)
    return [_requirement(m, target) for m in hi if m is not None]


def _next_candidates(lo: int, best: QueueMetrics | None, limit: int, rounds: int) -> list[int]:
    """Counts to evaluate next for one row (empty when resolved); raises when ``limit`` misses."""
    if best is None:
        if lo >= limit:
            raise ValueError(f"target not reachable with {limit} agents")
        if rounds <= 2:
            return [n for n in (lo + 1, lo + 2, lo + 3) if n <= limit]
        return [min(limit, 2 * lo + 2)]
    gap = best.agents - lo - 1  # counts not evaluated yet between the two
    if gap <= 0:
        return []
    if lo < 0 and rounds <= 2:
        return [n for n in (best.agents - 1, best.agents - 2) if n >= 0]
    if gap <= 3:
        return list(range(lo + 1, best.agents))
    return [(lo + best.agents) // 2]


def _erlang_c_search(
    calls: float, interval_s: float, aht_s: float, target: StaffingTarget, traffic: float, limit: int
) -> tuple[int, float] | None:
    """Smallest Erlang C count meeting ``target`` (with its Erlang B value), ``None`` above ``limit``.

    Occupancy ``A / N ≤ max`` is an exact lower bound; service level and ASA are checked on the fly
    while the Erlang B recurrence walks up (O(N) float operations, no allocation).
    """
    first = math.floor(traffic) + 1
    if target.max_occupancy is not None:
        first = max(first, _occupancy_floor(calls, aht_s, interval_s, traffic, target.max_occupancy))
    sl, t, aht = target.service_level, target.answer_within_s, float(aht_s)
    max_asa = target.max_asa_s
    b = 1.0
    for n in range(1, limit + 1):
        ab = traffic * b
        b = ab / (n + ab)
        if n < first:
            continue
        gap = n - traffic
        pw = n * b / (gap + traffic * b)
        if sl is not None and 1.0 - pw * math.exp(-gap * t / aht) < sl:
            continue
        if max_asa is not None and pw * aht / gap > max_asa:
            continue
        return n, b
    return None


@lru_cache(maxsize=256)
def _exact_cached(value: Number) -> Fraction:
    return exact(value)


def _occupancy_floor(calls: float, aht_s: float, interval_s: float, traffic: float, max_occ: Number) -> int:
    """Smallest N with A / N ≤ max_occupancy; floats first, exact rationals when near an integer."""
    q = traffic / float(_exact_cached(max_occ))
    if abs(q - round(q)) > 1e-9 * max(1.0, q):
        return math.ceil(q)
    a_exact = exact(calls) * _exact_cached(aht_s) / _exact_cached(interval_s)
    return _ceil(a_exact / _exact_cached(max_occ))


@lru_cache(maxsize=64)
def _kept_share(shrinkage: Number) -> tuple[int, int]:
    """``1 − shrinkage`` as an exact (numerator, denominator) pair."""
    keep = 1 - exact(shrinkage)
    return keep.numerator, keep.denominator


def _requirement(m: QueueMetrics, target: StaffingTarget) -> Requirement:
    num, den = _kept_share(target.shrinkage)
    return Requirement(
        agents=m.agents,
        scheduled=-((-m.agents * den) // num),
        service_level=m.service_level,
        p_wait=m.p_wait,
        asa_s=m.asa_s,
        occupancy=m.occupancy,
        abandonment=m.abandonment,
    )


# --- deferred channels (board, e-mail) ------------------------------------------------------------


def deferred_agents(*, volume: Number, aht_s: Number, window_s: Number, max_occupancy: Number = 1) -> int:
    """Agents that clear ``volume`` items of ``aht_s`` seconds within ``window_s`` seconds.

    Workload staffing: ``ceil(volume · aht / (window · occupancy))``, exact.
    """
    v, h, w, occ = exact(volume), exact(aht_s), exact(window_s), exact(max_occupancy)
    if v < 0 or h < 0:
        raise ValueError("volume and aht_s must be >= 0")
    if w <= 0:
        raise ValueError("window_s must be > 0")
    if not 0 < occ <= 1:
        raise ValueError("max_occupancy must be in (0, 1]")
    return _ceil(v * h / (w * occ))


def deferred_requirements(
    volumes: Sequence[Number],
    *,
    aht_s: Number,
    interval_s: Number,
    sla_s: Number,
    max_occupancy: Number = 1,
) -> list[int]:
    """Agents per interval for deferred work that must be answered within ``sla_s`` of arrival.

    Fluid model: the workload ``volume · aht`` arriving in interval ``i`` is spread evenly over the
    ``w = max(1, floor(sla / interval))`` intervals starting at ``i`` (fewer at the end of the
    horizon), so every item is handled before its deadline; an interval needs
    ``ceil(load / (interval · occupancy))`` agents. Exact rationals throughout.
    """
    h, step, sla, occ = exact(aht_s), exact(interval_s), exact(sla_s), exact(max_occupancy)
    if step <= 0 or sla <= 0:
        raise ValueError("interval_s and sla_s must be > 0")
    if h < 0:
        raise ValueError("aht_s must be >= 0")
    if not 0 < occ <= 1:
        raise ValueError("max_occupancy must be in (0, 1]")
    width = max(1, math.floor(sla / step))
    n = len(volumes)
    load = [Fraction(0)] * n
    for i, volume in enumerate(volumes):
        v = exact(volume)
        if v < 0:
            raise ValueError("volumes must be >= 0")
        span = min(width, n - i)
        share = v * h / span
        for j in range(i, i + span):
            load[j] += share
    return [_ceil(x / (step * occ)) for x in load]


def requirements_for(
    calls: Sequence[float],
    *,
    interval_s: float,
    aht_s: float,
    target: StaffingTarget,
    patience_s: float | None = None,
) -> list[Requirement]:
    """:func:`required_agents` for each interval of a forecast (equal volumes are solved once).

    With ``patience_s`` the distinct volumes are searched together (one vectorised Erlang A
    evaluation per search round for all of them), which is what makes a week take milliseconds.
    """
    keys = [float(volume) for volume in calls]
    solved: dict[float, Requirement] = {}
    if patience_s is not None:
        _check_inputs(0.0, interval_s, aht_s, 0, target.answer_within_s)
        busy: list[float] = []
        for key in dict.fromkeys(keys):
            _check_inputs(key, interval_s, aht_s, 0, target.answer_within_s)
            if key * float(aht_s) / float(interval_s) == 0:
                solved[key] = _requirement(QueueMetrics(0, 1.0, 0.0, 0.0, 0.0, 0.0), target)
            else:
                busy.append(key)
        if busy:
            found = _required_agents_a(busy, interval_s=interval_s, aht_s=aht_s, target=target,
                                       patience_s=patience_s, max_agents=None)
            solved.update(zip(busy, found, strict=True))
        return [solved[key] for key in keys]
    result: list[Requirement] = []
    for key in keys:
        if key not in solved:
            solved[key] = required_agents(calls=key, interval_s=interval_s, aht_s=aht_s, target=target)
        result.append(solved[key])
    return result
