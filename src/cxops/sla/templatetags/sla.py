"""``{% sla_badge ticket %}``: the SLA badge of a ticket in lists and headers (no queries)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from cxops.sla.selectors import ticket_badge

register = template.Library()


@register.filter
def business_span(value: dt.timedelta | None) -> str:
    """A (business) duration as ``2시간 30분``; hours are not folded into days, since a business day's
    length depends on the calendar."""
    if value is None:
        return ""
    minutes = abs(int(value.total_seconds())) // 60
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(h)d시간 %(m)d분") % {"h": hours, "m": minutes}
    if hours:
        return _("%(h)d시간") % {"h": hours}
    return _("%(m)d분") % {"m": minutes}


@register.simple_tag
def sla_badge(ticket: Any, at: dt.datetime | None = None) -> str:
    badge = ticket_badge(ticket, at or timezone.now())
    if badge is None:
        return ""
    due = timezone.localtime(badge.due_at).strftime("%m-%d %H:%M") if badge.due_at else ""
    if badge.state == "paused":
        return format_html('<span class="badge status-closed sla-badge sla-paused" title="{}">{}</span>',
                           _("고객 응답을 기다리는 동안 SLA 시계가 멈춥니다"), _("SLA 정지"))
    if badge.state == "breached":
        return format_html('<span class="badge status-open sla-badge sla-breached" title="{}">{} {}</span>',
                           _("기한 %(due)s") % {"due": due}, _("초과"), business_span(badge.business_left))
    label = _("임박") if badge.state == "warning" else _("남은 시간")
    css = "status-pending" if badge.state == "warning" else "status-solved"
    return format_html('<span class="badge {} sla-badge sla-{}" title="{}">{} {}</span>', css, badge.state,
                       _("기한 %(due)s (영업시간 기준)") % {"due": due}, label, business_span(badge.business_left))
