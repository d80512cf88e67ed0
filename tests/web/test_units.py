"""Pure helpers of the agent UI: Korean dates, durations, the macro renderer, presence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from cxops.tickets.forms import parse_duration
from cxops.tickets.macros import render_macro
from cxops.web import presence
from cxops.web.templatetags.cx import ago_text, duration, kdate, pii_email, pii_name, pii_phone


def test_kdate_is_korean_and_in_seoul_time():
    value = datetime(2026, 11, 23, 5, 5, tzinfo=UTC)  # 14:05 in Seoul, a Monday
    with timezone.override("Asia/Seoul"), translation.override("ko"):
        assert kdate(value).endswith("11월 23일 (월) 14:05")
        assert kdate(datetime(2020, 1, 1, 0, 0, tzinfo=UTC)) == "2020년 1월 1일 (수) 09:00"
    with timezone.override("Asia/Seoul"), translation.override("en"):
        assert "Nov 23" in kdate(value) or "2026" in kdate(value)


def test_relative_times():
    now = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    with translation.override("ko"), timezone.override("Asia/Seoul"):
        assert ago_text(now - timedelta(seconds=20), now) == "방금 전"
        assert ago_text(now - timedelta(minutes=3), now) == "3분 전"
        assert ago_text(now - timedelta(hours=5), now) == "5시간 전"
        assert ago_text(now - timedelta(days=2), now) == "2일 전"
        assert "월" in ago_text(now - timedelta(days=30), now)


@pytest.mark.parametrize(("raw", "seconds"), [
    ("", 0), ("95", 95), ("3:25", 205), ("1:02:03", 3723), ("3분 25초", 205), ("3분", 180), ("45초", 45),
    ("1시간 2분", 3720),
])
def test_parse_duration(raw, seconds):
    assert parse_duration(raw) == seconds


@pytest.mark.parametrize("raw", ["abc", "3:75", "-5", "3.5분"])
def test_parse_duration_rejects_garbage(raw):
    with pytest.raises(ValueError):
        parse_duration(raw)


def test_duration_display():
    assert duration(205) == "3:25"
    assert duration(3723) == "1:02:03"
    assert duration(None) == "0:00"


def test_macro_renderer_fills_the_whitelist_only_once():
    ticket = SimpleNamespace(number=1024, subject="배송 문의", customer=SimpleNamespace(name="{{ agent.name }}"))
    agent = SimpleNamespace(label="김상담")
    workspace = SimpleNamespace(name="맛있는 식탁")
    body = "{{customer.name}}님 #{{ ticket.number }} {{ ticket.subject }} / {{ agent.name }} / {{ workspace.name }} {{ secret }} {% if %}"
    text = render_macro(body, ticket=ticket, agent=agent, workspace=workspace)
    # The customer's name is inserted literally (not expanded again), unknown markup stays as written.
    assert text == "{{ agent.name }}님 #1024 배송 문의 / 김상담 / 맛있는 식탁 {{ secret }} {% if %}"


def test_macro_renderer_without_customer():
    assert render_macro("{{ customer.name }}님", ticket=SimpleNamespace(number=1, subject="s", customer=None)) == "고객님"


def test_pii_filters_mask_for_client_viewers_only():
    agent = SimpleNamespace(role="agent")
    viewer = SimpleNamespace(role="client_viewer")
    assert pii_phone("01012345678", agent) == "010-1234-5678"
    assert pii_phone("01012345678", viewer) == "010-****-5678"
    assert pii_email("minji@example.kr", viewer) == "mi***@example.kr"
    assert pii_name("김민지", viewer) == "김*지"
    assert pii_name("김민지", agent) == "김민지"


def test_presence_tracks_viewers_and_typists(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "p"}}
    presence.ping(ticket_id=1, user_id=10, name="김상담", now=1000.0)
    presence.ping(ticket_id=1, user_id=11, name="이지원", state=presence.REPLYING, now=1000.0)
    seen = presence.others(ticket_id=1, user_id=10)
    assert [(p.name, p.replying) for p in seen] == [("이지원", True)]
    # A regular poll shortly after typing keeps "replying"; a later one turns it back into "viewing".
    presence.ping(ticket_id=1, user_id=11, name="이지원", now=1005.0)
    assert presence.others(ticket_id=1, user_id=10)[0].replying
    presence.ping(ticket_id=1, user_id=11, name="이지원", now=1000.0 + presence.REPLYING_HOLD_S + 1)
    assert not presence.others(ticket_id=1, user_id=10)[0].replying
    presence.leave(ticket_id=1, user_id=11)
    assert presence.others(ticket_id=1, user_id=10) == []
    assert presence.others(ticket_id=2, user_id=10) == []
