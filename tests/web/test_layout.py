"""Home redirect, sign-in requirement, sidebar, availability, language switch, logout form."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cxops.core.models import AuditEvent, Membership
from tests.factories import make_member, make_user, make_workspace
from tests.web.conftest import client_for, htmx

pytestmark = pytest.mark.django_db


def test_home_sends_anonymous_visitors_to_sign_in(client: Client):
    response = client.get("/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_workspace_pages_need_sign_in(client: Client, workspace):
    response = client.get(reverse("inbox", kwargs={"slug": workspace.slug}))
    assert response.status_code == 302 and "login" in response["Location"] and "next=" in response["Location"]
    # htmx requests get a full-page redirect instead of a login form swapped into the table.
    response = client.get(reverse("inbox", kwargs={"slug": workspace.slug}), **htmx("inbox-results"))
    assert response.status_code == 200 and "login" in response["HX-Redirect"]


def test_home_opens_the_first_workspace_inbox(workspace):
    second = make_workspace(slug="alpha", name="가나다 상회")
    member = make_member(workspace, "agent")
    make_member(second, "agent", user=member.user)
    response = client_for(member).get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("inbox", kwargs={"slug": "alpha"})  # ordered by name


def test_home_without_workspace_explains_what_to_do(db):
    client = Client()
    client.force_login(make_user())
    response = client.get("/")
    assert response.status_code == 200
    assert "참여한 워크스페이스가 없습니다" in response.content.decode()


def test_layout_has_switcher_views_search_and_logout(world, other_workspace):
    make_member(other_workspace, "agent", user=world.agent.user)
    html = client_for(world.agent).get(reverse("inbox", kwargs={"slug": world.workspace.slug})).content.decode()
    assert 'role="search"' in html and 'id="global-search"' in html
    assert "다른 회사" in html and "맛있는 식탁" in html  # workspace switcher
    for label in ("내 티켓", "미배정", "진행 중 전체", "고객 응답 대기", "최근 해결", "긴급", "전화 상담", "고객", "매크로"):
        assert label in html
    assert 'action="/logout/"' in html or f'action="{reverse("logout")}"' in html
    assert "htmx" in html and "cdn" not in html.lower() and "https://" not in html.split("<body")[0]
    assert 'href="#main"' in html and '<main id="main"' in html and 'aria-live="polite"' in html


def test_sidebar_counts_are_live(world):
    client = client_for(world.agent)
    url = reverse("sidebar_views", kwargs={"slug": world.workspace.slug})
    response = client.get(url + "?active=unassigned", **htmx())
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert 'data-view-key="unassigned"' in html and 'aria-current="page"' in html
    assert "긴급" in html  # the agent's saved view with its count


def test_settings_link_only_for_managers(world):
    url = reverse("inbox", kwargs={"slug": world.workspace.slug})
    assert "/settings/" not in client_for(world.agent).get(url).content.decode()
    assert "/settings/" in client_for(world.admin).get(url).content.decode()


def test_availability_change(world):
    client = client_for(world.agent)
    url = reverse("availability_set", kwargs={"slug": world.workspace.slug})
    response = client.post(url, {"availability": "online"}, **htmx("availability"))
    assert response.status_code == 200
    assert 'value="online" selected' in response.content.decode()
    assert Membership.objects.get(pk=world.agent.pk).availability == "online"
    assert AuditEvent.objects.filter(action="membership.availability").exists()
    client.post(url, {"availability": "away"})
    assert Membership.objects.get(pk=world.agent.pk).availability == "away"
    client.post(url, {"availability": "bogus"})
    assert Membership.objects.get(pk=world.agent.pk).availability == "away"
    assert client.get(url).status_code == 405


def test_language_switch_to_english(world):
    client = client_for(world.agent)
    inbox = reverse("inbox", kwargs={"slug": world.workspace.slug})
    response = client.post(reverse("set_language"), {"language": "en", "next": inbox})
    assert response.status_code == 302 and response["Location"] == inbox
    assert '<html lang="en">' in client.get(inbox).content.decode()
    client.post(reverse("set_language"), {"language": "ko", "next": inbox})
    assert '<html lang="ko">' in client.get(inbox).content.decode()


def test_workspace_root_redirects_to_inbox(world):
    response = client_for(world.agent).get(reverse("workspace_home", kwargs={"slug": world.workspace.slug}))
    assert response.status_code == 302 and response["Location"].endswith("/inbox/")


def test_inactive_member_gets_404(world):
    Membership.objects.filter(pk=world.member.pk).update(is_active=False)
    response = client_for(world.member).get(reverse("inbox", kwargs={"slug": world.workspace.slug}))
    assert response.status_code == 404
