"""Customer file uploads: a multi-file form field and the checks every attachment passes.

The browser's Content-Type is the customer's claim; the type we store comes from the file name's
extension (a fixed table, so it does not depend on the server's /etc/mime.types), and images and
PDFs must also start with their format's signature, since images are later shown inline.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from cxops.core.services import ServiceError
from cxops.tickets.channels.base import InboundAttachment
from cxops.tickets.services import validate_attachment

EXTENSION_TYPES: dict[str, str] = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
    ".zip": "application/zip",
    ".hwp": "application/x-hwp",
    ".hwpx": "application/hwp+zip",
}

# Types whose first bytes are checked; images are displayed inline, so they must really be images.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "application/pdf": (b"%PDF-",),
}

INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


def content_type_for(filename: str, claimed: str = "") -> str:
    """The type we trust for a file name: the extension decides; the browser's claim is a fallback."""
    suffix = PurePosixPath(filename.lower()).suffix
    if suffix in EXTENSION_TYPES:
        return EXTENSION_TYPES[suffix]
    guessed, _encoding = mimetypes.guess_type(filename, strict=False)
    return guessed or (claimed.split(";")[0].strip().lower() if claimed else "") or "application/octet-stream"


def signature_matches(content_type: str, head: bytes) -> bool:
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    signatures = _SIGNATURES.get(content_type)
    return signatures is None or any(head.startswith(sig) for sig in signatures)


def accept_attribute() -> str:
    """The file input's `accept` hint: allowed types and their extensions."""
    allowed = set(settings.ATTACHMENT_ALLOWED_TYPES)
    extensions = sorted(ext for ext, ctype in EXTENSION_TYPES.items() if ctype in allowed)
    return ",".join([*extensions, *sorted(allowed)])


def read_upload(upload: UploadedFile) -> InboundAttachment:
    """Check one uploaded file and read it; ServiceError carries the Korean message to show."""
    filename = PurePosixPath((upload.name or "file").replace("\\", "/")).name or "file"
    size = int(upload.size or 0)
    content_type = content_type_for(filename, upload.content_type or "")
    validate_attachment(filename=filename, content_type=content_type, size=size)
    if size == 0:
        raise ServiceError(f"'{filename}' 파일이 비어 있습니다. 다른 파일을 골라 주세요.")
    upload.seek(0)
    content = upload.read()
    if not signature_matches(content_type, content[:16]):
        raise ServiceError(f"'{filename}' 파일의 내용이 확장자와 맞지 않습니다. 파일을 다시 저장해서 올려 주세요.")
    return InboundAttachment(filename=filename, content_type=content_type, content=content)


def read_uploads(uploads: Sequence[UploadedFile]) -> tuple[list[InboundAttachment], list[str]]:
    """All files checked: the readable ones and a Korean message for each rejected one."""
    if len(uploads) > settings.ATTACHMENT_MAX_COUNT:
        return [], [f"첨부 파일은 {settings.ATTACHMENT_MAX_COUNT}개까지 올릴 수 있습니다. "
                    f"({len(uploads)}개를 고르셨습니다.)"]
    accepted: list[InboundAttachment] = []
    problems: list[str] = []
    for upload in uploads:
        try:
            accepted.append(read_upload(upload))
        except ServiceError as exc:
            problems.append(str(exc))
    return accepted, problems


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Several files in one input; cleans to a list of checked InboundAttachment."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", accept_attribute())

    def clean(self, data: Any, initial: Any = None) -> list[InboundAttachment]:  # type: ignore[override]
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not uploads:
            if self.required:
                raise forms.ValidationError("파일을 첨부해 주세요.", code="required")
            return []
        accepted, problems = read_uploads(uploads)
        if problems:
            raise forms.ValidationError(problems, code="invalid_attachment")
        return accepted
