"""Suggesting a ticket's product, reason (category) and type: trained model, catalog and rules together.

Per field:

* category — the workspace's active trained model; without one, the keyword rules of its taxonomy;
* type — the trained model when it knows at least two types; else keyword rules, "inquiry" as fallback;
* product — an order number in the text that order lines link to one product wins; then a product
  named in the text (catalog code, name or alias, spacing-tolerant); then the trained model.

Models use word + character TF-IDF and the shared sentence embedder (e5). Each text's vector is computed
once and stored (`insights.vectors`, table `TextVector`): a retrain embeds only new tickets, with every
core, and a suggestion for a ticket seen before costs no model run. `--no-embeddings` (or
CXOPS_TRIAGE_EMBEDDINGS=0) trains lexical-only models.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, Subquery

from cxops.core.models import Workspace
from cxops.insights.classify import TextClassifier
from cxops.insights.labels import LabelSpace, category_label, check_field
from cxops.insights.matching import (
    DEFAULT_REASON_KEYWORDS,
    DEFAULT_TYPE_KEYWORDS,
    Analysed,
    CatalogEntry,
    CatalogMatcher,
    KeywordRules,
    order_number_candidates,
)
from cxops.insights.models import (
    OrderLine,
    ReasonKeywords,
    SuggestionSource,
    SuggestionStatus,
    TicketTagSuggestion,
    TrainedModel,
)
from cxops.insights.vectors import vectors_for
from cxops.tickets.models import Category, Message, MessageKind, Product, Ticket, TicketType

log = logging.getLogger(__name__)

MAX_ALTERNATIVES = 3
ORDER_CONFIDENCE = 0.97


@dataclass
class Suggestion:
    field: str
    label: str | None
    confidence: float
    alternatives: list[tuple[str, float]] = dataclasses.field(default_factory=list)
    source: str = SuggestionSource.MODEL
    model_version: str = ""

    def as_json(self, id_: object = None) -> dict[str, object]:
        return {"id": id_, "label": self.label, "confidence": round(self.confidence, 4),
                "alternatives": [{"label": label, "confidence": round(conf, 4)} for label, conf in self.alternatives]}


def ticket_text(subject: str, body: str) -> str:
    """Subject and first message as one text; once when the body already starts with the subject (chat and
    phone logs, imports that fill both from one column), so the words are not counted twice."""
    if " ".join(body.split()).startswith(" ".join(subject.split())):
        return body.strip()
    return f"{subject}\n{body}".strip()


# --- training data -------------------------------------------------------------------------------------

def training_examples(workspace: Workspace, field_name: str, *, limit: int | None = None) -> tuple[list[str], list[str]]:
    """(texts, labels) of the workspace's labelled tickets — subject + first customer message — newest
    first, plus calls whose suggestion an agent confirmed or corrected. Agent decisions on tickets are
    applied to the tickets, so they are part of the first set."""
    check_field(field_name)
    limit = limit or int(getattr(settings, "CXOPS_TRIAGE_MAX_EXAMPLES", 50_000))
    space = LabelSpace.load(workspace, field_name)
    first_body = (Message.objects.filter(ticket=OuterRef("pk"), kind=MessageKind.CUSTOMER)
                  .order_by("created_at", "id").values("body_text")[:1])
    column = {"category": "category_id", "product": "product_id", "type": "type"}[field_name]
    tickets = Ticket.objects.filter(workspace=workspace)
    if field_name != "type":
        tickets = tickets.filter(**{f"{column}__isnull": False})
    rows = (tickets.annotate(first_body=Subquery(first_body)).order_by("-created_at", "-id")
            .values_list("subject", "first_body", column)[:limit])
    texts: list[str] = []
    labels: list[str] = []
    for subject, body, value in rows:
        label = space.label_of.get(value)
        if label:
            texts.append(ticket_text(subject, body or ""))
            labels.append(label)
    decided = (TicketTagSuggestion.objects
               .filter(workspace=workspace, field=field_name, call__isnull=False,
                       status__in=[SuggestionStatus.CONFIRMED, SuggestionStatus.CORRECTED])
               .exclude(final_label="").values_list("call__summary", "final_label"))
    for summary, label in decided:
        if label in space.value_of:
            texts.append(summary)
            labels.append(label)
    return texts, labels


# --- trained models, cached per process ------------------------------------------------------------------

_cache_lock = threading.Lock()
_cache: OrderedDict[tuple[int, str], TextClassifier] = OrderedDict()
CACHE_SIZE = 16


def active_model(workspace_id: int, field_name: str) -> TrainedModel | None:
    return (TrainedModel.objects.filter(workspace_id=workspace_id, field=field_name, active=True)
            .defer("data").order_by("-created_at", "-id").first())


def load_classifier(model: TrainedModel) -> TextClassifier:
    # Keyed by creation time too: ids can be handed out again (a restored database, test rollbacks).
    key = (model.pk, model.created_at.isoformat())
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    data = TrainedModel.objects.filter(pk=model.pk).values_list("data", flat=True).get()
    classifier = TextClassifier.from_bytes(bytes(data))
    with _cache_lock:
        _cache[key] = classifier
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return classifier


# --- rules and catalog ---------------------------------------------------------------------------------

def reason_rules(workspace_id: int) -> KeywordRules:
    """Keywords per category label: the workspace's own, else the built-in ones by sub-category name."""
    categories = list(Category.objects.filter(workspace_id=workspace_id).only("pk", "name", "parent_id"))
    names = {c.pk: c.name for c in categories}
    own = dict(ReasonKeywords.objects.filter(workspace_id=workspace_id).values_list("category_id", "keywords"))
    rules: dict[str, list[str]] = {}
    for category in categories:
        keywords = own.get(category.pk)
        if keywords is None and category.parent_id is not None:
            keywords = DEFAULT_REASON_KEYWORDS.get(category.name)
        if keywords:
            rules[category_label(category, names)] = [str(k) for k in keywords]
    return KeywordRules(rules)


_matchers: dict[int, tuple[str, CatalogMatcher]] = {}


def catalog_matcher(workspace_id: int) -> CatalogMatcher:
    """The workspace's catalog matcher; rebuilt (Kiwi over every name) only when the catalog changed."""
    entries = [CatalogEntry(pk, name, code or "", tuple(str(a) for a in aliases or []))
               for pk, name, code, aliases in Product.objects.filter(workspace_id=workspace_id, is_active=True)
               .order_by("pk").values_list("pk", "name", "code", "aliases")]
    digest = hashlib.blake2b(repr(entries).encode(), digest_size=16).hexdigest()
    with _cache_lock:
        cached = _matchers.get(workspace_id)
    if cached is not None and cached[0] == digest:
        return cached[1]
    matcher = CatalogMatcher(entries)
    with _cache_lock:
        _matchers[workspace_id] = (digest, matcher)
    return matcher


def products_of_orders(workspace_id: int, candidates: Sequence[str]) -> dict[str, set[int]]:
    if not candidates:
        return {}
    found: dict[str, set[int]] = {}
    for order_no, product_id in OrderLine.objects.filter(workspace_id=workspace_id, order_no__in=list(candidates)[:50]
                                                         ).values_list("order_no", "product_id"):
        found.setdefault(order_no, set()).add(product_id)
    return found


# --- the tagger -----------------------------------------------------------------------------------------

def _merge(first: list[tuple[str, float]], rest: list[tuple[str, float]], exclude: str | None) -> list[tuple[str, float]]:
    seen: dict[str, float] = {}
    for label, conf in [*first, *rest]:
        if label != exclude and label not in seen:
            seen[label] = conf
    return list(seen.items())[:MAX_ALTERNATIVES]


class Tagger:
    """Everything needed to suggest one workspace's fields, loaded once for many texts."""

    def __init__(self, workspace_id: int, fields: Sequence[str] = ("category", "product", "type"),
                 *, use_model: bool = True, embed_workers: int = 1) -> None:
        self.workspace_id = workspace_id
        # Engines for the texts of one `suggest` call that have no stored vector yet: 1 in web processes
        # and jobs (one ticket at a time), every core in `cxops triage predict`.
        self.embed_workers = embed_workers
        self.fields = [check_field(f) for f in fields]
        self.models: dict[str, tuple[TrainedModel, TextClassifier]] = {}
        if use_model:
            for name in self.fields:
                model = active_model(workspace_id, name)
                if model is not None:
                    try:
                        self.models[name] = (model, load_classifier(model))
                    except ValueError:
                        log.exception("trained model %s of workspace %s cannot be loaded", model.pk, workspace_id)
        self.spaces = {name: LabelSpace.load(workspace_id, name) for name in self.fields}
        self._rules = reason_rules(workspace_id) if "category" in self.fields else None
        self._types = KeywordRules(DEFAULT_TYPE_KEYWORDS)
        self._catalog = catalog_matcher(workspace_id) if "product" in self.fields else None

    def has_model(self, field_name: str) -> bool:
        return field_name in self.models

    def suggest(self, texts: Sequence[str], order_numbers: Sequence[str] | None = None
                ) -> list[dict[str, Suggestion]]:
        """One {field: Suggestion} per text, in order."""
        analysed = [Analysed.of(t) for t in texts]
        out: list[dict[str, Suggestion]] = [{} for _ in texts]
        for name in self.fields:
            predictions = self._model_predictions(name, texts)
            for i, text in enumerate(analysed):
                model_pick = predictions[i] if predictions is not None else None
                if name == "product":
                    extra = [order_numbers[i]] if order_numbers and order_numbers[i] else []
                    out[i][name] = self._product(text, model_pick, extra)
                elif model_pick is not None and (name != "type" or len(self.models[name][1].labels) > 1):
                    out[i][name] = model_pick
                elif name == "category":
                    out[i][name] = self._by_rules(name, self._rules, text, fallback=None)
                else:
                    out[i][name] = self._by_rules(name, self._types, text, fallback=TicketType.INQUIRY)
        return out

    def _model_predictions(self, name: str, texts: Sequence[str]) -> list[Suggestion] | None:
        if name not in self.models or not texts:
            return None
        model, classifier = self.models[name]
        vectors = None
        embedder = classifier.featurizer.embedder
        if classifier.featurizer.embed_dim and embedder is not None:
            # Stored vectors for texts seen before (training, an earlier suggestion); new ones are kept.
            vectors, _ = vectors_for(self.workspace_id, texts, embedder, workers=self.embed_workers)
        return [Suggestion(name, p.label, p.confidence, list(p.alternatives), SuggestionSource.MODEL, model.version)
                for p in classifier.predict(list(texts), vectors)]

    @staticmethod
    def _by_rules(name: str, rules: KeywordRules | None, text: Analysed, fallback: str | None) -> Suggestion:
        hits = rules.match(text) if rules else []
        if hits:
            return Suggestion(name, hits[0].label, hits[0].score,
                              [(h.label, h.score) for h in hits[1:1 + MAX_ALTERNATIVES]], SuggestionSource.RULES, "rules")
        if fallback is not None:
            return Suggestion(name, fallback, 0.3, [], SuggestionSource.RULES, "rules")
        return Suggestion(name, None, 0.0, [], SuggestionSource.RULES, "rules")

    def _product(self, text: Analysed, model_pick: Suggestion | None, extra_orders: list[str]) -> Suggestion:
        space = self.spaces["product"]
        model_alts: list[tuple[str, float]] = []
        if model_pick is not None:
            model_alts = ([(model_pick.label, model_pick.confidence)] if model_pick.label else []) + model_pick.alternatives
        orders = products_of_orders(self.workspace_id, order_number_candidates(text.text, extra_orders))
        ordered = sorted({pid for pids in orders.values() for pid in pids})
        mentions = self._catalog.match(text) if self._catalog else []
        if ordered:
            mentioned = [m.product_id for m in mentions if m.product_id in ordered]
            pick = mentioned[0] if mentioned else ordered[0]
            share = ORDER_CONFIDENCE if len(ordered) == 1 or mentioned else ORDER_CONFIDENCE / len(ordered)
            label = space.label_of.get(pick)
            if label:
                others = [(space.label_of[p], share) for p in ordered if p != pick and p in space.label_of]
                return Suggestion("product", label, share, _merge(others, model_alts, label), SuggestionSource.ORDER,
                                  "order")
        if mentions:
            top = mentions[0]
            label = space.label_of.get(top.product_id)
            if label:
                confidence = top.score
                if model_pick is not None and model_pick.label == label:
                    confidence = max(confidence, model_pick.confidence)
                others = [(space.label_of[m.product_id], m.score) for m in mentions[1:] if m.product_id in space.label_of]
                return Suggestion("product", label, confidence, _merge(others, model_alts, label),
                                  SuggestionSource.CATALOG, "catalog")
        if model_pick is not None:
            return model_pick
        return Suggestion("product", None, 0.0, [], SuggestionSource.CATALOG, "catalog")
