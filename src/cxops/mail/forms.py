"""Forms of the mailbox settings page; they only parse input (the service validates and writes)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cxops.mail.models import Security

PASSWORD_HELP = _("비워 두면 저장된 비밀번호를 그대로 씁니다. 비밀번호는 암호화해 저장합니다.")


class MailboxForm(forms.Form):
    name = forms.CharField(label=_("이름"), max_length=80, required=False)
    address = forms.EmailField(label=_("메일 주소"), max_length=200,
                               error_messages={"required": _("메일 주소를 입력해 주세요."),
                                               "invalid": _("메일 주소 형식이 올바르지 않습니다.")})
    from_name = forms.CharField(label=_("보내는 사람 이름"), max_length=80, required=False)
    imap_host = forms.CharField(label=_("IMAP 서버"), max_length=200)
    imap_port = forms.IntegerField(label=_("IMAP 포트"), min_value=1, max_value=65535, initial=993)
    imap_security = forms.ChoiceField(label=_("IMAP 보안"), choices=Security.choices, initial=Security.SSL)
    imap_user = forms.CharField(label=_("IMAP 사용자"), max_length=200)
    imap_password = forms.CharField(label=_("IMAP 비밀번호"), required=False, help_text=PASSWORD_HELP,
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    imap_folder = forms.CharField(label=_("받은편지함 폴더"), max_length=120, initial="INBOX")
    smtp_host = forms.CharField(label=_("SMTP 서버"), max_length=200)
    smtp_port = forms.IntegerField(label=_("SMTP 포트"), min_value=1, max_value=65535, initial=587)
    smtp_security = forms.ChoiceField(label=_("SMTP 보안"), choices=Security.choices, initial=Security.STARTTLS)
    smtp_user = forms.CharField(label=_("SMTP 사용자"), max_length=200, required=False)
    smtp_password = forms.CharField(label=_("SMTP 비밀번호"), required=False, help_text=PASSWORD_HELP,
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    is_active = forms.BooleanField(label=_("사용 (1분마다 새 메일 가져오기)"), required=False, initial=True)

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        passwords = {key: (data.pop(key) or None) for key in ("imap_password", "smtp_password")}
        return {**data, **passwords}
