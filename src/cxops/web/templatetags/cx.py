"""Template helpers of the agent UI: Korean dates, relative times, badges, PII display."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from cxops.core import masking
from cxops.core.models import Role
from cxops.core.phones import format_phone

register = template.Library()

WEEKDAYS_KO = ("월", "화", "수", "목", "금", "토", "일")


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _korean() -> bool:
    return (translation.get_language() or "ko").startswith("ko")


@register.filter
def kdate(value: datetime | None, with_time: bool = True) -> str:
    """11월 23일 (월) 14:05 in the active (workspace) time zone; the year is shown when it is not this year."""
    if not value:
        return ""
    local = _local(value)
    this_year = _local(timezone.now()).year
    if _korean():
        text = f"{local.month}월 {local.day}일 ({WEEKDAYS_KO[local.weekday()]})"
        if local.year != this_year:
            text = f"{local.year}년 {text}"
        return f"{text} {local:%H:%M}" if with_time else text
    fmt = "M j (D)" if local.year == this_year else "M j, Y (D)"
    text = date_format(local, fmt)
    return f"{text} {local:%H:%M}" if with_time else text


@register.filter
def kday(value: datetime | None) -> str:
    return kdate(value, with_time=False)


def ago_text(value: datetime, now: datetime | None = None) -> str:
    seconds = int(((now or timezone.now()) - value).total_seconds())
    if seconds < 0:
        seconds = 0
    if seconds < 60:
        return _("방금 전")
    if seconds < 3600:
        return _("%(n)s분 전") % {"n": seconds // 60}
    if seconds < 86400:
        return _("%(n)s시간 전") % {"n": seconds // 3600}
    if seconds < 7 * 86400:
        return _("%(n)s일 전") % {"n": seconds // 86400}
    return kdate(value, with_time=False)


@register.filter
def ago(value: datetime | None) -> str:
    return ago_text(value) if value else ""


@register.simple_tag
def reltime(value: datetime | None) -> str:
    """<time> with the relative text ("3분 전") and the full local date as tooltip."""
    if not value:
        return ""
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(), kdate(value), ago_text(value))


@register.filter
def duration(seconds: int | None) -> str:
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _is_viewer(membership: Any) -> bool:
    return getattr(membership, "role", None) == Role.CLIENT_VIEWER


@register.filter
def phone(digits: str) -> str:
    return format_phone(digits) if digits else ""


@register.filter
def pii_phone(digits: str, membership: Any = None) -> str:
    """Full phone for agents; masked (010-****-5678) for client viewers or when `membership` is "mask"."""
    if not digits:
        return ""
    return masking.mask_phone(digits) if membership == "mask" or _is_viewer(membership) else format_phone(digits)


@register.filter
def pii_email(value: str, membership: Any = None) -> str:
    if not value:
        return ""
    return masking.mask_email(value) if membership == "mask" or _is_viewer(membership) else value


@register.filter
def pii_name(value: str, membership: Any = None) -> str:
    if not value:
        return ""
    return masking.mask_name(value) if membership == "mask" or _is_viewer(membership) else value


@register.filter
def pii_text(value: str, membership: Any = None) -> str:
    return masking.mask_text(value or "") if _is_viewer(membership) else (value or "")


@register.filter
def initial(value: Any) -> str:
    text = str(value or "").strip()
    return text[:1].upper() if text else "?"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key) if mapping is not None else None
    except AttributeError:
        return None


@register.filter
def in_list(value: Any, container: Any) -> bool:
    return container is not None and str(value) in [str(v) for v in container]


@register.simple_tag
def avatar(name: Any, size: str = "") -> str:
    """A coloured circle with the first letter; the colour is stable per name."""
    text = str(name or "?")
    hue = sum(ord(ch) for ch in text) * 37 % 360
    return format_html('<span class="avatar {}" style="--hue:{}" aria-hidden="true">{}</span>', size, hue,
                       initial(text))


@register.simple_tag
def audit_action(action: str) -> str:
    from cxops.web.auditfmt import AUDIT_ACTIONS

    return str(AUDIT_ACTIONS.get(action, action))


@register.simple_tag
def audit_changes(changes: dict[str, Any]) -> list[tuple[str, str, str]]:
    from cxops.web.auditfmt import change_rows

    return change_rows(changes)
