"""Admin pages (mailbox settings with the connection test, the quarantine) and `cxops mail …`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cxops.cli import main
from cxops.core.models import Membership, Workspace
from cxops.mail import services
from cxops.mail.models import Mailbox, QuarantinedEmail, QuarantineStatus
from cxops.tickets.models import Message
from tests.conftest import login
from tests.mail.conftest import MAIL_PASSWORD, MAIL_USER, make_mailbox
from tests.mail.servers import Dovecot, SmtpSink

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
CORPUS = Path(__file__).parent / "corpus"


def url(name: str, workspace: Workspace, **kwargs: Any) -> str:
    return reverse(name, kwargs={"slug": workspace.slug, **kwargs})


@pytest.mark.django_db
def test_admin_creates_and_tests_a_mailbox(client: Client, workspace: Workspace, admin: Membership,
                                           dovecot: Dovecot, smtp: SmtpSink) -> None:
    login(client, admin)
    page = client.get(url("mail_mailboxes", workspace))
    assert page.status_code == 200 and "등록된 메일함이 없습니다" in page.content.decode()
    data = {"address": "cs@shop.example", "name": "고객센터", "imap_host": "127.0.0.1", "imap_port": dovecot.port,
            "imap_security": "none", "imap_user": MAIL_USER, "imap_password": MAIL_PASSWORD, "imap_folder": "INBOX",
            "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_security": "none", "smtp_user": "cs@shop.example",
            "smtp_password": "smtp-pass", "is_active": "on"}
    response = client.post(url("mail_mailboxes", workspace), data)
    mailbox = Mailbox.objects.get(workspace=workspace)
    assert response.status_code == 302 and mailbox.imap_password == MAIL_PASSWORD
    detail = client.get(url("mail_mailbox", workspace, mailbox_id=mailbox.pk)).content.decode()
    assert "연결 테스트" in detail and MAIL_PASSWORD not in detail and "fernet:" not in detail
    client.post(url("mail_mailbox_test", workspace, mailbox_id=mailbox.pk))
    detail = client.get(url("mail_mailbox", workspace, mailbox_id=mailbox.pk)).content.decode()
    assert "IMAP 연결 성공" in detail and "SMTP 연결 성공" in detail
    # Saving without a password keeps the stored one.
    client.post(url("mail_mailbox", workspace, mailbox_id=mailbox.pk), {**data, "imap_password": "", "name": "CS"})
    mailbox.refresh_from_db()
    assert mailbox.name == "CS" and mailbox.imap_password == MAIL_PASSWORD
    # A duplicate address is refused with a message.
    again = client.post(url("mail_mailboxes", workspace), data)
    assert again.status_code == 200 and "이미 등록된 메일 주소입니다" in again.content.decode()


@pytest.mark.django_db
def test_mail_pages_are_admin_only_and_tenant_scoped(client: Client, workspace: Workspace, other_workspace: Workspace,
                                                     agent: Membership, admin: Membership) -> None:
    mailbox = make_mailbox(other_workspace)
    login(client, agent)
    assert client.get(url("mail_mailboxes", workspace)).status_code == 403
    assert client.get(url("mail_quarantine", workspace)).status_code == 403
    login(client, admin)
    assert client.get(url("mail_mailbox", workspace, mailbox_id=mailbox.pk)).status_code == 404
    assert client.post(url("mail_mailbox_delete", workspace, mailbox_id=mailbox.pk)).status_code == 404
    assert client.get(url("mail_mailbox", other_workspace, mailbox_id=mailbox.pk)).status_code == 404


@pytest.mark.django_db
def test_quarantine_page_download_and_reprocess(client: Client, workspace: Workspace, admin: Membership,
                                                agent: Membership) -> None:
    mailbox = make_mailbox(workspace)
    raw = (CORPUS / "19_nesting_30.eml").read_bytes()
    item = QuarantinedEmail.objects.get(pk=services.email_ingest(workspace=workspace, raw=raw,
                                                                 mailbox=mailbox).quarantine_id)
    login(client, admin)
    page = client.get(url("mail_quarantine", workspace)).content.decode()
    assert "MIME 중첩이 너무 깊음" in page and "nested 30" in page
    download = client.get(url("mail_quarantine_raw", workspace, item_id=item.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == raw  # type: ignore[attr-defined]
    assert download["Content-Type"] == "message/rfc822"
    client.post(url("mail_quarantine_reprocess", workspace, item_id=item.pk))
    item.refresh_from_db()
    assert item.status == QuarantineStatus.REPROCESSED and item.ticket is not None
    page = client.get(url("mail_quarantine", workspace) + "?status=reprocessed").content.decode()
    assert f"#{item.ticket.number}" in page
    # The original of a received mail, for agents.
    message = Message.objects.filter(ticket=item.ticket).first()
    assert message is not None
    login(client, agent)
    original = client.get(url("mail_message_raw", workspace, message_id=message.pk))
    assert original.status_code == 200 and b"".join(original.streaming_content) == raw  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_cli_poll_test_and_quarantine(workspace: Workspace, dovecot: Dovecot, smtp: SmtpSink,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    conn = dovecot.connect(MAIL_USER)
    conn.create("CLI")
    conn.logout()
    mailbox = make_mailbox(workspace, imap_port=dovecot.port, smtp_port=smtp.port, imap_folder="CLI")
    dovecot.append(MAIL_USER, [(CORPUS / n).read_bytes() for n in ("01_naver_multipart.eml", "19_nesting_30.eml")],
                   "CLI")
    assert main(["mail", "test", "--mailbox", str(mailbox.pk)]) == 0
    assert json.loads(capsys.readouterr().out)["imap_ok"] is True
    assert main(["mail", "poll", "--mailbox", str(mailbox.pk)]) == 0
    report = json.loads(capsys.readouterr().out)[0]
    assert report["fetched"] == 2 and report["statuses"] == {"created": 1, "quarantined": 1}
    assert main(["mail", "quarantine", "list", "--workspace", workspace.slug]) == 0
    held = json.loads(capsys.readouterr().out)
    assert [q["reason"] for q in held] == ["too_deep"]
    assert main(["mail", "quarantine", "reprocess", str(held[0]["id"])]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "created"
    assert main(["mail", "quarantine", "reprocess", str(held[0]["id"])]) == 1
    assert main(["mail", "test", "--mailbox", "999999"]) == 2

