"""Load N synthetic Korean tickets (about 3 messages each) into the configured database.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/cxops_bench \\
        .venv/bin/python bench/load_tickets.py --tickets 1000000

Texts are composed from pools of natural Korean sentences; each pool sentence is analysed by Kiwi
once and a ticket's search document is assembled from those analyses (sentence by sentence, with
the same analyser and the same four weighted fields as `cxops.tickets.search`), so loading a
million tickets is bound by the database, not by morpheme analysis.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxops.config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

from cxops.core.models import Membership, User, Workspace  # noqa: E402
from cxops.core.services import membership_set, user_create, workspace_create  # noqa: E402
from cxops.core.text import identifier_tokens, lexemes  # noqa: E402
from cxops.sla.services import tickets_sla_compute, workspace_sla_defaults_install  # noqa: E402
from cxops.tickets import numbering  # noqa: E402
from cxops.tickets.models import (  # noqa: E402
    Customer,
    CustomerIdentity,
    Message,
    Ticket,
    TicketSearchDoc,
)
from cxops.tickets.search import workspace_token  # noqa: E402

KST = ZoneInfo("Asia/Seoul")
PRODUCTS = ["제주 감귤 5kg", "한우 불고기 밀키트", "유기농 샐러드 세트", "수제 김치 2kg", "샤인머스캣 선물세트",
            "냉동 만두 1kg", "닭가슴살 30팩", "그릭요거트 6입", "흑돼지 삼겹살", "훈제오리 슬라이스"]
SUBJECTS = [
    "{p} 배송이 너무 늦어요", "{p} 환불 요청합니다", "{p} 교환 가능한가요", "주문 취소하고 싶어요", "{p} 파손되어 왔어요",
    "결제가 두 번 됐어요", "쿠폰이 적용이 안돼요", "배송지 변경 부탁드립니다", "{p} 유통기한 문의", "새벽배송 누락",
    "영수증 발급 요청", "{p} 상품이 상했어요", "반품 접수 어떻게 하나요", "포인트 적립이 안됐어요", "회원 탈퇴 문의",
    "{p} 재입고 언제 되나요", "배송조회가 안돼요", "선물하기 주소 입력 문의", "{p} 구성품 누락", "환불 언제 되나요",
]
CUSTOMER_SENTENCES = [
    "안녕하세요 지난주에 주문한 {p} 아직 도착을 안했어요.", "배송이너무늦어요 언제 받을수 있나요?",
    "박스가 찢어져서 왔고 안에 내용물이 다 터져있었어요.", "환불해주세요. 더 이상 기다릴 수가 없네요.",
    "주문번호 {o} 입니다 확인 부탁드려요.", "사진 첨부합니다 확인해주세요.", "교환하고싶은데 절차가 어떻게 되나요",
    "카드 결제가 두번 승인됐어요 하나 취소해주세요", "쿠폰 코드 입력했는데 적용이 안됩니다", "연락처는 {ph} 입니다.",
    "아이스팩이 다 녹아서 왔어요 신선식품인데 너무하네요", "오늘 출고된다고 했는데 아직 준비중으로 나와요",
    "선물로 보낸건데 받는 분이 못 받았다고 하네요", "재구매 하려고 하는데 재고가 없다고 나와요",
    "부재중이라 경비실에 맡겨달라고 했는데 문앞에 두고 가셨어요", "유통기한이 얼마 안 남은 상품이 왔어요",
    "고객센터 전화 연결이 너무 안돼서 글 남깁니다", "빠른 답변 부탁드립니다", "처리 결과 문자로 알려주세요",
    "반품 택배 기사님이 안 오셨어요", "포인트로 환불 받을 수 있나요?", "영수증을 회사 제출용으로 받고 싶어요",
]
REPLY_SENTENCES = [
    "안녕하세요 고객님, 맛있는식탁 고객센터입니다.", "이용에 불편을 드려 대단히 죄송합니다.",
    "확인 결과 택배사 물량 증가로 배송이 지연되고 있습니다.", "파손 상품은 사진 확인 후 바로 재발송해 드리겠습니다.",
    "환불은 카드사 사정에 따라 영업일 기준 3~5일 소요됩니다.", "교환 접수 도와드렸으며 회수 기사님이 방문 예정입니다.",
    "중복 결제 건은 취소 처리 완료되었습니다.", "쿠폰은 최소 주문 금액 이상일 때 적용됩니다.",
    "추가 문의사항은 언제든 남겨주세요. 감사합니다.", "재입고 일정은 다음 주 중으로 예정되어 있습니다.",
]
NOTE_SENTENCES = ["택배사 확인 요청함", "창고 재고 확인 필요", "재문의 고객, 팀장 보고", "블랙컨슈머 아님 정상 처리",
                  "회수 완료 후 환불 진행 예정", "사진 확인 결과 파손 맞음"]
SURNAMES = list("김이박최정강조윤장임한오서신권황안송류홍")
GIVEN = ["민수", "지영", "서연", "도윤", "하은", "준호", "수빈", "예린", "현우", "지훈", "유나", "성민", "다은", "태희",
         "은지", "동현", "소희", "재원", "미경", "영수"]


class Pool:
    """Pool sentences and their analyses, computed once."""

    def __init__(self, items: list[str]) -> None:
        self.items = items
        self.lexemes = [" ".join(lexemes(item.replace("{p}", "").replace("{o}", "").replace("{ph}", "")))
                        for item in items]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--workspace", default="bench")
    parser.add_argument("--other-share", type=float, default=0.1, help="share of tickets in a second workspace")
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()

    main_ws, created = workspace_create(slug=args.workspace, name="벤치마크 쇼핑몰")
    if not created and Ticket.objects.filter(workspace=main_ws).exists():
        print(f"workspace {args.workspace} already has tickets; drop the database to reload", file=sys.stderr)
        sys.exit(2)
    other_ws, _ = workspace_create(slug=f"{args.workspace}-other", name="다른 고객사")
    agents: list[User] = []
    for i in range(10):
        email = f"bench-agent{i}@cxops.bench"
        user = User.objects.filter(email=email).first() or user_create(email=email, password="bench-pass-1234",
                                                                       display_name=f"상담원{i}")
        membership_set(workspace=main_ws, user=user, role="admin" if i == 0 else "agent", actor=None)
        membership_set(workspace=other_ws, user=user, role="agent", actor=None)
        agents.append(user)
    assert Membership.objects.filter(workspace=main_ws).count() >= 10

    subjects, customer_lines, replies, notes = (Pool(SUBJECTS), Pool(CUSTOMER_SENTENCES), Pool(REPLY_SENTENCES),
                                                Pool(NOTE_SENTENCES))
    product_lex = [" ".join(lexemes(p)) for p in PRODUCTS]
    now = datetime.now(tz=KST)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF")

    total = args.tickets
    other_count = int(total * args.other_share)
    plan = [(main_ws, total - other_count), (other_ws, other_count)]
    for workspace, count in plan:
        workspace_sla_defaults_install(workspace=workspace)
        load_workspace(workspace, count, rng, agents, subjects, customer_lines, replies, notes, product_lex, now,
                       args.batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE tickets_ticket")
            cursor.execute("VACUUM ANALYZE tickets_message")
            cursor.execute("VACUUM ANALYZE tickets_ticketsearchdoc")
            cursor.execute("VACUUM ANALYZE tickets_customer")
    print(f"loaded {total} tickets in {time.monotonic() - started:.0f} s")


def load_workspace(workspace: Workspace, count: int, rng: random.Random, agents: list[User], subjects: Pool,
                   customer_lines: Pool, replies: Pool, notes: Pool, product_lex: list[str], now: datetime,
                   batch: int) -> None:
    if count <= 0:
        return
    token = workspace_token(workspace.pk)
    customer_count = max(count // 3, 1)
    span_days = 730
    customers: list[int] = []
    customer_names: dict[int, tuple[str, str]] = {}
    phone_base = 10_000_000 + workspace.pk * 1_000_000
    for start in range(0, customer_count, batch):
        rows = []
        for i in range(start, min(start + batch, customer_count)):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            phone = f"010{(phone_base + i) % 100_000_000:08d}"
            rows.append(Customer(workspace=workspace, name=name, phones=[phone]))
        with transaction.atomic():
            made = Customer.objects.bulk_create(rows, batch_size=batch)
            CustomerIdentity.objects.bulk_create([
                CustomerIdentity(workspace=workspace, customer=c, kind="phone", value=c.phones[0]) for c in made
            ], batch_size=batch)
        for c in made:
            customers.append(c.pk)
            customer_names[c.pk] = (c.name, c.phones[0])
    done = 0
    t0 = time.monotonic()
    while done < count:
        size = min(batch, count - done)
        tickets: list[Ticket] = []
        texts: list[tuple[str, list[tuple[str, str, datetime]], str]] = []
        docs: list[tuple[str, str, str, str]] = []
        for number in numbering.take_numbers(workspace.pk, size):
            age = timedelta(minutes=rng.randrange(span_days * 24 * 60))
            created = now - age
            p = rng.randrange(len(PRODUCTS))
            s = rng.randrange(len(subjects.items))
            subject = subjects.items[s].replace("{p}", PRODUCTS[p])
            customer_id = rng.choice(customers)
            name, phone = customer_names[customer_id]
            order = f"{created:%Y%m%d}-{rng.randrange(10**7):07d}"
            c1, c2 = rng.randrange(len(customer_lines.items)), rng.randrange(len(customer_lines.items))
            first = " ".join([customer_lines.items[c1], customer_lines.items[c2]]).replace("{p}", PRODUCTS[p]) \
                .replace("{o}", order).replace("{ph}", phone)
            r1, r2 = rng.randrange(len(replies.items)), rng.randrange(len(replies.items))
            reply = " ".join([replies.items[0], replies.items[r1], replies.items[r2]])
            messages = [("customer", first, created), ("reply", reply, created + timedelta(hours=rng.randrange(1, 30)))]
            note_lex = ""
            extra_lex = ""
            if rng.random() < 0.35:
                n = rng.randrange(len(notes.items))
                messages.append(("note", notes.items[n], created + timedelta(hours=1)))
                note_lex = notes.lexemes[n]
            else:
                c3 = rng.randrange(len(customer_lines.items))
                text = customer_lines.items[c3].replace("{p}", PRODUCTS[p]).replace("{o}", order).replace("{ph}", phone)
                messages.append(("customer", text, created + timedelta(hours=rng.randrange(30, 60))))
                extra_lex = customer_lines.lexemes[c3]
            old = age > timedelta(days=14)
            status = rng.choice(["solved", "closed"]) if old else rng.choices(
                ["new", "open", "pending", "on_hold", "solved"], weights=[2, 3, 3, 1, 4])[0]
            last_at = messages[-1][2]
            tickets.append(Ticket(
                workspace=workspace, number=number, subject=subject, channel=rng.choice(
                    ["board", "board", "phone", "email", "chat", "marketplace"]), status=status,
                priority=rng.choices(["low", "normal", "high", "urgent"], weights=[2, 12, 3, 1])[0],
                type="complaint" if rng.random() < 0.12 else "inquiry", customer_id=customer_id,
                assignee=None if status == "new" else rng.choice(agents), created_at=created, updated_at=last_at,
                first_response_at=messages[1][2], solved_at=last_at if status in ("solved", "closed") else None,
                last_customer_message_at=created, message_count=len(messages), order_number=order,
            ))
            texts.append((subject, messages, order))
            body_lex = " ".join(filter(None, [customer_lines.lexemes[c1], customer_lines.lexemes[c2], product_lex[p],
                                              replies.lexemes[0], replies.lexemes[r1], replies.lexemes[r2], extra_lex]))
            subject_lex = " ".join(filter(None, [token, subjects.lexemes[s], product_lex[p], str(number)]))
            people = " ".join([*lexemes_of_name(name), phone, phone[-4:], *identifier_tokens(order)])
            docs.append((subject_lex, body_lex, people, note_lex))
        with transaction.atomic():
            made = Ticket.objects.bulk_create(tickets, batch_size=batch)
            msg_rows = []
            for ticket, (_subject, messages, _order) in zip(made, texts, strict=True):
                for kind, body, at in messages:
                    msg_rows.append(Message(workspace=workspace, ticket=ticket, kind=kind, channel=ticket.channel,
                                            body_text=body, body_html=f"<p>{body}</p>", created_at=at,
                                            author_name="" if kind == "customer" else "상담원"))
            Message.objects.bulk_create(msg_rows, batch_size=batch)
            # SLA deadlines in bulk, as the importer does (past warnings and breaches stay quiet).
            tickets_sla_compute(workspace_id=workspace.pk, ticket_ids=[t.pk for t in made], quiet_past=True)
            TicketSearchDoc.objects.bulk_create([
                TicketSearchDoc(ticket=t, workspace=workspace, subject=d[0], body=d[1], people=d[2], notes=d[3],
                                created_at=t.created_at)
                for t, d in zip(made, docs, strict=True)
            ], batch_size=batch)
        done += size
        rate = done / (time.monotonic() - t0)
        print(f"  {workspace.slug}: {done}/{count} tickets ({rate:.0f}/s)", flush=True)


_name_cache: dict[str, list[str]] = {}


def lexemes_of_name(name: str) -> list[str]:
    if name not in _name_cache:
        _name_cache[name] = [*lexemes(name), name]
    return _name_cache[name]


if __name__ == "__main__":
    main()
