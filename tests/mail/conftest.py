from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from cxops.core.models import Workspace
from cxops.mail.models import Mailbox, Security
from cxops.mail.services import mailbox_save
from tests.mail.servers import DOVECOT, Dovecot, SmtpSink, dovecot_server, smtp_server

MAIL_USER = "cs@shop.example"
MAIL_PASSWORD = "비밀-pass-1"


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    if not DOVECOT:
        reason = "Dovecot is not installed: apt-get install -y dovecot-imapd (see .ci/run)"
        if os.environ.get("CXOPS_REQUIRE_SERVICES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    with dovecot_server({MAIL_USER: MAIL_PASSWORD, "other@shop.example": "pw-2"}) as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with smtp_server("cs@shop.example", "smtp-pass") as sink:
        yield sink


def make_mailbox(workspace: Workspace, *, imap_port: int = 1, smtp_port: int = 1, user: str = MAIL_USER,
                 password: str = MAIL_PASSWORD, **extra: Any) -> Mailbox:
    return mailbox_save(
        workspace=workspace, by=None, address=extra.pop("address", "cs@shop.example"), name="고객센터",
        imap_host="127.0.0.1", imap_port=imap_port, imap_security=Security.NONE, imap_user=user,
        smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_security=Security.NONE, smtp_user="cs@shop.example",
        imap_password=password, smtp_password="smtp-pass", **extra)


@pytest.fixture
def mailbox(workspace: Workspace) -> Mailbox:
    return make_mailbox(workspace)
