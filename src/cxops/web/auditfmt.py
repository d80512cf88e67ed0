"""Audit events in words: Korean action names and field-level before → after rows."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from cxops.core.models import Role

AUDIT_ACTIONS: dict[str, Any] = {
    "ticket.create": gettext_lazy("티켓 생성"),
    "ticket.update": gettext_lazy("티켓 변경"),
    "ticket.reply": gettext_lazy("답변 등록"),
    "ticket.note": gettext_lazy("내부 메모"),
    "ticket.reopen": gettext_lazy("고객 재문의로 다시 열림"),
    "customer.create": gettext_lazy("고객 등록"),
    "customer.update": gettext_lazy("고객 정보 변경"),
    "customer.merge": gettext_lazy("고객 병합"),
    "call.log": gettext_lazy("전화 상담 기록"),
    "macro.create": gettext_lazy("매크로 생성"),
    "macro.update": gettext_lazy("매크로 수정"),
    "macro.delete": gettext_lazy("매크로 삭제"),
    "saved_view.create": gettext_lazy("보기 저장"),
    "saved_view.delete": gettext_lazy("보기 삭제"),
    "webhook.create": gettext_lazy("웹훅 등록"),
    "webhook.delete": gettext_lazy("웹훅 삭제"),
    "workspace.create": gettext_lazy("워크스페이스 생성"),
    "workspace.update": gettext_lazy("워크스페이스 설정 변경"),
    "membership.set": gettext_lazy("역할 지정"),
    "membership.deactivate": gettext_lazy("멤버 비활성화"),
    "membership.availability": gettext_lazy("상담 가능 상태 변경"),
    "team.create": gettext_lazy("팀 생성"),
    "invitation.create": gettext_lazy("멤버 초대"),
    "api_token.create": gettext_lazy("API 토큰 발급"),
    "api_token.revoke": gettext_lazy("API 토큰 폐기"),
}

OBJECT_TYPES: dict[str, Any] = {
    "ticket": gettext_lazy("티켓"), "customer": gettext_lazy("고객"), "call": gettext_lazy("전화 상담"),
    "macro": gettext_lazy("매크로"), "savedview": gettext_lazy("저장된 보기"), "webhook": gettext_lazy("웹훅"),
    "workspace": gettext_lazy("워크스페이스"), "membership": gettext_lazy("멤버"), "team": gettext_lazy("팀"),
    "invitation": gettext_lazy("초대"), "apitoken": gettext_lazy("API 토큰"),
}

FIELD_LABELS: dict[str, Any] = {
    "status": gettext_lazy("상태"), "priority": gettext_lazy("우선순위"), "type": gettext_lazy("유형"),
    "category_id": gettext_lazy("분류"), "product_id": gettext_lazy("상품"), "team_id": gettext_lazy("팀"),
    "assignee_id": gettext_lazy("담당자"), "subject": gettext_lazy("제목"), "tags": gettext_lazy("태그"),
    "custom_status_id": gettext_lazy("세부 상태"), "order_number": gettext_lazy("주문번호"),
    "name": gettext_lazy("이름"), "notes": gettext_lazy("메모"), "tier": gettext_lazy("등급"),
    "role": gettext_lazy("역할"), "is_active": gettext_lazy("활성"), "availability": gettext_lazy("상담 가능 상태"),
    "email": gettext_lazy("이메일"), "title": gettext_lazy("제목"), "body": gettext_lazy("내용"),
    "url": gettext_lazy("주소"), "events": gettext_lazy("이벤트"), "message_id": gettext_lazy("메시지"),
    "outcome": gettext_lazy("처리 결과"), "ticket": gettext_lazy("티켓"), "merged_from": gettext_lazy("병합된 고객"),
    "privacy_consent_text": gettext_lazy("개인정보 동의 문구"), "board_intro": gettext_lazy("게시판 안내 문구"),
    "channel": gettext_lazy("채널"), "slug": gettext_lazy("슬러그"), "brand_color": gettext_lazy("브랜드 색"),
}


def _choice_label(value: Any) -> str:
    """Known choice values (statuses, priorities, roles…) in Korean; anything else as is."""
    if value in (None, "", []):
        return "—"
    from cxops.core.models import Availability
    from cxops.tickets.models import CallOutcome, Priority, Status, TicketType

    for choices in (Status, Priority, TicketType, Role, Availability, CallOutcome):
        if isinstance(value, str) and value in choices.values:
            return str(choices(value).label)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    text = str(value)
    return text if len(text) <= 120 else text[:117] + "…"


def change_rows(changes: dict[str, Any]) -> list[tuple[str, str, str]]:
    rows = []
    for key, pair in (changes or {}).items():
        before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
        rows.append((str(FIELD_LABELS.get(key, key)), _choice_label(before), _choice_label(after)))
    return rows
