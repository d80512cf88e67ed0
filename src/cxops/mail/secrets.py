"""Mailbox passwords at rest: Fernet (AES-128-CBC + HMAC-SHA256) with a key derived from SECRET_KEY.

Rotating SECRET_KEY makes stored passwords unreadable: the connection test then says so and an
admin types the passwords again. Values written before are prefixed "fernet:" so a plain value
(typed into the database by hand) is still read.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

PREFIX = "fernet:"


class SecretUnreadable(Exception):
    """The stored value was encrypted with another SECRET_KEY."""


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"cxops.mail.password:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plain: str) -> str:
    if not plain:
        return ""
    return PREFIX + _fernet().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        return stored
    try:
        return _fernet().decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable("저장된 비밀번호를 읽을 수 없습니다. SECRET_KEY가 바뀌었다면 비밀번호를 다시 입력해 주세요.") from exc
