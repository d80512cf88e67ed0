"""The demo text grammar and the content written in it."""

from __future__ import annotations

from datetime import date
from random import Random

import pytest

from cxops.demo import grammar
from cxops.demo.content import SPECS, common
from cxops.demo.grammar import TemplateError, expand, josa, roughen
from cxops.demo.spec import SlotContext, WorkspaceSpec


def test_alternatives_nest_and_literal_brackets_stay() -> None:
    seen = {expand("[안녕하세요[~|.]|수고하십니다.]", Random(i)) for i in range(60)}
    assert seen == {"안녕하세요~", "안녕하세요.", "수고하십니다."}
    assert expand("[마이페이지] → [주문내역]", Random(1)) == "[마이페이지] → [주문내역]"
    picked = {expand("[[마이페이지] → [쿠폰함]에서|쿠폰함에서] 받으세요", Random(i)) for i in range(40)}
    assert picked == {"[마이페이지] → [쿠폰함]에서 받으세요", "쿠폰함에서 받으세요"}


def test_slots_and_particles() -> None:
    assert expand("{item:이} 안 왔어요", Random(0), {"item": "감귤"}) == "감귤이 안 왔어요"
    assert expand("{item:이} 안 왔어요", Random(0), {"item": "바나나"}) == "바나나가 안 왔어요"
    assert expand("{card:로} 결제", Random(0), {"card": "신한카드"}) == "신한카드로 결제"
    assert expand("{gate:로} 변경", Random(0), {"gate": "#1243"}) == "#1243으로 변경"
    assert josa("서울", "로") == "로" and josa("부산", "로") == "으로"
    assert josa("1,000원", "을") == "을" and josa("샤인머스캣", "은") == "은" and josa("요거트", "은") == "는"
    with pytest.raises(TemplateError):
        expand("{nope}", Random(0), {})


def test_roughen_keeps_identifiers_and_is_deterministic() -> None:
    text = "주문번호 20261118-0034127 결제했는데 안 돼요. 연락처 010-1234-5678, kim@example.com 입니다."
    assert roughen(text, Random(1), "neat") == text
    for style in ("casual", "messy", "elderly"):
        rough = roughen(text, Random(3), style)
        assert rough == roughen(text, Random(3), style)
        for token in ("20261118-0034127", "010-1234-5678", "kim@example.com"):
            assert token in rough


def _slots(spec: WorkspaceSpec, seed: int) -> dict[str, str]:
    rng = Random(seed)
    product = spec.products[seed % len(spec.products)]
    ctx = SlotContext(today=date(2026, 11, 23), customer_name="김민지", customer_phone="010-2345-6789",
                      customer_email="minji@example.com", company="(주)대성정밀" if spec.customer_kind == "business" else "",
                      product=product, order_number="20261120-1234567" if spec.slug == "shop" else "")
    slots = spec.slots(rng, ctx)
    slots["agent"] = "정하늘"
    slots["who"] = "김민지 고객님"
    return slots


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.slug)
def test_every_template_expands(spec: WorkspaceSpec) -> None:
    """A slot typo in the content fails here, not in the middle of `cxops demo`."""
    people = (common.BUSINESS_GREETINGS + common.BUSINESS_CLOSINGS + common.AGENT_BUSINESS_GREETINGS
              + common.AGENT_BUSINESS_CLOSINGS) if spec.customer_kind == "business" else (
        common.CUSTOMER_GREETINGS + common.CUSTOMER_CLOSINGS + common.AGENT_GREETINGS + common.AGENT_CLOSINGS)
    shared = (people + common.ANGRY_CLOSINGS + common.REPEAT_PREFIX + common.NUDGES + common.THANKS
              + common.AGENT_ACKS + common.AGENT_CHAT_GREETINGS + common.AGENT_CHAT_HOLDS + common.AGENT_CHAT_CLOSINGS
              + common.AGENT_SMS + spec.asks + spec.provides + spec.checking + spec.notes + spec.empathy + spec.call_prefixes)
    templates = list(shared)
    for scenario in spec.scenarios:
        templates += [*scenario.subjects, *scenario.openings, *scenario.resolves, *scenario.calls, *scenario.asks,
                      *scenario.provides, *scenario.checking, *scenario.notes]
    for seed in range(4):
        slots = _slots(spec, seed)
        for template in templates:
            text = expand(template, Random(seed), slots)
            assert "{" not in text and "|" not in text, template


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.slug)
def test_content_lists_line_up(spec: WorkspaceSpec) -> None:
    categories = {(parent, child) for parent, children in spec.categories.items() for child in children}
    assert 5 <= len(spec.macros) <= 8
    assert all("{{ customer.name }}" in m.body or "{{ ticket.number }}" in m.body for m in spec.macros[:2])
    assert abs(sum(spec.channel_mix.values()) - 1) < 0.01
    for scenario in spec.scenarios:
        assert scenario.category in categories, scenario.key
        assert len(scenario.asks) == len(scenario.provides), scenario.key
        if scenario.aligned:
            lengths = {len(scenario.subjects), len(scenario.openings), len(scenario.resolves), len(scenario.calls)}
            assert len(lengths) == 1, (scenario.key, lengths)
        if scenario.hold_status:
            assert scenario.hold_status in {name for name, _ in spec.statuses}, scenario.key
    for macro in spec.macros:
        assert macro.category is None or macro.category in categories
    assert len(spec.asks) == len(spec.provides)
    assert set(spec.team_by_channel.values()) | set(spec.team_by_scenario.values()) <= set(spec.teams)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.slug)
def test_macros_use_only_known_variables(spec: WorkspaceSpec) -> None:
    import re

    macros = pytest.importorskip("cxops.tickets.macros")
    for macro in spec.macros:
        for name in re.findall(r"\{\{\s*([\w.]+)\s*\}\}", macro.body):
            assert name in macros.VARIABLES, (macro.title, name)


def test_tidy_drops_a_period_after_a_question_mark() -> None:
    assert grammar.tidy("넣어주실 수 있나요?. 문구는") == "넣어주실 수 있나요? 문구는"
    assert grammar.tidy("정말요?...") == "정말요?..."
