"""Trend alerts: find spikes and sustained rises, store each once per key and period, notify people.

The periodic job evaluates the current week so far and yesterday, by reason, product and product ×
reason. An alert is stored once (unique per workspace, dimension, key, period, period start), shown
in the app, and emailed to the workspace's managers (unless turned off) and the chosen members.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cxops.core.models import Membership, Role, User, Workspace
from cxops.insights.models import AlertSettings, TrendAlert
from cxops.insights.report import inbox_link
from cxops.insights.trends import PERIOD_WORDS, TrendRow, TrendTable, shift, trend_table

log = logging.getLogger(__name__)

ALERT_DIMENSIONS = ("category", "product", "product_category")


def alert_inbox_url(alert: TrendAlert) -> str:
    """The inbox filtered to the tickets behind an alert (key and period)."""
    end = shift(alert.period_start, alert.period, 1)
    filters: dict[str, object] = {"created_from": alert.period_start.isoformat(),
                                  "created_to": date.fromordinal(end.toordinal() - 1).isoformat()}
    parts = alert.key.split(":")
    if alert.dimension == "category":
        filters["category"] = parts[0]
    elif alert.dimension == "product":
        filters["product"] = parts[0]
    elif alert.dimension == "product_category" and len(parts) == 2:
        filters["product"], filters["category"] = parts
    elif alert.dimension == "channel":
        filters["channel"] = parts[0]
    return inbox_link(alert.workspace, **filters)


def _candidates(table: TrendTable, t: int) -> list[TrendRow]:
    return [row for row in table.latest(t) if row.alert]


def recipients(workspace: Workspace) -> list[User]:
    found = AlertSettings.objects.filter(workspace=workspace).first()
    users: dict[int, User] = {}
    if found is None or found.notify_managers:
        for m in Membership.objects.filter(workspace=workspace, is_active=True,
                                           role__in=[Role.MANAGER, Role.ADMIN]).select_related("user"):
            users[m.user_id] = m.user
    if found is not None:
        active = set(Membership.objects.filter(workspace=workspace, is_active=True).values_list("user_id", flat=True))
        for user in found.recipients.all():
            if user.pk in active:
                users[user.pk] = user
    return [u for u in users.values() if u.is_active and u.email]


def scan_workspace(*, workspace: Workspace, send_email: bool = True, until: date | None = None) -> list[TrendAlert]:
    """Store new alerts of the current week and of yesterday; email them. Returns the new ones."""
    created: list[TrendAlert] = []
    for period, periods, offset in (("week", 1, 1), ("day", 2, 2)):
        for dimension in ALERT_DIMENSIONS:
            table = trend_table(workspace=workspace, by=dimension, period=period, periods=periods, until=until)
            t = len(table.starts) - offset
            for row in _candidates(table, t):
                kind = "spike" if row.score >= table.min_score else "sustained"
                with transaction.atomic():
                    alert, new = TrendAlert.objects.get_or_create(
                        workspace=workspace, dimension=dimension, key=row.key, period=period,
                        period_start=row.period_start,
                        defaults={"label": row.label[:300], "count": row.count, "expected": row.expected or 0.0,
                                  "baseline_mean": row.base_mean, "baseline_std": row.base_std,
                                  "score": max(row.score, row.sustained), "kind": kind,
                                  "explanation": row.explanation})
                if new:
                    created.append(alert)
    if created and send_email:
        email_alerts(workspace=workspace, alerts=created)
    return created


def email_alerts(*, workspace: Workspace, alerts: Sequence[TrendAlert]) -> int:
    found = AlertSettings.objects.filter(workspace=workspace).first()
    if found is not None and not found.email_enabled:
        return 0
    to = [u.email for u in recipients(workspace)]
    if not to:
        return 0
    base = str(settings.SITE_URL).rstrip("/")
    lines = []
    html_items = []
    for alert in alerts:
        link = base + alert_inbox_url(alert)
        lines.append(f"- {alert.explanation}\n  티켓 보기: {link}")
        html_items.append(f'<li>{escape(alert.explanation)} <a href="{escape(link)}">티켓 보기</a></li>')
    alerts_url = base + reverse("insights_alerts", kwargs={"slug": workspace.slug})
    subject = f"[CXOps] {workspace.name} 고객의 소리 알림 {len(alerts)}건"
    text = "평소보다 크게 늘어난 문의가 있습니다.\n\n" + "\n".join(lines) + f"\n\n알림 목록: {alerts_url}\n"
    html = (f"<p>평소보다 크게 늘어난 문의가 있습니다.</p><ul>{''.join(html_items)}</ul>"
            f'<p><a href="{escape(alerts_url)}">알림 목록</a></p>')
    message = EmailMultiAlternatives(subject, text, to=to)
    message.attach_alternative(html, "text/html")
    message.send()
    TrendAlert.objects.filter(pk__in=[a.pk for a in alerts]).update(emailed_at=timezone.now())
    return len(to)


def period_word(period: str) -> str:
    return PERIOD_WORDS.get(period, period)
