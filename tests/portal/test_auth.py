from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cxops.core.models import Invitation, Membership, User
from cxops.core.services import invitation_create
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "pass-1234-word"


# --- sign-in and sign-out -----------------------------------------------------------------------

def test_login_page_is_korean(client):
    html = client.get(reverse("login")).content.decode()
    assert "로그인" in html and "이메일" in html and "비밀번호를 잊으셨나요?" in html
    assert 'autocomplete="username"' in html


def test_login_with_email_goes_home_and_rotates_the_session(client, agent):
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    response = client.post(reverse("login"), {"username": agent.user.email.upper(), "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == str(agent.user.pk)
    assert client.session.session_key != before


def test_login_follows_a_safe_next_only(client, agent):
    response = client.post(reverse("login") + "?next=/account/password/",
                           {"username": agent.user.email, "password": PASSWORD, "next": "/account/password/"})
    assert response["Location"] == "/account/password/"
    client.logout()
    response = client.post(reverse("login"), {"username": agent.user.email, "password": PASSWORD,
                                              "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_wrong_password_shows_a_korean_error(client, agent):
    response = client.post(reverse("login"), {"username": agent.user.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert "이메일 또는 비밀번호가 올바르지 않습니다." in response.content.decode()
    assert SESSION_KEY not in client.session


def test_signed_in_user_visiting_login_goes_home(client, agent):
    client.force_login(agent.user)
    assert client.get(reverse("login"))["Location"] == reverse("home")


def test_failed_logins_are_rate_limited_successful_ones_are_not(client, agent, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": "3/300"}
    for _ in range(5):  # a whole office signing in from one address
        assert client.post(reverse("login"), {"username": agent.user.email, "password": PASSWORD}).status_code == 302
        client.logout()
    for _ in range(3):
        assert client.post(reverse("login"), {"username": agent.user.email, "password": "nope"}).status_code == 200
    response = client.post(reverse("login"), {"username": agent.user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "잠시 후 다시 시도해 주세요" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get(reverse("login")).status_code == 200


def test_logout_is_post_only(client, agent):
    client.force_login(agent.user)
    assert client.get(reverse("logout")).status_code == 405
    assert SESSION_KEY in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert SESSION_KEY not in client.session
    assert "로그아웃되었습니다." in client.get(response["Location"]).content.decode()


# --- password reset and change ------------------------------------------------------------------

def test_password_reset_sends_a_korean_email_with_a_working_link(client, agent, settings):
    settings.SITE_URL = "https://cs.example.kr"
    response = client.post(reverse("password_reset"), {"email": agent.user.email.upper()})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [agent.user.email]
    assert email.subject == "[CXOps] 비밀번호 재설정 안내"
    assert "비밀번호 재설정을 요청하셨습니다" in email.body
    link = re.search(r"https://cs\.example\.kr(/reset/[^/\s]+/[^/\s]+/)", email.body).group(1)

    response = client.get(link)  # Django swaps the token for a session-held one
    assert response.status_code == 302
    assert response["Referrer-Policy"] == "no-referrer"
    set_password_url = response["Location"]
    page = client.get(set_password_url)
    assert "새 비밀번호 정하기" in page.content.decode()
    assert "noindex" in page["X-Robots-Tag"]
    response = client.post(set_password_url, {"new_password1": "새-비밀번호-2026!", "new_password2": "새-비밀번호-2026!"})
    assert response["Location"] == reverse("password_reset_complete")
    agent.user.refresh_from_db()
    assert agent.user.check_password("새-비밀번호-2026!")
    # the link works once
    assert "링크를 사용할 수 없습니다" in client.get(link, follow=True).content.decode()


def test_password_reset_for_unknown_email_reveals_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.kr"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_password_change_needs_sign_in_and_keeps_the_session(client, agent):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    client.force_login(agent.user)
    assert "비밀번호 변경" in client.get(reverse("password_change")).content.decode()
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "다른-비밀번호-77", "new_password2": "다른-비밀번호-77"})
    assert response["Location"] == reverse("password_change_done")
    agent.user.refresh_from_db()
    assert agent.user.check_password("다른-비밀번호-77")
    assert client.get(reverse("password_change_done")).status_code == 200  # still signed in


def test_password_change_with_wrong_old_password_fails(client, agent):
    client.force_login(agent.user)
    response = client.post(reverse("password_change"), {
        "old_password": "wrong", "new_password1": "다른-비밀번호-77", "new_password2": "다른-비밀번호-77"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    agent.user.refresh_from_db()
    assert agent.user.check_password(PASSWORD)


# --- invitations --------------------------------------------------------------------------------

@pytest.fixture
def inviter(workspace):
    return make_member(workspace, "admin")


def invite(workspace, inviter, email="newbie@example.kr", role="agent"):
    _invitation, raw = invitation_create(workspace=workspace, email=email, role=role, actor=inviter.user)
    return raw, reverse("invitation_accept", args=[raw])


def test_invitation_shows_workspace_and_role(client, workspace, inviter):
    _raw, url = invite(workspace, inviter, role="lead")
    response = client.get(url)
    html = response.content.decode()
    assert "맛있는 식탁" in html and "팀장" in html and "newbie@example.kr" in html
    # the token never goes to another site; same-origin keeps the form's Origin header for CSRF
    assert response["Referrer-Policy"] == "same-origin"
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_accepting_an_invitation_creates_the_account_and_signs_in(client, workspace, inviter):
    _raw, url = invite(workspace, inviter)
    response = client.post(url, {"display_name": "  신입   상담원 ", "password1": "튼튼한-비번-2026",
                                 "password2": "튼튼한-비번-2026"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = User.objects.get(email="newbie@example.kr")
    assert user.display_name == "신입 상담원"
    assert user.check_password("튼튼한-비번-2026")
    assert Membership.objects.get(workspace=workspace, user=user).role == "agent"
    assert client.session[SESSION_KEY] == str(user.pk)
    assert Invitation.objects.get(email="newbie@example.kr").accepted_at is not None


@pytest.mark.parametrize(("password1", "password2", "message"), [
    ("튼튼한-비번-2026", "다른-비번-2026", "두 비밀번호가 서로 다릅니다."),
    ("12345678", "12345678", "비밀번호가 전부 숫자로 되어 있습니다."),
    ("", "", "비밀번호를 입력해 주세요."),
])
def test_invitation_password_problems_are_explained(client, workspace, inviter, password1, password2, message):
    _raw, url = invite(workspace, inviter)
    response = client.post(url, {"display_name": "신입", "password1": password1, "password2": password2})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="newbie@example.kr").exists()


def test_existing_account_is_asked_to_sign_in_then_accept(client, workspace, other_workspace, inviter):
    existing = make_user(email="veteran@example.kr")
    make_member(other_workspace, "agent", user=existing)
    _raw, url = invite(workspace, inviter, email="veteran@example.kr", role="manager")
    html = client.get(url).content.decode()
    assert "이미 가입된 계정이 있습니다" in html
    assert reverse("login") + "?next=" + url.replace("/", "%2F") in html
    # a POST without signing in creates nothing
    client.post(url, {"display_name": "x", "password1": "튼튼한-비번-2026", "password2": "튼튼한-비번-2026"})
    assert not Membership.objects.filter(workspace=workspace, user=existing).exists()

    response = client.post(reverse("login") + "?next=" + url,
                           {"username": "veteran@example.kr", "password": PASSWORD, "next": url})
    assert response["Location"] == url
    assert "초대 수락" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == reverse("home")
    assert Membership.objects.get(workspace=workspace, user=existing).role == "manager"


def test_signed_in_as_someone_else_cannot_accept(client, workspace, inviter, agent):
    _raw, url = invite(workspace, inviter)
    client.force_login(agent.user)
    html = client.get(url).content.decode()
    assert "이 초대는 newbie@example.kr 주소로 보낸 것입니다" in html
    client.post(url, {"display_name": "x", "password1": "튼튼한-비번-2026", "password2": "튼튼한-비번-2026"})
    assert not User.objects.filter(email="newbie@example.kr").exists()
    assert Invitation.objects.get(email="newbie@example.kr").accepted_at is None


def test_used_expired_and_unknown_invitations_explain_themselves(client, workspace, inviter):
    _raw, url = invite(workspace, inviter)
    client.post(url, {"display_name": "신입", "password1": "튼튼한-비번-2026", "password2": "튼튼한-비번-2026"})
    client.logout()
    response = client.get(url)
    assert response.status_code == 410
    assert "이미 수락한 초대입니다." in response.content.decode()

    _raw, url = invite(workspace, inviter, email="late@example.kr")
    Invitation.objects.filter(email="late@example.kr").update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(url)
    assert response.status_code == 410
    assert "유효 기간(7일)이 지났습니다" in response.content.decode()
    client.post(url, {"display_name": "늦음", "password1": "튼튼한-비번-2026", "password2": "튼튼한-비번-2026"})
    assert not User.objects.filter(email="late@example.kr").exists()

    response = client.get(reverse("invitation_accept", args=["made-up-token"]))
    assert response.status_code == 404
    assert "초대 링크를 찾을 수 없습니다." in response.content.decode()


def test_invitation_email_link_opens_the_accept_page(client, workspace, inviter, settings,
                                                     django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://cs.example.kr"
    with django_capture_on_commit_callbacks(execute=True):
        invite(workspace, inviter)
    path = re.search(r"https://cs\.example\.kr(/invite/[^/\s]+/)", mail.outbox[0].body).group(1)
    assert client.get(path).status_code == 200
