from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from cxops import __version__


def cxops(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    workspaces = []
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from cxops.core.selectors import workspaces_for_user

        workspaces = list(workspaces_for_user(user=user))
    return {
        "cx_version": __version__,
        "membership": membership,
        "workspace": membership.workspace if membership else None,
        "user_workspaces": workspaces,
    }
