"""Receiving mail into tickets: the whole corpus, threading, idempotence, auto-replies, the quarantine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cxops.core.models import Membership, Workspace
from cxops.core.services import ServiceError
from cxops.mail import services
from cxops.mail.models import Mailbox, QuarantinedEmail, QuarantineStatus, RawEmail
from cxops.tickets.channels.email import own_message_id
from cxops.tickets.models import DeliveryStatus, Message, MessageKind, Ticket
from cxops.tickets.services import ticket_reply

CORPUS = Path(__file__).parent / "corpus"

# file → ingest status when the corpus is received in name order into an empty workspace
STATUSES = {
    "01_naver_multipart.eml": "created", "02_daum_euckr.eml": "created", "03_gmail_ko_reply.eml": "followup",
    "04_cp949_declared_euckr.eml": "created", "05_iso2022kr.eml": "created", "06_utf8_declared_latin1.eml": "created",
    "07_euckr_declared_utf8.eml": "created", "08_no_charset_8bit.eml": "created",
    "09_broken_rfc2047_split.eml": "created", "10_rfc2047_wrong_charset.eml": "created",
    "11_rfc2047_bad_base64.eml": "created", "12_no_message_id.eml": "created", "13_no_from.eml": "created",
    "14_malformed_headers.eml": "created", "15_bounce_dsn.eml": "note", "16_vacation_autoreply.eml": "note",
    "17_list_mail.eml": "skipped", "18_huge_body.eml": "created", "19_nesting_30.eml": "quarantined",
    "20_nesting_10.eml": "created", "21_inline_image.eml": "created", "22_attachment_korean_rfc2231.eml": "created",
    "23_attachment_euckr_rfc2231.eml": "created", "24_attachment_encoded_word_name.eml": "created",
    "25_attachment_disallowed.eml": "created", "26_outlook_reply_korean.eml": "created",
    "27_gmail_en_reply.eml": "created", "28_our_loop.eml": "skipped", "29_html_only_script.eml": "created",
    "30_ticket_number_subject.eml": "followup", "31_mailer_daemon_plain.eml": "skipped",
    "32_signature_mobile.eml": "created", "33_precedence_bulk.eml": "skipped", "34_empty_body.eml": "created",
    "35_daum_mixed_q.eml": "created",
}


def raw_of(name: str, own_id: str = "") -> bytes:
    return (CORPUS / name).read_bytes().replace(b"{OWN_ID}", own_id.encode())


def ingest_corpus(workspace: Workspace, mailbox: Mailbox, agent: Membership) -> dict[str, Any]:
    results: dict[str, Any] = {}
    own_id = ""
    for path in sorted(CORPUS.glob("*.eml")):
        results[path.name] = services.email_ingest(workspace=workspace, raw=raw_of(path.name, own_id), mailbox=mailbox)
        if path.name == "03_gmail_ko_reply.eml":
            # An agent answers ticket #1001 by email; the next corpus mail bounces that reply.
            ticket = Ticket.objects.get(workspace=workspace, number=1001)
            reply = ticket_reply(ticket=ticket, by=agent, body_text="배송지 확인했습니다.")
            own_id = own_message_id(reply.pk, mailbox.domain)
            results["reply"] = reply
    return results


@pytest.mark.django_db
def test_corpus_ingest(workspace: Workspace, mailbox: Mailbox, agent: Membership, settings: Any) -> None:
    settings.CXOPS_JOBS_IMMEDIATE = False
    results = ingest_corpus(workspace, mailbox, agent)
    for name, status in STATUSES.items():
        assert results[name].status == status, (name, results[name])

    first = Ticket.objects.get(workspace=workspace, number=1001)
    assert first.channel == "email" and first.subject == "배송 문의드립니다"
    assert first.customer is not None and first.customer.emails == ["minji.kim@naver.example"]
    timeline = list(first.messages.order_by("created_at", "id"))
    kinds = [m.kind for m in timeline]
    assert kinds.count(MessageKind.CUSTOMER) == 3  # the first mail, the Gmail reply, the subject-number follow-up
    # The Gmail reply: quotes stripped, the full text and the original kept.
    gmail = Message.objects.get(pk=results["03_gmail_ko_reply.eml"].message_id)
    assert gmail.body_text == "네, 주소는 서울시 마포구 월드컵로 1 입니다."
    assert "님이 작성" in gmail.meta["email"]["full_text"] and gmail.meta["email"]["quotes_stripped"]
    raw = RawEmail.objects.get(message=gmail)
    assert raw.file.read() == raw_of("03_gmail_ko_reply.eml")
    # The bounce marked our reply as failed and left a note; the vacation reply is a note too.
    reply = Message.objects.get(pk=results["reply"].pk)
    assert reply.delivery_status == DeliveryStatus.FAILED and "반송" in reply.delivery_error
    notes = [m for m in timeline if m.kind == MessageKind.NOTE]
    assert any(n.body_text.startswith("[반송]") for n in notes)
    assert any(n.body_text.startswith("[자동 응답]") for n in notes)

    def message_of(name: str) -> Message:
        return Message.objects.get(pk=results[name].message_id)

    assert "햏 하고" in message_of("04_cp949_declared_euckr.eml").body_text
    assert message_of("05_iso2022kr.eml").ticket.subject == "교환 신청"
    assert message_of("09_broken_rfc2047_split.eml").ticket.subject == "주문 취소 요청"
    assert message_of("12_no_message_id.eml").external_id.startswith("hash:")
    assert message_of("13_no_from.eml").meta["email"]["no_sender"] is True
    huge = message_of("18_huge_body.eml")
    assert huge.meta["email"]["truncated"] and len(huge.body_text) < 31_000
    inline = message_of("21_inline_image.eml")
    attachment = inline.attachments.get()
    assert f"/attachments/{attachment.pk}/" in inline.body_html and "cid:" not in inline.body_html
    assert inline.body_text.startswith("사진처럼 파손되어")
    assert message_of("22_attachment_korean_rfc2231.eml").attachments.get().filename == "견적서.pdf"
    assert message_of("24_attachment_encoded_word_name.eml").attachments.get().content_type == "application/x-hwp"
    exe = message_of("25_attachment_disallowed.eml")
    assert not exe.attachments.exists() and "invoice.exe" in exe.body_text
    assert exe.meta["email"]["dropped_attachments"] == ["invoice.exe"]
    outlook = message_of("26_outlook_reply_korean.eml")
    assert outlook.body_text == "확인 감사합니다. 내일 다시 연락 주세요."
    script = message_of("29_html_only_script.eml")
    assert "<script" not in script.body_html and "onclick" not in script.body_html
    assert "javascript:" not in script.body_html and "국민은행 123-456" in script.body_text
    assert "alert" not in script.body_text and "color:red" not in script.body_text
    assert message_of("32_signature_mobile.eml").body_text == "영업시간이 어떻게 되나요?"
    assert message_of("34_empty_body.eml").body_text == "(본문 없음)"
    held = QuarantinedEmail.objects.get(workspace=workspace)
    assert held.reason == "too_deep" and held.subject_hint == "nested 30"

    mailbox.refresh_from_db()
    counts = (Ticket.objects.filter(workspace=workspace).count(), Message.objects.filter(workspace=workspace).count())
    # Receiving everything again changes nothing: idempotent on Message-ID or the content hash.
    again = ingest_corpus(workspace, mailbox, agent)
    for name in STATUSES:
        assert again[name].status in ("duplicate", "skipped", "quarantined", "note"), (name, again[name])
    # (the second pass' agent reply adds one message; nothing else is new)
    assert Ticket.objects.filter(workspace=workspace).count() == counts[0]
    assert Message.objects.filter(workspace=workspace).count() == counts[1] + 1
    assert QuarantinedEmail.objects.filter(workspace=workspace).count() == 1


@pytest.mark.django_db
def test_quarantine_reprocess_and_discard(workspace: Workspace, mailbox: Mailbox, admin: Membership,
                                          agent: Membership) -> None:
    result = services.email_ingest(workspace=workspace, raw=raw_of("19_nesting_30.eml"), mailbox=mailbox, imap_uid=7)
    item = QuarantinedEmail.objects.get(pk=result.quarantine_id)
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 7 and mailbox.quarantined_count == 1
    assert item.raw.read() == raw_of("19_nesting_30.eml")
    with pytest.raises(PermissionError):
        services.quarantine_reprocess(item=item, by=agent)
    done = services.quarantine_reprocess(item=item, by=admin)
    item.refresh_from_db()
    assert done.status == "created" and item.status == QuarantineStatus.REPROCESSED and item.ticket_id == done.ticket_id
    assert "30단계 안쪽의 본문입니다" in Message.objects.get(pk=done.message_id).body_text
    with pytest.raises(ServiceError):
        services.quarantine_reprocess(item=item, by=admin)

    empty = services.email_ingest(workspace=workspace, raw=b"\r\n\r\n", mailbox=mailbox)
    item = QuarantinedEmail.objects.get(pk=empty.quarantine_id)
    with pytest.raises(ServiceError, match="다시 처리하지 못했습니다"):
        services.quarantine_reprocess(item=item, by=admin)
    services.quarantine_discard(item=item, by=admin)
    item.refresh_from_db()
    assert item.status == QuarantineStatus.DISCARDED


@pytest.mark.django_db
def test_ingest_failure_goes_to_quarantine(workspace: Workspace, mailbox: Mailbox,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(**kwargs: Any) -> None:
        raise ValueError("unexpected")

    monkeypatch.setattr(services.ticket_services, "inbound_ingest", boom)
    result = services.email_ingest(workspace=workspace, raw=raw_of("01_naver_multipart.eml"), mailbox=mailbox)
    assert result.status == "quarantined"
    item = QuarantinedEmail.objects.get(pk=result.quarantine_id)
    assert item.reason == "ingest_error" and "unexpected" in item.detail and item.subject_hint == "배송 문의드립니다"
    assert not Ticket.objects.filter(workspace=workspace).exists()
    # The same bytes again: still one quarantine entry.
    services.email_ingest(workspace=workspace, raw=raw_of("01_naver_multipart.eml"), mailbox=mailbox)
    assert QuarantinedEmail.objects.filter(workspace=workspace).count() == 1


@pytest.mark.django_db
def test_subject_number_needs_the_same_customer(workspace: Workspace, mailbox: Mailbox) -> None:
    services.email_ingest(workspace=workspace, raw=raw_of("01_naver_multipart.eml"), mailbox=mailbox)
    forged = raw_of("30_ticket_number_subject.eml").replace(b"From: minji.kim@naver.example",
                                                           b"From: stranger@evil.example")
    result = services.email_ingest(workspace=workspace, raw=forged, mailbox=mailbox)
    assert result.status == "created"  # not appended to someone else's ticket


@pytest.mark.django_db
def test_tenant_isolation_of_threads(workspace: Workspace, other_workspace: Workspace, mailbox: Mailbox) -> None:
    services.email_ingest(workspace=workspace, raw=raw_of("01_naver_multipart.eml"), mailbox=mailbox)
    result = services.email_ingest(workspace=other_workspace, raw=raw_of("03_gmail_ko_reply.eml"))
    assert result.status == "created"
    assert Message.objects.get(pk=result.message_id).ticket.workspace_id == other_workspace.pk


@pytest.mark.django_db
def test_mailbox_passwords_are_encrypted(workspace: Workspace, admin: Membership, agent: Membership) -> None:
    mailbox = services.mailbox_save(
        workspace=workspace, by=admin, address="Help@Shop.example", imap_host="imap.shop.example", imap_port=993,
        imap_security="ssl", imap_user="help", smtp_host="smtp.shop.example", smtp_port=587,
        smtp_security="starttls", smtp_user="help", imap_password="imap-비밀", smtp_password="smtp-비밀")
    stored = Mailbox.objects.get(pk=mailbox.pk)
    assert stored.address == "help@shop.example"
    assert stored.imap_password_enc.startswith("fernet:") and "imap-비밀" not in stored.imap_password_enc
    assert stored.imap_password == "imap-비밀" and stored.smtp_password == "smtp-비밀"
    services.mailbox_save(workspace=workspace, by=admin, mailbox=stored, name="도움말")
    assert Mailbox.objects.get(pk=mailbox.pk).imap_password == "imap-비밀"  # kept when not given
    with pytest.raises(PermissionError):
        services.mailbox_save(workspace=workspace, by=agent, mailbox=stored, name="x")
    with pytest.raises(ServiceError, match="이미 등록된"):
        services.mailbox_save(workspace=workspace, by=admin, address="help@shop.example", imap_host="h",
                              imap_user="u", smtp_host="s")
