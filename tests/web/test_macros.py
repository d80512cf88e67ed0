"""Macros: list, create, edit, delete."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cxops.tickets.models import Macro
from tests.factories import make_member
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db


def test_macro_crud(world):
    client = client_for(world.agent)
    slug = world.workspace.slug
    html = client.get(reverse("macros", kwargs={"slug": slug})).content.decode()
    assert "배송 지연 안내" in html and "{{ customer.name }}" in html
    assert client.get(reverse("macro_new", kwargs={"slug": slug})).status_code == 200
    response = client.post(reverse("macro_new", kwargs={"slug": slug}), {
        "title": "환불 완료", "body": "{{ customer.name }}님, 환불되었습니다.", "category": "", "set_status": "solved"})
    assert response.status_code == 302
    macro = Macro.objects.get(title="환불 완료")
    assert macro.set_status == "solved" and macro.created_by_id == world.agent.user_id
    edit = reverse("macro_edit", kwargs={"slug": slug, "macro_id": macro.pk})
    assert "환불되었습니다" in client.get(edit).content.decode()
    client.post(edit, {"title": "환불 완료 안내", "body": "본문", "set_status": ""})
    macro.refresh_from_db()
    assert (macro.title, macro.body, macro.set_status) == ("환불 완료 안내", "본문", "")
    client.post(reverse("macro_delete", kwargs={"slug": slug, "macro_id": macro.pk}))
    assert not Macro.objects.filter(pk=macro.pk).exists()


def test_macro_form_errors_and_preview(world):
    client = client_for(world.agent)
    html = client.post(reverse("macro_new", kwargs={"slug": world.workspace.slug}),
                       {"title": "", "body": "{{ workspace.name }} 입니다"}).content.decode()
    assert "매크로 제목을 입력해 주세요." in html and "맛있는 식탁 입니다" in html  # preview


def test_macro_search(world):
    html = client_for(world.agent).get(reverse("macros", kwargs={"slug": world.workspace.slug}) + "?q=없는").content
    assert "매크로가 없습니다" in html.decode()


def test_viewer_reads_macros_but_cannot_write(world):
    viewer = make_member(world.workspace, "client_viewer")
    client = client_for(viewer)
    assert client.get(reverse("macros", kwargs={"slug": world.workspace.slug})).status_code == 200
    assert client.get(reverse("macro_new", kwargs={"slug": world.workspace.slug})).status_code == 403
