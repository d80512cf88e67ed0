"""The English UI: Korean msgids translated through src/cxops/locale/en, and how the language is chosen.

Precedence (core/middleware.py): the django_language cookie set by the ko/en switch, then a signed-in
user's own User.language, then LANGUAGE_CODE (Korean); the browser's Accept-Language is not used.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cxops.core.models import Membership, User, Workspace
from tests.conftest import login

LOCALE_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"


def inbox_url(workspace: Workspace) -> str:
    return reverse("inbox", kwargs={"slug": workspace.slug})


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_compiled_catalog_is_shipped() -> None:
    # Users may not have GNU gettext, so the .mo is committed next to the .po.
    assert (LOCALE_DIR / "django.po").is_file()
    assert (LOCALE_DIR / "django.mo").is_file()


def test_catalog_translates_plurals() -> None:
    with translation.override("en"):
        one = translation.ngettext("티켓 %(n)s건을 표시합니다.", "티켓 %(n)s건을 표시합니다.", 1) % {"n": 1}
        many = translation.ngettext("티켓 %(n)s건을 표시합니다.", "티켓 %(n)s건을 표시합니다.", 3) % {"n": 3}
    assert (one, many) == ("Showing 1 ticket.", "Showing 3 tickets.")


@pytest.mark.django_db
def test_login_page_defaults_to_korean(client: Client) -> None:
    body = client.get(reverse("login")).content.decode()
    assert '<html lang="ko">' in body
    assert "비밀번호를 잊으셨나요?" in body


@pytest.mark.django_db
def test_login_page_in_english(client: Client) -> None:
    body = english(client).get(reverse("login")).content.decode()
    assert '<html lang="en">' in body
    assert "Sign in" in body and "Forgot your password?" in body
    assert "비밀번호를 잊으셨나요?" not in body and "로그인" not in body


def test_inquiry_board_in_english(client: Client, workspace: Workspace) -> None:
    url = reverse("portal_inquiry", kwargs={"slug": workspace.slug})
    korean = client.get(url).content.decode()
    assert "1:1 문의하기" in korean and "문의 접수" in korean

    body = english(client).get(url).content.decode()
    assert "1:1 inquiry" in body and "Submit inquiry" in body
    assert "Mobile number" in body and "Contact details" in body
    # The consent text is the workspace's own (Korean) content; only the UI around it is translated.
    for label in ("1:1 문의하기", "휴대폰 번호", "개인정보 수집·이용 동의"):
        assert label not in body, label


def test_inquiry_board_errors_in_english(client: Client, workspace: Workspace) -> None:
    url = reverse("portal_inquiry", kwargs={"slug": workspace.slug})
    body = english(client).post(url, {"name": "", "subject": "", "body": ""}).content.decode()
    assert "Please check your entries." in body
    assert "입력한 내용을 확인해 주세요." not in body


def test_inbox_defaults_to_korean(client: Client, agent: Membership) -> None:
    body = login(client, agent).get(inbox_url(agent.workspace)).content.decode()
    assert '<html lang="ko">' in body
    assert "내 티켓" in body and "미배정" in body
    assert "My tickets" not in body


def test_inbox_in_english_for_signed_in_agent(client: Client, agent: Membership) -> None:
    url = inbox_url(agent.workspace)
    body = english(login(client, agent)).get(url).content.decode()
    assert '<html lang="en">' in body
    for label in ("My tickets", "Unassigned", "Pending customer", "All tickets", "Log a call", "Search tickets"):
        assert label in body, label
    for label in ("내 티켓", "미배정", "고객 응답 대기", "전체 티켓", "전화 상담 기록", "티켓 검색"):
        assert label not in body, label


def test_switch_posts_to_set_language_and_sticks_to_the_account(agent: Membership) -> None:
    user = agent.user
    assert user.language == "ko"
    client = login(Client(), agent)
    url = inbox_url(agent.workspace)
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert User.objects.get(pk=user.pk).language == "en"
    assert "My tickets" in client.get(url).content.decode()

    # Another browser of the same user, without the cookie: the account's language applies.
    elsewhere = login(Client(), agent)
    body = elsewhere.get(url).content.decode()
    assert '<html lang="en">' in body and "My tickets" in body

    # Switching back works the same way.
    client.post(reverse("set_language"), {"language": "ko", "next": url})
    assert User.objects.get(pk=user.pk).language == "ko"
    assert "내 티켓" in client.get(url).content.decode()
    assert "내 티켓" in login(Client(), agent).get(url).content.decode()


def test_switch_form_in_topbar_posts_to_the_wrapper(client: Client, agent: Membership) -> None:
    body = login(client, agent).get(inbox_url(agent.workspace)).content.decode()
    assert f'action="{reverse("set_language")}"' in body
    assert reverse("set_language") == "/i18n/setlang/"


def test_cookie_overrides_the_account_language(client: Client, agent: Membership) -> None:
    User.objects.filter(pk=agent.user_id).update(language="en")
    login(client, agent)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    body = client.get(inbox_url(agent.workspace)).content.decode()
    assert "내 티켓" in body and "My tickets" not in body


def test_account_language_beats_browser_language(client: Client, agent: Membership) -> None:
    body = login(client, agent).get(inbox_url(agent.workspace), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "내 티켓" in body


def test_unsupported_language_is_ignored(client: Client, agent: Membership) -> None:
    login(client, agent)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert User.objects.get(pk=agent.user_id).language == "ko"
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies


@pytest.mark.django_db
def test_anonymous_switch_sets_only_the_cookie(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Forgot your password?" in client.get(reverse("login")).content.decode()


def test_get_does_not_change_the_account(client: Client, agent: Membership) -> None:
    login(client, agent)
    response = client.get(reverse("set_language"), {"language": "en"})
    assert response.status_code in (302, 204)
    assert User.objects.get(pk=agent.user_id).language == "ko"


def test_ticket_page_in_english(client: Client, agent: Membership) -> None:
    from tests.factories import make_ticket

    ticket = make_ticket(agent.workspace)
    url = reverse("ticket_detail", kwargs={"slug": agent.workspace.slug, "number": ticket.number})
    body = english(login(client, agent)).get(url).content.decode()
    for label in ("Public reply", "Internal note", "Assignee", "Priority", "Send reply", "Ticket details"):
        assert label in body, label
    for label in ("고객에게 답변", "내부 메모", "담당자", "우선순위", "답변 보내기"):
        assert label not in body, label


def test_public_pages_stay_korean_for_an_english_browser(client: Client, workspace) -> None:
    body = client.get(reverse("portal_inquiry", kwargs={"slug": workspace.slug}),
                      HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "1:1 문의" in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("portal_inquiry", kwargs={"slug": workspace.slug})).content.decode()
    assert english != body
