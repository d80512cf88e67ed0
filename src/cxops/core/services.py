"""Writes for workspaces, members, teams, tokens and invitations."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from cxops.core import audit
from cxops.core.models import (
    ApiToken,
    Invitation,
    Membership,
    PiiAccessLog,
    Role,
    Team,
    User,
    Workspace,
    hash_secret,
)


class ServiceError(Exception):
    """An error the user can fix; the message is shown to them."""


def workspace_create(*, slug: str, name: str, actor: User | None = None, timezone_name: str = "Asia/Seoul",
                     locale: str = "ko") -> tuple[Workspace, bool]:
    """Create a workspace with default settings, or return the existing one (idempotent)."""
    with transaction.atomic():
        workspace, created = Workspace.objects.get_or_create(
            slug=slug, defaults={"name": name, "timezone": timezone_name, "locale": locale}
        )
        if created:
            audit.record(workspace=workspace, actor=actor, action="workspace.create", obj=workspace,
                         changes={"name": [None, name], "slug": [None, slug]})
            from cxops.tickets.services import workspace_defaults_install

            workspace_defaults_install(workspace=workspace)
    return workspace, created


def workspace_update(*, workspace: Workspace, actor: User, **fields: object) -> Workspace:
    allowed = {"name", "timezone", "locale", "privacy_consent_text", "board_intro", "brand_color"}
    unknown = set(fields) - allowed
    if unknown:
        raise ServiceError(f"바꿀 수 없는 항목입니다: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        before = {key: getattr(workspace, key) for key in fields}
        for key, value in fields.items():
            setattr(workspace, key, value)
        workspace.save(update_fields=list(fields))
        audit.record(workspace=workspace, actor=actor, action="workspace.update", obj=workspace,
                     changes=audit.diff(before, fields))
    return workspace


def user_create(*, email: str, password: str | None, display_name: str = "", language: str = "ko") -> User:
    user = User.objects.create_user(email=email, password=password)
    user.display_name = display_name
    user.language = language
    user.save(update_fields=["display_name", "language"])
    return user


def membership_set(*, workspace: Workspace, user: User, role: str, actor: User | None) -> Membership:
    if role not in Role.values:
        raise ServiceError(f"알 수 없는 역할입니다: {role}")
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            workspace=workspace, user=user, defaults={"role": role}
        )
        before = None if created else membership.role
        if not created and (membership.role != role or not membership.is_active):
            membership.role = role
            membership.is_active = True
            membership.save(update_fields=["role", "is_active"])
        if created or before != role:
            audit.record(workspace=workspace, actor=actor, action="membership.set", obj=membership,
                         changes={"role": [before, role]})
    return membership


def membership_deactivate(*, membership: Membership, actor: User) -> None:
    with transaction.atomic():
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        audit.record(workspace=membership.workspace, actor=actor, action="membership.deactivate",
                     obj=membership, changes={"is_active": [True, False]})


def team_create(*, workspace: Workspace, name: str, actor: User | None,
                members: list[Membership] | None = None) -> Team:
    with transaction.atomic():
        team, created = Team.objects.get_or_create(workspace=workspace, name=name)
        if members:
            team.members.add(*[m for m in members if m.workspace_id == workspace.pk])
        if created:
            audit.record(workspace=workspace, actor=actor, action="team.create", obj=team)
    return team


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and the raw token, which is shown once and never stored."""
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], token_hash=hash_secret(raw))
    audit.record(workspace=None, actor=user, action="api_token.create", obj=token, changes={"name": [None, name]})
    return token, raw


def api_token_revoke(*, token: ApiToken, actor: User) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(workspace=None, actor=actor, action="api_token.revoke", obj=token)


def invitation_create(*, workspace: Workspace, email: str, role: str, actor: User,
                      accept_url_builder: object = None) -> tuple[Invitation, str]:
    if role not in Role.values:
        raise ServiceError(f"알 수 없는 역할입니다: {role}")
    raw = secrets.token_urlsafe(24)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            workspace=workspace, email=email.lower(), role=role, token_hash=hash_secret(raw), invited_by=actor,
            expires_at=timezone.now() + timedelta(days=7),
        )
        audit.record(workspace=workspace, actor=actor, action="invitation.create", obj=invitation,
                     changes={"email": [None, email], "role": [None, role]})
        link = f"{settings.SITE_URL}/invite/{raw}/"
        transaction.on_commit(lambda: send_mail(
            subject=f"[CXOps] {workspace.name} 고객센터에 초대되었습니다",
            message=(f"{actor.label}님이 {workspace.name} 워크스페이스에 초대했습니다.\n"
                     f"아래 링크에서 7일 안에 가입을 완료해 주세요.\n\n{link}\n"),
            from_email=None, recipient_list=[email],
        ))
    return invitation, raw


def invitation_accept(*, raw_token: str, password: str | None, display_name: str,
                      user: User | None = None) -> Membership:
    with transaction.atomic():
        invitation = (Invitation.objects.select_for_update().select_related("workspace")
                      .filter(token_hash=hash_secret(raw_token)).first())
        if invitation is None or invitation.accepted_at or invitation.expires_at < timezone.now():
            raise ServiceError("초대 링크가 만료되었거나 이미 사용되었습니다. 관리자에게 다시 요청해 주세요.")
        if user is None:
            user = User.objects.filter(email=invitation.email).first()
            if user is None:
                if not password:
                    raise ServiceError("비밀번호를 입력해 주세요.")
                user = user_create(email=invitation.email, password=password, display_name=display_name)
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        return membership_set(workspace=invitation.workspace, user=user, role=invitation.role, actor=user)


def pii_access_log(*, workspace: Workspace, user: User, subject: object, purpose: str) -> None:
    PiiAccessLog.objects.create(
        workspace=workspace, user=user, subject_type=type(subject).__name__.lower(),
        subject_id=str(getattr(subject, "pk", "")), purpose=purpose, ip_address=audit.current_ip.get(),
    )
