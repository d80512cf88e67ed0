"""Customers: search, detail, edit, merge."""

from __future__ import annotations

from html import unescape

import pytest
from django.urls import reverse

from cxops.core.models import PiiAccessLog
from cxops.tickets.models import Customer
from tests.factories import make_ticket
from tests.web.conftest import client_for, htmx

pytestmark = pytest.mark.django_db


def detail(world, customer_id: int | None = None, name: str = "customer_detail") -> str:
    return reverse(name, kwargs={"slug": world.workspace.slug, "customer_id": customer_id or world.customer.pk})


def test_customer_search(world):
    make_ticket(world.workspace, name="박서준", phone="010-7777-8888", email="seojun@example.kr")
    client = client_for(world.agent)
    base = reverse("customers", kwargs={"slug": world.workspace.slug})
    html = client.get(base).content.decode()
    assert "김민지" in html and "박서준" in html
    assert "010-****-4444" in html and "010-3333-4444" not in html  # lists are masked
    for query in ("김민", "010-7777-8888", "01077778888", "seojun@example.kr"):
        html = client.get(base, {"q": query}).content.decode()
        assert ("박서준" in html) != (query == "김민"), query
    html = client.get(base, {"q": "없는사람"}, **htmx("customers-results")).content.decode()
    assert "<html" not in html and "맞는 고객이 없습니다" in html


def test_customer_detail_shows_everything_and_logs_access(world):
    html = client_for(world.agent).get(detail(world)).content.decode()
    for text in ("김민지", "010-3333-4444", "minji@example.kr", "A-1001", "배송이 너무 늦어요", "배송 지연 문의 통화"):
        assert text in html
    assert PiiAccessLog.objects.filter(subject_id=str(world.customer.pk), purpose="고객 정보 조회").exists()


def test_edit_customer(world):
    client = client_for(world.agent)
    response = client.post(detail(world, name="customer_edit"), {
        "name": "김민지", "tier": "VIP", "notes": "오전 통화 선호", "add_phone": "02-555-1234", "add_email": ""})
    assert response.status_code == 302
    world.customer.refresh_from_db()
    assert world.customer.tier == "VIP" and "025551234" in world.customer.phones
    html = unescape(client.post(detail(world, name="customer_edit"), {
        "name": "김민지", "add_phone": "12345"}).content.decode())
    assert "전화번호 형식이 올바르지 않습니다: 12345" in html
    html = client.post(detail(world, name="customer_edit"), {"name": "김민지", "add_email": "bad"}).content.decode()
    assert "has-error" in html


def test_merge_customers(world):
    other = make_ticket(world.workspace, name="김민지", phone="010-1010-2020", subject="다른 번호로 문의")
    source = other.customer
    client = client_for(world.agent)
    candidates = client.get(detail(world, name="customer_merge_candidates") + "?q=01010102020",
                            **htmx("merge-candidates")).content.decode()
    assert f'value="{source.pk}"' in candidates
    response = client.post(detail(world, name="customer_merge"), {"source_id": source.pk})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.customer_id == world.customer.pk
    assert Customer.objects.get(pk=source.pk).merged_into_id == world.customer.pk
    html = client.get(detail(world, customer_id=source.pk)).content.decode()
    assert "다른 고객에 병합되었습니다" in html
    response = client.post(detail(world, name="customer_merge"), {"source_id": world.customer.pk}, follow=True)
    assert "서로 다른 고객만 병합할 수 있습니다" in response.content.decode()


def test_viewer_sees_masked_customer(world):
    from tests.factories import make_member

    viewer = make_member(world.workspace, "client_viewer")
    html = client_for(viewer).get(detail(world)).content.decode()
    assert "010-****-4444" in html and "minji@example.kr" not in html and "customer_edit" not in html
    assert not PiiAccessLog.objects.exists()
