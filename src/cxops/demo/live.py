"""The freshest demo tickets, made through the real services.

These few tickets arrive in the last half hour before "now" and go through ``inbound_ingest``,
``ticket_update``, ``ticket_reply``, ``ticket_note``, ``ticket_customer_message`` and ``call_log``,
so the audit trail and the timeline events look exactly like production. The services read the
time from ``django.utils.timezone.now()``; :func:`demo_clock` holds that at the demo's fixed
clock while they run, so a run with ``--now`` stays deterministic and its timelines consistent.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from unittest import mock

from django.utils import timezone as django_timezone

from cxops.core.models import Membership, Team, User, Workspace
from cxops.tickets.channels.base import CustomerRef, InboundMessage
from cxops.tickets.models import Category, Product, WorkspaceStatus
from cxops.tickets.services import (
    call_log,
    inbound_ingest,
    ticket_customer_message,
    ticket_note,
    ticket_reply,
    ticket_update,
)

# Tickets each workspace (shop, scooter, waste) gets from here; the bulk plan leaves room for them.
RESERVED = (3, 1, 2)


class DemoClock:
    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def at(self, moment: datetime) -> None:
        self.current = moment


@contextmanager
def demo_clock(start: datetime) -> Iterator[DemoClock]:
    clock = DemoClock(start)
    with mock.patch.object(django_timezone, "now", clock.now):
        yield clock


def _member(workspace: Workspace, user: User) -> Membership:
    return Membership.objects.select_related("user", "workspace").get(workspace=workspace, user=user)


def _category(workspace: Workspace, parent: str, name: str) -> int:
    return Category.objects.get(workspace=workspace, parent__name=parent, name=name).pk


def _team(workspace: Workspace, name: str) -> int:
    return Team.objects.get(workspace=workspace, name=name).pk


def create_live_examples(*, workspaces: dict[str, Workspace], users: dict[str, User], now: datetime) -> None:
    with demo_clock(now - timedelta(minutes=38)) as clock:
        _shop(workspaces["shop"], users, now, clock)
        _scooter(workspaces["scooter"], users, now, clock)
        _waste(workspaces["waste"], users, now, clock)


def _shop(workspace: Workspace, users: dict[str, User], now: datetime, clock: DemoClock) -> None:
    agent1, agent2, agent3 = (_member(workspace, users[f"agent{i}@cxops.demo"]) for i in (1, 2, 3))
    order = f"{(now - timedelta(days=1)):%Y%m%d}-7730215"

    clock.at(now - timedelta(minutes=36))
    first = inbound_ingest(workspace=workspace, message=InboundMessage(
        channel="board", subject="새벽배송 안 왔어요ㅠㅠ 아이 아침인데",
        body_text=("안녕하세요. 어제 밤 10시쯤 새벽배송으로 그릭요거트랑 샐러드 주문했는데 7시 반이 넘었는데도 안 왔어요.\n"
                   "배송완료 문자는 왔는데 문앞에 아무것도 없습니다. 공동현관 비번도 적어놨는데..\n"
                   f"주문번호 {order} 확인 부탁드려요. 010-4821-7730"),
        customer=CustomerRef(name="한지민", phone="010-4821-7730", order_numbers=(order,)),
        order_number=order, received_at=now - timedelta(minutes=36),
        category_id=_category(workspace, "배송", "새벽배송"),
    ))
    ticket = first.ticket
    clock.at(now - timedelta(minutes=31))
    ticket = ticket_update(ticket=ticket, by=agent1, assignee_id=agent1.user_id, priority="high", status="open",
                           team_id=_team(workspace, "게시판팀"),
                           product_id=Product.objects.get(workspace=workspace, code="DY-7002").pk,
                           tags=["새벽배송", "배송완료오류"])
    clock.at(now - timedelta(minutes=29))
    ticket_note(ticket=ticket, by=agent1, body_text="새벽배송 기사님께 배송 사진 위치 확인 요청함 (카톡). 10시 전 회신 예정")

    clock.at(now - timedelta(minutes=22))
    chat = inbound_ingest(workspace=workspace, message=InboundMessage(
        channel="chat", subject="감바스 밀키트 새우가 냉동인가요?",
        body_text="안녕하세요 감바스 밀키트 새우가 냉동인가요 냉장인가요? 내일 캠핑 가져가려구요",
        customer=CustomerRef(name="문가은", phone="010-2957-6613"), received_at=now - timedelta(minutes=22),
        category_id=_category(workspace, "회원/기타", "기타 문의"),
    )).ticket
    clock.at(now - timedelta(minutes=20))
    ticket_reply(ticket=chat, by=agent3, body_text=(
        "안녕하세요 문가은 고객님, 맛있는식탁 상담원 박지우입니다 :) 감바스 밀키트의 새우는 급속 냉동 상태로 "
        "보내 드리며, 아이스팩과 함께 포장되어 받으신 후 6시간 정도는 냉동 상태가 유지됩니다. "
        "캠핑에 가져가실 때는 아이스박스에 보관해 주세요."))
    clock.at(now - timedelta(minutes=18))
    ticket_customer_message(ticket=chat, body_text="아 그렇군요 감사합니다! 주문할게요~", channel="chat")
    clock.at(now - timedelta(minutes=17))
    ticket_update(ticket=chat, by=agent3, status="solved",
                  product_id=Product.objects.get(workspace=workspace, code="MK-5004").pk, tags=["상품문의"])

    clock.at(now - timedelta(minutes=12))
    call_log(workspace=workspace, by=agent2, phone="010-3392-1187", customer_name="오세훈",
             summary=("제주 감귤 5kg 주문취소 요청. 이미 출고되어 취소 불가 안내, 수령 후 반품 원하심.\n"
                      "회수 접수 및 왕복 배송비 면제 여부 팀장 확인 후 재연락 필요"),
             duration_seconds=254, outcome="follow_up", started_at=now - timedelta(minutes=12),
             category_id=_category(workspace, "주문/결제", "주문 취소"),
             product_id=Product.objects.get(workspace=workspace, code="FR-1001").pk)


def _scooter(workspace: Workspace, users: dict[str, User], now: datetime, clock: DemoClock) -> None:
    lead2 = _member(workspace, users["lead2@cxops.demo"])
    agent5 = _member(workspace, users["agent5@cxops.demo"])

    clock.at(now - timedelta(minutes=33))
    ticket = inbound_ingest(workspace=workspace, message=InboundMessage(
        channel="messenger", subject="킥보드 타다가 넘어졌어요",
        body_text=("방금 강남역 11번 출구 앞에서 킥보드 타다가 방지턱에서 넘어졌어요. 손목이 좀 붓고 무릎 까졌어요.\n"
                   "기기번호 418207 이고 킥보드는 인도에 세워뒀어요. 보험 되나요?"),
        customer=CustomerRef(name="배수아", phone="010-7740-2291"), received_at=now - timedelta(minutes=33),
        category_id=_category(workspace, "사고/안전", "사고 접수"),
    )).ticket
    clock.at(now - timedelta(minutes=30))
    ticket = ticket_update(ticket=ticket, by=lead2, assignee_id=lead2.user_id, priority="urgent",
                           team_id=_team(workspace, "사고접수팀"), tags=["사고", "보험", "긴급"],
                           custom_fields={"device_no": "418207", "region": "서울"})
    clock.at(now - timedelta(minutes=27))
    ticket_reply(ticket=ticket, by=lead2, body_text=(
        "배수아 고객님, 많이 놀라셨을 텐데 괜찮으신가요? 씽씽라이드 사고접수팀 한도윤입니다.\n"
        "보험 접수를 위해 기기와 넘어진 곳 주변이 보이는 사진, 병원에 가시면 진단서나 진료비 영수증을 보내 주세요. "
        "사고는 72시간 안에 접수해 주셔야 보험 처리가 원활합니다. 기기는 현장팀이 바로 회수하겠습니다."))
    clock.at(now - timedelta(minutes=25))
    ticket_note(ticket=ticket, by=lead2, body_text="기기 418207 현장팀 회수 요청 (강남권역). 헬멧 착용 여부 확인 필요")

    clock.at(now - timedelta(minutes=9))
    call_log(workspace=workspace, by=agent5, phone="010-5120-3348", customer_name="윤시우",
             summary="미결제 요금 4,750원으로 대여 불가 문의. 결제 관리에서 새 카드 등록 후 결제 안내, 대여 성공 확인",
             duration_seconds=187, outcome="resolved", started_at=now - timedelta(minutes=9),
             category_id=_category(workspace, "요금/결제", "미결제 요금"))


def _waste(workspace: Workspace, users: dict[str, User], now: datetime, clock: DemoClock) -> None:
    agent5 = _member(workspace, users["agent5@cxops.demo"])
    agent3 = _member(workspace, users["agent3@cxops.demo"])

    clock.at(now - timedelta(minutes=35))
    ticket = inbound_ingest(workspace=workspace, message=InboundMessage(
        channel="email", subject="[대성정밀] 금일 폐합성수지 미수거 건",
        body_text=("안녕하세요, (주)대성정밀 화성2공장 총무팀 김성호 과장입니다.\n\n"
                   "오늘 오전 정기 수거일인데 9시가 넘도록 차량이 오지 않았습니다. "
                   "적치장에 톤백이 6개 쌓여 있어 오후 작업에 지장이 있습니다.\n"
                   "오늘 중으로 수거 가능한지 회신 부탁드립니다.\n\n감사합니다.\n김성호 드림 / 010-6634-1902"),
        customer=CustomerRef(name="(주)대성정밀 김성호", phone="010-6634-1902", email="seongho.kim@example.com"),
        received_at=now - timedelta(minutes=35), external_id=f"<{now:%Y%m%d}.dsjm.1902@example.com>",
        category_id=_category(workspace, "미수거/민원", "미수거"),
    )).ticket
    clock.at(now - timedelta(minutes=26))
    hold = WorkspaceStatus.objects.get(workspace=workspace, name="배차 확인 중")
    ticket = ticket_update(ticket=ticket, by=agent5, assignee_id=agent5.user_id, priority="high",
                           custom_status_id=hold.pk, team_id=_team(workspace, "전화상담팀"), tags=["미수거"],
                           product_id=Product.objects.get(workspace=workspace, code="WS-PLA").pk)
    clock.at(now - timedelta(minutes=24))
    ticket_note(ticket=ticket, by=agent5, body_text="배차팀 확인 중 - 3호차 정비로 화성 코스 누락 추정. 오후 추가배차 가능 여부 확인")

    clock.at(now - timedelta(minutes=6))
    call_log(workspace=workspace, by=agent3, phone="031-8059-2210", customer_name="그린패키지 이수정 대리",
             summary=(f"올바로 인계서 불일치 문의 ({(now - timedelta(days=2)):%Y%m%d}-00318). "
                      "처리자 인수량 입력 오류 추정, 처리업체 확인 후 재연락 필요 (3일 기한)"),
             duration_seconds=412, outcome="follow_up", started_at=now - timedelta(minutes=6),
             category_id=_category(workspace, "올바로시스템", "인계서 불일치"))
