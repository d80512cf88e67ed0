"""A customer types a question on the board form → sees a guide → opens it → leaves without
submitting: counted as a deflection (headless Debian Chromium through Playwright)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cxops.knowledge import selectors, suggest
from cxops.knowledge.models import SuggestionEvent
from cxops.tickets.models import Ticket
from tests.e2e.test_board_journey import _page, browser  # noqa: F401  (fixture)
from tests.knowledge.conftest import make_article

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_board_question_to_guide_counts_as_deflected(live_server: Any, browser: Any, workspace: Any,  # noqa: F811
                                                      settings: Any) -> None:
    settings.CXOPS_KB_THRESHOLD = 1e-7  # the instant hashing embedder of the tests scores low
    suggest.clear_cache()
    guide = make_article(workspace, "환불 신청 방법", "주문 내역에서 환불 신청 버튼을 누르면 접수됩니다.",
                         steps=("앱에서 마이페이지를 엽니다", "주문 내역에서 환불 신청을 누릅니다"))
    make_article(workspace, "배송 조회 방법", "마이페이지에서 배송 조회를 누르세요.")

    customer, errors = _page(browser, 390, 844)
    customer.goto(f"{live_server.url}/p/{workspace.slug}/inquiry/")
    customer.get_by_label("제목").fill("환불 신청은 어떻게 하나요")
    suggestions = customer.locator("[data-testid=kb-suggestions]")
    suggestions.wait_for()
    assert "환불 신청 방법" in suggestions.inner_text()

    with customer.context.expect_page() as opened:
        suggestions.get_by_role("link", name="환불 신청 방법").click()
    article = opened.value
    article.wait_for_load_state()
    assert "주문 내역에서 환불 신청을 누릅니다" in article.locator("body").inner_text()
    # The customer found the answer and leaves without sending the form.
    article.close()
    customer.close()

    key_events = list(SuggestionEvent.objects.filter(workspace=workspace).values_list("kind", "article_id"))
    assert ("shown", guide.pk) in key_events and ("clicked", guide.pk) in key_events
    assert not Ticket.objects.filter(workspace=workspace).exists()
    later = timezone.now() + timedelta(minutes=31)
    stats = selectors.deflection_stats(workspace=workspace, since=later - timedelta(days=1), now=later)
    assert stats.sessions_deflected == 1 and stats.rate == 1.0
    assert not errors, errors
