"""Writes for the Allbaro kit: run a check on a ticket's attachments, reply with it, settings, reminders."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from cxops.core import audit
from cxops.core.models import Membership, Role, Workspace
from cxops.core.services import ServiceError
from cxops.kits.allbaro import check, explain
from cxops.kits.allbaro.models import CheckRun, CheckStatus, KitSettings, Reminder
from cxops.kits.allbaro.parsing import FileError, detect_kind, load
from cxops.tickets.models import Attachment, Message, Ticket
from cxops.tickets.services import ticket_reply

log = logging.getLogger(__name__)
KIND_LABEL = {"manifests": "인계서진행상황", "generation": "발생량", "opening": "이월량"}


def _require_writer(by: Membership, workspace_id: int) -> None:
    if by.workspace_id != workspace_id or not by.can_write:
        raise PermissionError("이 워크스페이스에서 변경할 권한이 없습니다.")


def check_run_create(*, ticket: Ticket, by: Membership, attachment_ids: list[int], year: int) -> CheckRun:
    """Reconcile the chosen attachments of `ticket` (kinds recognised by their header rows) and save the result."""
    _require_writer(by, ticket.workspace_id)
    if not 2000 <= year <= 2100:
        raise ServiceError("보고 연도를 확인해 주세요.")
    attachments = list(Attachment.objects.filter(workspace_id=ticket.workspace_id, message__ticket_id=ticket.pk,
                                                 pk__in=attachment_ids))
    if not attachments:
        raise ServiceError("점검할 첨부파일(인계서진행상황, 발생량)을 골라 주세요.")
    chosen: dict[str, tuple[str, bytes]] = {}
    files: list[dict[str, Any]] = []
    for attachment in attachments:
        with attachment.file.open("rb") as handle:
            data = handle.read()
        kind = detect_kind(data, attachment.filename)
        if kind is None:
            raise ServiceError(f"‘{attachment.filename}’은 인계서진행상황·발생량·이월량 파일로 보이지 않습니다. "
                               "올바로시스템에서 내려받은 머리글(첫 행)이 그대로인지 확인해 주세요.")
        if kind in chosen:
            raise ServiceError(f"{KIND_LABEL[kind]} 파일을 두 개 골랐습니다: ‘{chosen[kind][0]}’, ‘{attachment.filename}’.")
        chosen[kind] = (attachment.filename, data)
        files.append({"attachment_id": attachment.pk, "filename": attachment.filename, "kind": kind})
    for kind in ("manifests", "generation"):
        if kind not in chosen:
            raise ServiceError(f"{KIND_LABEL[kind]} 파일이 필요합니다. 고객이 보낸 파일 중에서 골라 주세요.")
    try:
        parsed = load(manifests=chosen["manifests"], generation=chosen["generation"], opening=chosen.get("opening"))
    except FileError as exc:
        raise ServiceError(str(exc)) from exc
    _result, data = check.run(parsed, year=year)
    status = (CheckStatus.ERRORS if parsed.errors else CheckStatus.READY if data["summary"]["ready"]
              else CheckStatus.ISSUES)
    with transaction.atomic():
        run = CheckRun.objects.create(workspace_id=ticket.workspace_id, ticket=ticket, customer_id=ticket.customer_id,
                                      year=year, status=status, issue_count=len(data["issues"]),
                                      error_count=len(parsed.errors), files=files, result=data, created_by=by.user)
        audit.record(workspace=ticket.workspace, actor=by.user, action="allbaro.check", obj=run,
                     changes={"ticket": [None, ticket.number], "status": [None, status]})
    return run


MAX_GUIDE_LINKS = 3


def guide_links(*, run: CheckRun) -> list[tuple[str, str]]:
    """Public help-center guides matching the problems found (one query per kind of problem), as
    (title, absolute URL); none when the workspace's knowledge base has nothing above the threshold."""
    from cxops.knowledge.suggest import suggest_many

    letters = list(dict.fromkeys(str(issue["type"]) for issue in run.result.get("issues", [])))
    queries = [f"올바로시스템 {explain.TYPE_BY_LETTER[letter].title} 정정 방법" for letter in letters
               if letter in explain.TYPE_BY_LETTER]
    if not queries:
        queries = ["올바로시스템 실적보고 방법"]
    slug = Workspace.objects.values_list("slug", flat=True).get(pk=run.workspace_id)
    links: dict[int, tuple[str, str]] = {}
    for hits in suggest_many(run.workspace_id, queries, k=1):
        for hit in hits:
            url = settings.SITE_URL + reverse("kb_help_article", kwargs={"slug": slug, "article_id": hit.article.id})
            links.setdefault(hit.article.id, (hit.article.title, url))
    return list(links.values())[:MAX_GUIDE_LINKS]


def reply_body(*, run: CheckRun) -> str:
    customer = run.customer.name if run.customer else ""
    ends: dict[str, int] = {}
    for row in run.result.get("ledger", []):
        if row["month"] == 12:
            ends[row["waste_code"]] = ends.get(row["waste_code"], 0) + round(row["storage_end_t"] * 1_000_000_000)
    return explain.reply_text(customer_name=customer, year=run.year, issues=run.result.get("issues", []),
                              year_end_by_code=ends, guide_links=guide_links(run=run))


def check_reply(*, run: CheckRun, by: Membership, body_text: str = "") -> Message:
    """Send the findings to the customer on the run's ticket (the agent may have edited the text)."""
    _require_writer(by, run.workspace_id)
    if run.ticket is None:
        raise ServiceError("이 점검은 티켓에 연결되어 있지 않아 답변할 수 없습니다.")
    message = ticket_reply(ticket=run.ticket, by=by, body_text=body_text.strip() or reply_body(run=run))
    audit.record(workspace=run.ticket.workspace, actor=by.user, action="allbaro.reply", obj=run,
                 changes={"message_id": [None, message.pk]})
    return message


def kit_settings_update(*, workspace: Workspace, by: Membership, enabled: bool, reminders_enabled: bool,
                        reminder_day: int) -> KitSettings:
    if by.workspace_id != workspace.pk or not by.has_role(Role.ADMIN):
        raise PermissionError("관리자만 Allbaro 설정을 바꿀 수 있습니다.")
    if not 1 <= reminder_day <= 28:
        raise ServiceError("알림 날짜는 1일부터 28일 사이로 정해 주세요.")
    with transaction.atomic():
        kit, _ = KitSettings.objects.select_for_update().get_or_create(workspace=workspace)
        before = {"enabled": kit.enabled, "reminders_enabled": kit.reminders_enabled, "reminder_day": kit.reminder_day}
        kit.enabled, kit.reminders_enabled, kit.reminder_day = enabled, reminders_enabled, reminder_day
        kit.save()
        audit.record(workspace=workspace, actor=by.user, action="allbaro.settings", obj=kit,
                     changes=audit.diff(before, {"enabled": enabled, "reminders_enabled": reminders_enabled,
                                                 "reminder_day": reminder_day}))
    return kit


REMINDER_SUBJECT = "[{workspace}] {month}월 폐기물 관리대장을 올바로시스템에서 생성해 주세요"
REMINDER_BODY = (
    "{name} 담당자님, 안녕하세요. {workspace}입니다.\n\n"
    "지난달({prev}) 인계서 확정과 발생량 등록을 마치셨다면 올바로시스템에서 월별 관리대장을 생성해 주세요.\n"
    "월마다 대장을 만들어 두면 보관량이 맞지 않는 곳을 바로 찾을 수 있고, 2월 말 실적보고가 훨씬 쉬워집니다.\n\n"
    "점검할 것:\n"
    "- 인계서마다 같은 날짜에 발생량이 등록되었는지 (보관량 음수 방지)\n"
    "- 예약만 된 인계서나 오류(M) 인계서가 없는지 (오류는 3일 이내 정정)\n"
    "- 발생량 단위(Ton/kg)와 폐기물코드가 인계서와 같은지\n\n"
    "인계서진행상황과 발생량 엑셀 파일을 이 메일에 회신으로 보내 주시면 저희가 대장을 점검해 드립니다.\n"
)


def reminders_send(*, today: date) -> int:
    """Monthly 'generate your ledger' emails for workspaces that enable them; at most one per customer and month."""
    from cxops.kits.allbaro.selectors import allbaro_customers

    month = today.strftime("%Y-%m")
    prev = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1).strftime("%Y-%m")
    sent = 0
    kits = KitSettings.objects.filter(enabled=True, reminders_enabled=True, reminder_day__lte=today.day)
    for kit in kits.select_related("workspace"):
        workspace = kit.workspace
        already = set(Reminder.objects.filter(workspace=workspace, month=month).values_list("customer_id", flat=True))
        for customer in allbaro_customers(workspace_id=workspace.pk).exclude(pk__in=already):
            email = next((e for e in customer.emails if e), "")
            if not email:
                continue
            try:
                with transaction.atomic():
                    Reminder.objects.create(workspace=workspace, customer=customer, month=month, email=email)
            except IntegrityError:  # another consumer sent it
                continue
            try:
                send_mail(REMINDER_SUBJECT.format(workspace=workspace.name, month=today.month),
                          REMINDER_BODY.format(name=customer.name or "고객", workspace=workspace.name, prev=prev),
                          None, [email])
            except OSError:
                log.exception("allbaro reminder to customer %s of workspace %s failed", customer.pk, workspace.slug)
                Reminder.objects.filter(workspace=workspace, customer=customer, month=month).delete()
                continue
            sent += 1
    return sent
