from __future__ import annotations

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cxops.tickets.channels.base import InboundAttachment
from cxops.tickets.channels.board import PORTAL_SALT, portal_token
from cxops.tickets.models import Attachment, Message, MessageKind, Status
from cxops.tickets.services import ticket_customer_message, ticket_note, ticket_reply, ticket_update
from tests.factories import make_ticket
from tests.portal.conftest import PNG, png

pytestmark = pytest.mark.django_db


def link(ticket, token=None):
    return reverse("portal_inquiry_detail", args=[ticket.workspace.slug, token or portal_token(ticket)])


def test_shows_the_inquiry_and_public_replies_but_never_notes_or_events(client, workspace, agent):
    ticket = make_ticket(workspace, subject="환불 문의", body="환불은 언제 되나요?")
    ticket_note(ticket=ticket, by=agent, body_text="내부 메모: 블랙컨슈머 의심")
    ticket_update(ticket=ticket, by=agent, priority="high")  # writes a system event
    ticket_reply(ticket=ticket, by=agent, body_text="영업일 기준 3일 안에 환불됩니다.")
    response = client.get(link(ticket))
    assert response.status_code == 200
    html = response.content.decode()
    assert "환불 문의" in html
    assert "환불은 언제 되나요?" in html
    assert "영업일 기준 3일 안에 환불됩니다." in html
    assert "블랙컨슈머" not in html
    assert "우선순위" not in html
    assert f"#{ticket.number}" in html
    assert "답변 완료" in html  # replied → pending, said plainly


@pytest.mark.parametrize(("status", "label"), [
    (Status.NEW, "접수됨"), (Status.OPEN, "처리 중"), (Status.ON_HOLD, "처리 중"), (Status.PENDING, "답변 완료"),
    (Status.SOLVED, "처리 완료"), (Status.CLOSED, "종료"),
])
def test_status_is_shown_in_plain_korean(client, workspace, agent, status, label):
    ticket = make_ticket(workspace)
    if status != Status.NEW:
        ticket_update(ticket=ticket, by=agent, status=status)
    html = client.get(link(ticket)).content.decode()
    assert f'<span class="status__badge">{label}</span>' in html


def test_private_pages_do_not_leak_the_token(client, workspace):
    ticket = make_ticket(workspace)
    response = client.get(link(ticket))
    # "same-origin": no other site ever sees the address, while the browser still sends a real
    # Origin header with the reply form (under "no-referrer" it sends "null" and CSRF fails)
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert 'rel="noreferrer"' in html or not ticket.messages.filter(attachments__isnull=False).exists()


def test_forged_token_is_404(client, workspace):
    ticket = make_ticket(workspace)
    token = portal_token(ticket)
    assert client.get(link(ticket, token[:-2] + "xx")).status_code == 404
    assert client.get(link(ticket, "garbage")).status_code == 404
    forged = signing.dumps({"w": workspace.pk, "t": ticket.pk}, salt=PORTAL_SALT, key="not-our-secret")
    assert client.get(link(ticket, forged)).status_code == 404


def test_token_of_another_workspace_is_404(client, workspace, other_workspace):
    mine = make_ticket(workspace)
    theirs = make_ticket(other_workspace)
    assert client.get(f"/p/{workspace.slug}/inquiry/{portal_token(theirs)}/").status_code == 404
    assert client.get(f"/p/{other_workspace.slug}/inquiry/{portal_token(mine)}/").status_code == 404
    assert client.get(f"/p/{other_workspace.slug}/inquiry/{portal_token(theirs)}/").status_code == 200


def test_token_of_a_deleted_ticket_is_404(client, workspace):
    ticket = make_ticket(workspace)
    url = link(ticket)
    ticket.delete()
    assert client.get(url).status_code == 404


def test_customer_reply_reopens_a_pending_ticket(client, workspace, agent):
    ticket = make_ticket(workspace)
    ticket_reply(ticket=ticket, by=agent, body_text="주문번호를 알려 주세요.")
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    response = client.post(link(ticket), {"body": "주문번호는 20261123-0001입니다.", "nonce": "n-1",
                                          "attachments": [png("주문내역.png")]})
    assert response.status_code == 302
    assert response["Location"].endswith("#latest")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    last = ticket.messages.order_by("-created_at", "-id").first()
    assert last.kind == MessageKind.CUSTOMER
    assert last.channel == "board"
    assert last.body_text == "주문번호는 20261123-0001입니다."
    assert last.attachments.get().filename == "주문내역.png"
    page = client.get(response["Location"]).content.decode()
    assert "추가 문의가 등록되었습니다." in page
    assert "주문번호는 20261123-0001입니다." in page


def test_reply_sent_twice_is_stored_once(client, workspace):
    ticket = make_ticket(workspace)
    for _ in range(2):
        client.post(link(ticket), {"body": "확인 부탁드려요", "nonce": "same-form"})
    assert Message.objects.filter(ticket=ticket, body_text="확인 부탁드려요").count() == 1


def test_empty_reply_or_bad_file_shows_the_error(client, workspace):
    ticket = make_ticket(workspace)
    html = client.post(link(ticket), {"body": "  "}).content.decode()
    assert "내용을 입력해 주세요." in html
    html = client.post(link(ticket), {"body": "파일 보냅니다", "attachments": [
        SimpleUploadedFile("virus.bat", b"echo", content_type="application/x-bat")]}).content.decode()
    assert "첨부할 수 없습니다" in html
    assert ticket.messages.count() == 1


def test_replies_are_rate_limited(client, workspace, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "portal_reply": "1/600"}
    ticket = make_ticket(workspace)
    assert client.post(link(ticket), {"body": "하나", "nonce": "a"}).status_code == 302
    response = client.post(link(ticket), {"body": "둘", "nonce": "b"})
    assert response.status_code == 429
    assert response["Retry-After"]
    assert client.get(link(ticket)).status_code == 200


def test_forged_token_cannot_reply(client, workspace):
    ticket = make_ticket(workspace)
    assert client.post(link(ticket, "forged"), {"body": "침입"}).status_code == 404
    assert ticket.messages.count() == 1


# --- attachments --------------------------------------------------------------------------------

def _customer_file(ticket, name="사진.png", content=PNG, content_type="image/png"):
    message = ticket_customer_message(ticket=ticket, body_text="사진 첨부합니다",
                                      attachments=(InboundAttachment(name, content_type, content),))
    return message.attachments.get()


def test_attachment_download_requires_the_token(client, workspace, other_workspace):
    ticket = make_ticket(workspace)
    attachment = _customer_file(ticket)
    token = portal_token(ticket)  # signed with a timestamp: build both addresses from one token
    good = reverse("portal_inquiry_attachment", args=[workspace.slug, token, attachment.pk])
    response = client.get(good)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "sandbox" in response["Content-Security-Policy"]
    assert 'href="' + good + '"' in client.get(link(ticket, token)).content.decode()

    bad = reverse("portal_inquiry_attachment", args=[workspace.slug, "forged", attachment.pk])
    assert client.get(bad).status_code == 404
    other_ticket = make_ticket(workspace)
    wrong_ticket = reverse("portal_inquiry_attachment", args=[workspace.slug, portal_token(other_ticket),
                                                               attachment.pk])
    assert client.get(wrong_ticket).status_code == 404
    cross = reverse("portal_inquiry_attachment", args=[other_workspace.slug, portal_token(ticket), attachment.pk])
    assert client.get(cross).status_code == 404


def test_non_image_files_download_as_attachments(client, workspace):
    ticket = make_ticket(workspace)
    attachment = _customer_file(ticket, "내역.csv", "주문번호,금액\n1,1000\n".encode(), "text/csv")
    response = client.get(reverse("portal_inquiry_attachment",
                                  args=[workspace.slug, portal_token(ticket), attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%EB%82%B4%EC%97%AD.csv" in response["Content-Disposition"]


def test_files_of_internal_notes_are_not_downloadable(client, workspace, agent):
    ticket = make_ticket(workspace)
    note = ticket_note(ticket=ticket, by=agent, body_text="내부 첨부")
    attachment = Attachment(workspace=workspace, message=note, filename="내부.png", content_type="image/png",
                            size=len(PNG))
    from django.core.files.base import ContentFile

    attachment.file.save("internal.png", ContentFile(PNG), save=True)
    url = reverse("portal_inquiry_attachment", args=[workspace.slug, portal_token(ticket), attachment.pk])
    assert client.get(url).status_code == 404


def test_media_files_are_not_served_directly(client, workspace):
    ticket = make_ticket(workspace)
    attachment = _customer_file(ticket)
    assert client.get("/media/" + attachment.file.name).status_code == 404
