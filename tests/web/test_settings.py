"""Workspace settings (profile, members, invitations, teams, webhooks, audit and PII logs) and API tokens."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from cxops.core.models import ApiToken, AuditEvent, Invitation, Membership, Team
from cxops.core.services import pii_access_log
from cxops.tickets.models import Webhook, WebhookDelivery
from tests.factories import make_member
from tests.web.conftest import client_for

pytestmark = pytest.mark.django_db

SETTINGS_PAGES = ["settings_profile", "settings_members", "settings_teams"]
ADMIN_PAGES = ["settings_webhooks", "settings_audit", "settings_pii_log"]


def s(world, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"slug": world.workspace.slug, **kwargs})


@pytest.mark.parametrize("role", ["agent", "lead", "client_viewer"])
def test_agents_and_leads_get_403(world, role):
    client = client_for(make_member(world.workspace, role))
    for name in SETTINGS_PAGES + ADMIN_PAGES:
        assert client.get(s(world, name)).status_code == 403, name


def test_managers_see_settings_but_not_admin_pages(world):
    client = client_for(make_member(world.workspace, "manager"))
    for name in SETTINGS_PAGES:
        assert client.get(s(world, name)).status_code == 200, name
    for name in ADMIN_PAGES:
        assert client.get(s(world, name)).status_code == 403, name


def test_admin_sees_every_settings_page(world):
    client = client_for(world.admin)
    for name in SETTINGS_PAGES + ADMIN_PAGES:
        assert client.get(s(world, name)).status_code == 200, name
    assert client.get(s(world, "settings_webhook_detail", webhook_id=world.webhook.pk)).status_code == 200


def test_profile_update(world):
    client = client_for(world.admin)
    response = client.post(s(world, "settings_profile"), {
        "name": "맛있는 식탁 고객센터", "brand_color": "#ff6600", "board_intro": "평일 9시~18시 답변",
        "privacy_consent_text": "수집 항목: 이름, 연락처"})
    assert response.status_code == 302
    world.workspace.refresh_from_db()
    assert world.workspace.name == "맛있는 식탁 고객센터" and world.workspace.brand_color == "#ff6600"
    event = AuditEvent.objects.filter(action="workspace.update").latest("created_at")
    assert set(event.changes) == {"name", "brand_color", "board_intro", "privacy_consent_text"}
    html = client.post(s(world, "settings_profile"), {"name": "", "privacy_consent_text": "",
                                                      "brand_color": "red"}).content.decode()
    assert "고객센터 이름을 입력해 주세요." in html and "동의 문구는 비워 둘 수 없습니다." in html
    assert "#2f6fed 형식" in html


def test_role_change_and_deactivate(world):
    client = client_for(world.admin)
    response = client.post(s(world, "settings_member_role", membership_id=world.member.pk), {"role": "lead"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=world.member.pk).role == "lead"
    client.post(s(world, "settings_member_deactivate", membership_id=world.member.pk))
    assert not Membership.objects.get(pk=world.member.pk).is_active
    # nobody changes their own role or locks themselves out
    assert client.post(s(world, "settings_member_role", membership_id=world.admin.pk),
                       {"role": "agent"}).status_code == 403
    assert client.post(s(world, "settings_member_deactivate", membership_id=world.admin.pk)).status_code == 403


def test_manager_cannot_touch_admins(world):
    manager = make_member(world.workspace, "manager")
    client = client_for(manager)
    assert client.post(s(world, "settings_member_role", membership_id=world.agent.pk),
                       {"role": "admin"}).status_code == 403
    assert client.post(s(world, "settings_member_role", membership_id=world.admin.pk),
                       {"role": "agent"}).status_code == 403
    assert client.post(s(world, "settings_member_deactivate", membership_id=world.admin.pk)).status_code == 403
    assert client.post(s(world, "settings_invite"), {"email": "boss@example.kr", "role": "admin"}).status_code == 403
    assert client.post(s(world, "settings_member_role", membership_id=world.agent.pk),
                       {"role": "manager"}).status_code == 302


def test_invite_by_email(world):
    client = client_for(world.admin)
    response = client.post(s(world, "settings_invite"), {"email": "New@Example.kr", "role": "agent"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new@example.kr")
    assert invitation.role == "agent"
    assert "new@example.kr" in client.get(s(world, "settings_members")).content.decode()
    html = client.post(s(world, "settings_invite"), {"email": "not-an-email", "role": "agent"}).content.decode()
    assert "이메일 주소 형식을 확인해 주세요." in html


def test_invitation_mail_goes_out_on_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.admin).post(s(world, "settings_invite"), {"email": "agent2@example.kr", "role": "agent"})
    assert mail.outbox and "/invite/" in mail.outbox[-1].body


def test_teams(world):
    client = client_for(world.admin)
    html = client.get(s(world, "settings_teams")).content.decode()
    assert "배송팀" in html
    client.post(s(world, "settings_teams"), {"name": "교환팀", "members": [str(world.member.pk)]})
    team = Team.objects.get(name="교환팀")
    assert list(team.members.all()) == [world.member]
    assert "팀 이름을 입력해 주세요." in client.post(s(world, "settings_teams"), {"name": ""}).content.decode()


def test_webhooks(world):
    client = client_for(world.admin)
    response = client.post(s(world, "settings_webhooks"), {"url": "https://erp.example.kr/hook",
                                                           "events": ["ticket.created", "ticket.replied"]})
    assert response.status_code == 302
    hook = Webhook.objects.get(url="https://erp.example.kr/hook")
    assert hook.events == ["ticket.created", "ticket.replied"]
    WebhookDelivery.objects.create(webhook=hook, event="ticket.created", payload={"n": 1}, state="failed",
                                   attempts=8, error="connection refused")
    html = client.get(s(world, "settings_webhook_detail", webhook_id=hook.pk)).content.decode()
    assert "connection refused" in html and "실패" in html and hook.secret in html
    html = client.post(s(world, "settings_webhooks"), {"url": "ftp://x", "events": []}).content.decode()
    assert "이벤트를 하나 이상 고르세요." in html
    client.post(s(world, "settings_webhook_delete", webhook_id=hook.pk))
    assert not Webhook.objects.filter(pk=hook.pk).exists()


def test_audit_log_page(world):
    client = client_for(world.admin)
    html = client.get(s(world, "settings_audit")).content.decode()
    assert "티켓 생성" in html and "매크로 생성" in html and "웹훅 등록" in html
    html = client.get(s(world, "settings_audit") + "?object_type=macro").content.decode()
    assert "매크로 생성" in html and "티켓 생성" not in html
    html = client.get(s(world, "settings_audit") + f"?actor={world.admin.user_id}").content.decode()
    assert "웹훅 등록" in html and "매크로 생성" not in html


def test_pii_log_page(world):
    pii_access_log(workspace=world.workspace, user=world.agent.user, subject=world.customer, purpose="티켓 상담")
    html = client_for(world.admin).get(s(world, "settings_pii_log")).content.decode()
    assert "티켓 상담" in html and world.agent.user.label in html and f"#{world.customer.pk}" in html


def test_api_tokens(world):
    client = client_for(world.agent)
    html = client.post(reverse("account_tokens"), {"name": "ERP 연동"}).content.decode()
    token = ApiToken.objects.get(user=world.agent.user)
    assert "새 토큰이 만들어졌습니다" in html and 'id="raw-token">cxo_' in html
    raw = html.split('id="raw-token">')[1].split("<")[0]
    assert raw.startswith(token.prefix)
    again = client.get(reverse("account_tokens")).content.decode()
    assert raw not in again and token.prefix in again  # shown once
    client.post(reverse("account_token_revoke", kwargs={"token_id": token.pk}))
    token.refresh_from_db()
    assert token.revoked_at is not None
    other = client_for(world.member)
    assert other.post(reverse("account_token_revoke", kwargs={"token_id": token.pk})).status_code == 404
    assert client.get(reverse("account_token_revoke", kwargs={"token_id": token.pk})).status_code == 405
    assert "어디에 쓰는 토큰인지" in client.post(reverse("account_tokens"), {"name": ""}).content.decode()
