"""Real mail servers for the tests and the benchmark: Dovecot (IMAP, from Debian's dovecot-imapd)
and aiosmtpd (SMTP), each on a free port of 127.0.0.1, as unprivileged processes with temporary
configuration. Used by tests/mail/conftest.py and bench/email_ingest.py."""

from __future__ import annotations

import contextlib
import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server on port {port} did not start")


@dataclass
class Dovecot:
    port: int
    root: Path
    users: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None

    def connect(self, user: str) -> imaplib.IMAP4:
        from cxops.mail.transport import imap_login

        conn = imaplib.IMAP4("127.0.0.1", self.port)
        imap_login(conn, user, self.users[user])
        return conn

    def append(self, user: str, messages: list[bytes], folder: str = "INBOX") -> None:
        conn = self.connect(user)
        try:
            for raw in messages:
                typ, data = conn.append(folder, None, None, raw)
                assert typ == "OK", data
        finally:
            conn.logout()

    def flags(self, user: str, folder: str = "INBOX") -> dict[int, str]:
        conn = self.connect(user)
        try:
            conn.select(folder)
            _typ, data = conn.uid("FETCH", "1:*", "(UID FLAGS)")
            result: dict[int, str] = {}
            for line in data:
                if isinstance(line, bytes) and b"UID" in line:
                    text = line.decode()
                    uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                    result[uid] = text.split("FLAGS (")[1].split(")")[0]
            return result
        finally:
            conn.logout()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextlib.contextmanager
def dovecot_server(users: dict[str, str]) -> Iterator[Dovecot]:
    """Dovecot with passwd-file auth and maildirs in a temporary folder. As root it runs as
    `nobody`; otherwise as the current user."""
    if not DOVECOT:
        raise RuntimeError("dovecot is not installed (apt-get install dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="cxops-dovecot-"))
    run_as: dict[str, Any] = {}
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        uid, gid = nobody.pw_uid, nobody.pw_gid
        run_as = {"user": uid, "group": gid, "extra_groups": []}
    else:
        uid, gid = os.getuid(), os.getgid()
    user_name = pwd.getpwuid(uid).pw_name
    group_name = grp.getgrgid(gid).gr_name
    port = free_port()
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    (root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in users.items()))
    (root / "dovecot.conf").write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {user_name}
default_internal_group = {group_name}
default_login_user = {user_name}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    user = {user_name}
  }}
  unix_listener stats-writer {{
    user = {user_name}
  }}
}}
""")
    for path in [root, *root.rglob("*")]:
        os.chown(path, uid, gid)
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, **run_as)
    server = Dovecot(port=port, root=root, users=dict(users), process=process)
    try:
        try:
            _wait_port(port)
        except RuntimeError:
            process.kill()
            _out, err = process.communicate(timeout=5)
            raise RuntimeError(f"dovecot did not start: {err.decode(errors='replace')} {server.log()}") from None
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class SmtpSink:
    port: int
    messages: list[dict[str, Any]] = field(default_factory=list)
    fail_next: int = 0  # answer this many transactions with 451 (temporary failure)


@contextlib.contextmanager
def smtp_server(user: str = "", password: str = "") -> Iterator[SmtpSink]:
    """aiosmtpd on a free port; keeps what it receives. AUTH PLAIN/LOGIN without TLS when a user is given."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    sink = SmtpSink(port=free_port())

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            if sink.fail_next > 0:
                sink.fail_next -= 1
                return "451 4.3.0 try again later"
            sink.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                  "data": envelope.original_content or envelope.content})
            return "250 OK"

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
            and auth_data.password.decode() == password
        return AuthResult(success=ok)

    kwargs: dict[str, Any] = {}
    if user:
        kwargs = {"authenticator": authenticator, "auth_require_tls": False, "auth_required": True}
    controller = Controller(Handler(), hostname="127.0.0.1", port=sink.port, **kwargs)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()
