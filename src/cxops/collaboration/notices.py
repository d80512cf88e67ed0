"""Reminders and alerts of the collaboration tools (the work behind `cxops.collaboration.jobs`).

Each goes through the notification center (`cxops.notifications`): members get it in the app (the
bell, /w/<slug>/notifications/ and the checklists page) and by email as their own preference says
(at once, in an hourly or daily digest, or not at all); addresses of no member (an outside team's
contact, a distribution list in the workspace settings) are mailed at once. The dedupe key carries the
day (the week for the weekly summary), so running a job twice in one period sends nothing new.

Who gets what:
    overdue checklist item   its assignee; an outside team's contact email (with the team's share link)
    change N days ahead      every active member, and change_reminder_emails
    queue not checked        leads and up, and queue_alert_emails; urgent: emailed at once (unless off)
    weekly summary           every active member, and weekly_summary_emails

Workspace settings (``workspace.settings["collaboration"]``):
    change_reminder_days   default days before a change to remind (3; a change can set its own)
    change_reminder_emails addresses that get change reminders (besides the members, in the app)
    queue_alert_emails     more addresses for missed exception-queue checks (leads and up always get them)
    weekly_summary_emails  addresses of the weekly request and decision summary
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cxops.collaboration import selectors
from cxops.collaboration.models import ChangeEvent, ReminderKind
from cxops.collaboration.services import share_token
from cxops.core.models import Membership, Workspace
from cxops.notifications.selectors import leads_for, members_by_email
from cxops.notifications.services import email_outside, notify

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


def dedupe_key(kind: str, key: str, period: date) -> str:
    """One reminder per object and period: `collab.<kind>:<object>:<first day of the period>`."""
    return f"{kind}:{key}:{period.isoformat()}"[:200]


def _everyone(workspace: Workspace) -> list[Membership]:
    return list(Membership.objects.filter(workspace=workspace, is_active=True).select_related("user").order_by("id"))


def remind(*, workspace: Workspace, kind: ReminderKind, key: str, period: date, title: str, body: str, url: str,
           members: Iterable[Membership] = (), addresses: Iterable[str] = (), email_now: bool = False) -> int:
    """Send one reminder for `period` to members (those of `addresses` too) through the notification
    center, and mail the addresses of no member. Returns how many notifications and mails were new."""
    dedupe = dedupe_key(kind, key, period)
    listed, outside = members_by_email(workspace=workspace, addresses=addresses)
    made = notify(workspace=workspace, recipients=[*members, *listed], kind=kind, title=title, body=body, url=url,
                  dedupe_key=dedupe, email_now=email_now)
    return len(made) + email_outside(workspace=workspace, addresses=outside, kind=kind, title=title, body=body,
                                     url=url, dedupe_key=dedupe)


# --- overdue checklist items ------------------------------------------------------------------------

def overdue_item_reminders(*, workspace: Workspace, today: date | None = None) -> int:
    """Each open item past its due date: its assignee or, for an outside team, the team's contact email
    with the team's share link. Once a day per item."""
    today = today or selectors.today_for(workspace)
    sent = 0
    for item in selectors.overdue_items(workspace=workspace, today=today):
        checklist = item.checklist
        if item.assignee is not None and item.assignee.is_active:
            members, addresses = [item.assignee], []
            url = reverse("collab_checklist", kwargs={"slug": workspace.slug, "checklist_id": checklist.pk})
        elif item.outside_team_email:
            members, addresses = [], [item.outside_team_email]
            token = share_token(checklist, item.outside_team or item.owner_team)
            url = reverse("collab_shared_checklist", kwargs={"slug": workspace.slug, "token": token})
        else:
            continue
        title = _("기한 지난 체크리스트 항목: %(item)s") % {"item": item.title}
        body = _("체크리스트: %(checklist)s (오픈 %(launch)s)\n항목: %(item)s\n기한: %(due)s (%(days)s일 지남)") % {
            "checklist": checklist.name, "launch": checklist.launch_date.isoformat(), "item": item.title,
            "due": item.due_date.isoformat(), "days": (today - item.due_date).days}
        sent += remind(workspace=workspace, kind=ReminderKind.ITEM_OVERDUE, key=f"item:{item.pk}", period=today,
                       title=title, body=body, url=url, members=members, addresses=addresses)
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
    """N days before a change starts: every member, and the configured list."""
    today = today or selectors.today_for(workspace)
    emails = _emails(collab_settings(workspace).get("change_reminder_emails"))
    events = ChangeEvent.objects.filter(workspace=workspace, starts_on__gte=today,
                                        starts_on__lte=today + timedelta(days=LOOKAHEAD_DAYS))
    members: list[Membership] | None = None
    sent = 0
    for event in events:
        if event.starts_on - timedelta(days=change_reminder_days(event, workspace)) != today:
            continue
        days = (event.starts_on - today).days
        when = _("오늘") if days == 0 else _("%(days)s일 뒤") % {"days": days}
        title = _("%(when)s 시작: %(title)s (%(kind)s)") % {"when": when, "title": event.title,
                                                          "kind": event.get_kind_display()}
        lines = [_("기간: %(start)s") % {"start": event.starts_on.isoformat()}
                 + (f" ~ {event.ends_on.isoformat()}" if event.ends_on else ""),
                 _("채널: %(channels)s") % {"channels": event.channels or "-"},
                 _("예상 문의 영향: %(impact)s") % {"impact": event.get_expected_impact_display()}]
        if event.prepared_answer:
            lines.append("\n" + _("준비된 답변:") + "\n" + event.prepared_answer)
        url = reverse("collab_change", kwargs={"slug": workspace.slug, "event_id": event.pk})
        if members is None:
            members = _everyone(workspace)
        # The start date is part of the key: a moved change is reminded again.
        sent += remind(workspace=workspace, kind=ReminderKind.CHANGE_UPCOMING,
                       key=f"change:{event.pk}:{event.starts_on.isoformat()}", period=today, title=title,
                       body="\n".join(lines), url=url, members=members, addresses=emails)
    return sent


# --- exception queues -------------------------------------------------------------------------------

def queue_check_alerts(*, workspace: Workspace, now: datetime | None = None) -> int:
    """A queue not checked by its daily check time: alert the leads (and the configured list) once
    that day, emailed at once."""
    now = now or timezone.now()
    today = now.astimezone(ZoneInfo(workspace.timezone)).date()
    missed = selectors.queues_check_missed(workspace=workspace, now=now)
    if not missed:
        return 0
    leads = leads_for(workspace=workspace)
    emails = _emails(collab_settings(workspace).get("queue_alert_emails"))
    sent = 0
    for queue in missed:
        values = {"queue": queue.name, "time": f"{queue.check_by:%H:%M}",
                  "count": queue.items.filter(done_at__isnull=True).count()}
        sent += remind(workspace=workspace, kind=ReminderKind.QUEUE_UNCHECKED, key=f"queue:{queue.pk}", period=today,
                       title=_("예외 큐 미확인: %(queue)s (%(time)s까지)") % values,
                       body=_("%(queue)s 큐를 오늘 %(time)s까지 확인하지 않았습니다. 열린 항목 %(count)s건.") % values,
                       url=reverse("collab_queue", kwargs={"slug": workspace.slug, "queue_id": queue.pk}),
                       members=leads, addresses=emails, email_now=True)
    return sent


# --- weekly request and decision summary -----------------------------------------------------------

def weekly_summary_send(*, workspace: Workspace, today: date | None = None) -> int:
    """The summary of the last full week (Monday to Sunday before `today`), once per week: every
    member, and the configured list."""
    today = today or selectors.today_for(workspace)
    week_start = today - timedelta(days=today.weekday() + 7)
    summary = selectors.workspace_weekly_summary(workspace=workspace, week_start=week_start)
    title = _("요청·결정 주간 요약 %(start)s ~ %(end)s") % {"start": summary.start.isoformat(),
                                                      "end": summary.end.isoformat()}
    url = reverse("collab_requests_weekly", kwargs={"slug": workspace.slug}) + f"?week={week_start.isoformat()}"
    # The period of a weekly reminder is its week, so a second run in the same week sends nothing.
    return remind(workspace=workspace, kind=ReminderKind.WEEKLY_SUMMARY, key=f"weekly:{week_start.isoformat()}",
                  period=week_start, title=title, body=summary.as_text(), url=url, members=_everyone(workspace),
                  addresses=_emails(collab_settings(workspace).get("weekly_summary_emails")))


def for_every_workspace(step: Any, **kwargs: Any) -> int:
    """Run one reminder step for each workspace; one workspace's failure does not stop the others."""
    total = 0
    for workspace in Workspace.objects.order_by("pk"):
        try:
            total += step(workspace=workspace, **kwargs)
        except Exception:
            log.exception("collaboration reminder %s failed for workspace %s", step.__name__, workspace.slug)
    return total
