"""Collaboration objects for API tests (the permission walk needs one of each per tenant)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from cxops.collaboration import services
from cxops.collaboration.models import (
    ChangeEvent,
    ChecklistComment,
    ChecklistItem,
    ExceptionItem,
    ExceptionQueue,
    RequestRevision,
)
from cxops.collaboration.rows import Row
from cxops.collaboration.specs import ItemSpec, TemplateSpec
from cxops.core.models import Membership, Workspace

SMALL_TEMPLATE = TemplateSpec(name="제휴몰 오픈", items=(
    ItemSpec("전화번호 개통", "IT", -5), ItemSpec("매크로 등록", "고객센터 운영", -1), ItemSpec("문의 점검", "제휴사", 3)))


@dataclass
class CollabIds:
    checklist_id: int
    checklist_item_id: int
    event_id: int
    request_number: int
    queue_id: int
    queue_item_id: int

    def as_values(self) -> dict[str, Any]:
        return dict(self.__dict__)


def make_collab_objects(workspace: Workspace, by: Membership, *, requests: int = 1) -> CollabIds:
    checklist = services.checklist_instantiate(workspace=workspace, spec=SMALL_TEMPLATE,
                                               launch_date=date(2026, 10, 5), actor=by.user)
    event = services.change_save(workspace=workspace, actor=by.user, data=services.ChangeInput(
        kind="promotion", title=f"가을 세일 {workspace.slug}", starts_on=timezone.localdate() + timedelta(days=2)))
    number = 0
    for n in range(requests):
        number = services.request_create(workspace=workspace, by=by, data=services.RequestInput(
            title=f"관리 화면 요청 {n}")).number
    queue = services.queue_save(workspace=workspace, by=by,
                                name=f"자동 취소 실패 {ExceptionQueue.objects.filter(workspace=workspace).count() + 1}")
    services.queue_items_add(queue=queue, by=by.user, rows=[Row("ORD-1", "취소 실패"), Row("ORD-2")], source="test")
    return CollabIds(checklist_id=checklist.pk, checklist_item_id=checklist.items.order_by("pk").first().pk,
                     event_id=event.pk, request_number=number, queue_id=queue.pk,
                     queue_item_id=queue.items.order_by("pk").first().pk)


def collab_snapshot(workspace: Workspace) -> tuple[Any, ...]:
    return (
        list(ChecklistItem.objects.filter(checklist__workspace=workspace).order_by("pk").values_list(
            "pk", "status", "assignee", "outside_team")),
        ChecklistComment.objects.filter(item__checklist__workspace=workspace).count(),
        list(ChangeEvent.objects.filter(workspace=workspace).order_by("pk").values_list("pk", "title",
                                                                                        "expected_impact")),
        RequestRevision.objects.filter(request__workspace=workspace).count(),
        list(ExceptionItem.objects.filter(queue__workspace=workspace).order_by("pk").values_list("pk", "done_at")),
    )
