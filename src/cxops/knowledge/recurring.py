"""Recurring questions: recent tickets grouped by meaning, with whether an article covers each group.

Computed on demand over at most MAX_TICKETS recent tickets (subject + first customer message) and
cached for CACHE_SECONDS per workspace and period, so opening the page twice costs one computation.
Clustering is a single greedy pass: a ticket joins the most similar existing group when the cosine
similarity to its centroid reaches the threshold, else it starts a new group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import numpy as np
from django.core.cache import cache
from django.utils import timezone

from cxops.core.embeddings import get_embedder
from cxops.core.models import Workspace

MAX_TICKETS = 400
CACHE_SECONDS = 30 * 60
SIMILARITY = 0.86
TOP = 10


@dataclass(frozen=True)
class Cluster:
    count: int
    example: str
    example_number: int
    numbers: list[int]
    article_id: int | None
    article_title: str
    article_score: float

    @property
    def covered(self) -> bool:
        return self.article_id is not None


def cluster_vectors(vectors: np.ndarray[Any, Any], threshold: float) -> list[list[int]]:
    groups: list[list[int]] = []
    sums: list[np.ndarray[Any, Any]] = []
    for i, vector in enumerate(vectors):
        best, best_sim = -1, threshold
        for g, total in enumerate(sums):
            norm = float(np.linalg.norm(total)) or 1.0
            sim = float(vector @ total) / norm
            if sim >= best_sim:
                best, best_sim = g, sim
        if best < 0:
            groups.append([i])
            sums.append(vector.astype(np.float64).copy())
        else:
            groups[best].append(i)
            sums[best] += vector
    return groups


def recurring_questions(*, workspace: Workspace, days: int, threshold: float = SIMILARITY,
                        use_cache: bool = True) -> list[Cluster]:
    from cxops.knowledge.suggest import suggest_many
    from cxops.tickets.models import Message, MessageKind, Ticket

    embedder = get_embedder()
    key = f"cxops:kb-recurring:{workspace.pk}:{days}:{embedder.name}"
    if use_cache:
        cached = cache.get(key)
        if cached is not None:
            return list(cached)
    since = timezone.now() - timedelta(days=days)
    tickets = list(Ticket.objects.filter(workspace=workspace, created_at__gte=since)
                   .order_by("-created_at").values_list("pk", "number", "subject")[:MAX_TICKETS])
    firsts: dict[int, str] = {}
    for ticket_id, body in (Message.objects.filter(ticket_id__in=[t[0] for t in tickets], kind=MessageKind.CUSTOMER)
                            .order_by("-created_at", "-id").values_list("ticket_id", "body_text")):
        firsts[ticket_id] = body  # the oldest wins (ordered newest first)
    texts = [f"{subject} {firsts.get(pk, '')}".strip()[:300] for pk, _number, subject in tickets]
    clusters: list[Cluster] = []
    if texts:
        vectors = embedder.embed_queries(texts)
        groups = [g for g in cluster_vectors(vectors, threshold) if len(g) >= 2]
        groups.sort(key=len, reverse=True)
        groups = groups[:TOP]
        examples = []
        for g in groups:
            centroid = vectors[g].mean(axis=0)
            examples.append(g[int(np.argmax(vectors[g] @ centroid))])
        matches = suggest_many(workspace.pk, [texts[i] for i in examples], k=1, include_internal=True)
        for g, example, hits in zip(groups, examples, matches, strict=True):
            hit = hits[0] if hits else None
            clusters.append(Cluster(
                count=len(g), example=texts[example], example_number=tickets[example][1],
                numbers=[tickets[i][1] for i in g][:20], article_id=hit.article.id if hit else None,
                article_title=hit.article.title if hit else "", article_score=hit.score if hit else 0.0))
    cache.set(key, clusters, CACHE_SECONDS)
    return clusters
