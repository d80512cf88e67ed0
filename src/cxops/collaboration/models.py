"""Team collaboration: launch checklists, the change calendar, and the request and decision log.

Every row belongs to a workspace (directly or through its parent). Request revisions are
append-only: an edit is a new revision, and the current state of a request is its latest one.
"""

from __future__ import annotations

from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _

from cxops.core.models import AppendOnlyModel, Membership, User, Workspace

# --- 1. launch checklists -------------------------------------------------------------------------

class ChecklistTemplate(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="checklist_templates")
    name = models.CharField(_("이름"), max_length=200)
    description = models.TextField(_("설명"), blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ChecklistTemplateItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=200)
    owner_team = models.CharField(max_length=80, blank=True)
    scenario = models.TextField(blank=True)
    offset_business_days = models.IntegerField(default=0)

    class Meta:
        ordering = ["offset_business_days", "position", "id"]


class Checklist(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="checklists")
    name = models.CharField(_("이름"), max_length=200)
    launch_date = models.DateField(_("오픈일"))
    template_name = models.CharField(max_length=200, blank=True)
    # Raising the version revokes every share link handed out before.
    share_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-launch_date", "-id"]

    def __str__(self) -> str:
        return self.name


class ItemStatus(models.TextChoices):
    TODO = "todo", _("할 일")
    IN_PROGRESS = "in_progress", _("진행 중")
    DONE = "done", _("완료")
    SKIPPED = "skipped", _("해당 없음")


CLOSED_ITEM_STATUSES = (ItemStatus.DONE, ItemStatus.SKIPPED)


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("항목"), max_length=200)
    owner_team = models.CharField(_("담당 팀"), max_length=80, blank=True)
    scenario = models.TextField(_("확인 시나리오"), blank=True)
    offset_business_days = models.IntegerField(default=0)
    due_date = models.DateField(_("기한"))
    status = models.CharField(_("상태"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.TODO)
    assignee = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outside_team = models.CharField(_("외부 담당 팀"), max_length=80, blank=True)
    # Where overdue reminders for the outside team go (it has no account).
    outside_team_email = models.EmailField(_("외부 팀 연락 이메일"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by_label = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["due_date", "position", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_ITEM_STATUSES


class ChecklistComment(models.Model):
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    author_label = models.CharField(max_length=120)
    body = models.TextField(blank=True)
    file = models.FileField(upload_to="checklists/%Y/%m/", blank=True)
    filename = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]


# --- 2. change calendar ---------------------------------------------------------------------------

class ChangeKind(models.TextChoices):
    PROMOTION = "promotion", _("프로모션")
    MARKETING = "marketing", _("마케팅 문자·푸시")
    LAUNCH = "launch", _("출시·오픈")
    PRICE_POLICY = "price_policy", _("가격·정책 변경")
    MAINTENANCE = "maintenance", _("점검")


class Impact(models.TextChoices):
    LOW = "low", _("낮음")
    MEDIUM = "medium", _("보통")
    HIGH = "high", _("높음")


class ChangeEvent(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="change_events")
    kind = models.CharField(_("종류"), max_length=20, choices=ChangeKind.choices)
    title = models.CharField(_("제목"), max_length=200)
    starts_on = models.DateField(_("시작일"))
    ends_on = models.DateField(_("종료일"), null=True, blank=True)
    channels = models.CharField(_("채널"), max_length=200, blank=True)
    expected_impact = models.CharField(_("예상 문의 영향"), max_length=10, choices=Impact.choices,
                                       default=Impact.MEDIUM)
    prepared_answer = models.TextField(_("준비된 답변"), blank=True)
    macro_ids = models.JSONField(default=list, blank=True)
    # Knowledge articles (cxops.knowledge.Article ids of the same workspace) agents should read.
    article_ids = models.JSONField(default=list, blank=True)
    # Days before starts_on to remind the workspace; null = the workspace default
    # (workspace.settings["collaboration"]["change_reminder_days"], 3 when unset).
    remind_days_before = models.PositiveSmallIntegerField(_("며칠 전 알림"), null=True, blank=True)
    department = models.CharField(_("요청 부서"), max_length=80, blank=True)
    submitted_by_label = models.CharField(max_length=120, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["starts_on", "id"]
        indexes = [models.Index(fields=["workspace", "starts_on"])]

    def __str__(self) -> str:
        return self.title


# --- 3. request and decision log --------------------------------------------------------------------

class RequestPriority(models.TextChoices):
    LOW = "low", _("낮음")
    NORMAL = "normal", _("보통")
    HIGH = "high", _("높음")
    URGENT = "urgent", _("긴급")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("접수")
    IN_REVIEW = "in_review", _("검토 중")
    DECIDED = "decided", _("결정됨")
    DONE = "done", _("완료")
    REJECTED = "rejected", _("반려")


class CollabRequest(models.Model):
    """The identity of a request (its number); everything it says lives in its revisions."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="collab_requests")
    number = models.PositiveIntegerField()
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["workspace", "number"], name="uniq_collab_request_number")]

    def __str__(self) -> str:
        return f"R-{self.number}"


class RequestRevision(AppendOnlyModel):
    """One immutable, dated state of a request. Never updated or deleted."""

    request = models.ForeignKey(CollabRequest, on_delete=models.PROTECT, related_name="revisions")
    revision = models.PositiveIntegerField()
    title = models.CharField(_("제목"), max_length=200)
    body = models.TextField(_("내용"), blank=True)
    department = models.CharField(_("요청 부서"), max_length=80, blank=True)
    priority = models.CharField(_("우선순위"), max_length=10, choices=RequestPriority.choices,
                                default=RequestPriority.NORMAL)
    status = models.CharField(_("상태"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    owner = models.ForeignKey(Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # [{"name": "물류팀", "position": "자동 취소 실패 건은 물류팀이 매일 확인"}]
    stakeholders = models.JSONField(default=list, blank=True)
    decision = models.TextField(_("결정"), blank=True)
    decision_date = models.DateField(_("결정일"), null=True, blank=True)
    rationale = models.TextField(_("근거"), blank=True)
    ticket_numbers = models.JSONField(default=list, blank=True)
    note = models.CharField(_("수정 메모"), max_length=200, blank=True)
    edited_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    edited_by_label = models.CharField(max_length=120)
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["request", "-revision"]
        constraints = [models.UniqueConstraint(fields=["request", "revision"], name="uniq_request_revision")]

    def __str__(self) -> str:
        return f"{self.request} r{self.revision}: {self.title}"



# --- 4. exception queues ----------------------------------------------------------------------------

class ExceptionQueue(models.Model):
    """A daily list of cases that need a person (orders not auto-cancelled, failed refunds, …)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="exception_queues")
    name = models.CharField(_("이름"), max_length=120)
    description = models.TextField(_("설명"), blank=True)
    check_by = models.TimeField(_("확인 기한 시각"), null=True, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_checked_by_label = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_exception_queue_name")]

    def __str__(self) -> str:
        return self.name


class ExceptionItem(models.Model):
    queue = models.ForeignKey(ExceptionQueue, on_delete=models.CASCADE, related_name="items")
    reference = models.CharField(_("참조 번호"), max_length=120)
    summary = models.TextField(_("내용"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=20, default="manual")
    created_at = models.DateTimeField(default=now, db_index=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    done_by_label = models.CharField(max_length=120, blank=True)
    note = models.CharField(_("처리 메모"), max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["queue", "done_at"])]

    def __str__(self) -> str:
        return self.reference


# --- reminders and alerts ---------------------------------------------------------------------------
# Sent through the notification center (cxops.notifications) by cxops.collaboration.notices; these are
# their kinds there.

REMINDER_KIND_PREFIX = "collab."


class ReminderKind(models.TextChoices):
    ITEM_OVERDUE = "collab.item_overdue", _("체크리스트 기한 지남")
    CHANGE_UPCOMING = "collab.change_upcoming", _("다가오는 변경")
    QUEUE_UNCHECKED = "collab.queue_unchecked", _("예외 큐 미확인")
    WEEKLY_SUMMARY = "collab.weekly_summary", _("요청·결정 주간 요약")
