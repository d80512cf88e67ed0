"""Forms of the agent UI. They only parse and validate input; services do the writing."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cxops.core.models import Membership
from cxops.tickets.lookups import lookups_for
from cxops.tickets.models import (
    CallDirection,
    CallOutcome,
    Priority,
    Status,
    Ticket,
    TicketType,
    WebhookEvent,
)

NOT_SELECTED = _("선택 안 함")
NO_TEAM = _("팀 없음")
UNASSIGNED = _("미배정")

REPLY_STATUS_CHOICES = [
    ("", _("자동 (고객 응답 대기)")),
    (Status.OPEN, _("진행 중으로 두기")),
    (Status.PENDING, _("고객 응답 대기")),
    (Status.ON_HOLD, _("보류")),
    (Status.SOLVED, _("해결")),
]


def category_choices(membership: Membership, empty: Any = NOT_SELECTED) -> list[tuple[Any, Any]]:
    """Parents first, each followed by its children as "배송 › 배송 지연"."""
    return [("", empty), *lookups_for(membership.workspace_id).categories]


def product_choices(membership: Membership, empty: Any = NOT_SELECTED) -> list[tuple[Any, Any]]:
    return [("", empty), *lookups_for(membership.workspace_id).products]


def team_choices(membership: Membership, empty: Any = NO_TEAM) -> list[tuple[Any, Any]]:
    return [("", empty), *lookups_for(membership.workspace_id).teams]


def assignee_choices(membership: Membership, empty: Any = UNASSIGNED) -> list[tuple[Any, Any]]:
    return [("", empty), *lookups_for(membership.workspace_id).members]


def status_choices(membership: Membership) -> list[tuple[Any, Any]]:
    """Base statuses, then the workspace's own statuses ("보류 › 배송사 확인 중") as custom-<id>."""
    choices: list[tuple[Any, Any]] = list(Status.choices)
    custom = lookups_for(membership.workspace_id).statuses
    if custom:
        labels = dict(Status.choices)
        choices.append((_("세부 상태"), [(f"custom-{pk}", f"{labels[base]} › {name}") for pk, base, name in custom]))
    return choices


def set_choices(form: forms.Form, name: str, choices: list[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "") else None


class ComposeForm(forms.Form):
    mode = forms.ChoiceField(choices=[("reply", _("고객에게 답변")), ("note", _("내부 메모"))], initial="reply")
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}))
    set_status = forms.ChoiceField(choices=REPLY_STATUS_CHOICES, required=False)


class TicketPropertiesForm(forms.Form):
    status = forms.ChoiceField(label=_("상태"))
    priority = forms.ChoiceField(label=_("우선순위"), choices=Priority.choices)
    type = forms.ChoiceField(label=_("유형"), choices=TicketType.choices)
    category = forms.ChoiceField(label=_("분류"), required=False)
    product = forms.ChoiceField(label=_("상품"), required=False)
    team = forms.ChoiceField(label=_("팀"), required=False)
    assignee = forms.ChoiceField(label=_("담당자"), required=False)
    tags = forms.CharField(label=_("태그"), required=False, max_length=600,
                           help_text=_("쉼표로 구분합니다. 예: VIP, 재문의"))

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "status", status_choices(membership))
        set_choices(self, "category", category_choices(membership))
        set_choices(self, "product", product_choices(membership))
        set_choices(self, "team", team_choices(membership))
        set_choices(self, "assignee", assignee_choices(membership))

    @staticmethod
    def initial_for(ticket: Ticket, tag_names: list[str]) -> dict[str, Any]:
        return {
            "status": f"custom-{ticket.custom_status_id}" if ticket.custom_status_id else ticket.status,
            "priority": ticket.priority, "type": ticket.type, "category": ticket.category_id or "",
            "product": ticket.product_id or "", "team": ticket.team_id or "", "assignee": ticket.assignee_id or "",
            "tags": ", ".join(tag_names),
        }

    def changes(self, ticket: Ticket, current_tags: list[str]) -> tuple[dict[str, Any], list[str] | None]:
        """Only what differs from the ticket, as ticket_update keyword arguments."""
        data = self.cleaned_data
        changes: dict[str, Any] = {}
        status = data["status"]
        if status.startswith("custom-"):
            custom_id = int(status.removeprefix("custom-"))
            if custom_id != ticket.custom_status_id:
                changes["custom_status_id"] = custom_id
        elif status != ticket.status or ticket.custom_status_id:
            changes["status"] = status
        for field, attr in (("priority", "priority"), ("type", "type")):
            if data[field] != getattr(ticket, attr):
                changes[attr] = data[field]
        for field in ("category", "product", "team", "assignee"):
            value = _int_or_none(data[field])
            if value != getattr(ticket, f"{field}_id"):
                changes[f"{field}_id"] = value
        tags = [t.strip() for t in re.split(r"[,\n]", data.get("tags") or "") if t.strip()]
        new_tags = sorted(dict.fromkeys(tags))
        return changes, (new_tags if new_tags != sorted(current_tags) else None)


class SubjectForm(forms.Form):
    subject = forms.CharField(label=_("제목"), max_length=250,
                              error_messages={"required": _("제목을 입력해 주세요.")})


def parse_duration(raw: str) -> int:
    """Seconds from "3:25", "1:02:03", "205", "3분 25초", "1시간 2분"."""
    text = (raw or "").strip()
    if not text:
        return 0
    if text.isdigit():
        return int(text)
    if re.fullmatch(r"\d{1,3}:\d{1,2}(:\d{1,2})?", text):
        parts = [int(p) for p in text.split(":")]
        if any(p >= 60 for p in parts[1:]):
            raise ValueError(text)
        seconds = 0
        for part in parts:
            seconds = seconds * 60 + part
        return seconds
    match = re.fullmatch(r"(?:(\d+)\s*시간)?\s*(?:(\d+)\s*분)?\s*(?:(\d+)\s*초)?", text)
    if match and any(match.groups()):
        hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return hours * 3600 + minutes * 60 + seconds
    raise ValueError(text)


class CallForm(forms.Form):
    phone = forms.CharField(label=_("전화번호"), max_length=40, required=False)
    customer_name = forms.CharField(label=_("고객 이름"), max_length=120, required=False)
    direction = forms.ChoiceField(label=_("방향"), choices=CallDirection.choices, initial=CallDirection.INBOUND,
                                  widget=forms.RadioSelect)
    category = forms.ChoiceField(label=_("문의 분류"), required=False)
    product = forms.ChoiceField(label=_("상품"), required=False)
    duration = forms.CharField(label=_("통화 시간"), max_length=20, required=False,
                               help_text=_("분:초 (예: 3:25) 또는 초"))
    outcome = forms.ChoiceField(label=_("처리 결과"), choices=CallOutcome.choices, initial=CallOutcome.RESOLVED,
                                widget=forms.RadioSelect)
    ticket_number = forms.CharField(label=_("연결할 티켓 번호"), max_length=12, required=False)
    started_at = forms.DateTimeField(label=_("통화 시각"), required=False, input_formats=["%Y-%m-%dT%H:%M"],
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                format="%Y-%m-%dT%H:%M"))
    summary = forms.CharField(label=_("상담 내용"), widget=forms.Textarea(attrs={"rows": 5}),
                              error_messages={"required": _("상담 내용을 입력해 주세요.")})

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", category_choices(membership))
        set_choices(self, "product", product_choices(membership))

    def clean_duration(self) -> int:
        try:
            return parse_duration(self.cleaned_data.get("duration", ""))
        except ValueError as exc:
            raise forms.ValidationError(_("통화 시간은 3:25(분:초)나 초 단위 숫자로 입력해 주세요.")) from exc

    def clean_ticket_number(self) -> int | None:
        raw = (self.cleaned_data.get("ticket_number") or "").strip().lstrip("#")
        if not raw:
            return None
        if not raw.isdigit():
            raise forms.ValidationError(_("티켓 번호는 숫자로 입력해 주세요. 예: 1024"))
        return int(raw)


class CustomerForm(forms.Form):
    name = forms.CharField(label=_("이름"), max_length=120, required=False)
    tier = forms.CharField(label=_("등급"), max_length=30, required=False)
    notes = forms.CharField(label=_("메모"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    add_phone = forms.CharField(label=_("전화번호 추가"), max_length=40, required=False)
    add_email = forms.EmailField(label=_("이메일 추가"), required=False)


class CustomerNotesForm(forms.Form):
    notes = forms.CharField(label=_("고객 메모"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MacroForm(forms.Form):
    title = forms.CharField(label=_("제목"), max_length=120,
                            error_messages={"required": _("매크로 제목을 입력해 주세요.")})
    body = forms.CharField(label=_("내용"), widget=forms.Textarea(attrs={"rows": 10}),
                           error_messages={"required": _("매크로 내용을 입력해 주세요.")})
    category = forms.ChoiceField(label=_("분류"), required=False)
    set_status = forms.ChoiceField(label=_("사용 후 상태"), required=False,
                                   choices=[("", _("바꾸지 않음")), *Status.choices])

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", category_choices(membership))


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("보기 이름"), max_length=80,
                           error_messages={"required": _("보기 이름을 입력해 주세요.")})
    shared = forms.BooleanField(label=_("팀 전체와 공유"), required=False)


class WebhookForm(forms.Form):
    url = forms.URLField(label=_("받을 주소 (URL)"), max_length=500, assume_scheme="https",
                         error_messages={"required": _("웹훅 주소를 입력해 주세요.")})
    events = forms.MultipleChoiceField(label=_("보낼 이벤트"), choices=WebhookEvent.choices,
                                       widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": _("이벤트를 하나 이상 고르세요.")})
