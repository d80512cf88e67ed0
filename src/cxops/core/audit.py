"""Writing the audit trail. Services call :func:`record`; nothing else writes AuditEvent rows."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from cxops.core.models import AuditEvent, User, Workspace

# The client address of the request being served, set by middleware; None in jobs and the CLI.
current_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("cxops_current_ip", default=None)


@contextmanager
def request_ip(ip: str | None) -> Iterator[None]:
    token = current_ip.set(ip)
    try:
        yield
    finally:
        current_ip.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    return {
        key: [_plain(before.get(key)), _plain(after.get(key))]
        for key in after
        if _plain(before.get(key)) != _plain(after.get(key))
    }


def record(
    *,
    workspace: Workspace | None,
    actor: User | None,
    action: str,
    obj: Any,
    changes: Mapping[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        workspace=workspace,
        actor=actor,
        actor_label=actor_label or (actor.label if actor else "system"),
        action=action,
        object_type=type(obj)._meta.model_name if hasattr(type(obj), "_meta") else type(obj).__name__.lower(),
        object_id=str(getattr(obj, "pk", "") or ""),
        object_label=str(obj)[:200],
        changes=dict(changes or {}),
        ip_address=current_ip.get(),
    )
