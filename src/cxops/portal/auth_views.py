"""Sign-in, sign-out, password reset and change, and accepting an invitation.

Django's auth views do the work (session rotation on sign-in, safe ?next= handling, one-time
reset tokens); these subclasses supply Korean templates, the email form and the rate limits.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from cxops.core import ratelimit
from cxops.core.ratelimit import rate_limited
from cxops.core.services import ServiceError, invitation_accept
from cxops.portal.forms import EmailAuthenticationForm, InvitationAcceptForm, KoreanPasswordResetForm
from cxops.portal.selectors import InvitationState, invitation_lookup
from cxops.portal.views import RATE_LIMITED_TEMPLATE, SAME_ORIGIN, page_context, private_page

AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


class PortalPageMixin:
    """Auth pages share the portal's layout with the default CXOps brand."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        return {**page_context(None), **context}


class LoginView(PortalPageMixin, auth_views.LoginView):
    template_name = "portal/auth/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # Only failed attempts use up the sign-in budget of an address (many agents share an
        # office's public IP at the start of a shift).
        ratelimit.forgive("login", ratelimit.request_identity(self.request))
        return response


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("로그아웃되었습니다."))
        return response


class PasswordResetView(PortalPageMixin, auth_views.PasswordResetView):
    template_name = "portal/auth/password_reset_form.html"
    form_class = KoreanPasswordResetForm
    email_template_name = "portal/auth/password_reset_email.txt"
    subject_template_name = "portal/auth/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    @property
    def extra_email_context(self) -> dict[str, Any]:  # type: ignore[override]
        # Links are built from the configured site address, never from the request's Host header.
        return {"site_url": settings.SITE_URL}


class PasswordResetDoneView(PortalPageMixin, auth_views.PasswordResetDoneView):
    template_name = "portal/auth/password_reset_done.html"


class PasswordResetConfirmView(PortalPageMixin, auth_views.PasswordResetConfirmView):
    template_name = "portal/auth/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def dispatch(self, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = super().dispatch(*args, **kwargs)
        # The address with the reset token only redirects (Django keeps the token in the session);
        # the page with the form keeps the default policy so the browser's POST passes the CSRF check.
        if response.status_code in (301, 302):
            response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
        return response


class PasswordResetCompleteView(PortalPageMixin, auth_views.PasswordResetCompleteView):
    template_name = "portal/auth/password_reset_complete.html"


class PasswordChangeView(PortalPageMixin, auth_views.PasswordChangeView):
    template_name = "portal/auth/password_change_form.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(PortalPageMixin, auth_views.PasswordChangeDoneView):
    template_name = "portal/auth/password_change_done.html"


login_view = rate_limited("login", methods=["POST"], template_name=RATE_LIMITED_TEMPLATE)(LoginView.as_view())
logout_view = LogoutView.as_view()
password_reset_view = rate_limited("login", methods=["POST"], template_name=RATE_LIMITED_TEMPLATE)(
    PasswordResetView.as_view())
password_reset_done_view = PasswordResetDoneView.as_view()
password_reset_confirm_view = PasswordResetConfirmView.as_view()
password_reset_complete_view = PasswordResetCompleteView.as_view()
password_change_view = PasswordChangeView.as_view()  # Django's view requires a signed-in user
password_change_done_view = PasswordChangeDoneView.as_view()


# --- invitations --------------------------------------------------------------------------------

INVALID_INVITATION: dict[InvitationState, tuple[int, str]] = {
    InvitationState.UNKNOWN: (404, "초대 링크를 찾을 수 없습니다. 메일에 있는 주소 전체를 복사했는지 확인하시거나, "
                                   "관리자에게 초대를 다시 요청해 주세요."),
    InvitationState.EXPIRED: (410, "초대 링크의 유효 기간(7일)이 지났습니다. 관리자에게 초대를 다시 요청해 주세요."),
    InvitationState.USED: (410, "이미 수락한 초대입니다. 가입한 이메일로 로그인해 주세요."),
}


@private_page(SAME_ORIGIN)
@rate_limited("login", methods=["POST"], template_name=RATE_LIMITED_TEMPLATE)
def invitation_accept_view(request: HttpRequest, token: str) -> HttpResponse:
    lookup = invitation_lookup(raw_token=token)
    if lookup.state is not InvitationState.OPEN or lookup.invitation is None:
        status, problem = INVALID_INVITATION[lookup.state]
        return render(request, "portal/auth/invitation.html",
                      page_context(None, mode="invalid", problem=problem, noindex=True), status=status)
    invitation = lookup.invitation
    user = request.user
    context = page_context(None, invitation=invitation, noindex=True,
                           role_label=invitation.get_role_display(), workspace_name=invitation.workspace.name)
    login_url = reverse("login") + "?" + urlencode({"next": request.path})

    if user.is_authenticated and user.email.lower() != invitation.email:
        return render(request, "portal/auth/invitation.html", {**context, "mode": "other_account"})
    if user.is_authenticated:
        if request.method == "POST":
            try:
                invitation_accept(raw_token=token, password=None, display_name=user.display_name, user=user)
            except ServiceError as exc:
                return render(request, "portal/auth/invitation.html",
                              {**context, "mode": "invalid", "problem": str(exc)}, status=410)
            messages.success(request, _("%(name)s 워크스페이스에 참여했습니다.") % {"name": invitation.workspace.name})
            return redirect(settings.LOGIN_REDIRECT_URL)
        return render(request, "portal/auth/invitation.html", {**context, "mode": "confirm"})
    if lookup.existing_user is not None:
        return render(request, "portal/auth/invitation.html", {**context, "mode": "sign_in", "login_url": login_url})

    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = invitation_accept(raw_token=token, password=form.cleaned_data["password1"],
                                           display_name=form.cleaned_data["display_name"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            login(request, membership.user, backend=AUTH_BACKEND)
            messages.success(request, _("환영합니다! %(name)s 워크스페이스에 참여했습니다.") % {"name": invitation.workspace.name})
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "portal/auth/invitation.html", {**context, "mode": "register", "form": form})
