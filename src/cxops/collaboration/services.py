"""Every write of the collaboration domain: one transaction each, with an audit row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cxops.collaboration.dates import BusinessCalendar
from cxops.collaboration.models import (
    ChangeEvent,
    ChangeKind,
    Checklist,
    ChecklistComment,
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    CollabRequest,
    Impact,
    ItemStatus,
    RequestPriority,
    RequestRevision,
    RequestStatus,
)
from cxops.collaboration.specs import ItemSpec, TemplateSpec
from cxops.core.audit import record
from cxops.core.models import Membership, User, Workspace
from cxops.core.services import ServiceError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def calendar_for(workspace: Workspace) -> BusinessCalendar:
    """The workspace's business calendar: its default SLA business calendar (Korean public holidays and
    weekends unless configured otherwise) plus the checklists' own extra holidays/workdays
    (workspace.settings["business_calendar"] = {"extra_holidays": [...], "extra_workdays": [...]})."""
    from cxops.sla.selectors import calendar_for as sla_calendar_for
    from cxops.sla.selectors import calendar_value

    conf = (workspace.settings or {}).get("business_calendar") or {}
    base = calendar_value(sla_calendar_for(workspace))
    try:
        return BusinessCalendar.from_iso(conf.get("extra_holidays") or (), conf.get("extra_workdays") or (), base)
    except (TypeError, ValueError) as exc:
        raise ServiceError("워크스페이스 영업일 설정의 날짜 형식이 올바르지 않습니다 (YYYY-MM-DD).") from exc


# --- checklists -------------------------------------------------------------------------------------

@transaction.atomic
def template_save(*, workspace: Workspace, spec: TemplateSpec, actor: User | None) -> ChecklistTemplate:
    template = ChecklistTemplate.objects.create(workspace=workspace, name=spec.name, description=spec.description,
                                                created_by=actor)
    ChecklistTemplateItem.objects.bulk_create([
        ChecklistTemplateItem(template=template, position=n, title=i.title, owner_team=i.owner_team,
                              scenario=i.scenario, offset_business_days=i.offset_business_days)
        for n, i in enumerate(spec.items)])
    record(workspace=workspace, actor=actor, action="checklist_template.create", obj=template,
           changes={"items": len(spec.items)})
    return template


def template_spec(template: ChecklistTemplate) -> TemplateSpec:
    return TemplateSpec(name=template.name, description=template.description, items=tuple(
        ItemSpec(title=i.title, owner_team=i.owner_team, offset_business_days=i.offset_business_days,
                 scenario=i.scenario) for i in template.items.all()))


@transaction.atomic
def checklist_instantiate(*, workspace: Workspace, spec: TemplateSpec, launch_date: date, actor: User | None,
                          name: str = "") -> Checklist:
    calendar = calendar_for(workspace)
    checklist = Checklist.objects.create(workspace=workspace, name=(name.strip() or spec.name)[:200],
                                         launch_date=launch_date, template_name=spec.name, created_by=actor)
    ChecklistItem.objects.bulk_create([
        ChecklistItem(checklist=checklist, position=n, title=i.title, owner_team=i.owner_team, scenario=i.scenario,
                      offset_business_days=i.offset_business_days,
                      due_date=calendar.add_business_days(launch_date, i.offset_business_days))
        for n, i in enumerate(spec.items)])
    record(workspace=workspace, actor=actor, action="checklist.create", obj=checklist,
           changes={"launch_date": launch_date.isoformat(), "template": spec.name, "items": len(spec.items)})
    return checklist


def _set_status(item: ChecklistItem, status: str, label: str) -> None:
    if status not in ItemStatus.values:
        raise ServiceError(f"알 수 없는 상태입니다: {status}")
    if status == ItemStatus.DONE and item.status != ItemStatus.DONE:
        item.done_at, item.done_by_label = timezone.now(), label
    elif status != ItemStatus.DONE:
        item.done_at, item.done_by_label = None, ""
    item.status = status


@transaction.atomic
def item_update(*, item: ChecklistItem, by: Membership, status: str, assignee_id: int | None,
                outside_team: str, outside_team_email: str | None = None) -> ChecklistItem:
    before = {"status": item.status, "assignee": item.assignee_id, "outside_team": item.outside_team,
              "outside_team_email": item.outside_team_email}
    if outside_team_email is not None:
        email = outside_team_email.strip()
        if email:
            try:
                validate_email(email)
            except ValidationError as exc:
                raise ServiceError(f"이메일 형식이 올바르지 않습니다: {email}") from exc
        item.outside_team_email = email[:254]
    if assignee_id is not None and not Membership.objects.filter(
            pk=assignee_id, workspace_id=item.checklist.workspace_id, is_active=True).exists():
        raise ServiceError("이 워크스페이스의 구성원만 담당자로 지정할 수 있습니다.")
    _set_status(item, status, by.user.label)
    item.assignee_id = assignee_id
    item.outside_team = outside_team.strip()[:80]
    item.save()
    after = {"status": item.status, "assignee": item.assignee_id, "outside_team": item.outside_team,
             "outside_team_email": item.outside_team_email}
    record(workspace=item.checklist.workspace, actor=by.user, action="checklist_item.update", obj=item,
           changes={k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return item


@transaction.atomic
def item_comment(*, item: ChecklistItem, author: User | None, author_label: str, body: str,
                 upload: UploadedFile | None = None) -> ChecklistComment:
    body = body.strip()
    if not body and upload is None:
        raise ServiceError("댓글 내용이나 첨부 파일을 넣어 주세요.")
    if len(body) > 5000:
        raise ServiceError("댓글은 5,000자 이하로 입력해 주세요.")
    comment = ChecklistComment(item=item, author=author, author_label=author_label[:120], body=body)
    if upload is not None:
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise ServiceError("첨부 파일은 10MB 이하만 올릴 수 있습니다.")
        comment.filename = (upload.name or "file")[:255]
        comment.file.save(comment.filename, upload, save=False)
    comment.save()
    record(workspace=item.checklist.workspace, actor=author, actor_label=author_label, action="checklist_item.comment",
           obj=item, changes={"comment": comment.pk, "file": comment.filename})
    return comment


# Share links for an outside team: a signed token naming the checklist, the team and the link version.
SHARE_SALT = "cxops.collaboration.checklist-share"


def share_token(checklist: Checklist, team: str) -> str:
    team = team.strip()
    if not team:
        raise ServiceError("공유할 외부 팀 이름을 입력해 주세요.")
    return signing.dumps({"w": checklist.workspace_id, "c": checklist.pk, "t": team[:80], "v": checklist.share_version},
                         salt=SHARE_SALT, compress=True)


@dataclass(frozen=True)
class ShareGrant:
    checklist_id: int
    team: str
    version: int


def share_grant(token: str, *, workspace_id: int) -> ShareGrant | None:
    """What a share link opens, or None when the token is forged or for another workspace."""
    try:
        data = signing.loads(token, salt=SHARE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("w") != workspace_id:
        return None
    c, t, v = data.get("c"), data.get("t"), data.get("v")
    if not isinstance(c, int) or not isinstance(t, str) or not isinstance(v, int):
        return None
    return ShareGrant(checklist_id=c, team=t, version=v)


@transaction.atomic
def share_links_revoke(*, checklist: Checklist, by: Membership) -> Checklist:
    checklist.share_version += 1
    checklist.save(update_fields=["share_version"])
    record(workspace=checklist.workspace, actor=by.user, action="checklist.share_revoke", obj=checklist)
    return checklist


@transaction.atomic
def shared_item_set_status(*, item: ChecklistItem, team: str, status: str) -> ChecklistItem:
    """An outside team, through its share link, marks one of its own items."""
    if item.outside_team != team and item.owner_team != team:
        raise PermissionError("이 항목은 공유받은 팀의 항목이 아닙니다.")
    if status not in (ItemStatus.DONE, ItemStatus.IN_PROGRESS, ItemStatus.TODO):
        raise ServiceError(f"알 수 없는 상태입니다: {status}")
    before = item.status
    label = f"{team} (공유 링크)"
    _set_status(item, status, label)
    item.save(update_fields=["status", "done_at", "done_by_label"])
    record(workspace=item.checklist.workspace, actor=None, actor_label=label, action="checklist_item.update",
           obj=item, changes={"status": [before, item.status]})
    return item


# --- change calendar --------------------------------------------------------------------------------

@dataclass
class ChangeInput:
    kind: str
    title: str
    starts_on: date
    ends_on: date | None = None
    channels: str = ""
    expected_impact: str = Impact.MEDIUM
    prepared_answer: str = ""
    department: str = ""
    macro_ids: Sequence[int] = ()
    article_ids: Sequence[int] = ()
    remind_days_before: int | None = None


MAX_REMIND_DAYS = 60


def _validate_articles(workspace: Workspace, article_ids: Sequence[int]) -> list[int]:
    ids = sorted({int(i) for i in article_ids})
    if not ids:
        return []
    from cxops.knowledge.models import Article

    found = set(Article.objects.filter(workspace=workspace, pk__in=ids).values_list("pk", flat=True))
    if set(ids) - found:
        raise ServiceError("이 워크스페이스에 없는 지식 문서가 있습니다.")
    return ids


def _validate_change(workspace: Workspace, data: ChangeInput) -> list[int]:
    if data.kind not in ChangeKind.values:
        raise ServiceError(f"알 수 없는 변경 종류입니다: {data.kind}")
    if data.expected_impact not in Impact.values:
        raise ServiceError(f"알 수 없는 영향 수준입니다: {data.expected_impact}")
    if not data.title.strip():
        raise ServiceError("제목을 입력해 주세요.")
    if data.ends_on and data.ends_on < data.starts_on:
        raise ServiceError("종료일은 시작일과 같거나 뒤여야 합니다.")
    if data.remind_days_before is not None and not 0 <= data.remind_days_before <= MAX_REMIND_DAYS:
        raise ServiceError(f"알림 일수는 0~{MAX_REMIND_DAYS}일 사이로 입력해 주세요.")
    from cxops.tickets.models import Macro

    ids = sorted({int(i) for i in data.macro_ids})
    found = set(Macro.objects.filter(workspace=workspace, pk__in=ids).values_list("pk", flat=True))
    if set(ids) - found:
        raise ServiceError("이 워크스페이스에 없는 매크로가 있습니다.")
    return ids


@transaction.atomic
def change_save(*, workspace: Workspace, data: ChangeInput, actor: User | None, submitted_by_label: str = "",
                event: ChangeEvent | None = None) -> ChangeEvent:
    macro_ids = _validate_change(workspace, data)
    article_ids = _validate_articles(workspace, data.article_ids)
    created = event is None
    event = event or ChangeEvent(workspace=workspace, created_by=actor,
                                 submitted_by_label=(submitted_by_label or (actor.label if actor else ""))[:120])
    for field in ("kind", "starts_on", "ends_on", "expected_impact"):
        setattr(event, field, getattr(data, field))
    event.title = data.title.strip()[:200]
    event.channels = data.channels.strip()[:200]
    event.prepared_answer = data.prepared_answer.strip()
    event.department = data.department.strip()[:80]
    event.macro_ids = macro_ids
    event.article_ids = article_ids
    event.remind_days_before = data.remind_days_before
    event.save()
    record(workspace=workspace, actor=actor, actor_label=submitted_by_label,
           action="change_event.create" if created else "change_event.update", obj=event,
           changes={"kind": event.kind, "starts_on": event.starts_on.isoformat()})
    return event


@transaction.atomic
def change_delete(*, event: ChangeEvent, by: Membership) -> None:
    record(workspace=event.workspace, actor=by.user, action="change_event.delete", obj=event)
    event.delete()


SUBMIT_SALT = "cxops.collaboration.change-submit"


def change_submit_token(workspace: Workspace) -> str:
    version = int((workspace.settings or {}).get("change_submit_version", 1))
    return signing.dumps({"w": workspace.pk, "v": version}, salt=SUBMIT_SALT, compress=True)


def change_submit_token_valid(token: str, *, workspace: Workspace) -> bool:
    try:
        data = signing.loads(token, salt=SUBMIT_SALT)
    except signing.BadSignature:
        return False
    version = int((workspace.settings or {}).get("change_submit_version", 1))
    return isinstance(data, dict) and data.get("w") == workspace.pk and data.get("v") == version


# --- request and decision log -----------------------------------------------------------------------

@dataclass
class RequestInput:
    title: str
    body: str = ""
    department: str = ""
    priority: str = RequestPriority.NORMAL
    status: str = RequestStatus.OPEN
    owner_id: int | None = None
    stakeholders: Sequence[dict[str, str]] = ()
    decision: str = ""
    decision_date: date | None = None
    rationale: str = ""
    ticket_numbers: Iterable[int] = ()


def _validate_request(workspace: Workspace, data: RequestInput) -> dict[str, Any]:
    if not data.title.strip():
        raise ServiceError("제목을 입력해 주세요.")
    if data.priority not in RequestPriority.values:
        raise ServiceError(f"알 수 없는 우선순위입니다: {data.priority}")
    if data.status not in RequestStatus.values:
        raise ServiceError(f"알 수 없는 상태입니다: {data.status}")
    if data.owner_id is not None and not Membership.objects.filter(
            pk=data.owner_id, workspace=workspace, is_active=True).exists():
        raise ServiceError("이 워크스페이스의 구성원만 담당자로 지정할 수 있습니다.")
    numbers = sorted({int(n) for n in data.ticket_numbers})
    if numbers:
        from cxops.tickets.models import Ticket

        found = set(Ticket.objects.filter(workspace=workspace, number__in=numbers).values_list("number", flat=True))
        missing = [n for n in numbers if n not in found]
        if missing:
            raise ServiceError("이 워크스페이스에 없는 티켓 번호입니다: " + ", ".join(f"#{n}" for n in missing))
    if data.decision.strip() and data.decision_date is None:
        raise ServiceError("결정을 기록할 때는 결정일을 함께 입력해 주세요.")
    stakeholders = [{"name": str(s.get("name", "")).strip()[:80], "position": str(s.get("position", "")).strip()}
                    for s in data.stakeholders if str(s.get("name", "")).strip()]
    return {"title": data.title.strip()[:200], "body": data.body.strip(), "department": data.department.strip()[:80],
            "priority": data.priority, "status": data.status, "owner_id": data.owner_id,
            "stakeholders": stakeholders, "decision": data.decision.strip(), "decision_date": data.decision_date,
            "rationale": data.rationale.strip(), "ticket_numbers": numbers}


@transaction.atomic
def request_create(*, workspace: Workspace, by: Membership, data: RequestInput) -> CollabRequest:
    fields = _validate_request(workspace, data)
    Workspace.objects.select_for_update().filter(pk=workspace.pk).first()  # serialise numbering
    last = CollabRequest.objects.filter(workspace=workspace).aggregate(m=Max("number"))["m"] or 0
    request = CollabRequest.objects.create(workspace=workspace, number=last + 1, created_by=by.user)
    RequestRevision.objects.create(request=request, revision=1, edited_by=by.user, edited_by_label=by.user.label,
                                   note="", **fields)
    record(workspace=workspace, actor=by.user, action="collab_request.create", obj=request,
           changes={"title": fields["title"]})
    return request


@transaction.atomic
def request_revise(*, request: CollabRequest, by: Membership, data: RequestInput, note: str = "") -> RequestRevision:
    """Append a new revision; earlier revisions stay exactly as they were."""
    fields = _validate_request(request.workspace, data)
    CollabRequest.objects.select_for_update().filter(pk=request.pk).first()
    latest = RequestRevision.objects.filter(request=request).order_by("-revision").first()
    number = (latest.revision if latest else 0) + 1
    revision = RequestRevision.objects.create(request=request, revision=number, edited_by=by.user,
                                              edited_by_label=by.user.label, note=note.strip()[:200], **fields)
    changed = {}
    if latest is not None:
        for key, value in fields.items():
            old = getattr(latest, key)
            if old != value:
                changed[key] = [str(old), str(value)]
    record(workspace=request.workspace, actor=by.user, action="collab_request.revise", obj=request,
           changes={"revision": number, **changed})
    return revision


# --- exception queues -------------------------------------------------------------------------------

@transaction.atomic
def queue_save(*, workspace: Workspace, by: Membership, name: str, description: str = "",
               check_by: Any = None) -> Any:
    from cxops.collaboration.models import ExceptionQueue

    name = name.strip()
    if not name:
        raise ServiceError("큐 이름을 입력해 주세요.")
    if ExceptionQueue.objects.filter(workspace=workspace, name=name).exists():
        raise ServiceError(f"같은 이름의 큐가 이미 있습니다: {name}")
    queue = ExceptionQueue.objects.create(workspace=workspace, name=name[:120], description=description.strip(),
                                          check_by=check_by)
    record(workspace=workspace, actor=by.user, action="exception_queue.create", obj=queue)
    return queue


@transaction.atomic
def queue_items_add(*, queue: Any, by: User | None, rows: Sequence[Any], source: str) -> int:
    """Add rows (cxops.collaboration.rows.Row); a reference already open in the queue is skipped."""
    from cxops.collaboration.models import ExceptionItem

    open_refs = set(ExceptionItem.objects.filter(queue=queue, done_at__isnull=True).values_list("reference",
                                                                                              flat=True))
    new = []
    for row in rows:
        if row.reference in open_refs:
            continue
        open_refs.add(row.reference)
        new.append(ExceptionItem(queue=queue, reference=row.reference, summary=row.summary, data=row.data,
                                 source=source))
    ExceptionItem.objects.bulk_create(new)
    record(workspace=queue.workspace, actor=by, action="exception_queue.add_items", obj=queue,
           changes={"added": len(new), "skipped": len(rows) - len(new), "source": source})
    return len(new)


@transaction.atomic
def queue_item_done(*, item: Any, by: Membership, note: str = "") -> Any:
    if item.done_at is not None:
        raise ServiceError("이미 처리된 항목입니다.")
    item.done_at, item.done_by, item.done_by_label = timezone.now(), by.user, by.user.label
    item.note = note.strip()[:500]
    item.save(update_fields=["done_at", "done_by", "done_by_label", "note"])
    record(workspace=item.queue.workspace, actor=by.user, action="exception_item.done", obj=item,
           changes={"queue": item.queue.name, "note": item.note})
    return item


@transaction.atomic
def queue_mark_checked(*, queue: Any, by: Membership) -> Any:
    queue.last_checked_at, queue.last_checked_by_label = timezone.now(), by.user.label
    queue.save(update_fields=["last_checked_at", "last_checked_by_label"])
    record(workspace=queue.workspace, actor=by.user, action="exception_queue.check", obj=queue)
    return queue


def request_input_of(revision: RequestRevision) -> RequestInput:
    """The current state of a request as input, to revise one part of it and keep the rest."""
    return RequestInput(title=revision.title, body=revision.body, department=revision.department,
                        priority=revision.priority, status=revision.status, owner_id=revision.owner_id,
                        stakeholders=[dict(s) for s in revision.stakeholders], decision=revision.decision,
                        decision_date=revision.decision_date, rationale=revision.rationale,
                        ticket_numbers=list(revision.ticket_numbers))
