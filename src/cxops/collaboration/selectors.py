"""Every read of the collaboration domain, scoped by the caller's workspace membership."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from cxops.collaboration.models import (
    CLOSED_ITEM_STATUSES,
    ChangeEvent,
    Checklist,
    ChecklistComment,
    ChecklistItem,
    ChecklistTemplate,
    CollabRequest,
    RequestRevision,
)
from cxops.core.models import Membership, Workspace

if TYPE_CHECKING:
    from cxops.notifications.models import Notification


def today_for(workspace: Workspace) -> date:
    from zoneinfo import ZoneInfo

    return timezone.now().astimezone(ZoneInfo(workspace.timezone)).date()


# --- checklists -------------------------------------------------------------------------------------


def templates_list(*, membership: Membership) -> QuerySet[ChecklistTemplate]:
    return ChecklistTemplate.objects.filter(workspace=membership.workspace).annotate(item_count=Count("items"))


def template_get(*, membership: Membership, template_id: int) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.filter(workspace=membership.workspace, pk=template_id).first()
    if template is None:
        raise Http404
    return template


def checklists_list(*, membership: Membership) -> QuerySet[Checklist]:
    today = today_for(membership.workspace)
    open_q = ~Q(items__status__in=CLOSED_ITEM_STATUSES)
    return Checklist.objects.filter(workspace=membership.workspace).annotate(
        total=Count("items"),
        done=Count("items", filter=Q(items__status__in=CLOSED_ITEM_STATUSES)),
        overdue=Count("items", filter=open_q & Q(items__due_date__lt=today)),
    )


def checklist_get(*, membership: Membership, checklist_id: int) -> Checklist:
    checklist = Checklist.objects.filter(workspace=membership.workspace, pk=checklist_id).first()
    if checklist is None:
        raise Http404
    return checklist


def checklist_items(*, checklist: Checklist) -> QuerySet[ChecklistItem]:
    return checklist.items.select_related("assignee__user").prefetch_related(
        Prefetch("comments", queryset=ChecklistComment.objects.order_by("created_at", "id")))


def item_get(*, membership: Membership, item_id: int) -> ChecklistItem:
    item = ChecklistItem.objects.select_related("checklist__workspace").filter(
        checklist__workspace=membership.workspace, pk=item_id).first()
    if item is None:
        raise Http404
    return item


def comment_file_get(*, workspace: Workspace, comment_id: int, checklist_id: int | None = None) -> ChecklistComment:
    qs = ChecklistComment.objects.filter(item__checklist__workspace=workspace, pk=comment_id).exclude(file="")
    if checklist_id is not None:
        qs = qs.filter(item__checklist_id=checklist_id)
    comment = qs.first()
    if comment is None:
        raise Http404
    return comment


def shared_checklist_get(*, workspace: Workspace, checklist_id: int, version: int) -> Checklist:
    checklist = Checklist.objects.filter(workspace=workspace, pk=checklist_id, share_version=version).first()
    if checklist is None:
        raise Http404
    return checklist


@dataclass


class TeamProgress:
    team: str
    total: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass


class Progress:
    total: int = 0
    done: int = 0
    overdue: int = 0
    teams: list[TeamProgress] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def is_overdue(item: ChecklistItem, today: date) -> bool:
    return item.status not in CLOSED_ITEM_STATUSES and item.due_date < today


def progress(items: list[ChecklistItem], today: date) -> Progress:
    result = Progress()
    teams: dict[str, TeamProgress] = {}
    for item in items:
        team = teams.setdefault(item.outside_team or item.owner_team or "—",
                                TeamProgress(item.outside_team or item.owner_team or "—"))
        for bucket in (result, team):
            bucket.total += 1
            bucket.done += item.status in CLOSED_ITEM_STATUSES
            bucket.overdue += is_overdue(item, today)
    result.teams = sorted(teams.values(), key=lambda t: t.team)
    return result


def overdue_items(*, workspace: Workspace, today: date | None = None) -> QuerySet[ChecklistItem]:
    """Open items past their due date, for reminders."""
    today = today or today_for(workspace)
    return ChecklistItem.objects.filter(checklist__workspace=workspace, due_date__lt=today).exclude(
        status__in=CLOSED_ITEM_STATUSES).select_related("checklist", "assignee__user")


# --- change calendar --------------------------------------------------------------------------------


def changes_between(*, workspace: Workspace, start: date, end: date) -> QuerySet[ChangeEvent]:
    """Changes active on any day of [start, end]."""
    return ChangeEvent.objects.filter(workspace=workspace, starts_on__lte=end).filter(
        Q(ends_on__gte=start) | Q(ends_on__isnull=True, starts_on__gte=start)).order_by("starts_on", "id")


def changes_list(*, membership: Membership, start: date, end: date) -> QuerySet[ChangeEvent]:
    return changes_between(workspace=membership.workspace, start=start, end=end)


def upcoming_changes(*, membership: Membership, days: int = 14) -> QuerySet[ChangeEvent]:
    today = today_for(membership.workspace)
    return changes_between(workspace=membership.workspace, start=today, end=today + timedelta(days=days))


def change_get(*, membership: Membership, event_id: int) -> ChangeEvent:
    event = ChangeEvent.objects.filter(workspace=membership.workspace, pk=event_id).first()
    if event is None:
        raise Http404
    return event


def macros_by_id(*, membership: Membership, ids: list[int]) -> dict[int, Any]:
    from cxops.tickets.selectors import macros_list

    return {m.pk: m for m in macros_list(membership=membership).filter(pk__in=ids)}


def articles_by_id(*, membership: Membership, ids: list[int]) -> dict[int, Any]:
    """Knowledge articles linked from a change (only the workspace's own)."""
    if not ids:
        return {}
    from cxops.knowledge.selectors import articles_by_ids

    return articles_by_ids(workspace_id=membership.workspace_id, ids=ids)


def articles_for_links(*, membership: Membership, limit: int = 300) -> list[Any]:
    """Articles an agent can link to a change, most recently updated first."""
    from cxops.knowledge.selectors import articles_list

    return list(articles_list(membership=membership)[:limit])


# --- request and decision log -----------------------------------------------------------------------


def current_revisions(*, membership: Membership, query: str = "", status: str = "") -> QuerySet[RequestRevision]:
    """The latest revision of each request of the workspace (its current state)."""
    return workspace_current_revisions(workspace=membership.workspace, query=query, status=status)


def workspace_current_revisions(*, workspace: Workspace, query: str = "", status: str = "",
                                ) -> QuerySet[RequestRevision]:
    """`current_revisions` for background jobs, which act for the workspace rather than a member."""
    latest = RequestRevision.objects.filter(request=OuterRef("request")).order_by("-revision").values("pk")[:1]
    qs = RequestRevision.objects.filter(request__workspace=workspace, pk=Subquery(latest)).select_related(
        "request", "owner__user")
    if status:
        qs = qs.filter(status=status)
    if query:
        q = Q()
        for word in query.split()[:5]:
            q &= (Q(title__icontains=word) | Q(body__icontains=word) | Q(decision__icontains=word)
                  | Q(rationale__icontains=word) | Q(department__icontains=word))
        if query.strip().lstrip("R-").isdigit():
            q |= Q(request__number=int(query.strip().lstrip("R-")))
        qs = qs.filter(q)
    return qs.order_by("-request__number")


def request_get(*, membership: Membership, number: int) -> CollabRequest:
    request = CollabRequest.objects.select_related("workspace").filter(
        workspace=membership.workspace, number=number).first()
    if request is None:
        raise Http404
    return request


def request_history(*, request: CollabRequest) -> list[RequestRevision]:
    return list(RequestRevision.objects.filter(request=request).select_related("owner__user").order_by("-revision"))


@dataclass


class WeeklySummary:
    start: date
    end: date
    created: list[RequestRevision]
    decided: list[RequestRevision]
    changed: list[RequestRevision]
    open_count: int

    def as_text(self) -> str:
        lines = [f"요청·결정 주간 요약 {self.start.isoformat()} ~ {self.end.isoformat()}", ""]
        for heading, rows in (("새 요청", self.created), ("결정", self.decided), ("변경", self.changed)):
            lines.append(f"■ {heading} {len(rows)}건")
            for r in rows:
                extra = f" — {r.decision} ({r.decision_date})" if heading == "결정" else f" [{r.get_status_display()}]"
                lines.append(f"- R-{r.request.number} {r.title}{extra}")
            lines.append("")
        lines.append(f"진행 중인 요청: {self.open_count}건")
        return "\n".join(lines)


def weekly_summary(*, membership: Membership, week_start: date) -> WeeklySummary:
    return workspace_weekly_summary(workspace=membership.workspace, week_start=week_start)


def workspace_weekly_summary(*, workspace: Workspace, week_start: date) -> WeeklySummary:
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(workspace.timezone)
    end = week_start + timedelta(days=6)
    since = datetime.combine(week_start, time.min, tzinfo=tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    current = list(workspace_current_revisions(workspace=workspace))
    created = [r for r in current if since <= r.request.created_at < until]
    decided = [r for r in current if r.decision_date and week_start <= r.decision_date <= end]
    touched = set(RequestRevision.objects.filter(
        request__workspace=workspace, created_at__gte=since, created_at__lt=until, revision__gt=1,
    ).values_list("request_id", flat=True))
    changed = [r for r in current if r.request_id in touched and r not in created and r not in decided]
    open_count = sum(1 for r in current if r.status in ("open", "in_review", "decided"))
    return WeeklySummary(start=week_start, end=end, created=created, decided=decided, changed=changed,
                         open_count=open_count)


# --- exception queues -------------------------------------------------------------------------------

@dataclass
class QueueStatus:
    queue: Any
    open: int
    done_today: int
    ageing: dict[str, int]
    oldest: Any
    check_missed: bool


AGE_BUCKETS = (("0-1", 1), ("1-3", 3), ("3-7", 7), ("7+", 10**6))


def _age_bucket(days: float) -> str:
    for label, limit in AGE_BUCKETS:
        if days < limit:
            return label
    return AGE_BUCKETS[-1][0]


def queue_statuses(*, membership: Membership) -> list[QueueStatus]:
    """Daily monitoring: open counts, done today, ageing of open items, and a missed daily check."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from cxops.collaboration.models import ExceptionItem, ExceptionQueue

    tz = ZoneInfo(membership.workspace.timezone)
    now = timezone.now().astimezone(tz)
    midnight = datetime.combine(now.date(), datetime.min.time(), tzinfo=tz)
    queues = list(ExceptionQueue.objects.filter(workspace=membership.workspace).annotate(
        done_today=Count("items", filter=Q(items__done_at__gte=midnight))))
    open_items = ExceptionItem.objects.filter(queue__in=queues, done_at__isnull=True).values_list(
        "queue_id", "created_at")
    ageing: dict[int, dict[str, int]] = {q.pk: {label: 0 for label, _ in AGE_BUCKETS} for q in queues}
    oldest: dict[int, Any] = {}
    for queue_id, created in open_items:
        ageing[queue_id][_age_bucket((now - created).total_seconds() / 86400)] += 1
        if queue_id not in oldest or created < oldest[queue_id]:
            oldest[queue_id] = created
    result = []
    for q in queues:
        deadline = datetime.combine(now.date(), q.check_by, tzinfo=tz) if q.check_by else None
        missed = bool(deadline and now > deadline and (q.last_checked_at is None or q.last_checked_at < midnight))
        result.append(QueueStatus(queue=q, open=sum(ageing[q.pk].values()), done_today=q.done_today,  # type: ignore[attr-defined]
                                  ageing=ageing[q.pk], oldest=oldest.get(q.pk), check_missed=missed))
    return result


def queue_get(*, membership: Membership, queue_id: int) -> Any:
    from cxops.collaboration.models import ExceptionQueue

    queue = ExceptionQueue.objects.filter(workspace=membership.workspace, pk=queue_id).first()
    if queue is None:
        raise Http404
    return queue


def queue_items(*, queue: Any, done: bool = False) -> QuerySet[Any]:
    qs = queue.items.filter(done_at__isnull=not done)
    return qs.order_by("-done_at") if done else qs.order_by("created_at", "id")


def queue_item_get(*, membership: Membership, item_id: int) -> Any:
    from cxops.collaboration.models import ExceptionItem

    item = ExceptionItem.objects.select_related("queue__workspace").filter(
        queue__workspace=membership.workspace, pk=item_id).first()
    if item is None:
        raise Http404
    return item


def request_latest(*, request: CollabRequest) -> RequestRevision:
    revision = RequestRevision.objects.filter(request=request).select_related("owner__user").order_by(
        "-revision").first()
    if revision is None:  # every request is created with its first revision
        raise Http404
    return revision


def member_for_user(*, workspace: Workspace, user_id: int) -> Membership | None:
    """The active membership of a user in the workspace (API callers name people by user id)."""
    return Membership.objects.select_related("user").filter(workspace=workspace, user_id=user_id,
                                                            is_active=True).first()


def queues_check_missed(*, workspace: Workspace, now: Any = None) -> list[Any]:
    """Queues of the workspace whose daily check time has passed today without a check."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from cxops.collaboration.models import ExceptionQueue

    tz = ZoneInfo(workspace.timezone)
    local = (now or timezone.now()).astimezone(tz)
    midnight = datetime.combine(local.date(), datetime.min.time(), tzinfo=tz)
    missed = []
    for queue in ExceptionQueue.objects.filter(workspace=workspace, check_by__isnull=False):
        if queue.check_by is None:
            continue
        deadline = datetime.combine(local.date(), queue.check_by, tzinfo=tz)
        if local > deadline and (queue.last_checked_at is None or queue.last_checked_at < midnight):
            missed.append(queue)
    return missed


def notices_for(*, membership: Membership, limit: int = 20) -> list[Notification]:
    """The member's collaboration reminders and alerts in the notification center, newest first, each
    with `kind_label` (what kind of reminder it is)."""
    from cxops.collaboration.models import REMINDER_KIND_PREFIX, ReminderKind
    from cxops.notifications.selectors import notifications_for

    labels = dict(ReminderKind.choices)
    rows = list(notifications_for(membership=membership, kind_prefix=REMINDER_KIND_PREFIX)[:limit])
    for row in rows:
        row.kind_label = labels.get(row.kind, row.kind)  # type: ignore[attr-defined]
    return rows


# --- the change calendar as forecast events ---------------------------------------------------------

# Expected inquiry multiplier of a day with a change of this impact; a workspace can set its own
# (workspace.settings["collaboration"]["impact_uplift"] = {"low": 1.05, "medium": 1.15, "high": 1.4}).
DEFAULT_IMPACT_UPLIFT: dict[str, float] = {"low": 1.05, "medium": 1.15, "high": 1.4}


def impact_uplift(workspace: Workspace) -> dict[str, float]:
    conf = ((workspace.settings or {}).get("collaboration") or {}).get("impact_uplift") or {}
    factors = dict(DEFAULT_IMPACT_UPLIFT)
    if isinstance(conf, dict):
        for key, value in conf.items():
            if key in factors and isinstance(value, int | float) and 0 < value <= 20:
                factors[key] = float(value)
    return factors


def uplifts_by_day(events: list[tuple[date, date | None, str]], *, start: date, end: date,
                   factors: dict[str, float]) -> dict[date, float]:
    """Pure: per day of [start, end], the largest factor of the changes running that day (overlapping
    changes do not compound); days without a change are left out."""
    result: dict[date, float] = {}
    for starts_on, ends_on, impact in events:
        factor = factors.get(impact)
        if factor is None:
            continue
        day = max(starts_on, start)
        last = min(ends_on or starts_on, end)
        while day <= last:
            result[day] = max(result.get(day, factor), factor)
            day += timedelta(days=1)
    return result


def forecast_uplifts(*, workspace: Workspace, start: date, end: date) -> dict[date, float]:
    """The change calendar as forecast events: `{day: factor}` for the workforce forecast's `uplifts`."""
    events = list(changes_between(workspace=workspace, start=start, end=end).values_list(
        "starts_on", "ends_on", "expected_impact"))
    return uplifts_by_day(events, start=start, end=end, factors=impact_uplift(workspace))
