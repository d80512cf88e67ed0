"""Cursor (keyset) pagination.

A page is ``{"items": [...], "next_cursor": "..."}``. The cursor is opaque to clients: base64 of
the sort key values and the id of the last row, so the next page is one indexed range query,
however deep the client pages, and rows added meanwhile never shift a page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any, Literal, TypeVar

from django.db.models import Model, Q, QuerySet

from cxops.api.schemas import MAX_ID
from cxops.core.services import ServiceError

M = TypeVar("M", bound=Model)

MSG_BAD_CURSOR = "cursor 값이 올바르지 않습니다. 직전 응답의 next_cursor를 그대로 보내 주세요."


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool
    kind: Literal["int", "datetime"]

    @property
    def order(self) -> str:
        return f"-{self.field}" if self.descending else self.field


def encode_cursor(keys: Sequence[SortKey], row: Any, tag: str) -> str:
    values: list[Any] = []
    for key in keys:
        value = getattr(row, key.field)
        values.append(value.isoformat() if key.kind == "datetime" else int(value))
    raw = json.dumps({"s": tag, "v": values}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, keys: Sequence[SortKey], tag: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        raw_values = data["v"]
        if data.get("s") != tag or not isinstance(raw_values, list) or len(raw_values) != len(keys):
            raise ValueError("cursor of another list or sort order")
        values: list[Any] = []
        for key, value in zip(keys, raw_values, strict=True):
            if key.kind == "datetime":
                parsed = datetime.fromisoformat(value)
                if parsed.tzinfo is None:
                    raise ValueError("naive datetime")
                values.append(parsed)
            else:
                if not isinstance(value, int) or isinstance(value, bool) or abs(value) > MAX_ID:
                    raise ValueError("not an id")
                values.append(value)
        return values
    except (ValueError, TypeError, KeyError, AttributeError, binascii.Error, UnicodeError) as exc:
        raise ServiceError(MSG_BAD_CURSOR) from exc


def after(keys: Sequence[SortKey], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in the order given by `keys` (lexicographic, per-key direction)."""
    clauses = []
    for i, key in enumerate(keys):
        condition: dict[str, Any] = {k.field: v for k, v in zip(keys[:i], values[:i], strict=True)}
        condition[f"{key.field}__{'lt' if key.descending else 'gt'}"] = values[i]
        clauses.append(Q(**condition))
    return reduce(or_, clauses)


def paginate(qs: QuerySet[M], *, keys: Sequence[SortKey], cursor: str | None, limit: int,
             tag: str) -> tuple[list[M], str | None]:
    """One page of `qs` ordered by `keys` (the last key must be unique, normally the id)."""
    qs = qs.order_by(*(key.order for key in keys))
    if cursor:
        qs = qs.filter(after(keys, decode_cursor(cursor, keys, tag)))
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(keys, rows[-1], tag)
