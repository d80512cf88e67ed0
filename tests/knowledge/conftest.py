from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cxops.core.models import Workspace
from cxops.knowledge import services, suggest
from cxops.knowledge.models import Article, ArticleStatus, Audience


@pytest.fixture(autouse=True)
def _hashing_threshold(settings: Any) -> None:
    # The engine's calibration fits the e5 model; the instant hashing embedder of the unit tests scores
    # far lower, so the tests use a matching display threshold (the model tests keep the default).
    settings.CXOPS_KB_THRESHOLD = 1e-7


@pytest.fixture(autouse=True)
def _fresh_index_cache() -> Iterator[None]:
    # Workspace ids repeat across tests (rolled-back transactions): never reuse another test's index.
    suggest.clear_cache()
    yield
    suggest.clear_cache()


def make_article(workspace: Workspace, title: str, body: str = "", *, audience: str = Audience.PUBLIC,
                 status: str = ArticleStatus.PUBLISHED, external_id: str | None = None, steps: tuple[str, ...] = (),
                 category: str = "", tags: tuple[str, ...] = (), by: Any = None) -> Article:
    category_obj = services.category_for_name(workspace=workspace, name=category) if category else None
    return services.article_create(
        workspace=workspace, by=by, status=status, steps=steps,
        data=services.ArticleInput(title=title, body=f"<p>{body}</p>" if body else "", audience=audience,
                                   external_id=external_id, tags=list(tags),
                                   category_id=category_obj.pk if category_obj else None))


GUIDES = [
    ("refund", "환불 신청 방법", "주문 내역에서 환불 신청 버튼을 누르면 환불이 접수됩니다. 카드 환불은 3~5영업일 걸립니다.", "결제"),
    ("delivery", "배송 조회 방법", "마이페이지 주문 내역에서 배송 조회를 누르면 택배사 송장 번호와 배송 상태를 볼 수 있습니다.", "배송"),
    ("password", "비밀번호 재설정", "로그인 화면에서 비밀번호 찾기를 누르고 휴대폰 인증을 하면 새 비밀번호를 만들 수 있습니다.", "계정"),
]


@pytest.fixture
def guides(workspace: Workspace) -> dict[str, Article]:
    return {key: make_article(workspace, title, body, external_id=key, category=category)
            for key, title, body, category in GUIDES}
