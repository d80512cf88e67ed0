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
  service level is the share of *all* arrivals served within ``T`` (abandoners count as misses),
  obtained by uniformization of the tagged customer's chain (``k`` customers ahead leave at rate
  ``Nμ + kθ``; the tagged customer abandons at rate ``θ``). ``ASA = Lq / λ`` over all arrivals,
  abandonment ``θ·Lq / λ``, occupancy ``carried load / N``.

Staffing solvers search the smallest ``N`` that meets every target (service level within ``T``,
ASA, maximum occupancy, maximum abandonment); all of them are monotone in ``N``.

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


def _queue_weights(lam: float, n_mu: float, theta: float) -> np.ndarray:
    """Normalised log-weights of ``k`` callers waiting (k = 0, 1, …) given all agents busy.

    ``q_k = Π_{i=1..k} λ / (Nμ + iθ)``; returned as log q_k (un-normalised), truncated once the
    sequence is decreasing and e^-40 below its maximum.
    """
    chunks: list[np.ndarray] = []
    total = 0.0  # running log q_k
    peak = 0.0
    start = 1
    chunk = 256
    while True:
        k = np.arange(start, start + chunk, dtype=float)
        logs = total + np.cumsum(np.log(lam) - np.log(n_mu + k * theta))
        chunks.append(logs)
        total = float(logs[-1])
        peak = max(peak, float(logs.max()))
        decreasing = lam < n_mu + k[-1] * theta
        start += chunk
        if decreasing and total < peak - _LOG_TAIL:
            break
        if start > _MAX_QUEUE_STATES:
            raise ValueError("queue too long to evaluate: add agents or check patience_s")
        chunk = min(chunk * 2, 65_536)
    logq = np.concatenate([np.zeros(1), *chunks])
    keep = np.nonzero(logq >= peak - _LOG_TAIL)[0]
    return logq[: int(keep[-1]) + 1]


def _served_within(t: float, n_mu: float, theta: float, states: int) -> np.ndarray:
    """P(tagged caller with j callers ahead starts service within ``t`` before abandoning), j < states.

    Uniformization of the absorbing chain j → j−1 (rate Nμ + jθ, from 0 to "served"), j → abandoned
    (rate θ).
    """
    j = np.arange(states, dtype=float)
    down = n_mu + j * theta
    rate = float(down[-1] + theta)
    p_down = down / rate
    p_stay = 1.0 - (down + theta) / rate
    x = rate * t
    if not x > 0:
        return np.zeros(states)
    m_max = int(x + 12.0 * math.sqrt(x) + 40.0)
    # Poisson weights of exactly m uniformized jumps by time t, all at once; the sum stops where they
    # fall below 1e-20 past the mode (g is increasing in m and bounded by 1, so the neglected tail
    # adds at most its mass, < 1e-17).
    m = np.arange(1, m_max + 1, dtype=float)
    weights = np.exp(-x + m * math.log(x) - np.cumsum(np.log(m)))  # log m! as a running sum
    negligible = np.nonzero((m > x) & (weights < 1e-20))[0]
    steps = int(negligible[0]) + 1 if len(negligible) else m_max
    # g_m = p_stay·g_{m-1} + p_down·(1, g_{m-1}[:-1]): one row per jump count, summed once at the end.
    rows = np.zeros((steps + 1, states))
    tail_down = p_down[1:]
    for i in range(1, steps + 1):
        prev = rows[i - 1]
        row = rows[i]
        np.multiply(p_stay, prev, out=row)
        row[1:] += tail_down * prev[:-1]
        row[0] += p_down[0]
    acc: np.ndarray = weights[:steps] @ rows[1:]
    return acc


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


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
    mu = 1.0 / aht_s
    theta = 1.0 / patience_s
    if lam == 0:
        return QueueMetrics(agents, 1.0, 0.0, 0.0, 0.0, 0.0)
    if agents == 0:
        return QueueMetrics(0, 0.0, 1.0, float(patience_s), 0.0, 1.0)
    traffic = lam / mu
    b = erlang_b(traffic, agents)
    n_mu = agents * mu
    logq = _queue_weights(lam, n_mu, theta)
    log_s = float(np.logaddexp.reduce(logq))  # log Σ_{k≥0} q_k
    w = np.exp(logq - log_s)  # P(k waiting | all busy)
    x = math.exp(math.log(b) + log_s) if b > 0 else 0.0
    p_wait = 1.0 if math.isinf(x) else x / (1.0 - b + x)
    mean_queue_if_busy = float(np.dot(np.arange(len(w)), w))
    lq = p_wait * mean_queue_if_busy
    served = _served_within(float(answer_within_s), n_mu, theta, len(w))
    service_level = (1.0 - p_wait) + p_wait * float(np.dot(w, served))
    abandonment = theta * lq / lam
    carried = (lam - theta * lq) / mu
    return QueueMetrics(
        agents=agents,
        service_level=_unit(service_level),
        p_wait=_unit(p_wait),
        asa_s=lq / lam,
        occupancy=_unit(carried / agents),  # rounding can leave 1 + 1e-12 when every agent is busy
        abandonment=_unit(abandonment),
    )


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
        # occupancy A / N ≤ max is an exact lower bound; SL and ASA are checked on the fly while the
        # Erlang B recurrence walks up (O(N) float operations per interval, no allocation)
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
            return _requirement(_c_metrics_from_b(traffic, n, b, aht, t), target)
        raise ValueError(f"target not reachable with {limit} agents")

    def evaluate(n: int) -> QueueMetrics:
        return erlang_a_metrics(
            calls=calls,
            interval_s=interval_s,
            aht_s=aht_s,
            agents=n,
            answer_within_s=target.answer_within_s,
            patience_s=patience_s,
        )

    # Every target is monotone in the number of agents. Abandonment shortens the queue, so the
    # Erlang C answer is almost always the Erlang A answer or a few agents above it: start there and
    # step (2–4 evaluations instead of a dozen); gallop and bisect when C has no answer.
    cache: dict[int, QueueMetrics] = {}

    def ok(n: int) -> bool:
        if n not in cache:
            cache[n] = evaluate(n)
        return _meets(cache[n], target, Fraction(0), True)

    try:
        seed = required_agents(calls=calls, interval_s=interval_s, aht_s=aht_s, target=target,
                               max_agents=max_agents).agents
    except ValueError:
        seed = None
    if seed is not None:
        n = seed
        if ok(n):
            while n > 0 and ok(n - 1):
                n -= 1
            return _requirement(cache[n], target)
        for step in range(1, 4):
            if n + step > limit:
                break
            if ok(n + step):
                return _requirement(cache[n + step], target)

    lo, hi = 0, max(1, math.ceil(traffic))
    while not ok(hi):
        lo = hi
        if hi >= limit:
            raise ValueError(f"target not reachable with {limit} agents")
        hi = min(limit, hi * 2)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    if hi == 1 and ok(0):
        hi = 0
    return _requirement(cache[hi], target)


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


def _requirement(m: QueueMetrics, target: StaffingTarget) -> Requirement:
    keep = 1 - _exact_cached(target.shrinkage)
    return Requirement(
        agents=m.agents,
        scheduled=-((-m.agents * keep.denominator) // keep.numerator),
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
    """:func:`required_agents` for each interval of a forecast (equal volumes are solved once)."""
    solved: dict[float, Requirement] = {}
    result: list[Requirement] = []
    for volume in calls:
        key = float(volume)
        if key not in solved:
            solved[key] = required_agents(
                calls=key, interval_s=interval_s, aht_s=aht_s, target=target, patience_s=patience_s
            )
        result.append(solved[key])
    return result
