"""A ticket's timeline: read it, answer the customer, leave internal notes, and record what the
customer wrote through an integration."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja import Status as HttpStatus
from pydantic import AwareDatetime, Field, model_validator

from cxops.api.access import member, writer
from cxops.api.errors import error_responses
from cxops.api.schemas import ApiBody, ApiSchema, UserRef, WorkspaceSlug, user_ref
from cxops.api.tickets import TicketNumber
from cxops.core.services import ServiceError
from cxops.tickets import selectors, services
from cxops.tickets.models import Channel, Message, MessageKind, Status

router = Router(tags=["messages"])


class AttachmentOut(ApiSchema):
    id: int
    filename: str
    content_type: str
    size: int


class MessageOut(ApiSchema):
    id: int
    kind: MessageKind = Field(description="customer(고객), reply(답변), note(내부 메모), event(시스템 기록)")
    channel: str
    author: UserRef | None
    author_name: str
    body_text: str
    body_html: str = Field(description="정리된(sanitised) HTML")
    external_id: str
    delivery_status: str = Field(description="답변 발송 상태: '', pending, sent, failed")
    delivery_error: str
    created_at: datetime
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        return cls(
            id=message.pk, kind=MessageKind(message.kind), channel=message.channel, author=user_ref(message.author),
            author_name=message.author_name, body_text=message.body_text, body_html=message.body_html,
            external_id=message.external_id, delivery_status=message.delivery_status,
            delivery_error=message.delivery_error, created_at=message.created_at,
            attachments=[AttachmentOut(id=a.pk, filename=a.filename, content_type=a.content_type, size=a.size)
                         for a in message.attachments.all()],
        )


def _created(message: Message) -> MessageOut:
    # Re-read with the author and attachments, as the timeline shows it.
    refreshed = (Message.objects.select_related("author").prefetch_related("attachments").get(pk=message.pk))
    return MessageOut.of(refreshed)


@router.get("/workspaces/{slug:slug}/tickets/{int:number}/messages",
            response={200: list[MessageOut], **error_responses()}, summary="티켓 타임라인",
            description="오래된 것부터. 고객사 열람자에게는 내부 메모가 보이지 않습니다.")
def message_list(request: HttpRequest, slug: WorkspaceSlug, number: TicketNumber) -> list[MessageOut]:
    membership = member(request, slug)
    ticket = selectors.ticket_get(membership=membership, number=number)
    return [MessageOut.of(message) for message in selectors.ticket_timeline(membership=membership, ticket=ticket)]


class ReplyCreate:
    class Input(ApiBody):
        body: str = Field("", max_length=50_000, description="답변 (텍스트)")
        body_html: str = Field("", max_length=200_000, description="답변 (HTML, 선택)")
        set_status: Status | None = Field(
            None, description="답변 후 상태. 비우면 신규/진행 중 티켓은 '고객 응답 대기'가 됩니다.")


@router.post("/workspaces/{slug:slug}/tickets/{int:number}/replies",
             response={201: MessageOut, **error_responses()}, summary="고객에게 답변",
             description="티켓의 채널로 고객에게 보내는 공개 답변입니다. 발송은 백그라운드 작업이 합니다.")
def reply_create(request: HttpRequest, slug: WorkspaceSlug, number: TicketNumber,
                 payload: ReplyCreate.Input) -> HttpStatus[MessageOut]:
    membership = writer(request, slug)
    ticket = selectors.ticket_get(membership=membership, number=number)
    message = services.ticket_reply(ticket=ticket, by=membership, body_text=payload.body,
                                    body_html=payload.body_html, set_status=payload.set_status)
    return HttpStatus(201, _created(message))


class NoteCreate:
    class Input(ApiBody):
        body: str = Field(..., min_length=1, max_length=50_000, description="내부 메모 (고객에게 보이지 않음)")


@router.post("/workspaces/{slug:slug}/tickets/{int:number}/notes",
             response={201: MessageOut, **error_responses()}, summary="내부 메모 남기기")
def note_create(request: HttpRequest, slug: WorkspaceSlug, number: TicketNumber,
                payload: NoteCreate.Input) -> HttpStatus[MessageOut]:
    membership = writer(request, slug)
    ticket = selectors.ticket_get(membership=membership, number=number)
    message = services.ticket_note(ticket=ticket, by=membership, body_text=payload.body)
    return HttpStatus(201, _created(message))


class CustomerMessageCreate:
    class Input(ApiBody):
        body: str = Field("", max_length=50_000, description="고객이 쓴 내용 (텍스트)")
        body_html: str = Field("", max_length=200_000)
        external_id: str = Field(
            "", max_length=250,
            description="연동 시스템의 메시지 id. 같은 값으로 다시 보내면 새로 만들지 않고 기존 메시지를 돌려줍니다.")
        received_at: AwareDatetime | None = Field(None, description="고객이 보낸 시각 (비우면 지금)")
        channel: Channel | None = Field(None, description="비우면 티켓의 채널")

        @model_validator(mode="after")
        def _has_content(self) -> Any:
            if not (self.body.strip() or self.body_html.strip()):
                raise ValueError("내용을 입력해 주세요.")
            return self


@router.post("/workspaces/{slug:slug}/tickets/{int:number}/customer-messages",
             response={200: MessageOut, 201: MessageOut, **error_responses()},
             summary="고객 메시지 기록 (연동)",
             description="연동된 채널로 고객이 다시 쓴 메시지를 타임라인에 더합니다. 답변 대기·해결된 티켓은 "
                         "다시 진행 중이 됩니다. external_id가 같은 메시지가 이미 있으면 그것을 200으로 돌려줍니다.")
def customer_message_create(request: HttpRequest, slug: WorkspaceSlug, number: TicketNumber,
                            payload: CustomerMessageCreate.Input) -> HttpStatus[MessageOut]:
    membership = writer(request, slug)
    ticket = selectors.ticket_get(membership=membership, number=number)
    if payload.external_id:
        existing = selectors.message_get_by_external_id(membership=membership, external_id=payload.external_id)
        if existing is not None:
            if existing.ticket_id != ticket.pk:
                raise ServiceError(f"이 external_id는 이미 다른 티켓(#{existing.ticket.number})의 메시지에 쓰였습니다.")
            return HttpStatus(200, _created(existing))
    message = services.ticket_customer_message(
        ticket=ticket, body_text=payload.body, body_html=payload.body_html, external_id=payload.external_id,
        received_at=payload.received_at, channel=payload.channel or "",
    )
    return HttpStatus(201, _created(message))
