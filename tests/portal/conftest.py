from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from cxops.core.models import Workspace
from cxops.portal.antispam import issue_stamp
from cxops.tickets.models import Category

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    # Rate-limit counters live in the (local-memory) cache; every test starts with none.
    cache.clear()
    yield
    cache.clear()


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def stamp(workspace: Workspace, age_seconds: float = 30) -> str:
    return issue_stamp(workspace_id=workspace.pk, issued_at=time.time() - age_seconds)


def leaf_category(workspace: Workspace, parent: str = "배송", name: str = "배송 지연") -> Category:
    return Category.objects.get(workspace=workspace, parent__name=parent, name=name)


@pytest.fixture
def board_data(workspace: Workspace) -> dict[str, Any]:
    """A complete, valid inquiry as the browser would post it (opened 30 s ago)."""
    return {
        "name": "김민수",
        "phone": "010-1234-5678",
        "email": "",
        "order_number": "20261123-0001",
        "category": str(leaf_category(workspace).pk),
        "subject": "주문한 김치가 아직 안 왔어요",
        "body": "11월 20일에 주문했는데 아직 배송이 시작되지 않았습니다.\n확인 부탁드립니다.",
        "consent": "on",
        "homepage": "",
        "started": stamp(workspace),
    }
