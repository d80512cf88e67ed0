"""Forms of the public pages: the 1:1 inquiry, the customer's follow-up, sign-in and invitations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from cxops.core.models import User, Workspace
from cxops.core.phones import format_phone, normalize_phone
from cxops.portal import antispam
from cxops.portal.uploads import AttachmentsField
from cxops.tickets.channels.base import InboundAttachment
from cxops.tickets.models import Category

NAME_MAX = 60
SUBJECT_MAX = 200
BODY_MAX = 10_000


def attachments_help() -> str:
    limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
    return (f"선택 사항 · 파일 하나에 {limit_mb}MB, 최대 {settings.ATTACHMENT_MAX_COUNT}개 · "
            "사진(JPG, PNG, GIF, WEBP), PDF, 엑셀, 한글, 텍스트, ZIP")


class InquiryForm(forms.Form):
    """The 1:1 inquiry (1:1 문의). Contact: a phone number or an email address, at least one."""

    name = forms.CharField(label=_("이름"), max_length=NAME_MAX,
                           error_messages={"required": _("이름을 입력해 주세요.")},
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("휴대폰 번호"), max_length=30, required=False,
                            help_text=_("예: 010-1234-5678"),
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}))
    email = forms.EmailField(label=_("이메일"), max_length=254, required=False,
                             help_text=_("입력하시면 답변이 등록될 때 메일로 알려 드립니다."),
                             error_messages={"invalid": _("이메일 주소 형식이 올바르지 않습니다. 예: name@example.com")},
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    order_number = forms.CharField(label=_("주문번호"), max_length=80, required=False,
                                   help_text=_("선택 사항 · 주문 관련 문의라면 입력해 주세요."))
    category = forms.TypedChoiceField(label=_("문의 유형"), coerce=int, empty_value=None,
                                      error_messages={"required": _("문의 유형을 골라 주세요."),
                                                      "invalid_choice": _("문의 유형을 다시 골라 주세요.")})
    subject = forms.CharField(label=_("제목"), max_length=SUBJECT_MAX,
                              error_messages={"required": _("제목을 입력해 주세요.")})
    body = forms.CharField(label=_("문의 내용"), max_length=BODY_MAX,
                           error_messages={"required": _("문의 내용을 입력해 주세요.")},
                           widget=forms.Textarea(attrs={"rows": 8}))
    attachments = AttachmentsField(label=_("첨부 파일"))
    consent = forms.BooleanField(label=_("개인정보 수집·이용에 동의합니다. (필수)"),
                                 error_messages={"required": _("개인정보 수집·이용에 동의하셔야 문의를 접수할 수 있습니다.")})
    # Anti-spam: hidden from people by CSS (not type=hidden, which bots skip), and a signed stamp.
    homepage = forms.CharField(label=_("이 칸은 비워 두세요"), required=False,
                               widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, workspace: Workspace, categories: list[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workspace = workspace
        self.stamp: antispam.Stamp | None = None
        self.fields["attachments"].help_text = attachments_help()
        category_field = self.fields["category"]
        assert isinstance(category_field, forms.TypedChoiceField)
        category_field.choices = [("", _("문의 유형을 골라 주세요")), *((c.pk, str(c)) for c in categories)]
        if not categories:
            category_field.required = False
            category_field.widget = forms.HiddenInput()

    def honeypot_filled(self) -> bool:
        return bool((self.data.get(antispam.HONEYPOT_FIELD) or "").strip())

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        digits = normalize_phone(raw)
        if digits is None:
            raise forms.ValidationError(_("전화번호 형식이 올바르지 않습니다. 010-1234-5678처럼 입력해 주세요."),
                                        code="invalid_phone")
        return format_phone(digits)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_subject(self) -> str:
        subject = " ".join(self.cleaned_data["subject"].split())
        if not subject:
            raise forms.ValidationError(_("제목을 입력해 주세요."), code="required")
        return subject

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("문의 내용을 입력해 주세요."), code="required")
        return body

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        phone_ok = "phone" not in self.errors
        email_ok = "email" not in self.errors
        if phone_ok and email_ok and not cleaned.get("phone") and not cleaned.get("email"):
            self.add_error("phone", forms.ValidationError(
                _("답변을 받으실 휴대폰 번호나 이메일 중 하나는 입력해 주세요."), code="contact_required"))
            # Both inputs point at the one message.
            self.fields["email"].widget.attrs["aria-describedby"] = "id_email_helptext id_phone_error"
        stamp, problem = antispam.check_stamp(self.data.get(antispam.STAMP_FIELD, ""), workspace_id=self.workspace.pk)
        self.stamp = stamp if problem in (None, antispam.StampProblem.TOO_FAST) else None
        if problem is not None:
            raise forms.ValidationError(antispam.STAMP_MESSAGES[problem], code=f"stamp_{problem.value}")
        return cleaned

    @property
    def attachment_list(self) -> tuple[InboundAttachment, ...]:
        return tuple(self.cleaned_data.get("attachments") or ())


class ReplyForm(forms.Form):
    """The customer writes again on their private link."""

    body = forms.CharField(label=_("추가 문의 내용"), max_length=BODY_MAX,
                           error_messages={"required": _("내용을 입력해 주세요.")},
                           widget=forms.Textarea(attrs={"rows": 5}))
    attachments = AttachmentsField(label=_("첨부 파일"))
    nonce = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("내용을 입력해 주세요."), code="required")
        return body


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with the email address; addresses are stored in lower case."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("이메일 또는 비밀번호가 올바르지 않습니다. 다시 확인해 주세요."),
        "inactive": _("사용이 중지된 계정입니다. 관리자에게 문의해 주세요."),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("이메일")
        self.fields["username"].widget.attrs.update({"type": "email", "autocomplete": "username",
                                                     "inputmode": "email", "autofocus": True})
        self.fields["username"].error_messages["required"] = _("이메일을 입력해 주세요.")
        self.fields["password"].label = _("비밀번호")
        self.fields["password"].error_messages["required"] = _("비밀번호를 입력해 주세요.")

    def clean_username(self) -> str:
        return str(self.cleaned_data.get("username") or "").strip().lower()


class KoreanPasswordResetForm(PasswordResetForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("가입한 이메일")
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})
        self.fields["email"].error_messages.update({"required": _("이메일을 입력해 주세요."),
                                                    "invalid": _("이메일 주소 형식이 올바르지 않습니다.")})


class InvitationAcceptForm(forms.Form):
    """A new account for an invited email address."""

    display_name = forms.CharField(label=_("표시 이름"), max_length=80,
                                   help_text=_("동료와 고객에게 보이는 이름입니다. 예: 김민지"),
                                   error_messages={"required": _("표시 이름을 입력해 주세요.")},
                                   widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password1 = forms.CharField(label=_("비밀번호"), strip=False,
                                error_messages={"required": _("비밀번호를 입력해 주세요.")},
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("비밀번호 확인"), strip=False,
                                error_messages={"required": _("비밀번호를 한 번 더 입력해 주세요.")},
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["password1"].help_text = " ".join(password_validation.password_validators_help_texts())

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError(_("표시 이름을 입력해 주세요."), code="required")
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", forms.ValidationError(_("두 비밀번호가 서로 다릅니다. 다시 입력해 주세요."),
                                                              code="password_mismatch"))
        elif password1:
            candidate = User(email=self.email, username=self.email, display_name=cleaned.get("display_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
