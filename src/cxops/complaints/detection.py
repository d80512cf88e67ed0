"""Deciding whether a ticket is a complaint: workspace rules plus the lexical model, in milliseconds.

Runs inside the ticket write transaction (a lifecycle hook), so everything here is cheap: the rules
and configuration of a workspace are cached (and dropped by the services that change them), the
model is kept per process and only its id is looked up in the cache, and the morphemes come from
the analysis the ticket services prepared before the transaction opened.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache

from cxops.complaints import scoring
from cxops.complaints.models import (
    ComplaintConfig,
    ComplaintModel,
    ComplaintRule,
    ComplaintType,
    RuleKind,
    Severity,
)
from cxops.core.text import lexemes_many

RULES_CACHE_S = 300
_model_lock = threading.Lock()
_models: dict[int, tuple[int, scoring.LexicalModel]] = {}
_builtin: scoring.LexicalModel | None = None
# Compiled rule sets per workspace, reused while the cached rule data is unchanged.
_compiled: dict[int, tuple[dict[str, Any], RuleSet]] = {}


@dataclass(frozen=True)
class Rule:
    kind: str
    value: str
    weight: float
    pattern: re.Pattern[str] | None = None

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.value}"


@dataclass(frozen=True)
class RuleSet:
    threshold: float
    model_enabled: bool
    repeat_days: int
    repeat_min: int
    rules: tuple[Rule, ...] = ()


@dataclass
class Verdict:
    score: float
    model_score: float | None
    matched: list[str] = field(default_factory=list)
    threat: bool = False
    complaint_type: str = ComplaintType.OTHER
    severity: str = Severity.NORMAL
    text: str = ""

    def is_complaint(self, threshold: float) -> bool:
        return self.score >= threshold


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Digits (1372) match only as a whole number, not inside an order number; words match anywhere."""
    escaped = re.escape(scoring.norm(phrase))
    if phrase.isdigit():
        return re.compile(rf"(?<!\d){escaped}(?!\d)")
    return re.compile(escaped)


def rules_cache_key(workspace_id: int) -> str:
    return f"cxops:complaints:rules:{workspace_id}"


def model_cache_key(workspace_id: int) -> str:
    return f"cxops:complaints:model:{workspace_id}"


def config_for(workspace_id: int) -> ComplaintConfig:
    config = ComplaintConfig.objects.filter(workspace_id=workspace_id).first()
    return config or ComplaintConfig(workspace_id=workspace_id, role_limits={})


def ruleset_for(workspace_id: int) -> RuleSet:
    data: dict[str, Any] | None = cache.get(rules_cache_key(workspace_id))
    if data is None:
        config = config_for(workspace_id)
        rows = [(r.kind, r.value, r.weight) for r in
                ComplaintRule.objects.filter(workspace_id=workspace_id, is_active=True)]
        if config.builtin_threats:
            own = {v for k, v, _ in rows if k == RuleKind.THREAT}
            rows += [(RuleKind.THREAT, p, 1.0) for p in scoring.THREAT_PHRASES if p not in own]
        data = {"threshold": config.threshold, "model": config.model_enabled, "repeat_days": config.repeat_days,
                "repeat_min": config.repeat_min_tickets, "rules": rows}
        cache.set(rules_cache_key(workspace_id), data, RULES_CACHE_S)
    held = _compiled.get(workspace_id)
    if held is not None and held[0] == data:
        return held[1]
    rules = tuple(
        Rule(kind=k, value=v, weight=w, pattern=_phrase_pattern(v) if k in (RuleKind.PHRASE, RuleKind.THREAT) else None)
        for k, v, w in data["rules"])
    ruleset = RuleSet(threshold=data["threshold"], model_enabled=data["model"], repeat_days=data["repeat_days"],
                      repeat_min=data["repeat_min"], rules=rules)
    if len(_compiled) > 1000:
        _compiled.clear()
    _compiled[workspace_id] = (data, ruleset)
    return ruleset


def forget_rules(workspace_id: int) -> None:
    cache.delete(rules_cache_key(workspace_id))


def builtin_model() -> scoring.LexicalModel:
    """The model trained on the seed set alone (trained once per process, about a second)."""
    global _builtin
    if _builtin is None:
        with _model_lock:
            if _builtin is None:
                seed = scoring.seed_examples()
                tokens = lexemes_many([t for t, _ in seed])
                _builtin = scoring.train([(scoring.features(t, k), label, 1.0)
                                          for (t, label), k in zip(seed, tokens, strict=True)])
    return _builtin


def model_for(workspace_id: int) -> scoring.LexicalModel:
    """The workspace's latest trained model, else the built-in one."""
    model_id = cache.get(model_cache_key(workspace_id))
    if model_id is None:
        model_id = (ComplaintModel.objects.filter(workspace_id=workspace_id).order_by("-trained_at", "-id")
                    .values_list("pk", flat=True).first()) or 0
        cache.set(model_cache_key(workspace_id), model_id, 3600)
    if not model_id:
        return builtin_model()
    held = _models.get(workspace_id)
    if held is not None and held[0] == model_id:
        return held[1]
    row = ComplaintModel.objects.filter(pk=model_id, workspace_id=workspace_id).values_list("data", flat=True).first()
    if row is None:
        return builtin_model()
    model = scoring.LexicalModel.from_json(row)
    _models[workspace_id] = (model_id, model)
    return model


_TYPE_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (ComplaintType.SAFETY, ("이물질", "벌레", "탈이", "식중독", "상했", "곰팡이", "다쳤")),
    (ComplaintType.SERVICE, ("불친절", "태도", "반말", "무시", "상담원", "응대")),
    (ComplaintType.QUALITY, ("불량", "파손", "깨져", "고장", "녹아", "하자")),
    (ComplaintType.BILLING, ("결제", "이중", "청구", "가격", "카드")),
    (ComplaintType.REFUND, ("환불", "교환", "반품", "취소")),
    (ComplaintType.DELIVERY, ("배송", "택배", "도착", "늦")),
)


def guess_type(text: str) -> str:
    t = scoring.norm(text)
    for kind, hints in _TYPE_HINTS:
        if any(h in t for h in hints):
            return kind
    return ComplaintType.OTHER


def evaluate(*, workspace_id: int, text: str, tokens: list[str] | None = None, channel: str = "",
             recent_tickets: int | None = None, ruleset: RuleSet | None = None) -> Verdict:
    """Score one text. `recent_tickets`: this customer's tickets within the repeat window (this one
    included), or None when unknown."""
    ruleset = ruleset or ruleset_for(workspace_id)
    normalised = scoring.norm(text)
    matched: list[str] = []
    weights: list[float] = []
    threat = False
    for rule in ruleset.rules:
        hit = False
        if rule.pattern is not None:
            hit = bool(rule.pattern.search(normalised))
        elif rule.kind == RuleKind.CHANNEL:
            hit = bool(channel) and channel == rule.value
        elif rule.kind == RuleKind.REPEAT:
            hit = recent_tickets is not None and recent_tickets >= ruleset.repeat_min
        if hit:
            matched.append(rule.label)
            weights.append(rule.weight)
            threat = threat or rule.kind == RuleKind.THREAT
    model_score: float | None = None
    if ruleset.model_enabled and normalised:
        if tokens is None:
            tokens = lexemes_many([text])[0]
        model_score = model_for(workspace_id).probability(scoring.features(normalised, tokens))
    score = scoring.combine(model_score, weights)
    severity = Severity.HIGH if threat else Severity.NORMAL
    return Verdict(score=round(score, 4), model_score=None if model_score is None else round(model_score, 4),
                   matched=matched, threat=threat, complaint_type=guess_type(text), severity=severity, text=text)


def repeat_window_start(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
