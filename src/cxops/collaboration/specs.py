"""Checklist template specs (pure): parsing template files and the built-in Korean templates.

A template file is JSON: {"name": ..., "items": [{"title", "owner_team", "offset_business_days",
"scenario"?}]}.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class SpecError(ValueError):
    """A template file that cannot be used; the message says what to fix (in Korean)."""


@dataclass(frozen=True)
class ItemSpec:
    title: str
    owner_team: str = ""
    offset_business_days: int = 0
    scenario: str = ""


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    items: tuple[ItemSpec, ...]
    description: str = ""
    key: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "items": [
            {"title": i.title, "owner_team": i.owner_team, "offset_business_days": i.offset_business_days,
             "scenario": i.scenario} for i in self.items]}


MAX_OFFSET = 365


def parse_template(data: Any) -> TemplateSpec:
    if not isinstance(data, dict):
        raise SpecError("템플릿은 {\"name\": ..., \"items\": [...]} 형식의 JSON 객체여야 합니다.")
    name = str(data.get("name") or "").strip()
    if not name:
        raise SpecError("템플릿 이름(name)을 입력해 주세요.")
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise SpecError("항목(items)을 하나 이상 넣어 주세요.")
    items = []
    for n, raw in enumerate(raw_items, start=1):
        if not isinstance(raw, dict):
            raise SpecError(f"{n}번째 항목이 객체가 아닙니다.")
        title = str(raw.get("title") or "").strip()
        if not title:
            raise SpecError(f"{n}번째 항목의 제목(title)이 비어 있습니다.")
        offset = raw.get("offset_business_days", 0)
        if isinstance(offset, bool) or not isinstance(offset, int):
            raise SpecError(f"{n}번째 항목의 offset_business_days는 정수여야 합니다 (예: -7).")
        if abs(offset) > MAX_OFFSET:
            raise SpecError(f"{n}번째 항목의 offset_business_days는 -{MAX_OFFSET}~{MAX_OFFSET} 사이여야 합니다.")
        items.append(ItemSpec(title=title[:200], owner_team=str(raw.get("owner_team") or "").strip()[:80],
                              offset_business_days=offset, scenario=str(raw.get("scenario") or "").strip()))
    return TemplateSpec(name=name[:200], items=tuple(items), description=str(data.get("description") or ""))


PARTNER_MALL_OPENING = TemplateSpec(
    key="partner-mall-opening",
    name="신규 제휴몰 입점 고객센터 오픈",
    description="새 제휴몰(오픈마켓·종합몰) 입점에 맞춰 고객센터가 문의를 받을 준비를 합니다.",
    items=(
        ItemSpec("신규 전화번호 개통", "IT·인프라", -30,
                 "대표번호로 전화해 ARS 안내 멘트와 상담원 연결까지 확인"),
        ItemSpec("제휴사 관리자 계정 발급", "제휴사", -30,
                 "상담원 계정으로 제휴몰 판매자센터에 로그인해 주문·문의 조회 확인"),
        ItemSpec("상담원-제휴사 소통 채널 개설", "제휴사", -7,
                 "공용 채널에 테스트 메시지를 남기고 제휴사 담당자의 응답 확인"),
        ItemSpec("전담 상담원 배정", "고객센터 운영", -7,
                 "근무표에 전담 상담원과 대체 인력이 들어 있는지 확인"),
        ItemSpec("교환·반품·환불 정책 정리", "MD·제휴 영업", -7,
                 "제휴몰 정책과 자사 정책이 다른 항목을 표로 정리하고 승인받기"),
        ItemSpec("매크로 등록", "고객센터 운영", -1,
                 "배송·취소·반품 매크로를 티켓에 넣어 변수가 바르게 채워지는지 확인"),
        ItemSpec("지식베이스 문서 작성", "고객센터 운영", -1,
                 "상담원이 검색으로 제휴몰 문서를 찾을 수 있는지 확인"),
        ItemSpec("상담원 교육", "고객센터 교육", -1,
                 "교육 후 모의 문의 5건을 정책대로 처리하는지 확인"),
        ItemSpec("오픈 후 문의 유형 점검", "고객센터 운영", 7,
                 "첫 주 문의를 유형별로 묶어 정책·매크로 보완점 정리"),
    ),
)

BUILTIN_TEMPLATES: dict[str, TemplateSpec] = {PARTNER_MALL_OPENING.key: PARTNER_MALL_OPENING}
