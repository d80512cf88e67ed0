from __future__ import annotations

import pytest

from cxops.core.models import AuditEvent
from cxops.core.services import ServiceError
from cxops.insights import services
from cxops.insights.matching import Analysed, CatalogEntry, CatalogMatcher, KeywordRules, order_number_candidates
from cxops.insights.models import OrderLine, SuggestionStatus, TicketTagSuggestion
from cxops.insights.tagging import Tagger, training_examples
from cxops.tickets.models import Category, Message, Product, Ticket
from cxops.tickets.services import call_log
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_catalog_matcher_tolerates_spacing_and_particles():
    matcher = CatalogMatcher([CatalogEntry(1, "무선 이어폰 프로", "EP-100", ("버즈",)),
                              CatalogEntry(2, "스마트 워치", "", ())])
    assert matcher.match(Analysed.of("무선이어폰프로가 고장났어요"))[0].product_id == 1
    assert matcher.match(Analysed.of("ep100 충전 문의"))[0].how == "code"
    assert matcher.match(Analysed.of("버즈 한쪽이 안 들려요"))[0].product_id == 1
    assert matcher.match(Analysed.of("스마트워치를 샀는데요"))[0].product_id == 2
    assert matcher.match(Analysed.of("배송 문의입니다")) == []


def test_keyword_rules_match_morphemes():
    rules = KeywordRules({"배송 > 배송 지연": ["늦어", "지연"], "상품 > 상품 불량": ["고장", "불량"]})
    hits = rules.match(Analysed.of("택배가너무늦어요"))
    assert hits[0].label == "배송 > 배송 지연"
    assert rules.match(Analysed.of("제품이 고장났어요"))[0].label == "상품 > 상품 불량"


def test_order_number_candidates():
    found = order_number_candidates("주문번호 2026-1123-0042 확인 부탁", ["A-77"])
    assert "2026-1123-0042" in found and "202611230042" in found and "A-77" in found


def test_new_ticket_gets_suggestions_after_commit(workspace, django_capture_on_commit_callbacks):
    Product.objects.create(workspace=workspace, name="무선 이어폰 프로", aliases=["버즈"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(workspace, subject="배송이 너무 늦어요", body="무선이어폰프로 주문했는데 아직 안 와요")
    rows = {s.field: s for s in TicketTagSuggestion.objects.filter(ticket=ticket)}
    assert set(rows) == {"category", "product", "type"}
    assert rows["category"].label == "배송 > 배송 지연" and rows["category"].source == "rules"
    assert rows["product"].label == "무선 이어폰 프로" and rows["product"].source == "catalog"
    assert rows["product"].confidence > 0.8
    assert rows["type"].label in {"complaint", "inquiry"}
    # The ticket itself is untouched until an agent confirms.
    ticket.refresh_from_db()
    assert ticket.category_id is None and ticket.product_id is None


def test_order_number_links_to_the_ordered_product(workspace):
    earbuds = Product.objects.create(workspace=workspace, name="무선 이어폰")
    Product.objects.create(workspace=workspace, name="보조배터리")
    OrderLine.objects.create(workspace=workspace, order_no="20261123-0042", product=earbuds)
    ticket = make_ticket(workspace, subject="교환 문의", body="주문번호 20261123-0042 교환하고 싶어요")
    rows = {s.field: s for s in services.suggestions_refresh_ticket(ticket=ticket)}
    assert rows["product"].label == "무선 이어폰" and rows["product"].source == "order"


def test_confirm_applies_label_through_ticket_service(workspace, agent):
    ticket = make_ticket(workspace, subject="환불 요청", body="환불 언제 되나요")
    suggestion = next(s for s in services.suggestions_refresh_ticket(ticket=ticket) if s.field == "category")
    assert suggestion.label == "취소/교환/반품 > 환불"
    services.suggestion_decide(suggestion=suggestion, by=agent)
    ticket.refresh_from_db()
    assert ticket.category.name == "환불"
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.CONFIRMED and suggestion.decided_by == agent.user
    assert AuditEvent.objects.filter(workspace=workspace, action="ticket.update").exists()
    assert Message.objects.filter(ticket=ticket, kind="event", body_text__contains="분류").exists()


def test_correction_is_training_data(workspace, agent):
    ticket = make_ticket(workspace, subject="환불 요청", body="환불 언제 되나요")
    suggestion = next(s for s in services.suggestions_refresh_ticket(ticket=ticket) if s.field == "category")
    services.suggestion_decide(suggestion=suggestion, by=agent, label="교환")
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.CORRECTED
    assert suggestion.final_label == "취소/교환/반품 > 교환"
    texts, labels = training_examples(workspace, "category")
    assert labels == ["취소/교환/반품 > 교환"] and "환불 언제 되나요" in texts[0]
    # A decided suggestion is not overwritten by a later refresh.
    services.suggestions_refresh_ticket(ticket=ticket)
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.CORRECTED


def test_decide_rejects_unknown_labels_and_other_workspaces(workspace, other_workspace, agent):
    ticket = make_ticket(workspace, subject="로그인", body="로그인이 안 돼요")
    suggestion = next(s for s in services.suggestions_refresh_ticket(ticket=ticket) if s.field == "category")
    with pytest.raises(ServiceError, match="없는 문의 사유"):
        services.suggestion_decide(suggestion=suggestion, by=agent, label="없는 사유")
    foreign = make_ticket(other_workspace, subject="로그인", body="로그인이 안 돼요")
    theirs = services.suggestions_refresh_ticket(ticket=foreign)[0]
    with pytest.raises(PermissionError):
        services.suggestion_decide(suggestion=theirs, by=agent)


def test_viewer_cannot_decide(workspace, viewer):
    ticket = make_ticket(workspace)
    suggestion = services.suggestions_refresh_ticket(ticket=ticket)[0]
    with pytest.raises(PermissionError):
        services.suggestion_decide(suggestion=suggestion, by=viewer, label=suggestion.label or "배송 조회")


def test_logged_call_without_ticket_gets_suggestions(workspace, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call = call_log(workspace=workspace, by=agent, phone="010-2222-3333", summary="비밀번호를 잊어서 로그인이 안 된다고 함")
    rows = {s.field: s for s in TicketTagSuggestion.objects.filter(call=call)}
    assert rows["category"].label == "회원/계정 > 로그인"
    services.suggestion_decide(suggestion=rows["category"], by=agent, label="회원/계정 > 로그인")
    texts, labels = training_examples(workspace, "category")
    assert labels == ["회원/계정 > 로그인"] and "비밀번호" in texts[0]


def test_tagger_uses_trained_model_once_there(workspace):
    late = Category.objects.get(workspace=workspace, name="배송 지연")
    refund = Category.objects.get(workspace=workspace, name="환불")
    for i in range(6):
        Ticket.objects.filter(pk=make_ticket(workspace, subject=f"택배 {i}", body="택배가 아직 안 와요").pk).update(category=late)
        Ticket.objects.filter(pk=make_ticket(workspace, subject=f"돈 {i}", body="돈을 돌려받고 싶어요").pk).update(category=refund)
    assert not Tagger(workspace.pk, ("category",)).has_model("category")
    model, report = services.model_train(workspace=workspace, field="category")
    assert report.examples == 12 and model.active
    tagger = Tagger(workspace.pk, ("category",))
    assert tagger.has_model("category")
    result = tagger.suggest(["택배가 안 와요"])[0]["category"]
    assert result.label == "배송 > 배송 지연" and result.source == "model" and result.model_version == model.version
    # Retraining replaces the active model.
    second, _ = services.model_train(workspace=workspace, field="category")
    model.refresh_from_db()
    assert not model.active and second.active


def test_training_needs_a_lead(workspace, agent):
    with pytest.raises(PermissionError):
        services.model_train(workspace=workspace, field="category", by=agent)
