"""Against real servers started by the fixtures: Dovecot (IMAP polling) and aiosmtpd (SMTP replies)."""

from __future__ import annotations

import email
import email.policy
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError

from cxops.core.models import Membership, Workspace
from cxops.mail import services
from cxops.mail.models import Mailbox
from cxops.mail.outbound import build_reply
from cxops.mail.poll import poll_mailbox, uid_set
from cxops.mail.transport import connection_test
from cxops.tickets import jobs
from cxops.tickets.models import DeliveryStatus, Message, MessageKind, Ticket
from cxops.tickets.services import ticket_reply
from tests.mail.conftest import MAIL_USER, make_mailbox
from tests.mail.servers import Dovecot, SmtpSink, free_port

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
CORPUS = Path(__file__).parent / "corpus"
_folders = itertools.count(1)


def raw_of(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@pytest.fixture
def folder(dovecot: Dovecot) -> str:
    name = f"T{next(_folders)}x{id(object())}"
    conn = dovecot.connect(MAIL_USER)
    try:
        assert conn.create(name)[0] == "OK"
    finally:
        conn.logout()
    return name


@pytest.fixture
def imap_mailbox(workspace: Workspace, dovecot: Dovecot, folder: str) -> Mailbox:
    return make_mailbox(workspace, imap_port=dovecot.port, imap_folder=folder)


@pytest.mark.django_db
def test_poll_ingests_new_mail_and_marks_seen_after_commit(imap_mailbox: Mailbox, dovecot: Dovecot,
                                                          folder: str) -> None:
    names = ["01_naver_multipart.eml", "02_daum_euckr.eml", "03_gmail_ko_reply.eml", "17_list_mail.eml",
             "19_nesting_30.eml"]
    dovecot.append(MAIL_USER, [raw_of(n) for n in names], folder)
    report = poll_mailbox(imap_mailbox)
    assert report.error == "" and report.fetched == 5
    assert dict(report.statuses) == {"created": 2, "followup": 1, "skipped": 1, "quarantined": 1}
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_uid == 5 and imap_mailbox.last_poll_ok and imap_mailbox.uidvalidity
    assert all("\\Seen" in flags for flags in dovecot.flags(MAIL_USER, folder).values())
    assert Ticket.objects.filter(workspace=imap_mailbox.workspace).count() == 2

    dovecot.append(MAIL_USER, [raw_of("04_cp949_declared_euckr.eml"), raw_of("22_attachment_korean_rfc2231.eml")],
                   folder)
    report = poll_mailbox(imap_mailbox)
    assert report.fetched == 2 and report.statuses["created"] == 2
    assert poll_mailbox(imap_mailbox).fetched == 0
    # The server renumbers the folder: everything is read again and nothing is duplicated.
    Mailbox.objects.filter(pk=imap_mailbox.pk).update(uidvalidity=1)
    imap_mailbox.refresh_from_db()
    report = poll_mailbox(imap_mailbox)
    assert report.fetched == 7 and report.statuses["created"] == 0
    assert Ticket.objects.filter(workspace=imap_mailbox.workspace).count() == 4


@pytest.mark.django_db
def test_poll_stops_on_database_error_and_leaves_mail_unseen(imap_mailbox: Mailbox, dovecot: Dovecot, folder: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    dovecot.append(MAIL_USER, [raw_of("01_naver_multipart.eml"), raw_of("02_daum_euckr.eml")], folder)
    real = services.email_ingest
    calls: list[int] = []

    def flaky(**kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise DatabaseError("database is locked")
        return real(**kwargs)

    monkeypatch.setattr(services, "email_ingest", flaky)
    report = poll_mailbox(imap_mailbox)
    assert report.error == "database is locked"
    flags = dovecot.flags(MAIL_USER, folder)
    # The first mail committed before the failure: flagged, or it would stay unread forever (its
    # UID is behind last_uid). The second was not committed: left unseen, fetched again next time.
    assert "\\Seen" in flags[1] and "\\Seen" not in flags[2]
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_uid == 1 and imap_mailbox.last_poll_ok is False
    monkeypatch.setattr(services, "email_ingest", real)
    report = poll_mailbox(imap_mailbox)
    assert report.fetched == 1 and report.statuses["created"] == 1
    assert "\\Seen" in dovecot.flags(MAIL_USER, folder)[2]


@pytest.mark.django_db
def test_poll_with_wrong_password_is_reported(workspace: Workspace, dovecot: Dovecot) -> None:
    mailbox = make_mailbox(workspace, imap_port=dovecot.port, password="wrong")
    report = poll_mailbox(mailbox)
    assert "IMAP 로그인에 실패했습니다" in report.error
    mailbox.refresh_from_db()
    assert mailbox.last_poll_ok is False and "로그인" in mailbox.last_error


@pytest.mark.django_db
def test_connection_test(workspace: Workspace, dovecot: Dovecot, smtp: SmtpSink) -> None:
    mailbox = make_mailbox(workspace, imap_port=dovecot.port, smtp_port=smtp.port)
    report = connection_test(mailbox)
    assert report.ok, report
    assert "IMAP 연결 성공" in report.imap_message and "SMTP 연결 성공" in report.smtp_message
    bad = make_mailbox(workspace, address="x@shop.example", imap_port=free_port(), smtp_port=smtp.port)
    services.mailbox_save(workspace=workspace, by=None, mailbox=bad, smtp_password="nope")
    report = connection_test(bad)
    assert not report.imap_ok and "연결할 수 없습니다" in report.imap_message
    assert not report.smtp_ok and "SMTP 로그인에 실패했습니다" in report.smtp_message
    assert smtp.messages == []


def _parse(data: bytes) -> Any:
    return email.message_from_bytes(data, policy=email.policy.default)


@pytest.mark.django_db
def test_reply_is_sent_by_smtp_and_threads_back(workspace: Workspace, agent: Membership, smtp: SmtpSink,
                                                django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    mailbox = make_mailbox(workspace, smtp_port=smtp.port)
    first = services.email_ingest(workspace=workspace, raw=raw_of("01_naver_multipart.eml"), mailbox=mailbox)
    ticket = Ticket.objects.get(pk=first.ticket_id)
    with django_capture_on_commit_callbacks(execute=True):
        reply = ticket_reply(ticket=ticket, by=agent, body_text="안녕하세요 김민지 고객님,\n내일 도착 예정입니다.")
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.SENT, reply.delivery_error
    assert len(smtp.messages) == 1 and smtp.messages[0]["to"] == ["minji.kim@naver.example"]
    sent = _parse(smtp.messages[0]["data"])
    assert sent["Subject"] == f"Re: 배송 문의드립니다 [#{ticket.number}]"
    assert sent["In-Reply-To"] == "<naver.20261123150000.abc123@naver.example>"
    assert "<naver.20261123150000.abc123@naver.example>" in sent["References"]
    assert sent["Message-ID"].endswith("@shop.example>") and sent["Message-ID"].strip("<>") == reply.external_id
    assert sent["Auto-Submitted"] is None  # a person wrote it
    assert sent.get_content_type() == "multipart/alternative"
    assert "내일 도착 예정입니다" in sent.get_body(("plain",)).get_content()
    assert "<p>" in sent.get_body(("html",)).get_content()
    assert sent["From"].addresses[0].addr_spec == "cs@shop.example"

    # The customer answers our mail (their client drops the subject tag): it joins the ticket.
    answer = (f"From: minji.kim@naver.example\r\nTo: cs@shop.example\r\nSubject: Re: 감사합니다\r\n"
              f"Message-ID: <answer-1@naver.example>\r\nIn-Reply-To: {sent['Message-ID']}\r\n"
              "Content-Type: text/plain; charset=utf-8\r\n\r\n").encode() + "네 감사합니다!".encode()
    result = services.email_ingest(workspace=workspace, raw=answer, mailbox=mailbox)
    assert result.status == "followup" and result.ticket_id == ticket.pk
    # Our own reply delivered back to the mailbox (a forwarding loop) is not ingested.
    looped = services.email_ingest(workspace=workspace, raw=smtp.messages[0]["data"], mailbox=mailbox)
    assert looped.status == "skipped"


@pytest.mark.django_db
def test_failed_delivery_retries_then_shows_on_the_message(workspace: Workspace, agent: Membership, smtp: SmtpSink,
                                                           settings: Any) -> None:
    mailbox = make_mailbox(workspace, smtp_port=smtp.port)
    first = services.email_ingest(workspace=workspace, raw=raw_of("02_daum_euckr.eml"), mailbox=mailbox)
    ticket = Ticket.objects.get(pk=first.ticket_id)
    reply = ticket_reply(ticket=ticket, by=agent, body_text="환불 처리되었습니다.")  # job waits for commit
    smtp.fail_next = 1
    assert jobs.reply_deliver.call_local(reply.pk, 1) == "retry"
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.PENDING and "451" in reply.delivery_error
    Mailbox.objects.filter(pk=mailbox.pk).update(smtp_port=free_port())  # the server goes away
    assert jobs.reply_deliver.call_local(reply.pk, jobs.REPLY_MAX_ATTEMPTS) == "failed"
    reply.refresh_from_db()
    assert reply.delivery_status == DeliveryStatus.FAILED and "연결할 수 없습니다" in reply.delivery_error
    # An admin fixes the mailbox and a new attempt goes out.
    Mailbox.objects.filter(pk=mailbox.pk).update(smtp_port=smtp.port)
    Message.objects.filter(pk=reply.pk).update(delivery_status=DeliveryStatus.PENDING)
    assert jobs.reply_deliver.call_local(reply.pk, 1) == "sent"
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_automatic_notices_are_marked_auto_submitted(workspace: Workspace, agent: Membership) -> None:
    mailbox = make_mailbox(workspace)
    first = services.email_ingest(workspace=workspace, raw=raw_of("01_naver_multipart.eml"), mailbox=mailbox)
    ticket = Ticket.objects.get(pk=first.ticket_id)
    notice = Message.objects.create(workspace=workspace, ticket=ticket, kind=MessageKind.REPLY, channel="email",
                                    body_text="문의가 접수되었습니다.", meta={"automatic": True})
    last = Message.objects.get(pk=first.message_id)
    built = build_reply(message=notice, mailbox=mailbox, to="minji.kim@naver.example", last=last)
    assert built["Auto-Submitted"] == "auto-replied"
    assert built["X-CXOps-Mailbox"] == str(mailbox.pk)


def test_idle_wakes_up_when_mail_arrives(dovecot: Dovecot, folder: str) -> None:
    import threading

    from cxops.mail.idle import idle_wait, supports_idle

    conn = dovecot.connect(MAIL_USER)
    try:
        conn.select(folder)
        assert supports_idle(conn)
        assert idle_wait(conn, 0.5) is False
        timer = threading.Timer(0.3, lambda: dovecot.append(MAIL_USER, [raw_of("02_daum_euckr.eml")], folder))
        timer.start()
        assert idle_wait(conn, 20) is True
        timer.join()
        assert conn.noop()[0] == "OK"  # the connection is usable after DONE
    finally:
        conn.logout()


@pytest.mark.django_db
def test_periodic_job_polls_every_active_mailbox(imap_mailbox: Mailbox, dovecot: Dovecot, folder: str,
                                                 workspace: Workspace) -> None:
    from cxops.mail.jobs import mailbox_poll, mailboxes_poll_all

    make_mailbox(workspace, address="off@shop.example", imap_port=free_port(), is_active=False)
    dovecot.append(MAIL_USER, [raw_of("01_naver_multipart.eml")], folder)
    assert mailboxes_poll_all.call_local() == 1
    assert Ticket.objects.filter(workspace=workspace).count() == 1
    assert mailbox_poll.call_local(999999) == {"mailbox": 999999, "skipped": True}


def test_uid_sets_collapse_runs() -> None:
    assert uid_set([9, 1, 2, 3, 7, 10, 2]) == "1:3,7,9:10"
    assert uid_set([5]) == "5" and uid_set([]) == ""


@pytest.mark.django_db
def test_the_same_mail_twice_in_one_batch_is_received_once(imap_mailbox: Mailbox, dovecot: Dovecot,
                                                           folder: str) -> None:
    # The batch's duplicate lookup runs before either copy is stored: the second copy must still
    # be recognised (and both flagged, both counted).
    dovecot.append(MAIL_USER, [raw_of("01_naver_multipart.eml"), raw_of("02_daum_euckr.eml"),
                               raw_of("01_naver_multipart.eml")], folder)
    report = poll_mailbox(imap_mailbox)
    assert report.error == "" and dict(report.statuses) == {"created": 2, "duplicate": 1}
    assert Ticket.objects.filter(workspace=imap_mailbox.workspace).count() == 2
    assert all("\\Seen" in flags for flags in dovecot.flags(MAIL_USER, folder).values())
    imap_mailbox.refresh_from_db()
    assert (imap_mailbox.last_uid, imap_mailbox.received_count, imap_mailbox.skipped_count) == (3, 2, 1)
    # Read again from the start (as after a UIDVALIDITY change): all known, nothing new.
    Mailbox.objects.filter(pk=imap_mailbox.pk).update(last_uid=0)
    imap_mailbox.refresh_from_db()
    again = poll_mailbox(imap_mailbox)
    assert dict(again.statuses) == {"duplicate": 3}
    assert Ticket.objects.filter(workspace=imap_mailbox.workspace).count() == 2
