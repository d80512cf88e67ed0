"""Forms of the SLA settings pages; they only parse input (the services validate and write).

Weekly hours are typed per day as ``09:00-12:00, 13:00-18:00``; extra holidays one per line as
``2026-12-31 창립기념일``; overrides one per line as ``2026-12-24 09:00-15:00 단축 근무`` or
``2026-12-26 휴무``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cxops.sla.calendar import WEEKDAY_KEYS
from cxops.sla.models import BusinessCalendarConfig, SlaPolicy
from cxops.tickets.models import Channel, Priority, Status, TicketType

DAY_LABELS = dict(zip(WEEKDAY_KEYS, [_("월요일"), _("화요일"), _("수요일"), _("목요일"), _("금요일"), _("토요일"),
                                     _("일요일")], strict=True))
_INTERVAL = re.compile(r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$")
CLOSED_WORDS = {"휴무", "closed", "-"}


def _intervals(text: str, label: str) -> list[str]:
    items = [part.strip().replace(" ", "").replace("–", "-") for part in re.split(r"[,\s]+(?=\d)", text.strip())
             if part.strip()]
    bad = [i for i in items if not _INTERVAL.match(i)]
    if bad:
        raise forms.ValidationError(_("%(label)s: 시간 구간은 09:00-12:00 처럼 적어 주세요 (%(bad)s)")
                                    % {"label": label, "bad": ", ".join(bad)})
    return items


def _date(text: str, line: str) -> str:
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise forms.ValidationError(_("날짜는 2026-12-31 처럼 적어 주세요: %(line)s") % {"line": line}) from exc


class CalendarForm(forms.Form):
    name = forms.CharField(label=_("이름"), max_length=80)
    team: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("팀 (팀 전용 달력일 때)"), queryset=None, required=False,  # type: ignore[arg-type]
                                  empty_label=_("워크스페이스 전체"))
    timezone = forms.CharField(label=_("시간대"), max_length=64, initial="Asia/Seoul")
    use_korean_holidays = forms.BooleanField(label=_("한국 공휴일 휴무 (대체공휴일 포함)"), required=False, initial=True)
    extra_holidays = forms.CharField(label=_("추가 휴무일"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                     help_text=_("한 줄에 하나: 2026-12-31 창립기념일"))
    overrides = forms.CharField(label=_("특정일 영업시간"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("한 줄에 하나: 2026-12-24 09:00-15:00 단축 근무 / 2026-12-26 휴무"))
    cutoff_time = forms.TimeField(label=_("당일 처리 마감 시각"), initial=dt.time(17, 0),
                                  help_text=_("이 시각 전 접수는 그날 영업 종료까지, 이후는 다음 영업일 종료까지 답변"))
    cutoff_channels = forms.MultipleChoiceField(label=_("마감 규칙을 쓰는 채널"), choices=Channel.choices,
                                                required=False, widget=forms.CheckboxSelectMultiple,
                                                initial=["board", "email"])
    is_default = forms.BooleanField(label=_("워크스페이스 기본 달력"), required=False)

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from cxops.core.models import Team

        self.fields["team"].queryset = Team.objects.filter(workspace=workspace).order_by("name")  # type: ignore[attr-defined]
        for key in WEEKDAY_KEYS:
            self.fields[f"day_{key}"] = forms.CharField(
                label=DAY_LABELS[key], required=False, max_length=200,
                widget=forms.TextInput(attrs={"placeholder": _("휴무")}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weekly = {}
        for key in WEEKDAY_KEYS:
            text = (data.get(f"day_{key}") or "").strip()
            weekly[key] = [] if text in CLOSED_WORDS or not text else _intervals(text, str(DAY_LABELS[key]))
        data["weekly_hours"] = weekly
        holidays = []
        for line in (data.get("extra_holidays") or "").splitlines():
            if line.strip():
                day, _sep, name = line.strip().partition(" ")
                holidays.append({"date": _date(day, line), "name": name.strip()})
        data["holiday_rows"] = holidays
        overrides = []
        for line in (data.get("overrides") or "").splitlines():
            if not line.strip():
                continue
            day, _sep, rest = line.strip().partition(" ")
            words = rest.split()
            intervals = [w for w in words if _INTERVAL.match(w)]
            note = " ".join(w for w in words if not _INTERVAL.match(w) and w not in CLOSED_WORDS)
            overrides.append({"date": _date(day, line), "intervals": intervals, "note": note})
        data["override_rows"] = overrides
        return data

    def service_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {"name": d["name"], "team": d.get("team"), "timezone": d["timezone"].strip(),
                "weekly_hours": d["weekly_hours"], "use_korean_holidays": d["use_korean_holidays"],
                "extra_holidays": d["holiday_rows"], "overrides": d["override_rows"],
                "cutoff_time": d["cutoff_time"], "cutoff_channels": d["cutoff_channels"],
                "is_default": d["is_default"]}

    @staticmethod
    def initial_of(calendar: BusinessCalendarConfig) -> dict[str, Any]:
        weekly = calendar.weekly_hours or {}
        initial: dict[str, Any] = {
            "name": calendar.name, "team": calendar.team_id, "timezone": calendar.timezone,
            "use_korean_holidays": calendar.use_korean_holidays, "cutoff_time": calendar.cutoff_time,
            "cutoff_channels": list(calendar.cutoff_channels or []), "is_default": calendar.is_default,
            "extra_holidays": "\n".join(f"{h.get('date')} {h.get('name', '')}".strip()
                                        for h in calendar.extra_holidays or []),
            "overrides": "\n".join(
                " ".join([str(o.get("date")), *(o.get("intervals") or ["휴무"]), str(o.get("note") or "")]).strip()
                for o in calendar.overrides or []),
        }
        for key in WEEKDAY_KEYS:
            initial[f"day_{key}"] = ", ".join(weekly.get(key, []))
        return initial


def _words(text: str) -> list[str]:
    return [w.strip() for w in re.split(r"[,\n]", text or "") if w.strip()]


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("이름"), max_length=80)
    position = forms.IntegerField(label=_("확인 순서"), min_value=0, max_value=10_000, initial=100,
                                  help_text=_("작은 값부터 조건을 확인하고, 처음 맞는 정책을 적용합니다"))
    is_active = forms.BooleanField(label=_("사용"), required=False, initial=True)
    calendar: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("달력"), queryset=None, required=False,  # type: ignore[arg-type]
                                      empty_label=_("팀·워크스페이스 달력"))
    channels = forms.MultipleChoiceField(label=_("채널"), choices=Channel.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple, help_text=_("비우면 모두"))
    priorities = forms.MultipleChoiceField(label=_("우선순위"), choices=Priority.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple, help_text=_("비우면 모두"))
    types = forms.MultipleChoiceField(label=_("유형"), choices=TicketType.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple, help_text=_("비우면 모두"))
    customer_tiers = forms.CharField(label=_("고객 등급"), required=False, help_text=_("쉼표로 구분, 비우면 모두"))
    tags = forms.CharField(label=_("태그"), required=False, help_text=_("하나라도 있으면 적용; 쉼표로 구분, 비우면 모두"))
    first_response_minutes = forms.IntegerField(label=_("첫 응답 목표 (영업시간 분)"), min_value=1, required=False)
    next_reply_minutes = forms.IntegerField(label=_("다음 답변 목표 (영업시간 분)"), min_value=1, required=False)
    resolution_minutes = forms.IntegerField(label=_("해결 목표 (영업시간 분)"), min_value=1, required=False)
    pause_statuses = forms.MultipleChoiceField(label=_("SLA 시계를 멈추는 상태"), choices=Status.choices,
                                               required=False, widget=forms.CheckboxSelectMultiple,
                                               initial=["pending"])
    warn_share = forms.FloatField(label=_("임박 알림 시점 (경과 비율)"), min_value=0.01, max_value=1, initial=0.75,
                                  help_text=_("0.75 = 기한까지 영업시간의 75%가 지나면"))
    use_cutoff = forms.BooleanField(label=_("게시판·이메일은 당일 마감 규칙 적용"), required=False, initial=True)

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = BusinessCalendarConfig.objects.filter(  # type: ignore[attr-defined]
            workspace=workspace).order_by("-is_default", "name")

    def service_values(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["customer_tiers"] = _words(d["customer_tiers"])
        d["tags"] = _words(d["tags"])
        return d

    @staticmethod
    def initial_of(policy: SlaPolicy) -> dict[str, Any]:
        data = policy.snapshot()
        data["calendar"] = data.pop("calendar_id")
        data["customer_tiers"] = ", ".join(data["customer_tiers"])
        data["tags"] = ", ".join(data["tags"])
        return data
