"""Plan the demo: customers, tickets with their conversations, and phone calls, as plain data.

Everything is decided here, without Django, from (seed, now, ticket count): the same inputs give
the same plan. :mod:`cxops.demo.build` only writes the plan to the database.

How a ticket comes about:

1. a channel is drawn from the workspace's channel mix and an arrival moment from the traffic
   profile of that channel (phone only while the center is open);
2. a scenario (kind of inquiry) is drawn, weighted by channel and season, and a customer from a
   pool in which some people write much more often than others (repeat customers);
3. a target status follows from the ticket's age (old ones are solved or closed, recent ones new,
   open or pending), which decides the conversation path; every step gets a realistic delay
   (answers only in opening hours) and the conversation stops at "now" — a late answer simply
   has not happened yet, and the status follows from the last step that did.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random
from typing import Any

from cxops.demo import grammar
from cxops.demo.clock import SEOUL, ArrivalSampler, korean_holidays
from cxops.demo.content import common
from cxops.demo.people import (
    JOB_TITLES,
    ROLE_LOAD,
    STAFF,
    STYLES,
    Staff,
    business_number,
    company_name,
    email_for,
    mask_name,
    mobile,
    person_name,
    weighted,
)
from cxops.demo.spec import ProductSpec, Scenario, SlotContext, WorkspaceSpec

DAYS_BACK = 90
# The last minutes before "now" are left to the few tickets created through the real services.
QUIET_TAIL = timedelta(minutes=40)

CUSTOMER, REPLY, NOTE = "customer", "reply", "note"
# Scenario complaint rates are relative; this brings complaints to about 12 % of tickets overall.
COMPLAINT_SCALE = 0.7
LIVE_CHANNELS = ("chat", "messenger")


@dataclass
class CustomerPlan:
    key: int
    name: str
    phone: str
    email: str = ""
    mall_user_id: str = ""
    company: str = ""
    contact: str = ""
    style: str = "neat"
    tier: str = ""
    notes: str = ""
    orders: list[str] = field(default_factory=list)
    external: dict[str, Any] = field(default_factory=dict)
    first_contact: datetime | None = None
    created_at: datetime | None = None
    last_ticket: tuple[datetime, str] | None = None

    @property
    def phone_digits(self) -> str:
        return self.phone.replace("-", "")


@dataclass
class MessagePlan:
    kind: str
    body: str
    at: datetime
    author: str | None = None  # staff email
    author_name: str = ""
    channel: str = ""
    external_id: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class TicketPlan:
    key: int
    scenario: str
    subject: str
    channel: str
    status: str
    priority: str
    type: str
    category: tuple[str, str]
    product: str | None
    tags: list[str]
    team: str
    assignee: str | None
    customer: int
    created_at: datetime
    messages: list[MessagePlan]
    custom_status: str = ""
    order_number: str = ""
    external_id: str | None = None
    custom_fields: dict[str, Any] = field(default_factory=dict)
    first_response_at: datetime | None = None
    solved_at: datetime | None = None
    closed_at: datetime | None = None
    updated_at: datetime | None = None
    last_customer_message_at: datetime | None = None


@dataclass
class CallPlan:
    customer: int | None
    agent: str
    direction: str
    phone: str
    summary: str
    duration: int
    outcome: str
    started_at: datetime
    ticket: int | None = None
    category: tuple[str, str] | None = None
    product: str | None = None


@dataclass
class WorkspacePlan:
    spec: WorkspaceSpec
    now: datetime
    members: list[Staff]
    customers: list[CustomerPlan]
    tickets: list[TicketPlan]
    calls: list[CallPlan]


# --- status by age --------------------------------------------------------------------------------

# (upper bound of age in days, weights of target statuses)
STATUS_BY_AGE: tuple[tuple[float, dict[str, float]], ...] = (
    (0.25, {"new": 0.55, "open": 0.25, "pending": 0.12, "on_hold": 0.03, "solved": 0.05}),
    (1, {"new": 0.25, "open": 0.25, "pending": 0.25, "on_hold": 0.07, "solved": 0.18}),
    (3, {"new": 0.06, "open": 0.16, "pending": 0.25, "on_hold": 0.1, "solved": 0.43}),
    (7, {"new": 0.01, "open": 0.06, "pending": 0.1, "on_hold": 0.06, "solved": 0.6, "closed": 0.17}),
    (14, {"open": 0.02, "pending": 0.03, "on_hold": 0.03, "solved": 0.35, "closed": 0.57}),
    (10_000, {"pending": 0.01, "on_hold": 0.01, "solved": 0.12, "closed": 0.86}),
)
STATUS_OF_STEP = {"C1": "new", "nudge": "new", "ask": "pending", "provide": "open", "check": "on_hold",
                  "note": "on_hold", "resolve": "solved", "thanks": "solved"}


def _pick(rng: Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def target_status(rng: Random, age_days: float) -> str:
    for bound, weights in STATUS_BY_AGE:
        if age_days < bound:
            return _pick(rng, weights)
    return "closed"


# --- the planner ----------------------------------------------------------------------------------

class Planner:
    def __init__(self, spec: WorkspaceSpec, *, seed: int, now: datetime, tickets: int) -> None:
        self.spec = spec
        self.rng = Random(f"cxops-demo:{seed}:{spec.slug}")
        self.now = now.astimezone(SEOUL)
        self.count = tickets
        self.start = self.now - timedelta(days=DAYS_BACK)
        self.end = self.now - QUIET_TAIL
        self.holidays = korean_holidays(self.start.date() - timedelta(days=10), self.now.date() + timedelta(days=30))
        self.chuseok = next((d for d, name in self.holidays.items() if name == "추석"), None)
        self.members = [s for s in STAFF if s.roles.get(spec.slug, "client_viewer") != "client_viewer"]
        self.leads = [s for s in self.members if s.roles[spec.slug] == "lead"] or \
            [s for s in self.members if s.roles[spec.slug] == "manager"]
        self.customers: list[CustomerPlan] = []
        self._pool_size = max(8, int(tickets * 0.6))
        self._pool: dict[int, CustomerPlan] = {}
        weights = [self.rng.choice((1.0,) * 14 + (2.5,) * 5 + (8.0,)) for _ in range(self._pool_size)]
        self._pool_cumulative = list(itertools.accumulate(weights))
        self._used_phones: set[str] = set()
        self._used_emails: set[str] = set()
        self._used_ids: set[str] = set()
        self._samplers: dict[str, ArrivalSampler] = {}
        self.calls: list[CallPlan] = []

    # -- time ----------------------------------------------------------------------------------

    def _surge(self, day: date) -> float:
        if self.chuseok and self.spec.chuseok_surge != 1 and 0 < (self.chuseok - day).days <= 14:
            return self.spec.chuseok_surge
        return 1.0

    def sampler(self, channel: str) -> ArrivalSampler:
        kind = "phone" if channel == "phone" else ("live" if channel == "chat" else "async")
        if kind not in self._samplers:
            opening, chat = self.spec.opening, self.spec.chat_opening
            holidays = self.holidays

            def phone_mask(day: date, hour: int) -> float:
                window = opening.window(day, holidays)
                if window is None or not window[0] <= hour < window[1]:
                    return 0.0
                return 0.45 if hour == 12 else 1.0  # lunch break: the queue still moves, slowly

            def live_mask(day: date, hour: int) -> float:
                window = chat.window(day, holidays)
                return 1.0 if window is not None and window[0] <= hour < window[1] else 0.18

            mask = {"phone": phone_mask, "live": live_mask, "async": None}[kind]
            self._samplers[kind] = ArrivalSampler(start=self.start, end=self.end, traffic=self.spec.traffic,
                                                  holidays=holidays, mask=mask, surge=self._surge)
        return self._samplers[kind]

    def _lognormal_minutes(self, median: float, sigma: float, low: float, high: float) -> float:
        return min(high, max(low, self.rng.lognormvariate(math.log(median), sigma)))

    def agent_delay(self, t: datetime, channel: str, *, first: bool, urgent: bool) -> datetime:
        rng = self.rng
        if channel == "chat":
            hours = self.spec.chat_opening
            if hours.is_open(t.astimezone(SEOUL), self.holidays):
                return t + timedelta(seconds=rng.randrange(40, 420 if first else 200))
            return hours.next_open(t, self.holidays) + timedelta(minutes=rng.uniform(3, 70))
        if channel == "messenger":
            return self.spec.chat_opening.add(t, self._lognormal_minutes(22 if first else 12, 0.8, 2, 300),
                                              self.holidays)
        if channel == "phone":
            return self.spec.opening.add(t, rng.uniform(20, 300) * (0.5 if urgent else 1), self.holidays)
        median = (130 if first else 80) * (0.4 if urgent else 1)
        return self.spec.opening.add(t, self._lognormal_minutes(median, 0.75, 8, 960), self.holidays)

    def customer_delay(self, t: datetime, channel: str) -> datetime:
        rng = self.rng
        if channel == "chat":
            return t + timedelta(seconds=rng.randrange(25, 240))
        if channel == "messenger":
            return t + timedelta(minutes=self._lognormal_minutes(20, 1.1, 1, 600))
        return self.awake(t + timedelta(minutes=self._lognormal_minutes(240, 1.0, 15, 60 * 60)))

    def awake(self, moment: datetime) -> datetime:
        """Customers rarely write between 1 and 7 in the morning; push such moments to the morning."""
        local = moment.astimezone(SEOUL)
        if 1 <= local.hour < 7:
            moment += timedelta(hours=7 - local.hour, minutes=self.rng.randrange(0, 90))
        return moment

    # -- people --------------------------------------------------------------------------------

    def _unique(self, make: Any, used: set[str]) -> str:
        for _ in range(50):
            value = make()
            if value not in used:
                used.add(value)
                return str(value)
        raise RuntimeError("could not make a unique demo value")

    def customer(self, index: int, when: datetime) -> CustomerPlan:
        if index in self._pool:
            return self._pool[index]
        rng = self.rng
        name = person_name(rng)
        plan = CustomerPlan(key=len(self.customers), name=name, phone=self._unique(lambda: mobile(rng), self._used_phones))
        if self.spec.customer_kind == "business":
            company = company_name(rng)
            title = rng.choice(JOB_TITLES)
            plan.company, plan.contact = company, f"{name} {title}"
            plan.name = f"{company} {name}"
            plan.style = weighted(rng, (("neat", 0.6), ("casual", 0.35), ("messy", 0.05)))
            plan.email = self._unique(lambda: email_for(rng, name), self._used_emails) if rng.random() < 0.85 else ""
            plan.tier = "계약고객" if rng.random() < 0.82 else "견적고객"
            plan.external = {"biz_no": business_number(rng), "contract_no": f"HK-{rng.choice([2024, 2025, 2026])}-{rng.randrange(1, 400):04d}"}
            if plan.tier == "견적고객":
                plan.external.pop("contract_no")
            if rng.random() < 0.2:
                plan.notes = rng.choice(["정문 경비실 통해 출입. 지게차 담당 박반장님", "수거 전날 담당자에게 문자 필수",
                                         "계산서는 회계팀 메일로", "토요일 오전 수거 가능"])
        else:
            plan.contact = name
            plan.style = weighted(rng, STYLES)
            if rng.random() < 0.42:
                plan.email = self._unique(lambda: email_for(rng, name), self._used_emails)
            if self.spec.slug == "shop":
                plan.tier = "VIP" if rng.random() < 0.07 else ("신규" if rng.random() < 0.15 else "일반")
                if rng.random() < 0.55:
                    plan.mall_user_id = self._unique(lambda: f"{rng.choice(['mat', 'food', 'yum', 'happy', 'jjang'])}"
                                                             f"{rng.randrange(1000, 99999)}", self._used_ids)
                if plan.tier == "VIP" and rng.random() < 0.5:
                    plan.notes = rng.choice(["연 구매 200만원 이상 VIP. 클레임 시 팀장 확인", "선물세트 대량 구매 고객(법인)"])
            elif self.spec.slug == "scooter":
                plan.tier = "월간패스" if rng.random() < 0.18 else ""
                plan.external = {"member_id": f"U{rng.randrange(10**6, 10**7)}"}
        days_before = rng.choice([0, 0, 0, rng.randrange(1, 720)])
        plan.created_at = when - timedelta(days=days_before, minutes=rng.randrange(1, 600))
        self._pool[index] = plan
        self.customers.append(plan)
        return plan

    def pick_customer(self, when: datetime) -> CustomerPlan:
        index = bisect.bisect_right(self._pool_cumulative, self.rng.random() * self._pool_cumulative[-1])
        return self.customer(min(index, self._pool_size - 1), when)

    def pick_staff(self, team: str, *, prefer_lead: bool = False) -> Staff:
        slug = self.spec.slug
        if prefer_lead and self.leads:
            return self.rng.choice(self.leads)
        pool = [s for s in self.members if team in s.teams.get(slug, ()) and ROLE_LOAD[s.roles[slug]] > 0]
        pool = pool or [s for s in self.members if ROLE_LOAD[s.roles[slug]] > 0]
        return self.rng.choices(pool, weights=[ROLE_LOAD[s.roles[slug]] for s in pool])[0]

    # -- content -------------------------------------------------------------------------------

    def scenario_for(self, channel: str, day: date) -> Scenario:
        weights = []
        for scenario in self.spec.scenarios:
            weight = scenario.weight * scenario.channel_bias.get(channel, 1.0)
            if scenario.season == "pre_chuseok":
                near = self.chuseok is not None and -1 <= (self.chuseok - day).days <= 21
                weight *= 4.5 if near else 0.5
            elif scenario.season == "winter":
                weight *= 2.0 if day.month in (11, 12, 1, 2) else 0.6
            elif scenario.season == "year_end":
                weight *= 2.5 if day.month in (11, 12) else 0.7
            weights.append(weight)
        return self.rng.choices(self.spec.scenarios, weights=weights)[0]

    def product_for(self, scenario: Scenario) -> ProductSpec | None:
        if not scenario.product_types:
            return None
        candidates = [p for p in self.spec.products if p.product_type in scenario.product_types]
        if not candidates:
            return None
        return self.rng.choices(candidates, weights=[p.weight for p in candidates])[0]

    def expand(self, options: Sequence[str], slots: dict[str, str]) -> str:
        return grammar.pick(options, self.rng, slots)

    def part(self, options: Sequence[str], variant: int | None, slots: dict[str, str]) -> str:
        """Entry ``variant`` of an aligned list, or any entry."""
        if variant is None:
            return self.expand(options, slots)
        return grammar.expand(options[variant % len(options)], self.rng, slots)

    def rough(self, text: str, style: str) -> str:
        return grammar.roughen(text, self.rng, style)

    # -- one ticket ----------------------------------------------------------------------------

    def ticket(self, key: int, created: datetime, channel: str) -> TicketPlan:
        rng, spec = self.rng, self.spec
        scenario = self.scenario_for(channel, created.astimezone(SEOUL).date())
        customer = self.pick_customer(created)
        repeat = customer.last_ticket is not None and created - customer.last_ticket[0] < timedelta(days=21)
        if repeat and customer.last_ticket and rng.random() < 0.5:
            same = next((s for s in spec.scenarios if s.key == customer.last_ticket[1]), None)
            scenario = same or scenario
        customer.last_ticket = (created, scenario.key)
        variant = self.rng.randrange(len(scenario.openings)) if scenario.aligned else None
        customer.first_contact = customer.first_contact or created
        if channel == "email" and not customer.email:
            customer.email = self._unique(lambda: email_for(rng, customer.contact or customer.name), self._used_emails)

        product = self.product_for(scenario)
        order_number = ""
        if spec.slug == "shop" and (product is not None or rng.random() < 0.6):
            order_day = created.astimezone(SEOUL).date() - timedelta(days=rng.choice([1, 1, 2, 2, 3, 4, 5, 6, 8]))
            order_number = self._unique(lambda: f"{order_day:%Y%m%d}-{rng.randrange(10**6, 10**7):07d}", self._used_ids)
            customer.orders.append(order_number)

        complaint_p = COMPLAINT_SCALE * scenario.complaint * (1.8 if repeat else 1.0) * \
            (1.3 if customer.style == "messy" else 1.0)
        is_complaint = rng.random() < min(0.9, complaint_p)
        if rng.random() < scenario.urgent:
            priority = "urgent"
        elif rng.random() < scenario.high + (0.25 if is_complaint else 0):
            priority = "high"
        elif rng.random() < scenario.low:
            priority = "low"
        else:
            priority = "normal"
        ticket_type = "complaint" if is_complaint else scenario.kind

        team = spec.team_by_scenario.get(scenario.key) or spec.team_by_channel.get(channel, spec.teams[0])
        if is_complaint and spec.complaint_team and priority in ("high", "urgent") and rng.random() < 0.6:
            team = spec.complaint_team
        assignee = self.pick_staff(team, prefer_lead=is_complaint and priority == "urgent" and rng.random() < 0.5)

        local_created = created.astimezone(SEOUL)
        masked = channel == "marketplace"
        display_name = mask_name(customer.contact) if masked else customer.contact
        ctx = SlotContext(today=local_created.date(), customer_name=display_name, customer_phone=customer.phone,
                          customer_email=customer.email, company=customer.company, product=product,
                          order_number=order_number)
        slots = spec.slots(rng, ctx)
        slots["agent"] = assignee.name
        slots["name"] = display_name
        slots["who"] = f"{display_name}님" if spec.customer_kind == "business" else f"{display_name} 고객님"

        market = ""
        if masked:
            market = rng.choice(["네이버 스마트스토어", "네이버 스마트스토어", "쿠팡"]) if spec.slug == "shop" else "네이버 스마트스토어"

        tags = list(scenario.tags)
        if repeat:
            tags.append("재문의")
        if customer.tier == "VIP":
            tags.append("VIP")
        if market:
            tags.append("스마트스토어" if market.startswith("네이버") else "쿠팡")
        if priority == "urgent":
            tags.append("긴급")

        age_days = (self.now - created).total_seconds() / 86400
        target = target_status(rng, age_days)
        if channel in LIVE_CHANNELS and target in ("pending", "on_hold") and rng.random() < 0.5:
            target = "solved" if age_days > 1 else "open"
        path, stop_after, explicit = self.path_for(target, channel)

        plan = TicketPlan(
            key=key, scenario=scenario.key, subject="", channel=channel, status="new", priority=priority,
            type=ticket_type, category=scenario.category, product=product.code if product else None, tags=tags,
            team=team, assignee=assignee.email, customer=customer.key, created_at=created, messages=[],
            order_number=order_number,
        )
        first_text, core = self.opening(plan, scenario, variant, customer, slots, repeat=repeat, complaint=is_complaint)
        plan.subject = self.subject(plan, scenario, variant, customer, slots, core, market)
        if market:
            plan.external_id = self._unique(
                lambda: f"{'CP' if market == '쿠팡' else 'NS'}-{local_created:%y%m%d}-{rng.randrange(10**5, 10**6)}",
                self._used_ids)
        self.converse(plan, scenario, variant, customer, slots, path, stop_after, explicit, first_text,
                      urgent=priority in ("urgent", "high"), complaint=is_complaint, assignee=assignee)
        plan.custom_fields = self.custom_fields(plan, scenario, customer, slots, market)
        text = "\n".join(m.body for m in plan.messages if m.kind == REPLY)
        if ("적립금" in text or "보상" in text or "위로금" in text) and ("지급" in text or "넣어 드렸" in text):
            plan.tags.append("보상지급")
        for message in plan.messages:
            if message.kind == CUSTOMER and "리뷰" in message.body and "리뷰언급" not in plan.tags:
                plan.tags.append("리뷰언급")
            if message.kind == CUSTOMER and "소비자원" in message.body and "소비자원언급" not in plan.tags:
                plan.tags.append("소비자원언급")
        return plan

    def path_for(self, target: str, channel: str) -> tuple[list[str], str | None, str | None]:
        """Conversation steps, the step after which it stops, and a status that overrides the derived one."""
        rng = self.rng
        if target == "new" and channel == "phone":
            return ["C1", "resolve"], "C1", "open"  # a logged call that needs follow-up opens a ticket
        if target == "new":
            with_nudge = channel not in LIVE_CHANNELS and channel != "phone" and rng.random() < 0.3
            return (["C1", "nudge", "resolve"] if with_nudge else ["C1", "resolve"]), ("nudge" if with_nudge else "C1"), None
        if target == "open":
            if channel != "phone" and rng.random() < 0.55:
                return ["C1", "ask", "provide", "resolve"], "provide", None
            return ["C1", "resolve"], "C1", "open"
        if target == "pending" and channel != "phone":
            return ["C1", "ask", "provide", "resolve"], "ask", None
        if target == "pending":
            target = "on_hold"  # after a call the agent checks and calls back; nothing to wait for
        if target == "on_hold":
            return ["C1", "check", "note", "resolve"], "note", None
        if channel in LIVE_CHANNELS:
            path = ["C1", "resolve"] if rng.random() < 0.65 else ["C1", "ask", "provide", "resolve"]
            if rng.random() < 0.5:
                path.append("thanks")
            return path, None, None
        options = {"resolve": 0.45, "ask": 0.25, "check": 0.18, "nudge": 0.12}
        if channel == "phone":
            options = {"resolve": 0.6, "check": 0.4}
        shape = _pick(rng, options)
        return {"resolve": ["C1", "resolve"], "ask": ["C1", "ask", "provide", "resolve"],
                "check": ["C1", "check", "note", "resolve"], "nudge": ["C1", "nudge", "resolve"]}[shape], None, None

    # -- texts ---------------------------------------------------------------------------------

    def opening(self, plan: TicketPlan, scenario: Scenario, variant: int | None, customer: CustomerPlan,
                slots: dict[str, str], *, repeat: bool, complaint: bool) -> tuple[str, str]:
        """The customer's first message (for phone: the agent's call summary), and its core
        sentence(s) without greeting or reference to earlier contact, which a chat subject uses."""
        rng = self.rng
        if plan.channel == "phone":
            text = self.call_text(scenario, variant, slots)
            return text, text
        body = self.part(scenario.openings, variant, slots)
        core = self.rough(body, customer.style)
        if repeat and rng.random() < 0.45:
            body = self.expand(common.REPEAT_PREFIX, slots) + " " + body
        if plan.order_number and plan.order_number not in body and rng.random() < 0.4:
            body += rng.choice(["\n주문번호: {o}", "\n주문번호 {o}", " (주문번호 {o})", "\n{o}"]).format(o=plan.order_number)
        business = self.spec.customer_kind == "business"
        if plan.channel in ("board", "email"):
            greeting = self.expand(common.BUSINESS_GREETINGS if business else common.CUSTOMER_GREETINGS, slots)
            closing = self.expand(common.BUSINESS_CLOSINGS if business else common.CUSTOMER_CLOSINGS, slots)
            if complaint and rng.random() < 0.7:
                closing = self.expand(common.ANGRY_CLOSINGS, slots) + (" " + closing if closing and rng.random() < 0.3 else "")
            separator = "\n\n" if plan.channel == "email" or business else rng.choice(["\n", " ", "\n\n"])
            body = separator.join(part for part in (greeting, body, closing) if part)
        elif plan.channel == "marketplace":
            if complaint and rng.random() < 0.5:
                body += " " + self.expand(common.ANGRY_CLOSINGS, slots)
        elif complaint and rng.random() < 0.5:
            body += " " + self.expand(common.ANGRY_CLOSINGS, slots)
        return self.rough(body, customer.style), core

    def call_text(self, scenario: Scenario, variant: int | None, slots: dict[str, str]) -> str:
        """An agent's call note: who or what it was about, the gist, sometimes how it ended."""
        rng = self.rng
        prefix = self.expand(self.spec.call_prefixes, slots)
        text = (prefix + " " if prefix else "") + self.part(scenario.calls, variant, slots)
        if rng.random() < 0.35:
            text += rng.choice([". 고객 수긍", ". 추가 문의 없음", ". 문자로 재안내", " (재문의 시 이력 참고)", ". 통화 중 언성 높음",
                                ". 고객 이해함", " - 콜백 희망 시간 오후"])
        return text

    def subject(self, plan: TicketPlan, scenario: Scenario, variant: int | None, customer: CustomerPlan,
                slots: dict[str, str], first_text: str, market: str) -> str:
        rng = self.rng
        if plan.channel == "phone":
            return "[전화] " + first_text.split("\n")[0][:80]
        if plan.channel in LIVE_CHANNELS:
            first_line = re.split(r"(?<=[.?!])\s", first_text.replace("\n", " "), maxsplit=1)[0]
            return first_line if len(first_line) <= 48 else first_line[:46].rstrip() + "…"
        subject = self.part(scenario.subjects, variant, slots)
        if rng.random() < 0.25:
            if rng.random() < 0.5:
                subject = rng.choice(["[문의] ", "문의) ", "급) ", "[긴급] ", "(재문의) "]) + subject
            else:
                subject += rng.choice([" 문의드립니다", " 확인 부탁드려요", "??", " ㅠㅠ", " 답변 부탁드립니다"])
        if plan.type == "complaint" and rng.random() < 0.4:
            subject += rng.choice(["!!", "!!!", " (답변 부탁드립니다)", "ㅡㅡ"])
        subject = grammar.roughen(subject, rng, "casual" if customer.style in ("messy", "casual") else "neat")
        if market:
            subject = f"[{'스마트스토어' if market.startswith('네이버') else '쿠팡'} 상품문의] {subject}"
        elif self.spec.customer_kind == "business" and plan.channel == "email" and rng.random() < 0.5:
            subject = f"[{customer.company}] {subject}"
        return subject[:250]

    def agent_text(self, plan: TicketPlan, body: str, slots: dict[str, str], *, first: bool, final: bool,
                   apologise: bool, after_customer: bool = True) -> list[str]:
        """Wrap an answer in the greeting, apology and sign-off the channel calls for."""
        rng, spec = self.rng, self.spec
        empathy = self.expand(spec.empathy, slots) if apologise and spec.empathy else ""
        if plan.channel in LIVE_CHANNELS:
            parts = []
            if first:
                parts.append(self.expand(common.AGENT_CHAT_GREETINGS, slots) + " " + self.expand(common.AGENT_CHAT_HOLDS, slots))
            text = " ".join(p for p in (empathy, body) if p)
            if final:
                closing = self.expand(common.AGENT_CHAT_CLOSINGS, slots)
                text = text + ("\n" + closing if closing else "")
            parts.append(text)
            return parts
        if plan.channel == "phone":
            return [self.expand(common.AGENT_SMS, slots) + " " + body]
        business = spec.customer_kind == "business"
        if first:
            greeting = self.expand(common.AGENT_BUSINESS_GREETINGS if business else common.AGENT_GREETINGS, slots)
            ack = self.expand(common.AGENT_ACKS, slots)
            head = greeting + (" " + ack if ack else "")
        elif not after_customer:
            head = self.expand(["{who}, [기다려 주셔서 감사합니다.|확인 결과 안내드립니다.|확인이 늦어져 죄송합니다.]"], slots)
        else:
            head = self.expand(["{who}, [확인 감사합니다.|답변 주셔서 감사합니다.|보내 주신 내용 확인했습니다.]"]
                               if not business else ["{who}, [회신 감사합니다.|보내 주신 자료 확인했습니다.]"], slots)
        closing = self.expand(common.AGENT_BUSINESS_CLOSINGS if business else common.AGENT_CLOSINGS, slots) \
            if final or rng.random() < 0.5 else ""
        return ["\n\n".join(p for p in (head, " ".join(x for x in (empathy, body) if x), closing) if p)]

    # -- the conversation ----------------------------------------------------------------------

    def converse(self, plan: TicketPlan, scenario: Scenario, variant: int | None, customer: CustomerPlan,
                 slots: dict[str, str], path: list[str], stop_after: str | None, explicit: str | None,
                 first_text: str, *, urgent: bool, complaint: bool, assignee: Staff) -> None:
        rng, spec = self.rng, self.spec
        asks = scenario.asks or spec.asks
        provides = scenario.provides or spec.provides
        ask_index = rng.randrange(len(asks))
        channel = plan.channel
        author_name = slots["name"]
        t = plan.created_at
        last_step = "C1"
        answered = False
        nudged = False
        for step in path:
            if step == "C1":
                self.customer_first(plan, first_text, author_name, customer, assignee)
                t = plan.messages[-1].at
            elif step == "nudge":
                t = self.awake(t + timedelta(hours=rng.uniform(16, 40)))
                if t > self.end:
                    break
                self._add(plan, CUSTOMER, self.rough(self.expand(common.NUDGES, slots), customer.style), t, None, author_name)
                nudged = True
            elif step == "provide":
                t = self.customer_delay(t, channel)
                if t > self.end:
                    break
                text = grammar.expand(provides[ask_index % len(provides)], rng, slots)
                if channel == "phone":
                    text = "[문자 수신] " + text
                self._add(plan, CUSTOMER, self.rough(text, customer.style), t, None, author_name)
            elif step == "thanks":
                t = self.customer_delay(t, channel)
                if t > self.end:
                    break
                self._add(plan, CUSTOMER, self.rough(self.expand(common.THANKS, slots), customer.style), t, None, author_name)
            elif step == "note":
                t = spec.opening.add(t, rng.uniform(5, 150), self.holidays)
                if t > self.end:
                    break
                note = self.expand(scenario.notes or spec.notes, slots) if (scenario.notes and rng.random() < 0.7) \
                    else self.expand(spec.notes, slots)
                author = self.leads[0] if "승인" in note and self.leads else assignee
                self._add(plan, NOTE, note, t, author)
            else:  # ask, check, resolve: the agent
                t = self.agent_delay(t, channel, first=not answered, urgent=urgent) if step != "resolve" or \
                    last_step != "note" else spec.opening.add(t, self._lognormal_minutes(300, 0.9, 30, 2400), self.holidays)
                if t > self.end:
                    break
                if step == "ask":
                    body = grammar.expand(asks[ask_index], rng, slots)
                elif step == "check":
                    body = self.expand(scenario.checking or spec.checking, slots)
                else:
                    body = self.part(scenario.resolves, variant, slots)
                final = step == "resolve"
                if channel == "phone" and step != "ask":
                    t = self.callback(plan, customer, t, assignee, body, final=final)
                else:
                    texts = self.agent_text(plan, body, slots, first=not answered, final=final,
                                            apologise=(complaint or nudged) and not answered,
                                            after_customer=last_step in ("provide", "nudge", "C1"))
                    for i, text in enumerate(texts):
                        if i:
                            t = t + timedelta(seconds=rng.randrange(40, 150))
                        self._add(plan, REPLY, text, t, assignee)
                    later = t + timedelta(minutes=rng.randrange(2, 20))
                    if final and channel != "phone" and later < self.end and rng.random() < 0.06:
                        self.callback(plan, customer, later, assignee, "", final=True)
                if plan.first_response_at is None:
                    plan.first_response_at = plan.messages[-1].at if channel != "phone" else t
                answered = True
            last_step = step
            if step == stop_after:
                break
        self.settle(plan, last_step, explicit)

    def customer_first(self, plan: TicketPlan, text: str, author_name: str, customer: CustomerPlan,
                       assignee: Staff) -> None:
        rng = self.rng
        t = plan.created_at
        if plan.channel == "phone":
            minutes, seconds = divmod(rng.randrange(90, 900), 60)
            body = f"[전화 수신 · {minutes}분 {seconds}초] {text}"
            self._add(plan, CUSTOMER, body, t, None, author_name)
            self.calls.append(CallPlan(
                customer=customer.key, agent=assignee.email, direction="inbound", phone=customer.phone_digits,
                summary=text, duration=minutes * 60 + seconds, outcome="follow_up", started_at=t, ticket=plan.key,
                category=plan.category, product=plan.product,
            ))
            return
        if plan.channel in LIVE_CHANNELS:
            sentences = [s for s in re.split(r"(?<=[.?!])\s+", text.replace("\n", " ")) if s.strip()]
            chunks = [" ".join(sentences[i:i + 2]) for i in range(0, len(sentences), 2)][:3] or [text]
            if rng.random() < 0.25:
                chunks.insert(0, grammar.pick(common.CHAT_STARTS, rng))
            for i, chunk in enumerate(chunks):
                self._add(plan, CUSTOMER, chunk, t + timedelta(seconds=i * rng.randrange(8, 45)), None, author_name)
            return
        external = ""
        if plan.channel == "email":
            domain = customer.email.split("@")[-1] if customer.email else "example.com"
            external = f"<{rng.getrandbits(64):016x}.{plan.key}@{domain}>"
        self._add(plan, CUSTOMER, text, t, None, author_name, external_id=external)

    def callback(self, plan: TicketPlan, customer: CustomerPlan, t: datetime, agent: Staff, body: str, *,
                 final: bool) -> datetime:
        """An outbound call logged on the ticket; when nobody answers, a text message follows."""
        rng = self.rng
        answered = rng.random() < 0.8
        seconds = rng.randrange(45, 330) if answered else rng.randrange(0, 25)
        minutes, rest = divmod(seconds, 60)
        summary = grammar.pick(common.CALLBACK_NO_ANSWER if not answered else
                               (common.CALLBACK_DONE if final else common.CALLBACK_INTERIM), rng)
        self._add(plan, NOTE, f"[전화 발신 · {minutes}분 {rest}초] {summary}", t, agent, channel="phone")
        self.calls.append(CallPlan(
            customer=customer.key, agent=agent.email, direction="outbound", phone=customer.phone_digits,
            summary=summary, duration=seconds, outcome="resolved" if answered else "no_answer", started_at=t,
            ticket=plan.key, category=plan.category, product=plan.product,
        ))
        sms_at = t + timedelta(minutes=rng.randrange(1, 15))
        if final and body and sms_at < self.end and (not answered or rng.random() < 0.4):
            t = sms_at
            who = f"{customer.contact}님" if self.spec.customer_kind == "business" else f"{customer.contact} 고객님"
            slots = {"who": who, "brand": self.spec.name}
            self._add(plan, REPLY, grammar.pick(common.AGENT_SMS, rng, slots) + " " + body, t, agent, channel="phone")
        return t

    def _add(self, plan: TicketPlan, kind: str, body: str, at: datetime, author: Staff | None,
             author_name: str = "", *, channel: str = "", external_id: str = "") -> None:
        plan.messages.append(MessagePlan(
            kind=kind, body=body, at=at, author=author.email if author else None,
            author_name=author.name if author else author_name, channel=channel or plan.channel,
            external_id=external_id,
        ))

    def settle(self, plan: TicketPlan, last_step: str, explicit: str | None) -> None:
        """Status, custom status and timestamps from where the conversation stopped."""
        rng, spec = self.rng, self.spec
        status = explicit or STATUS_OF_STEP[last_step]
        messages = plan.messages
        plan.messages.sort(key=lambda m: m.at)
        last_at = messages[-1].at
        if status == "solved":
            plan.solved_at = last_at + timedelta(seconds=rng.randrange(5, 600))
            age = self.now - plan.solved_at
            if age > timedelta(days=3) and rng.random() < min(0.97, age.days / 7):
                closed = plan.solved_at + timedelta(days=rng.uniform(3, 7))
                if closed < self.end:
                    plan.closed_at = closed
                    status = "closed"
        if status == "new" and plan.first_response_at is None and rng.random() < 0.7:
            plan.assignee = None  # not picked up yet
        if status == "new" and plan.first_response_at is None:
            plan.team = plan.team if rng.random() < 0.5 else ""
        plan.status = status
        if status == "on_hold":
            scenario = next(s for s in spec.scenarios if s.key == plan.scenario)
            holds = [name for name, base in spec.statuses if base == "on_hold"]
            plan.custom_status = scenario.hold_status or (rng.choice(holds) if holds and rng.random() < 0.6 else "")
        elif status == "pending" and rng.random() < 0.4:
            plan.custom_status = "고객 회신 대기"
        plan.updated_at = max([last_at] + [t for t in (plan.solved_at, plan.closed_at) if t])
        customer_times = [m.at for m in messages if m.kind == CUSTOMER]
        plan.last_customer_message_at = customer_times[-1] if customer_times else None

    def custom_fields(self, plan: TicketPlan, scenario: Scenario, customer: CustomerPlan, slots: dict[str, str],
                      market: str) -> dict[str, Any]:
        rng, slug = self.rng, self.spec.slug
        fields: dict[str, Any] = {}
        if slug == "shop":
            fields["sales_channel"] = market or ("카카오톡 선물하기" if scenario.key == "gift" and rng.random() < 0.3
                                                 else "자사몰")
            replies = "\n".join(m.body for m in plan.messages if m.kind in (REPLY, NOTE))
            if slots.get("comp") and slots["comp"] in replies:
                fields["compensation"] = int(slots["comp"].replace(",", "").replace("원", ""))
        elif slug == "scooter":
            if plan.product and plan.product.startswith("DV"):
                fields["device_no"] = slots["device"]
            area = slots.get("area", "")
            region = "서울"
            for needle, name in (("수원", "경기"), ("판교", "경기"), ("정자동", "경기"), ("부천", "경기"), ("일산", "경기"),
                                 ("서면", "부산"), ("대전", "대전"), ("광주", "광주"), ("송도", "인천")):
                if needle in area:
                    region = name
            fields["region"] = region
        elif slug == "waste":
            if customer.external.get("biz_no"):
                fields["biz_no"] = customer.external["biz_no"]
            if customer.external.get("contract_no"):
                fields["contract_no"] = customer.external["contract_no"]
            if scenario.key in ("manifest", "mismatch", "report"):
                fields["manifest_no"] = slots["manifest"]
        return fields

    # -- calls settled on the phone --------------------------------------------------------------

    def resolved_call(self) -> CallPlan:
        rng = self.rng
        started = self.sampler("phone").sample(rng)
        scenario = self.scenario_for("phone", started.astimezone(SEOUL).date())
        customer = self.pick_customer(started)
        customer.first_contact = customer.first_contact or started
        product = self.product_for(scenario)
        order_number = ""
        if self.spec.slug == "shop":
            order_day = started.astimezone(SEOUL).date() - timedelta(days=rng.choice([1, 2, 3, 4]))
            order_number = self._unique(lambda: f"{order_day:%Y%m%d}-{rng.randrange(10**6, 10**7):07d}", self._used_ids)
            customer.orders.append(order_number)
        ctx = SlotContext(today=started.astimezone(SEOUL).date(), customer_name=customer.contact,
                          customer_phone=customer.phone, customer_email=customer.email, company=customer.company,
                          product=product, order_number=order_number)
        slots = self.spec.slots(rng, ctx)
        slots["agent"] = ""
        agent = self.pick_staff(self.spec.team_by_channel.get("phone", self.spec.teams[0]))
        seconds = int(self._lognormal_minutes(3.2, 0.55, 0.6, 16) * 60)
        anonymous = rng.random() < 0.08  # caller withheld the number
        return CallPlan(
            customer=None if anonymous else customer.key, agent=agent.email, direction="inbound",
            phone="" if anonymous else customer.phone_digits,
            summary=self.call_text(scenario, rng.randrange(len(scenario.calls)) if scenario.aligned else None, slots),
            duration=seconds, outcome="resolved", started_at=started, category=scenario.category,
            product=product.code if product else None,
        )

    # -- the whole workspace ---------------------------------------------------------------------

    def plan(self) -> WorkspacePlan:
        rng = self.rng
        channels = list(self.spec.channel_mix)
        weights = [self.spec.channel_mix[c] for c in channels]
        arrivals = []
        for _ in range(self.count):
            channel = rng.choices(channels, weights=weights)[0]
            arrivals.append((self.sampler(channel).sample(rng), channel))
        arrivals.sort(key=lambda pair: pair[0])
        tickets = [self.ticket(i, created, channel) for i, (created, channel) in enumerate(arrivals)]
        phone_tickets = sum(1 for t in tickets if t.channel == "phone")
        for _ in range(round(phone_tickets * self.spec.resolved_calls_ratio)):
            self.calls.append(self.resolved_call())
        self.calls.sort(key=lambda c: c.started_at)
        for customer in self.customers:
            if customer.first_contact and customer.created_at and customer.created_at > customer.first_contact:
                customer.created_at = customer.first_contact
        return WorkspacePlan(spec=self.spec, now=self.now, members=self.members, customers=self.customers,
                             tickets=tickets, calls=self.calls)


def split_count(total: int, specs: Sequence[WorkspaceSpec]) -> list[int]:
    """Tickets per workspace by share; the counts add up to ``total``."""
    counts = [int(total * spec.share) for spec in specs]
    counts[0] += total - sum(counts)
    return counts


def plan_demo(specs: Sequence[WorkspaceSpec], *, seed: int, now: datetime, tickets: int,
              reserve: Sequence[int] = ()) -> list[WorkspacePlan]:
    """Plans for every workspace; ``reserve`` tickets per workspace are left to live examples."""
    counts = split_count(tickets, specs)
    return [Planner(spec, seed=seed, now=now, tickets=max(1, count - (reserve[i] if i < len(reserve) else 0))).plan()
            for i, (spec, count) in enumerate(zip(specs, counts, strict=True))]


def default_now() -> datetime:
    return datetime.now(SEOUL).replace(second=0, microsecond=0)
