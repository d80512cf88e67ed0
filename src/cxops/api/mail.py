"""The email channel (workspace admins only): mailboxes with their connection test and "poll now",
and the quarantine of received mail that could not become a ticket.

Adapters only: the rules live in cxops.mail.services. Mailbox passwords are write-only: they are
stored encrypted (cxops.mail.secrets) and no response ever carries them, only whether one is set.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import FileResponse, Http404, HttpRequest
from ninja import Path, Query, Router
from ninja import Status as HttpStatus
from pydantic import Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from cxops.api.access import admin
from cxops.api.errors import error_responses
from cxops.api.pagination import SortKey, paginate
from cxops.api.schemas import MAX_ID, ApiBody, ApiSchema, PageFilters, WorkspaceSlug
from cxops.core.services import ServiceError
from cxops.mail import jobs, selectors, services
from cxops.mail.models import Mailbox, QuarantinedEmail, QuarantineReason, QuarantineStatus, Security
from cxops.mail.transport import connection_test
from cxops.tickets.models import Ticket

log = logging.getLogger(__name__)

router = Router(tags=["mail"])

MailboxId = Annotated[int, Path(ge=1, le=MAX_ID, description="메일함 id")]
QuarantineId = Annotated[int, Path(ge=1, le=MAX_ID, description="격리 메일 id")]

MSG_INACTIVE = "사용 중지된 메일함입니다. is_active를 true로 바꾼 뒤 다시 요청해 주세요."

Host = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\s/]+$", description="호스트 이름 또는 IP")]
Port = Annotated[int, Field(ge=1, le=65535)]
Password = Annotated[str, Field(max_length=500)]


def _email(value: str) -> str:
    value = value.strip()
    try:
        validate_email(value)
    except DjangoValidationError as exc:
        raise ValueError("메일 주소 형식이 올바르지 않습니다 (예: cs@shop.co.kr).") from exc
    return value


# --- mailboxes ------------------------------------------------------------------------------------

class MailboxOut(ApiSchema):
    id: int
    name: str
    address: str
    from_name: str = Field(description="답장의 보내는 사람 이름 (비면 워크스페이스 이름)")
    imap_host: str
    imap_port: int
    imap_security: Security
    imap_user: str
    imap_folder: str
    imap_password_set: bool = Field(description="IMAP 비밀번호가 저장되어 있는지 (비밀번호 자체는 돌려주지 않습니다)")
    smtp_host: str
    smtp_port: int
    smtp_security: Security
    smtp_user: str
    smtp_password_set: bool = Field(description="SMTP 비밀번호가 저장되어 있는지")
    is_active: bool = Field(description="1분마다 새 메일을 가져오는지")
    last_uid: int = Field(description="마지막으로 가져온 IMAP UID")
    last_polled_at: datetime | None
    last_poll_ok: bool | None = Field(description="마지막 가져오기 성공 여부 (null: 아직 안 함)")
    last_error: str
    received_count: int
    skipped_count: int = Field(description="중복·자동 응답·메일링 리스트 등으로 티켓을 만들지 않은 메일 수")
    quarantined_count: int
    created_at: datetime

    @classmethod
    def of(cls, mailbox: Mailbox) -> MailboxOut:
        return cls(
            id=mailbox.pk, name=mailbox.name, address=mailbox.address, from_name=mailbox.from_name,
            imap_host=mailbox.imap_host, imap_port=mailbox.imap_port, imap_security=Security(mailbox.imap_security),
            imap_user=mailbox.imap_user, imap_folder=mailbox.imap_folder,
            imap_password_set=bool(mailbox.imap_password_enc), smtp_host=mailbox.smtp_host,
            smtp_port=mailbox.smtp_port, smtp_security=Security(mailbox.smtp_security), smtp_user=mailbox.smtp_user,
            smtp_password_set=bool(mailbox.smtp_password_enc), is_active=mailbox.is_active,
            last_uid=mailbox.last_uid, last_polled_at=mailbox.last_polled_at, last_poll_ok=mailbox.last_poll_ok,
            last_error=mailbox.last_error, received_count=mailbox.received_count,
            skipped_count=mailbox.skipped_count, quarantined_count=mailbox.quarantined_count,
            created_at=mailbox.created_at)


class MailboxList:
    class Page(ApiSchema):
        items: list[MailboxOut]
        next_cursor: str | None


@router.get("/workspaces/{slug:slug}/mailboxes", response={200: MailboxList.Page, **error_responses()},
            summary="메일함 목록 (관리자)")
def mailbox_list(request: HttpRequest, slug: WorkspaceSlug, filters: Query[PageFilters]) -> dict[str, Any]:
    membership = admin(request, slug)
    rows, next_cursor = paginate(selectors.mailboxes_list(membership=membership), keys=[SortKey("id", False, "int")],
                                 cursor=filters.cursor, limit=filters.limit, tag="mailboxes")
    return {"items": [MailboxOut.of(m) for m in rows], "next_cursor": next_cursor}


class MailboxCreate:
    class Input(ApiBody):
        address: str = Field(min_length=3, max_length=200, description="고객이 메일을 보내는 주소 (cs@shop.co.kr)")
        name: str = Field("", max_length=80)
        from_name: str = Field("", max_length=80)
        imap_host: Host
        imap_port: Port = 993
        imap_security: Security = Security.SSL
        imap_user: str = Field(min_length=1, max_length=200)
        imap_password: Password = Field("", description="쓰기 전용: 응답에 나오지 않습니다")
        imap_folder: str = Field("INBOX", min_length=1, max_length=120)
        smtp_host: Host
        smtp_port: Port = 587
        smtp_security: Security = Security.STARTTLS
        smtp_user: str = Field("", max_length=200, description="비우면 SMTP 로그인을 하지 않습니다")
        smtp_password: Password = Field("", description="쓰기 전용: 응답에 나오지 않습니다")
        is_active: bool = True

        _address = field_validator("address")(_email)


@router.post("/workspaces/{slug:slug}/mailboxes", response={201: MailboxOut, **error_responses()},
             summary="메일함 등록 (관리자)",
             description="비밀번호는 암호화해 저장하며 어떤 응답에도 나오지 않습니다. 등록한 뒤 "
                         "`POST …/mailboxes/{id}/test`로 연결을 확인하세요.")
def mailbox_create(request: HttpRequest, slug: WorkspaceSlug, payload: MailboxCreate.Input) -> HttpStatus[MailboxOut]:
    membership = admin(request, slug)
    values = payload.model_dump()
    imap_password, smtp_password = values.pop("imap_password"), values.pop("smtp_password")
    mailbox = services.mailbox_save(workspace=membership.workspace, by=membership, imap_password=imap_password,
                                    smtp_password=smtp_password, **values)
    return HttpStatus(201, MailboxOut.of(mailbox))


@router.get("/workspaces/{slug:slug}/mailboxes/{int:mailbox_id}", response={200: MailboxOut, **error_responses()},
            summary="메일함 한 건 (관리자)")
def mailbox_detail(request: HttpRequest, slug: WorkspaceSlug, mailbox_id: MailboxId) -> MailboxOut:
    return MailboxOut.of(selectors.mailbox_get(membership=admin(request, slug), mailbox_id=mailbox_id))


class MailboxUpdate:
    class Input(ApiBody):
        """Only the keys sent are changed. A password left out keeps the stored one; "" clears it."""

        NOT_NULL: ClassVar[tuple[str, ...]] = (
            "address", "name", "from_name", "imap_host", "imap_port", "imap_security", "imap_user", "imap_password",
            "imap_folder", "smtp_host", "smtp_port", "smtp_security", "smtp_user", "smtp_password", "is_active")

        address: Annotated[str, Field(min_length=3, max_length=200)] | SkipJsonSchema[None] = None
        name: Annotated[str, Field(max_length=80)] | SkipJsonSchema[None] = None
        from_name: Annotated[str, Field(max_length=80)] | SkipJsonSchema[None] = None
        imap_host: Host | SkipJsonSchema[None] = None
        imap_port: Port | SkipJsonSchema[None] = None
        imap_security: Security | SkipJsonSchema[None] = None
        imap_user: Annotated[str, Field(min_length=1, max_length=200)] | SkipJsonSchema[None] = None
        imap_password: Password | SkipJsonSchema[None] = Field(
            None, description="쓰기 전용. 보내지 않으면 저장된 비밀번호를 그대로 씁니다. 빈 문자열이면 지웁니다.")
        imap_folder: Annotated[str, Field(min_length=1, max_length=120)] | SkipJsonSchema[None] = Field(
            None, description="바꾸면 그 폴더의 메일을 처음부터 다시 읽습니다 (이미 받은 메일은 중복으로 건너뜁니다).")
        smtp_host: Host | SkipJsonSchema[None] = None
        smtp_port: Port | SkipJsonSchema[None] = None
        smtp_security: Security | SkipJsonSchema[None] = None
        smtp_user: Annotated[str, Field(max_length=200)] | SkipJsonSchema[None] = None
        smtp_password: Password | SkipJsonSchema[None] = Field(
            None, description="쓰기 전용. 보내지 않으면 저장된 비밀번호를 그대로 씁니다. 빈 문자열이면 지웁니다.")
        is_active: bool | SkipJsonSchema[None] = None

        @field_validator("address")
        @classmethod
        def _address(cls, value: str | None) -> str | None:
            return None if value is None else _email(value)


@router.patch("/workspaces/{slug:slug}/mailboxes/{int:mailbox_id}", response={200: MailboxOut, **error_responses()},
              summary="메일함 설정 바꾸기 (관리자)")
def mailbox_update(request: HttpRequest, slug: WorkspaceSlug, mailbox_id: MailboxId,
                   payload: MailboxUpdate.Input) -> MailboxOut:
    membership = admin(request, slug)
    mailbox = selectors.mailbox_get(membership=membership, mailbox_id=mailbox_id)
    values = payload.model_dump(exclude_unset=True)
    imap_password, smtp_password = values.pop("imap_password", None), values.pop("smtp_password", None)
    mailbox = services.mailbox_save(workspace=membership.workspace, by=membership, mailbox=mailbox,
                                    imap_password=imap_password, smtp_password=smtp_password, **values)
    return MailboxOut.of(mailbox)


@router.delete("/workspaces/{slug:slug}/mailboxes/{int:mailbox_id}", response={204: None, **error_responses()},
               summary="메일함 삭제 (관리자)",
               description="이미 받은 메일과 티켓은 남습니다. 이 메일함의 격리 메일은 메일함 없이 남습니다.")
def mailbox_delete(request: HttpRequest, slug: WorkspaceSlug, mailbox_id: MailboxId) -> HttpStatus[None]:
    membership = admin(request, slug)
    services.mailbox_delete(mailbox=selectors.mailbox_get(membership=membership, mailbox_id=mailbox_id),
                            by=membership)
    return HttpStatus(204, None)


class MailboxTest:
    class Result(ApiSchema):
        ok: bool
        message: str = Field(description="결과 설명 (한국어; 실패하면 확인할 점)")

    class Output(ApiSchema):
        ok: bool = Field(description="IMAP과 SMTP 모두 성공")
        imap: MailboxTest.Result
        smtp: MailboxTest.Result


@router.post("/workspaces/{slug:slug}/mailboxes/{int:mailbox_id}/test",
             response={200: MailboxTest.Output, **error_responses()}, summary="메일함 연결 테스트 (관리자)",
             description="IMAP에 로그인해 받은편지함 폴더를 열고, SMTP에 접속해(사용자가 있으면 로그인까지) "
                         "확인합니다. 메일을 보내거나 읽음 표시를 바꾸지 않습니다. 연결 실패도 200으로 "
                         "돌려주며 ok와 message에 결과가 있습니다.")
def mailbox_test(request: HttpRequest, slug: WorkspaceSlug, mailbox_id: MailboxId) -> MailboxTest.Output:
    mailbox = selectors.mailbox_get(membership=admin(request, slug), mailbox_id=mailbox_id)
    report = connection_test(mailbox)
    return MailboxTest.Output(ok=report.ok, imap=MailboxTest.Result(ok=report.imap_ok, message=report.imap_message),
                              smtp=MailboxTest.Result(ok=report.smtp_ok, message=report.smtp_message))


class MailboxPoll:
    class Output(ApiSchema):
        queued: bool
        mailbox_id: int
        message: str


@router.post("/workspaces/{slug:slug}/mailboxes/{int:mailbox_id}/poll",
             response={202: MailboxPoll.Output, **error_responses()}, summary="지금 새 메일 가져오기 (관리자)",
             description="가져오기 작업을 큐에 넣고 바로 응답합니다. 같은 메일함을 이미 가져오는 중이면 그 작업이 "
                         "끝난 뒤 다음 주기에 가져옵니다. 결과는 메일함의 last_polled_at·last_poll_ok·"
                         "last_error와 received_count로 확인합니다.")
def mailbox_poll_now(request: HttpRequest, slug: WorkspaceSlug, mailbox_id: MailboxId) -> HttpStatus[Any]:
    mailbox = selectors.mailbox_get(membership=admin(request, slug), mailbox_id=mailbox_id)
    if not mailbox.is_active:
        raise ServiceError(MSG_INACTIVE)
    jobs.mailbox_poll(mailbox.pk)
    return HttpStatus(202, MailboxPoll.Output(queued=True, mailbox_id=mailbox.pk,
                                              message="새 메일 가져오기를 요청했습니다."))


# --- quarantine -----------------------------------------------------------------------------------

class QuarantineOut(ApiSchema):
    id: int
    mailbox_id: int | None = Field(description="받은 메일함 (삭제되었으면 null)")
    mailbox_address: str
    status: QuarantineStatus = Field(description="held(격리됨), reprocessed(재처리됨), discarded(폐기됨)")
    reason: QuarantineReason
    reason_label: str
    detail: str = Field(description="격리한 이유의 자세한 설명")
    subject_hint: str = Field(description="제목 (해석할 수 있었던 만큼)")
    from_hint: str
    message_id: str
    size: int = Field(description="원본 크기 (바이트)")
    imap_uid: int | None
    ticket_number: int | None = Field(description="재처리로 들어간 티켓 번호")
    received_at: datetime
    resolved_at: datetime | None

    @classmethod
    def of(cls, item: QuarantinedEmail) -> QuarantineOut:
        return cls(
            id=item.pk, mailbox_id=item.mailbox_id, mailbox_address=item.mailbox.address if item.mailbox else "",
            status=QuarantineStatus(item.status), reason=QuarantineReason(item.reason), reason_label=item.reason_label,
            detail=item.detail, subject_hint=item.subject_hint, from_hint=item.from_hint, message_id=item.message_id,
            size=item.size, imap_uid=item.imap_uid, ticket_number=item.ticket.number if item.ticket else None,
            received_at=item.received_at, resolved_at=item.resolved_at)


class QuarantineList:
    class Filters(PageFilters):
        status: QuarantineStatus | Literal["all"] = Field(QuarantineStatus.HELD,
                                                          description="held(기본), reprocessed, discarded, all")

    class Page(ApiSchema):
        items: list[QuarantineOut]
        next_cursor: str | None


QUARANTINE_KEYS = [SortKey("received_at", True, "datetime"), SortKey("id", True, "int")]


@router.get("/workspaces/{slug:slug}/mail-quarantine", response={200: QuarantineList.Page, **error_responses()},
            summary="메일 격리함 (관리자, 최근 것부터)")
def quarantine_list(request: HttpRequest, slug: WorkspaceSlug, filters: Query[QuarantineList.Filters]
                    ) -> dict[str, Any]:
    membership = admin(request, slug)
    status = "" if filters.status == "all" else str(filters.status)
    rows, next_cursor = paginate(selectors.quarantine_list(membership=membership, status=status),
                                 keys=QUARANTINE_KEYS, cursor=filters.cursor, limit=filters.limit,
                                 tag=f"mail-quarantine:{filters.status}")
    return {"items": [QuarantineOut.of(item) for item in rows], "next_cursor": next_cursor}


@router.get("/workspaces/{slug:slug}/mail-quarantine/{int:quarantine_id}",
            response={200: QuarantineOut, **error_responses()}, summary="격리 메일 한 건 (관리자)")
def quarantine_detail(request: HttpRequest, slug: WorkspaceSlug, quarantine_id: QuarantineId) -> QuarantineOut:
    return QuarantineOut.of(selectors.quarantine_get(membership=admin(request, slug), item_id=quarantine_id))


@router.get("/workspaces/{slug:slug}/mail-quarantine/{int:quarantine_id}/raw",
            response={200: None, **error_responses()}, summary="격리 메일 원본 내려받기 (관리자, .eml)",
            openapi_extra={"responses": {200: {"description": "원본 메일 (message/rfc822)",
                                                 "content": {"message/rfc822": {"schema": {
                                                     "type": "string", "format": "binary"}}}}}})
def quarantine_raw(request: HttpRequest, slug: WorkspaceSlug, quarantine_id: QuarantineId) -> FileResponse:
    item = selectors.quarantine_get(membership=admin(request, slug), item_id=quarantine_id)
    try:
        handle = item.raw.open("rb")
    except FileNotFoundError as exc:
        log.error("quarantined mail %s: raw file %s is missing from storage", item.pk, item.raw.name)
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=f"quarantine-{item.pk}.eml",
                            content_type="message/rfc822")
    # The original is untrusted: never rendered by the browser.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class QuarantineReprocess:
    class Output(ApiSchema):
        result: Literal["created", "followup", "duplicate", "note", "skipped", "quarantined"] = Field(
            description="created(새 티켓), followup(기존 티켓에 추가), duplicate(이미 받은 메일), note(자동 응답·반송 "
                        "메모), skipped(자동 발송·메일링 리스트라 건너뜀)")
        ticket_number: int | None
        message_id: int | None = Field(description="만들어진 타임라인 메시지 id")
        reason: str
        item: QuarantineOut


@router.post("/workspaces/{slug:slug}/mail-quarantine/{int:quarantine_id}/reprocess",
             response={200: QuarantineReprocess.Output, **error_responses()},
             summary="격리 메일 다시 처리 (관리자)",
             description="크기·MIME 중첩 제한을 늘려 다시 접수합니다. 또 실패하면 400과 이유를 돌려주고 "
                         "메일은 격리함에 남습니다.")
def quarantine_reprocess(request: HttpRequest, slug: WorkspaceSlug,
                         quarantine_id: QuarantineId) -> QuarantineReprocess.Output:
    membership = admin(request, slug)
    item = selectors.quarantine_get(membership=membership, item_id=quarantine_id)
    result = services.quarantine_reprocess(item=item, by=membership)
    number = (Ticket.objects.filter(pk=result.ticket_id, workspace_id=membership.workspace_id)
              .values_list("number", flat=True).first() if result.ticket_id else None)
    refreshed = selectors.quarantine_get(membership=membership, item_id=quarantine_id)
    return QuarantineReprocess.Output(result=result.status, ticket_number=number,  # type: ignore[arg-type]
                                      message_id=result.message_id, reason=result.reason,
                                      item=QuarantineOut.of(refreshed))


@router.post("/workspaces/{slug:slug}/mail-quarantine/{int:quarantine_id}/discard",
             response={200: QuarantineOut, **error_responses()}, summary="격리 메일 폐기 (관리자)",
             description="티켓을 만들지 않고 처리 완료로 표시합니다. 원본은 그대로 남아 내려받을 수 있습니다.")
def quarantine_discard(request: HttpRequest, slug: WorkspaceSlug, quarantine_id: QuarantineId) -> QuarantineOut:
    membership = admin(request, slug)
    item = selectors.quarantine_get(membership=membership, item_id=quarantine_id)
    services.quarantine_discard(item=item, by=membership)
    return QuarantineOut.of(selectors.quarantine_get(membership=membership, item_id=quarantine_id))
