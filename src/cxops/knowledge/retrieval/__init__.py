"""Retrieval engine for knowledge-base suggestions (pure Python: no Django imports here).

Use::

    index = SuggestionIndex.build(passages, embedder=get_embedder(), stacks=cached_stacks_or_None)
    hits = index.search("배송이너무늦어요", k=3)            # [Hit(key, score)], score in [0, 1]

``passage_texts(p)`` are the texts whose ``embed_passages`` rows the app caches per article, and
``DEFAULT_THRESHOLD`` is the confidence below which nothing is suggested.
"""

from __future__ import annotations

from .calibration import DEFAULT_THRESHOLD
from .index import Hit, Passage, SuggestionIndex, passage_texts, passage_vector_text

__all__ = ["DEFAULT_THRESHOLD", "Hit", "Passage", "SuggestionIndex", "passage_texts", "passage_vector_text"]
