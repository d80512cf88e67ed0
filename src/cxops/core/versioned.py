"""Per-process compiled settings of a workspace, kept fresh through a version key in the shared cache.

Settings read on every ticket write (SLA policies and calendars, routing rules) are compiled once per
process and reused. A change anywhere calls `invalidate`, which writes a new version into the shared
cache (Redis in production); every process compares its copy's version at most every `check_s`
seconds, so a settings change reaches the other web and job processes within that time, and the
process that made the change sees it at once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

VERSION_TTL_S = 24 * 3600
DEFAULT_CHECK_S = 2.0
_instances: list[VersionedCache[object]] = []


@dataclass(slots=True)
class _Held(Generic[T]):
    value: T
    version: str
    checked_at: float


class VersionedCache(Generic[T]):
    """`get(workspace_id)` returns `loader(workspace_id, version)`, compiled at most once per version."""

    def __init__(self, name: str, loader: Callable[[int, str], T], *, check_s: float = DEFAULT_CHECK_S) -> None:
        self.name = name
        self.loader = loader
        self.check_s = check_s
        self._held: dict[int, _Held[T]] = {}
        _instances.append(self)  # type: ignore[arg-type]

    def _key(self, workspace_id: int) -> str:
        return f"cxops:{self.name}:version:{workspace_id}"

    def get(self, workspace_id: int) -> T:
        held = self._held.get(workspace_id)
        at = time.monotonic()
        if held is not None and at - held.checked_at < self.check_s:
            return held.value
        version = cache.get(self._key(workspace_id))
        if version is None:
            version = uuid.uuid4().hex
            cache.set(self._key(workspace_id), version, VERSION_TTL_S)
        if held is None or held.version != version:
            held = _Held(self.loader(workspace_id, str(version)), str(version), at)
            if len(self._held) > 1000:  # an installation with very many workspaces: keep memory bounded
                self._held.clear()
            self._held[workspace_id] = held
        held.checked_at = at
        return held.value

    def invalidate(self, workspace_id: int) -> None:
        """The workspace's settings changed: every process reloads them on next use."""
        cache.set(self._key(workspace_id), uuid.uuid4().hex, VERSION_TTL_S)
        self._held.pop(workspace_id, None)

    def invalidate_on_change(self, *models: type[Any]) -> None:
        """Invalidate a row's workspace whenever a row of `models` is saved or deleted (signals, so every
        writer is covered: services, the admin, cascades). Bulk writes send none: call `invalidate`."""

        def changed(sender: Any, instance: Any, **kwargs: Any) -> None:
            workspace_id = getattr(instance, "workspace_id", None)
            if workspace_id is not None:
                self.invalidate(workspace_id)

        for model in models:
            uid = f"cxops-{self.name}-{model._meta.label}"
            post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}-save")
            post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"{uid}-delete")

    def reset(self) -> None:
        """Forget this process's compiled copies (tests); the version keys stay valid."""
        self._held.clear()


def reset_all() -> None:
    """Forget every compiled copy of every cache in this process (tests reuse workspace ids after rollbacks)."""
    for instance in _instances:
        instance.reset()
