"""The email channel's REST API: mailboxes (write-only secrets, connection test, poll now) and the
quarantine (list, detail, raw download, reprocess, discard), for workspace admins only."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from cxops.core.models import Membership, Workspace
from cxops.core.services import api_token_create
from cxops.mail import services
from cxops.mail.models import Mailbox, QuarantinedEmail, QuarantineStatus
from cxops.tickets.models import Message, Ticket
from tests.api.conftest import ApiClient, error_of
from tests.factories import make_member
from tests.mail.conftest import MAIL_PASSWORD, MAIL_USER, make_mailbox
from tests.mail.servers import Dovecot, SmtpSink

pytestmark = [pytest.mark.django_db,
              pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")]

CORPUS = Path(__file__).parent / "corpus"
SECRETS = ("imap-비밀-1", "smtp-비밀-2")
_folders = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


def api(membership: Membership) -> ApiClient:
    _token, raw = api_token_create(user=membership.user, name="test")
    return ApiClient(Client(), raw)


def new_mailbox_body(**extra: Any) -> dict[str, Any]:
    return {"address": "Help@Shop.example", "name": "고객센터", "imap_host": "imap.shop.example",
            "imap_user": "help", "imap_password": SECRETS[0], "smtp_host": "smtp.shop.example",
            "smtp_user": "help", "smtp_password": SECRETS[1], **extra}


def assert_no_secrets(response: Any) -> None:
    text = response.content.decode()
    assert all(secret not in text for secret in SECRETS), text
    assert "fernet:" not in text and "password_enc" not in text and '"imap_password"' not in text


def test_admin_creates_reads_updates_and_deletes_a_mailbox(workspace: Workspace, admin: Membership) -> None:
    client = api(admin)
    created = client.post("/workspaces/shop/mailboxes", new_mailbox_body())
    assert created.status_code == 201, created.content
    assert_no_secrets(created)
    body = created.json()
    assert body["address"] == "help@shop.example" and body["imap_port"] == 993 and body["imap_security"] == "ssl"
    assert body["smtp_port"] == 587 and body["smtp_security"] == "starttls" and body["is_active"] is True
    assert body["imap_password_set"] is True and body["smtp_password_set"] is True
    stored = Mailbox.objects.get(pk=body["id"], workspace=workspace)
    assert stored.imap_password == SECRETS[0] and stored.imap_password_enc.startswith("fernet:")

    listed = client.get("/workspaces/shop/mailboxes")
    assert listed.status_code == 200 and [m["id"] for m in listed.json()["items"]] == [stored.pk]
    assert_no_secrets(listed)
    detail = client.get(f"/workspaces/shop/mailboxes/{stored.pk}")
    assert detail.status_code == 200 and detail.json() == body
    assert_no_secrets(detail)

    # PATCH changes only what is sent; a password left out is kept, "" clears it.
    changed = client.patch(f"/workspaces/shop/mailboxes/{stored.pk}", {"name": "CS", "imap_port": 1993,
                                                                       "smtp_password": ""})
    assert changed.status_code == 200, changed.content
    assert_no_secrets(changed)
    assert changed.json()["name"] == "CS" and changed.json()["smtp_password_set"] is False
    stored.refresh_from_db()
    assert stored.imap_port == 1993 and stored.imap_password == SECRETS[0] and stored.smtp_password == ""
    assert client.patch(f"/workspaces/shop/mailboxes/{stored.pk}", {"imap_password": "새-비밀"}).status_code == 200
    stored.refresh_from_db()
    assert stored.imap_password == "새-비밀"

    deleted = client.delete(f"/workspaces/shop/mailboxes/{stored.pk}")
    assert deleted.status_code == 204
    assert not Mailbox.objects.filter(pk=stored.pk).exists()
    assert client.get(f"/workspaces/shop/mailboxes/{stored.pk}").status_code == 404


def test_mailbox_input_errors_are_explained(workspace: Workspace, admin: Membership) -> None:
    client = api(admin)
    bad_address = client.post("/workspaces/shop/mailboxes", new_mailbox_body(address="not-an-address"))
    assert bad_address.status_code == 422
    assert "메일 주소 형식이 올바르지 않습니다" in error_of(bad_address)["message"]
    unknown = client.post("/workspaces/shop/mailboxes", new_mailbox_body(imap_pasword="typo"))
    assert unknown.status_code == 422 and error_of(unknown)["details"][0]["loc"] == ["body", "imap_pasword"]
    port = client.post("/workspaces/shop/mailboxes", new_mailbox_body(smtp_port=70000))
    assert port.status_code == 422 and error_of(port)["code"] == "validation_error"
    assert client.post("/workspaces/shop/mailboxes", new_mailbox_body()).status_code == 201
    duplicate = client.post("/workspaces/shop/mailboxes", new_mailbox_body())
    assert duplicate.status_code == 400 and "이미 등록된 메일 주소입니다" in error_of(duplicate)["message"]
    mailbox = Mailbox.objects.get(workspace=workspace)
    null = client.patch(f"/workspaces/shop/mailboxes/{mailbox.pk}", {"imap_password": None})
    assert null.status_code == 422 and "null" in error_of(null)["message"]
    assert Mailbox.objects.get(pk=mailbox.pk).imap_password == SECRETS[0]


@pytest.mark.parametrize("role", ["agent", "lead", "manager", "client_viewer"])
def test_only_admins_see_or_change_mailboxes_and_the_quarantine(workspace: Workspace, role: str) -> None:
    mailbox = services.mailbox_save(workspace=workspace, by=None, address="cs@shop.example", imap_host="127.0.0.1",
                                    imap_user="cs", imap_password=SECRETS[0], smtp_host="127.0.0.1",
                                    smtp_password=SECRETS[1])
    item_id = services.email_ingest(workspace=workspace, raw=b"\r\n\r\n", mailbox=mailbox).quarantine_id
    client = api(make_member(workspace, role))
    requests = [
        ("GET", "/workspaces/shop/mailboxes", None),
        ("GET", f"/workspaces/shop/mailboxes/{mailbox.pk}", None),
        ("POST", "/workspaces/shop/mailboxes", new_mailbox_body(address="x@shop.example")),
        ("PATCH", f"/workspaces/shop/mailboxes/{mailbox.pk}", {"imap_host": "evil.example"}),
        ("DELETE", f"/workspaces/shop/mailboxes/{mailbox.pk}", None),
        ("POST", f"/workspaces/shop/mailboxes/{mailbox.pk}/test", {}),
        ("POST", f"/workspaces/shop/mailboxes/{mailbox.pk}/poll", {}),
        ("GET", "/workspaces/shop/mail-quarantine", None),
        ("GET", f"/workspaces/shop/mail-quarantine/{item_id}", None),
        ("GET", f"/workspaces/shop/mail-quarantine/{item_id}/raw", None),
        ("POST", f"/workspaces/shop/mail-quarantine/{item_id}/reprocess", {}),
        ("POST", f"/workspaces/shop/mail-quarantine/{item_id}/discard", {}),
    ]
    for method, path, body in requests:
        response = client.get(path) if method == "GET" else client.send(method, path, body)
        assert response.status_code == 403, (role, method, path, response.content)
        assert error_of(response)["code"] == "forbidden"
        assert_no_secrets(response)
        assert "cs@shop.example" not in response.content.decode()
    mailbox.refresh_from_db()
    assert mailbox.imap_host == "127.0.0.1" and mailbox.imap_password == SECRETS[0]
    assert QuarantinedEmail.objects.get(pk=item_id).status == QuarantineStatus.HELD


def test_another_workspaces_mailboxes_and_quarantine_are_404(workspace: Workspace, other_workspace: Workspace,
                                                             admin: Membership) -> None:
    theirs = make_mailbox(other_workspace)
    item_id = services.email_ingest(workspace=other_workspace, raw=b"\r\n\r\n", mailbox=theirs).quarantine_id
    client = api(admin)
    for path in (f"/workspaces/shop/mailboxes/{theirs.pk}", f"/workspaces/other/mailboxes/{theirs.pk}",
                 "/workspaces/other/mailboxes", f"/workspaces/shop/mail-quarantine/{item_id}",
                 f"/workspaces/shop/mail-quarantine/{item_id}/raw", "/workspaces/other/mail-quarantine"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"
    for path in (f"/workspaces/shop/mailboxes/{theirs.pk}/test", f"/workspaces/shop/mailboxes/{theirs.pk}/poll",
                 f"/workspaces/shop/mail-quarantine/{item_id}/reprocess",
                 f"/workspaces/shop/mail-quarantine/{item_id}/discard"):
        assert client.post(path).status_code == 404, path
    assert client.patch(f"/workspaces/shop/mailboxes/{theirs.pk}", {"name": "x"}).status_code == 404
    assert client.delete(f"/workspaces/shop/mailboxes/{theirs.pk}").status_code == 404
    assert Mailbox.objects.get(pk=theirs.pk).name == "고객센터"
    assert QuarantinedEmail.objects.get(pk=item_id).status == QuarantineStatus.HELD
    assert client.get("/workspaces/shop/mail-quarantine").json()["items"] == []


def test_connection_test_reports_imap_and_smtp_in_korean(workspace: Workspace, admin: Membership,
                                                         dovecot: Dovecot, smtp: SmtpSink) -> None:
    mailbox = make_mailbox(workspace, imap_port=dovecot.port, smtp_port=smtp.port)
    client = api(admin)
    ok = client.post(f"/workspaces/shop/mailboxes/{mailbox.pk}/test")
    assert ok.status_code == 200, ok.content
    assert ok.json()["ok"] is True
    assert ok.json()["imap"]["ok"] and ok.json()["imap"]["message"].startswith("IMAP 연결 성공: INBOX 폴더에 메일")
    assert ok.json()["smtp"] == {"ok": True, "message": "SMTP 연결 성공 (로그인 확인)"}
    assert not smtp.messages  # a test sends nothing

    client.patch(f"/workspaces/shop/mailboxes/{mailbox.pk}", {"imap_password": "wrong"})
    failed = client.post(f"/workspaces/shop/mailboxes/{mailbox.pk}/test")
    assert failed.status_code == 200 and failed.json()["ok"] is False
    assert failed.json()["imap"]["ok"] is False
    assert "IMAP 로그인에 실패했습니다" in failed.json()["imap"]["message"]
    assert failed.json()["smtp"]["ok"] is True
    assert_no_secrets(failed)
    assert "wrong" not in failed.content.decode() and MAIL_PASSWORD not in failed.content.decode()


def test_poll_now_enqueues_the_mailbox_poll(workspace: Workspace, admin: Membership, dovecot: Dovecot,
                                            settings: Any) -> None:
    settings.CXOPS_JOBS_IMMEDIATE = True  # the queued job runs at once in tests
    folder = f"A{next(_folders)}x{id(object())}"
    conn = dovecot.connect(MAIL_USER)
    try:
        assert conn.create(folder)[0] == "OK"
    finally:
        conn.logout()
    dovecot.append(MAIL_USER, [(CORPUS / n).read_bytes() for n in ("01_naver_multipart.eml", "02_daum_euckr.eml")],
                   folder)
    mailbox = make_mailbox(workspace, imap_port=dovecot.port, imap_folder=folder)
    client = api(admin)
    response = client.post(f"/workspaces/shop/mailboxes/{mailbox.pk}/poll")
    assert response.status_code == 202, response.content
    assert response.json() == {"queued": True, "mailbox_id": mailbox.pk, "message": "새 메일 가져오기를 요청했습니다."}
    detail = client.get(f"/workspaces/shop/mailboxes/{mailbox.pk}").json()
    assert detail["last_poll_ok"] is True and detail["received_count"] == 2 and detail["last_uid"] == 2
    assert Ticket.objects.filter(workspace=workspace, channel="email").count() == 2

    client.patch(f"/workspaces/shop/mailboxes/{mailbox.pk}", {"is_active": False})
    inactive = client.post(f"/workspaces/shop/mailboxes/{mailbox.pk}/poll")
    assert inactive.status_code == 400 and "사용 중지된 메일함" in error_of(inactive)["message"]


def test_quarantine_list_detail_raw_reprocess_and_discard(workspace: Workspace, admin: Membership,
                                                          django_assert_max_num_queries: Any) -> None:
    mailbox = make_mailbox(workspace)
    deep = (CORPUS / "19_nesting_30.eml").read_bytes()
    deep_id = services.email_ingest(workspace=workspace, raw=deep, mailbox=mailbox, imap_uid=3).quarantine_id
    empty_id = services.email_ingest(workspace=workspace, raw=b"\r\n\r\n", mailbox=mailbox).quarantine_id
    client = api(admin)

    # Newest first, one page at a time; the page costs the same few queries however long it is.
    with django_assert_max_num_queries(8):
        first = client.get("/workspaces/shop/mail-quarantine", {"limit": 1})
    assert first.status_code == 200 and [i["id"] for i in first.json()["items"]] == [empty_id]
    second = client.get("/workspaces/shop/mail-quarantine", {"limit": 1, "cursor": first.json()["next_cursor"]})
    assert [i["id"] for i in second.json()["items"]] == [deep_id] and second.json()["next_cursor"] is None

    detail = client.get(f"/workspaces/shop/mail-quarantine/{deep_id}").json()
    assert detail["status"] == "held" and detail["reason"] == "too_deep"
    assert detail["reason_label"] == "MIME 중첩이 너무 깊음" and detail["subject_hint"] == "nested 30"
    assert detail["mailbox_address"] == "cs@shop.example" and detail["imap_uid"] == 3
    assert detail["size"] == len(deep) and detail["ticket_number"] is None

    raw = client.get(f"/workspaces/shop/mail-quarantine/{deep_id}/raw")
    assert raw.status_code == 200 and raw["Content-Type"] == "message/rfc822"
    assert "attachment" in raw["Content-Disposition"] and "sandbox" in raw["Content-Security-Policy"]
    assert b"".join(raw.streaming_content) == deep

    done = client.post(f"/workspaces/shop/mail-quarantine/{deep_id}/reprocess")
    assert done.status_code == 200, done.content
    result = done.json()
    ticket = Ticket.objects.get(workspace=workspace, number=result["ticket_number"])
    assert result["result"] == "created" and result["item"]["status"] == "reprocessed"
    assert result["item"]["ticket_number"] == ticket.number and result["item"]["resolved_at"]
    assert Message.objects.get(pk=result["message_id"]).ticket_id == ticket.pk
    again = client.post(f"/workspaces/shop/mail-quarantine/{deep_id}/reprocess")
    assert again.status_code == 400 and error_of(again)["message"] == "이미 처리된 격리 메일입니다."

    failed = client.post(f"/workspaces/shop/mail-quarantine/{empty_id}/reprocess")
    assert failed.status_code == 400 and "다시 처리하지 못했습니다" in error_of(failed)["message"]
    assert QuarantinedEmail.objects.get(pk=empty_id).status == QuarantineStatus.HELD
    discarded = client.post(f"/workspaces/shop/mail-quarantine/{empty_id}/discard")
    assert discarded.status_code == 200 and discarded.json()["status"] == "discarded"
    assert client.post(f"/workspaces/shop/mail-quarantine/{empty_id}/discard").status_code == 400

    assert client.get("/workspaces/shop/mail-quarantine").json()["items"] == []
    everything = client.get("/workspaces/shop/mail-quarantine", {"status": "all"}).json()["items"]
    assert {(i["id"], i["status"]) for i in everything} == {(deep_id, "reprocessed"), (empty_id, "discarded")}
    only_discarded = client.get("/workspaces/shop/mail-quarantine", {"status": "discarded"}).json()["items"]
    assert [i["id"] for i in only_discarded] == [empty_id]
    bad = client.get("/workspaces/shop/mail-quarantine", {"status": "lost"})
    assert bad.status_code == 422
    assert json.loads(bad.content)["error"]["details"][0]["loc"][:2] == ["query", "status"]
