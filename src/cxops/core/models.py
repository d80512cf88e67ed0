"""Workspaces, people and their roles, the audit trail and PII access log."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _


class CXUserManager(UserManager["User"]):
    """Users sign in with their email address; the username mirrors it."""

    def create_user(self, username: str | None = None, email: str | None = None, password: str | None = None,
                    **extra: Any) -> User:
        email = self.normalize_email(email or username or "").lower()
        return super().create_user(username=email, email=email, password=password, **extra)

    def create_superuser(self, username: str | None = None, email: str | None = None,
                         password: str | None = None, **extra: Any) -> User:
        email = self.normalize_email(email or username or "").lower()
        return super().create_superuser(username=email, email=email, password=password, **extra)


class User(AbstractUser):
    email = models.EmailField(_("이메일"), unique=True)
    display_name = models.CharField(_("표시 이름"), max_length=80, blank=True)
    language = models.CharField(_("언어"), max_length=8, default="ko", choices=[("ko", "한국어"), ("en", "English")])

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []  # type: ignore[misc]  # sign-up asks for the email only

    objects = CXUserManager()  # type: ignore[misc]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def label(self) -> str:
        return self.display_name or self.email.split("@")[0]


class Workspace(models.Model):
    """The customer center of one client company. Every record belongs to exactly one."""

    name = models.CharField(_("이름"), max_length=120)
    slug = models.SlugField(_("슬러그"), max_length=60, unique=True)
    timezone = models.CharField(_("시간대"), max_length=64, default="Asia/Seoul")
    locale = models.CharField(_("언어"), max_length=8, default="ko")
    logo = models.FileField(_("로고"), upload_to="logos/", blank=True)
    brand_color = models.CharField(max_length=9, default="#2f6fed")
    privacy_consent_text = models.TextField(
        _("개인정보 수집·이용 동의 문구"),
        default=(
            "수집 항목: 이름, 연락처(전화번호 또는 이메일), 주문번호, 문의 내용\n"
            "수집 목적: 고객 문의 접수 및 답변, 처리 결과 안내\n"
            "보유 기간: 문의 처리 완료 후 3년 (전자상거래법에 따른 소비자 불만·분쟁처리 기록)\n"
            "동의를 거부할 수 있으나, 거부 시 문의 접수가 제한됩니다."
        ),
    )
    board_intro = models.TextField(_("문의 게시판 안내 문구"), blank=True)
    settings = models.JSONField(default=dict, blank=True)
    ticket_seq = models.PositiveIntegerField(default=1000, help_text="Last ticket number handed out.")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    AGENT = "agent", _("상담원")
    LEAD = "lead", _("팀장")
    MANAGER = "manager", _("매니저")
    ADMIN = "admin", _("관리자")
    CLIENT_VIEWER = "client_viewer", _("고객사 열람자")


# Roles ordered by what they may do; client viewers read only and sit outside the ladder.
ROLE_RANK: dict[str, int] = {
    Role.CLIENT_VIEWER: 0,
    Role.AGENT: 1,
    Role.LEAD: 2,
    Role.MANAGER: 3,
    Role.ADMIN: 4,
}


class Availability(models.TextChoices):
    ONLINE = "online", _("온라인")
    AWAY = "away", _("자리 비움")
    OFFLINE = "offline", _("오프라인")


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    is_active = models.BooleanField(default=True)
    availability = models.CharField(max_length=10, choices=Availability.choices, default=Availability.OFFLINE)
    capacity = models.PositiveSmallIntegerField(default=0, help_text="Open tickets at most; 0 = no limit.")
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "user"], name="uniq_membership")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.workspace} ({self.role})"

    def has_role(self, minimum: str) -> bool:
        if self.role == Role.CLIENT_VIEWER:
            return minimum == Role.CLIENT_VIEWER
        return ROLE_RANK[self.role] >= ROLE_RANK[minimum]

    @property
    def can_write(self) -> bool:
        return self.is_active and self.role != Role.CLIENT_VIEWER


class Team(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("이름"), max_length=80)
    members = models.ManyToManyField(Membership, related_name="teams", blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="uniq_team_name")]

    def __str__(self) -> str:
        return self.name


def hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only its hash is stored; the token is shown once at creation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def new_raw_token() -> str:
        return "cxo_" + secrets.token_urlsafe(32)


class Invitation(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.AGENT)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)


def _append_only(model: type[models.Model]) -> PermissionError:
    return PermissionError(f"{model.__name__} rows are append-only: add a new row instead.")


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise _append_only(self.model)

    def delete(self) -> tuple[int, dict[str, int]]:  # type: ignore[override]
        raise _append_only(self.model)


class AppendOnlyModel(models.Model):
    """A record written once (audit trail, decision history): saving an existing row, deleting one,
    or updating/deleting through a queryset raises PermissionError. Cascades from a deleted parent
    (a workspace) still remove the rows."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise _append_only(type(self))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise _append_only(type(self))


class AuditEvent(AppendOnlyModel):
    """Append-only record of a change: who, when, what, before → after."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit_events", null=True)
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=120, blank=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    object_label = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "object_type", "object_id"]),
            models.Index(fields=["workspace", "-created_at"]),
        ]



class PiiAccessLog(models.Model):
    """Who looked at a customer's personal data, and why (개인정보 접속기록, PIPA)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=40)
    purpose = models.CharField(max_length=80)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "subject_type", "subject_id"])]
