"""Reminders and alerts of the collaboration tools (the work behind `cxops.collaboration.jobs`).

Each notice is one `Notice` row, shown in the app (to its recipient, or to the whole workspace when
it has none) and, when it names an address, emailed once. The row's `dedupe_key` (kind, object,
day, recipient) is unique per workspace, so running a job twice on one day sends nothing new.

Workspace settings (``workspace.settings["collaboration"]``):
    change_reminder_days   default days before a change to remind (3; a change can set its own)
    change_reminder_emails addresses that get change reminders (besides the in-app notice)
    queue_alert_emails     addresses for missed exception-queue checks (default: leads and up)
    weekly_summary_emails  addresses of the weekly request and decision summary
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cxops.collaboration import selectors
from cxops.collaboration.models import ChangeEvent, Notice, NoticeKind
from cxops.collaboration.services import share_token
from cxops.core.models import ROLE_RANK, Membership, Role, Workspace

log = logging.getLogger(__name__)

DEFAULT_CHANGE_REMINDER_DAYS = 3
LOOKAHEAD_DAYS = 61  # the largest remind_days_before (60) plus the day itself


def collab_settings(workspace: Workspace) -> dict[str, Any]:
    conf = (workspace.settings or {}).get("collaboration")
    return conf if isinstance(conf, dict) else {}


def _emails(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    if not isinstance(value, list | tuple):
        return []
    return [str(v).strip() for v in value if str(v).strip() and "@" in str(v)]


def _url(name: str, **kwargs: Any) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def notify(*, workspace: Workspace, kind: str, key: str, day: date, title: str, body: str, url: str = "",
           recipient: Membership | None = None, email: str = "") -> Notice | None:
    """Create the notice and email it, unless the same notice was made today already (then None)."""
    dedupe = f"{kind}:{key}:{day.isoformat()}:{recipient.pk if recipient else ''}:{email.lower()}"[:200]
    try:
        with transaction.atomic():
            notice = Notice.objects.create(workspace=workspace, kind=kind, dedupe_key=dedupe, day=day,
                                           recipient=recipient, email=email[:254], title=title[:200], body=body,
                                           url=url[:300])
    except IntegrityError:
        return None  # sent before: every job is idempotent per day
    if email:
        try:
            send_mail(subject=title, message=f"{body}\n\n{url}".strip(), from_email=None, recipient_list=[email])
        except OSError:
            # The in-app notice stays; the mail is not retried (the next day's reminder is).
            log.exception("collaboration notice %s (%s) could not be emailed to %s", notice.pk, kind, email)
        else:
            notice.emailed_at = timezone.now()
            notice.save(update_fields=["emailed_at"])
    return notice


def _sent(notices: Iterable[Notice | None]) -> int:
    return sum(1 for n in notices if n is not None)


# --- overdue checklist items ------------------------------------------------------------------------

def overdue_item_reminders(*, workspace: Workspace, today: date | None = None) -> int:
    """Each open item past its due date: its assignee (in the app and by email) or, for an outside
    team, the team's contact email with the team's share link. Once a day per item."""
    today = today or selectors.today_for(workspace)
    sent = 0
    for item in selectors.overdue_items(workspace=workspace, today=today):
        checklist = item.checklist
        title = f"[{workspace.name}] 기한 지난 체크리스트 항목: {item.title}"
        body = (f"체크리스트: {checklist.name} (오픈 {checklist.launch_date.isoformat()})\n"
                f"항목: {item.title}\n기한: {item.due_date.isoformat()} ({(today - item.due_date).days}일 지남)")
        key = f"item:{item.pk}"
        if item.assignee is not None and item.assignee.is_active:
            url = _url("collab_checklist", slug=workspace.slug, checklist_id=checklist.pk)
            sent += _sent([notify(workspace=workspace, kind=NoticeKind.ITEM_OVERDUE, key=key, day=today,
                                  title=title, body=body, url=url, recipient=item.assignee,
                                  email=item.assignee.user.email or "")])
        elif item.outside_team_email:
            team = item.outside_team or item.owner_team
            url = _url("collab_shared_checklist", slug=workspace.slug, token=share_token(checklist, team))
            sent += _sent([notify(workspace=workspace, kind=NoticeKind.ITEM_OVERDUE, key=key, day=today,
                                  title=title, body=body, url=url, email=item.outside_team_email)])
    return sent


# --- change calendar --------------------------------------------------------------------------------

def change_reminder_days(event: ChangeEvent, workspace: Workspace) -> int:
    if event.remind_days_before is not None:
        return event.remind_days_before
    try:
        return max(0, int(collab_settings(workspace).get("change_reminder_days", DEFAULT_CHANGE_REMINDER_DAYS)))
    except (TypeError, ValueError):
        return DEFAULT_CHANGE_REMINDER_DAYS


def change_reminders(*, workspace: Workspace, today: date | None = None) -> int:
    """N days before a change starts: a workspace-wide in-app notice and mails to the configured list."""
    today = today or selectors.today_for(workspace)
    emails = _emails(collab_settings(workspace).get("change_reminder_emails"))
    events = ChangeEvent.objects.filter(workspace=workspace, starts_on__gte=today,
                                        starts_on__lte=today + timedelta(days=LOOKAHEAD_DAYS))
    sent = 0
    for event in events:
        if event.starts_on - timedelta(days=change_reminder_days(event, workspace)) != today:
            continue
        days = (event.starts_on - today).days
        when = "오늘" if days == 0 else f"{days}일 뒤"
        title = f"[{workspace.name}] {when} 시작: {event.title} ({event.get_kind_display()})"
        body = (f"기간: {event.starts_on.isoformat()}" + (f" ~ {event.ends_on.isoformat()}" if event.ends_on else "")
                + f"\n채널: {event.channels or '-'}\n예상 문의 영향: {event.get_expected_impact_display()}"
                + (f"\n\n준비된 답변:\n{event.prepared_answer}" if event.prepared_answer else ""))
        url = _url("collab_change", slug=workspace.slug, event_id=event.pk)
        key = f"change:{event.pk}:{event.starts_on.isoformat()}"  # a moved change is reminded again
        sent += _sent([notify(workspace=workspace, kind=NoticeKind.CHANGE_UPCOMING, key=key, day=today,
                              title=title, body=body, url=url)])
        sent += _sent(notify(workspace=workspace, kind=NoticeKind.CHANGE_UPCOMING, key=key, day=today, title=title,
                             body=body, url=url, email=email) for email in emails)
    return sent


# --- exception queues -------------------------------------------------------------------------------

def queue_alert_recipients(workspace: Workspace) -> list[str]:
    configured = _emails(collab_settings(workspace).get("queue_alert_emails"))
    if configured:
        return configured
    leads = Membership.objects.filter(workspace=workspace, is_active=True).select_related("user")
    return sorted({m.user.email for m in leads if m.user.email and m.role != Role.CLIENT_VIEWER
                   and ROLE_RANK.get(m.role, 0) >= ROLE_RANK[Role.LEAD]})


def queue_check_alerts(*, workspace: Workspace, now: datetime | None = None) -> int:
    """A queue not checked by its daily check time: alert once that day (in the app and by email)."""
    now = now or timezone.now()
    today = now.astimezone(ZoneInfo(workspace.timezone)).date()
    missed = selectors.queues_check_missed(workspace=workspace, now=now)
    if not missed:
        return 0
    emails = queue_alert_recipients(workspace)
    sent = 0
    for queue in missed:
        open_count = queue.items.filter(done_at__isnull=True).count()
        title = f"[{workspace.name}] 예외 큐 미확인: {queue.name} ({queue.check_by:%H:%M}까지)"
        body = f"{queue.name} 큐를 오늘 {queue.check_by:%H:%M}까지 확인하지 않았습니다. 열린 항목 {open_count}건."
        url = _url("collab_queue", slug=workspace.slug, queue_id=queue.pk)
        key = f"queue:{queue.pk}"
        sent += _sent([notify(workspace=workspace, kind=NoticeKind.QUEUE_UNCHECKED, key=key, day=today,
                              title=title, body=body, url=url)])
        sent += _sent(notify(workspace=workspace, kind=NoticeKind.QUEUE_UNCHECKED, key=key, day=today, title=title,
                             body=body, url=url, email=email) for email in emails)
    return sent


# --- weekly request and decision summary -----------------------------------------------------------

def weekly_summary_send(*, workspace: Workspace, today: date | None = None) -> int:
    """The summary of the last full week (Monday to Sunday before `today`), once per week."""
    today = today or selectors.today_for(workspace)
    week_start = today - timedelta(days=today.weekday() + 7)
    summary = selectors.workspace_weekly_summary(workspace=workspace, week_start=week_start)
    title = f"[{workspace.name}] 요청·결정 주간 요약 {summary.start.isoformat()} ~ {summary.end.isoformat()}"
    url = _url("collab_requests_weekly", slug=workspace.slug) + f"?week={week_start.isoformat()}"
    key = f"weekly:{week_start.isoformat()}"
    # The day of a weekly notice is its week, so a second run in the same week sends nothing.
    sent = _sent([notify(workspace=workspace, kind=NoticeKind.WEEKLY_SUMMARY, key=key, day=week_start, title=title,
                         body=summary.as_text(), url=url)])
    sent += _sent(notify(workspace=workspace, kind=NoticeKind.WEEKLY_SUMMARY, key=key, day=week_start, title=title,
                         body=summary.as_text(), url=url, email=email)
                  for email in _emails(collab_settings(workspace).get("weekly_summary_emails")))
    return sent


def for_every_workspace(step: Any, **kwargs: Any) -> int:
    """Run one reminder step for each workspace; one workspace's failure does not stop the others."""
    total = 0
    for workspace in Workspace.objects.order_by("pk"):
        try:
            total += step(workspace=workspace, **kwargs)
        except Exception:
            log.exception("collaboration reminder %s failed for workspace %s", step.__name__, workspace.slug)
    return total
