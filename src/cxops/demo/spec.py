"""What a demo workspace is made of: its configuration and the kinds of inquiries it receives.

Plain data (no Django). Texts are templates for :mod:`cxops.demo.grammar`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from random import Random

from cxops.demo.clock import OpeningHours, Traffic


@dataclass(frozen=True)
class Scenario:
    """One kind of inquiry ("배송 지연", "잠금 해제 안 됨") and the texts of its conversation.

    A conversation is assembled from these pieces: the customer opens (``openings``), the agent
    may ask for something (``asks``) that the customer then gives (``provides``), or say they are
    checking (``checking``) while writing an internal note (``notes``), and finally answers
    (``resolves``). ``calls`` are the agent's own summary of a phone call about it.

    When ``aligned`` is set the scenario holds several sub-questions, and ``subjects``,
    ``openings``, ``resolves`` and ``calls`` are parallel lists: entry *i* of each belongs together.
    ``asks`` and ``provides`` are always parallel (the customer gives what was asked for).
    """

    key: str
    category: tuple[str, str]
    weight: float
    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    resolves: tuple[str, ...]
    calls: tuple[str, ...]
    asks: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    checking: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    complaint: float = 0.08
    urgent: float = 0.0
    high: float = 0.08
    low: float = 0.1
    kind: str = "inquiry"
    tags: tuple[str, ...] = ()
    product_types: tuple[str, ...] = ()
    hold_status: str = ""
    channel_bias: Mapping[str, float] = field(default_factory=dict)
    season: str = ""
    aligned: bool = False


@dataclass(frozen=True)
class ProductSpec:
    code: str
    name: str
    product_type: str
    price: int
    aliases: tuple[str, ...] = ()
    weight: float = 1.0


@dataclass(frozen=True)
class CustomFieldSpec:
    key: str
    label: str
    kind: str = "text"
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class MacroSpec:
    title: str
    body: str
    category: tuple[str, str] | None = None
    set_status: str = ""


@dataclass(frozen=True)
class ViewSpec:
    name: str
    filters: Mapping[str, object]
    sort: str = "-updated_at"


@dataclass(frozen=True)
class SlotContext:
    """What slot makers may use: the customer, the product, the day the customer writes."""

    today: date
    customer_name: str
    customer_phone: str
    customer_email: str
    company: str
    product: ProductSpec | None
    order_number: str


SlotMaker = Callable[[Random, SlotContext], dict[str, str]]


@dataclass(frozen=True)
class WorkspaceSpec:
    slug: str
    name: str
    brand_color: str
    board_intro: str
    share: float
    categories: Mapping[str, tuple[str, ...]]
    statuses: tuple[tuple[str, str], ...]
    teams: tuple[str, ...]
    products: tuple[ProductSpec, ...]
    custom_fields: tuple[CustomFieldSpec, ...]
    macros: tuple[MacroSpec, ...]
    views: tuple[ViewSpec, ...]
    channel_mix: Mapping[str, float]
    traffic: Traffic
    opening: OpeningHours
    chat_opening: OpeningHours
    scenarios: tuple[Scenario, ...]
    slots: SlotMaker
    # Routing: the team a ticket lands in by channel, overridden by scenario, and the team that
    # takes over complaints of high priority.
    team_by_channel: Mapping[str, str] = field(default_factory=dict)
    team_by_scenario: Mapping[str, str] = field(default_factory=dict)
    complaint_team: str = ""
    # Calls settled on the phone (no ticket) per phone ticket; real centers solve most calls live.
    resolved_calls_ratio: float = 1.3
    # Volume multiplier in the two weeks before 추석 (gift-set season for a food shop).
    chuseok_surge: float = 1.0
    # How agents start a call note ("김민지 고객, …", "기기 402718 …"); one is picked per call.
    call_prefixes: tuple[str, ...] = ("",)
    customer_kind: str = "person"  # "person" or "business"
    # Generic conversation pieces used when a scenario has none of its own.
    asks: tuple[str, ...] = ()
    provides: tuple[str, ...] = ()
    checking: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    # Extra wording for the agent's first line and a complaint's apology.
    empathy: tuple[str, ...] = ()
    privacy_consent_text: str = ""
    orders_prefix: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)
