"""Workspace administration pages (profile, members, teams, audit and PII logs) and API tokens."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cxops.core.models import ROLE_RANK, Membership, Role
from cxops.core.selectors import (
    api_token_get,
    api_tokens_for_user,
    audit_events,
    audit_object_types,
    invitations_pending,
    member_get,
    members_list,
    pii_access_events,
    teams_list,
)
from cxops.core.services import (
    ServiceError,
    api_token_create,
    api_token_revoke,
    invitation_create,
    membership_deactivate,
    membership_set,
    team_create,
    workspace_update,
)
from cxops.tickets.forms import set_choices
from cxops.web.auditfmt import AUDIT_ACTIONS, OBJECT_TYPES, change_rows
from cxops.web.decorators import account_view, get_membership, workspace_view

PER_PAGE = 50

def _page(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def _slice(qs: Any, page: int, per_page: int = PER_PAGE) -> tuple[list[Any], bool]:
    offset = (page - 1) * per_page
    rows = list(qs[offset: offset + per_page + 1])
    return rows[:per_page], len(rows) > per_page


def assignable_roles(actor: Membership) -> list[tuple[str, Any]]:
    """Admins hand out any role; managers every role below admin."""
    return [(value, label) for value, label in Role.choices
            if actor.role == Role.ADMIN or (value != Role.ADMIN)]


def _may_manage(actor: Membership, target: Membership) -> bool:
    if target.pk == actor.pk:
        return False
    return actor.role == Role.ADMIN or ROLE_RANK.get(target.role, 0) < ROLE_RANK[Role.ADMIN]


# --- forms --------------------------------------------------------------------------------------

class WorkspaceProfileForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("고객센터 이름"), max_length=120,
                           error_messages={"required": gettext_lazy("고객센터 이름을 입력해 주세요.")})
    brand_color = forms.CharField(label=gettext_lazy("브랜드 색"), max_length=9, required=False,
                                  widget=forms.TextInput(attrs={"type": "color"}))
    board_intro = forms.CharField(label=gettext_lazy("문의 게시판 안내 문구"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    privacy_consent_text = forms.CharField(label=gettext_lazy("개인정보 수집·이용 동의 문구"),
                                           widget=forms.Textarea(attrs={"rows": 6}),
                                           error_messages={"required": gettext_lazy("동의 문구는 비워 둘 수 없습니다.")})

    def clean_brand_color(self) -> str:
        value = self.cleaned_data.get("brand_color") or ""
        if value and not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
            raise forms.ValidationError(gettext_lazy("색은 #2f6fed 형식으로 입력해 주세요."))
        return value


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("이메일"),
                             error_messages={"required": gettext_lazy("초대할 이메일을 입력해 주세요."),
                                             "invalid": gettext_lazy("이메일 주소 형식을 확인해 주세요.")})
    role = forms.ChoiceField(label=gettext_lazy("역할"), choices=Role.choices, initial=Role.AGENT)


class TeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("팀 이름"), max_length=80,
                           error_messages={"required": gettext_lazy("팀 이름을 입력해 주세요.")})
    members = forms.MultipleChoiceField(label=gettext_lazy("팀원"), required=False,
                                        widget=forms.CheckboxSelectMultiple)


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("토큰 이름"), max_length=80,
                           error_messages={"required": gettext_lazy("어디에 쓰는 토큰인지 이름을 붙여 주세요.")})


# --- workspace profile --------------------------------------------------------------------------

@workspace_view(min_role=Role.MANAGER)
def settings_profile(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    workspace = membership.workspace
    error = ""
    if request.method == "POST":
        form = WorkspaceProfileForm(request.POST)
        if form.is_valid():
            changed = {key: value for key, value in form.cleaned_data.items()
                       if value != getattr(workspace, key) and not (key == "brand_color" and not value)}
            try:
                if changed:
                    workspace_update(workspace=workspace, actor=membership.user, **changed)
            except ServiceError as exc:
                error = str(exc)
            else:
                messages.success(request, _("설정을 저장했습니다.") if changed else _("바뀐 내용이 없습니다."))
                return redirect("settings_profile", slug=workspace.slug)
    else:
        form = WorkspaceProfileForm(initial={
            "name": workspace.name, "brand_color": workspace.brand_color, "board_intro": workspace.board_intro,
            "privacy_consent_text": workspace.privacy_consent_text})
    return render(request, "core/settings_profile.html",
                  {"form": form, "error": error, "settings_tab": "profile",
                   "board_path": f"/p/{workspace.slug}/inquiry/"})


# --- members ------------------------------------------------------------------------------------

@workspace_view(min_role=Role.MANAGER)
def settings_members(request: HttpRequest) -> HttpResponse:
    return _members_page(request)


def _members_page(request: HttpRequest, invite_form: InviteForm | None = None, error: str = "") -> HttpResponse:
    membership = get_membership(request)
    members = list(members_list(workspace=membership.workspace, include_viewers=True))
    return render(request, "core/settings_members.html", {
        "members": members, "invitations": list(invitations_pending(workspace=membership.workspace)),
        "invite_form": invite_form or InviteForm(), "roles": assignable_roles(membership), "error": error,
        "manageable": {m.pk for m in members if _may_manage(membership, m)}, "settings_tab": "members",
    })


@workspace_view(min_role=Role.MANAGER, write=True)
def settings_invite(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _members_page(request, invite_form=form)
    role = form.cleaned_data["role"]
    if role == Role.ADMIN and membership.role != Role.ADMIN:
        raise PermissionDenied(_("관리자 초대는 관리자만 할 수 있습니다."))
    try:
        invitation_create(workspace=membership.workspace, email=form.cleaned_data["email"], role=role,
                          actor=membership.user)
    except ServiceError as exc:
        return _members_page(request, invite_form=form, error=str(exc))
    messages.success(request, _("%(email)s 주소로 초대 메일을 보냈습니다. 링크는 7일 동안 유효합니다.")
                     % {"email": form.cleaned_data["email"]})
    return redirect("settings_members", slug=membership.workspace.slug)


@workspace_view(min_role=Role.MANAGER, write=True)
def settings_member_role(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_membership(request)
    target = member_get(workspace=membership.workspace, membership_id=membership_id)
    role = request.POST.get("role", "")
    if not _may_manage(membership, target) or role not in dict(assignable_roles(membership)):
        raise PermissionDenied(_("이 멤버의 역할을 바꿀 권한이 없습니다."))
    try:
        membership_set(workspace=membership.workspace, user=target.user, role=role, actor=membership.user)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(name)s님의 역할을 ‘%(role)s’(으)로 바꿨습니다.")
                         % {"name": target.user.label, "role": Role(role).label})
    return redirect("settings_members", slug=membership.workspace.slug)


@workspace_view(min_role=Role.MANAGER, write=True)
def settings_member_deactivate(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_membership(request)
    target = member_get(workspace=membership.workspace, membership_id=membership_id)
    if not _may_manage(membership, target):
        raise PermissionDenied(_("이 멤버를 비활성화할 권한이 없습니다."))
    membership_deactivate(membership=target, actor=membership.user)
    messages.success(request, _("%(name)s님을 비활성화했습니다. 더 이상 이 워크스페이스에 접근할 수 없습니다.")
                     % {"name": target.user.label})
    return redirect("settings_members", slug=membership.workspace.slug)


# --- teams --------------------------------------------------------------------------------------

@workspace_view(min_role=Role.MANAGER)
def settings_teams(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    members = list(members_list(workspace=membership.workspace))
    choices = [(str(m.pk), m.user.label) for m in members]
    if request.method == "POST":
        form = TeamForm(request.POST)
        set_choices(form, "members", choices)
        if form.is_valid():
            chosen = {int(pk) for pk in form.cleaned_data["members"]}
            team = team_create(workspace=membership.workspace, name=form.cleaned_data["name"].strip(),
                               actor=membership.user, members=[m for m in members if m.pk in chosen])
            messages.success(request, _("‘%(name)s’ 팀을 저장했습니다.") % {"name": team.name})
            return redirect("settings_teams", slug=membership.workspace.slug)
    else:
        form = TeamForm()
        set_choices(form, "members", choices)
    return render(request, "core/settings_teams.html",
                  {"teams": list(teams_list(workspace=membership.workspace)), "form": form, "settings_tab": "teams"})


# --- audit and PII access logs ------------------------------------------------------------------

@workspace_view(min_role=Role.ADMIN)
def settings_audit(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    object_type = request.GET.get("object_type", "")
    actor = request.GET.get("actor", "")
    object_id = request.GET.get("object_id", "").strip()
    page = _page(request)
    events, has_next = _slice(audit_events(workspace=membership.workspace, object_type=object_type or None,
                                           object_id=object_id or None,
                                           actor_id=int(actor) if actor.isdigit() else None), page)
    rows = [(event, AUDIT_ACTIONS.get(event.action, event.action), change_rows(event.changes)) for event in events]
    return render(request, "core/settings_audit.html", {
        "rows": rows, "has_next": has_next, "page": page, "settings_tab": "audit",
        "object_types": [(t, OBJECT_TYPES.get(t, t)) for t in audit_object_types(workspace=membership.workspace)],
        "actors": members_list(workspace=membership.workspace, include_viewers=True),
        "f": {"object_type": object_type, "actor": actor, "object_id": object_id},
    })


@workspace_view(min_role=Role.ADMIN)
def settings_pii_log(request: HttpRequest) -> HttpResponse:
    membership = get_membership(request)
    user = request.GET.get("user", "")
    subject_type = request.GET.get("subject_type", "")
    page = _page(request)
    rows, has_next = _slice(pii_access_events(workspace=membership.workspace,
                                              user_id=int(user) if user.isdigit() else None,
                                              subject_type=subject_type or None), page)
    return render(request, "core/settings_pii_log.html", {
        "rows": rows, "has_next": has_next, "page": page, "settings_tab": "pii",
        "users": members_list(workspace=membership.workspace, include_viewers=True),
        "subject_types": [("customer", _("고객"))], "f": {"user": user, "subject_type": subject_type},
    })


# --- personal API tokens ------------------------------------------------------------------------

@account_view
def account_tokens(request: HttpRequest) -> HttpResponse:
    raw_token = ""
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, raw_token = api_token_create(user=request.user,  # type: ignore[arg-type]
                                                 name=form.cleaned_data["name"].strip())
            form = TokenForm()
    else:
        form = TokenForm()
    tokens = list(api_tokens_for_user(user=request.user))  # type: ignore[arg-type]
    response = render(request, "core/account_tokens.html", {"tokens": tokens, "form": form, "raw_token": raw_token})
    if raw_token:
        response["Cache-Control"] = "no-store"
    return response


@account_view
def account_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if request.method != "POST":
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["POST"])
    token = api_token_get(user=request.user, token_id=token_id)  # type: ignore[arg-type]
    if token.revoked_at is None:
        api_token_revoke(token=token, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("‘%(name)s’ 토큰을 폐기했습니다. 이 토큰을 쓰던 연동은 더 이상 동작하지 않습니다.")
                         % {"name": token.name})
    return redirect("account_tokens")
