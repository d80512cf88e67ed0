"""Article suggestions for a workspace: a per-process index cache keyed by the KB version.

The index over a workspace's published articles (both audiences; internal ones are filtered at
query time) is built once and reused until ``KnowledgeBaseState.version`` changes (any publish,
save or delete bumps it), so a suggestion costs one small query plus the search itself. Vectors
come from the ArticleEmbedding cache; missing ones are computed and stored while building.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from cxops.core.embeddings import Embedder, get_embedder
from cxops.knowledge.models import Article, ArticleStatus, ArticleStep, KnowledgeBaseState

SEARCH_BATCH = 256


@dataclass(frozen=True)
class ArticleRef:
    id: int
    title: str
    external_id: str | None
    internal: bool
    snippet: str


@dataclass(frozen=True)
class Suggestion:
    article: ArticleRef
    score: float


@dataclass
class BuiltIndex:
    version: int
    embedder_name: str
    index: Any  # SuggestionIndex
    refs: dict[str, ArticleRef]


_cache: dict[int, BuiltIndex] = {}
_locks: dict[int, threading.Lock] = {}
_guard = threading.Lock()


def kb_version(workspace_id: int) -> int:
    version = KnowledgeBaseState.objects.filter(workspace_id=workspace_id).values_list("version", flat=True).first()
    return int(version or 0)


def clear_cache() -> None:
    with _guard:
        _cache.clear()


def _lock_for(workspace_id: int) -> threading.Lock:
    with _guard:
        return _locks.setdefault(workspace_id, threading.Lock())


def build_index(workspace_id: int, *, embedder: Embedder | None = None, version: int | None = None) -> BuiltIndex:
    from cxops.knowledge.retrieval import SuggestionIndex
    from cxops.knowledge.services import embeddings_refresh, passage_for

    embedder = embedder or get_embedder()
    version = kb_version(workspace_id) if version is None else version
    articles = list(Article.objects.filter(workspace_id=workspace_id, status=ArticleStatus.PUBLISHED)
                    .select_related("category").order_by("pk"))
    steps: dict[int, list[str]] = {}
    for article_id, text in (ArticleStep.objects.filter(article__in=[a.pk for a in articles])
                             .order_by("article_id", "position", "id").values_list("article_id", "text")):
        steps.setdefault(article_id, []).append(text)
    passages = [passage_for(a, "\n".join(f"{n}. {t}" for n, t in enumerate(steps.get(a.pk, []), start=1)))
                for a in articles]
    stacks_by_id = embeddings_refresh(articles=articles, passages=passages, embedder=embedder)
    index = SuggestionIndex.build(passages, embedder=embedder, stacks=[stacks_by_id[a.pk] for a in articles])
    refs = {str(a.pk): ArticleRef(id=a.pk, title=a.title, external_id=a.external_id,
                                  internal=a.audience == "internal", snippet=a.body_text[:140])
            for a in articles}
    return BuiltIndex(version=version, embedder_name=embedder.name, index=index, refs=refs)


def workspace_index(workspace_id: int) -> BuiltIndex:
    """The cached index of the workspace, rebuilt when the KB version or the embedder changed."""
    version = kb_version(workspace_id)
    embedder = get_embedder()
    built = _cache.get(workspace_id)
    if built is not None and built.version == version and built.embedder_name == embedder.name:
        return built
    with _lock_for(workspace_id):
        built = _cache.get(workspace_id)
        if built is None or built.version != version or built.embedder_name != embedder.name:
            built = build_index(workspace_id, embedder=embedder, version=version)
            _cache[workspace_id] = built
    return built


def display_threshold() -> float | None:
    """settings.CXOPS_KB_THRESHOLD when set (an operator's override), else the engine's default."""
    value: Any = getattr(settings, "CXOPS_KB_THRESHOLD", None)
    return None if value is None or value == "" else float(value)


def suggest_many(workspace_id: int, queries: Sequence[str], *, k: int = 3, include_internal: bool = False,
                 threshold: float | None = None) -> list[list[Suggestion]]:
    """Suggestions above the display threshold for each query, in order (empty text → none)."""
    threshold = display_threshold() if threshold is None else threshold
    built = workspace_index(workspace_id)
    out: list[list[Suggestion]] = [[] for _ in queries]
    if not built.refs:
        return out
    wanted = [(n, " ".join(q.split())[:500]) for n, q in enumerate(queries) if q and q.strip()]
    for start in range(0, len(wanted), SEARCH_BATCH):
        chunk = wanted[start:start + SEARCH_BATCH]
        results = built.index.search_many([q for _n, q in chunk], k=k, include_internal=include_internal,
                                          threshold=threshold)
        for (n, _q), hits in zip(chunk, results, strict=True):
            out[n] = [Suggestion(article=built.refs[h.key], score=round(float(h.score), 4))
                      for h in hits if h.key in built.refs]
    return out


def suggest(workspace_id: int, query: str, *, k: int = 3, include_internal: bool = False,
            threshold: float | None = None) -> list[Suggestion]:
    return suggest_many(workspace_id, [query], k=k, include_internal=include_internal, threshold=threshold)[0]
