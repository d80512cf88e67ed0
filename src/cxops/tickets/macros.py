"""Filling in macro variables. A fixed whitelist, one pass, no template engine.

`{{ customer.name }}`, `{{ ticket.number }}`, `{{ ticket.subject }}`, `{{ agent.name }}` and
`{{ workspace.name }}` are replaced; anything else is left exactly as written. Values are inserted
once and never scanned again, so a customer named "{{ agent.name }}" stays literally that.
"""

from __future__ import annotations

import re
from typing import Any

VARIABLES: dict[str, str] = {
    "customer.name": "고객 이름",
    "ticket.number": "티켓 번호",
    "ticket.subject": "문의 제목",
    "agent.name": "상담원 이름",
    "workspace.name": "회사(워크스페이스) 이름",
}
_PATTERN = re.compile(r"\{\{\s*(" + "|".join(re.escape(v) for v in VARIABLES) + r")\s*\}\}")


def macro_values(*, ticket: Any = None, agent: Any = None, workspace: Any = None) -> dict[str, str]:
    customer = getattr(ticket, "customer", None) if ticket is not None else None
    return {
        "customer.name": (getattr(customer, "name", "") or "고객"),
        "ticket.number": str(getattr(ticket, "number", "") or ""),
        "ticket.subject": str(getattr(ticket, "subject", "") or ""),
        "agent.name": (getattr(agent, "label", "") or str(agent or "")),
        "workspace.name": str(getattr(workspace, "name", "") or ""),
    }


def render_macro(body: str, *, ticket: Any = None, agent: Any = None, workspace: Any = None) -> str:
    values = macro_values(ticket=ticket, agent=agent, workspace=workspace)
    return _PATTERN.sub(lambda match: values[match.group(1)], body)
