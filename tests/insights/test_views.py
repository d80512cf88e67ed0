from __future__ import annotations

import pytest
from django.urls import reverse

from cxops.insights import services
from cxops.insights.models import SuggestionStatus, TicketTagSuggestion
from cxops.tickets.models import Product
from tests.conftest import login
from tests.factories import make_member, make_ticket

pytestmark = pytest.mark.django_db


def test_ticket_page_lists_the_panel_and_panel_confirms_in_one_click(workspace, agent, client):
    login(client, agent)
    ticket = make_ticket(workspace, subject="환불 요청", body="환불 언제 되나요")
    services.suggestions_refresh_ticket(ticket=ticket)
    page = client.get(reverse("ticket_detail", kwargs={"slug": "shop", "number": ticket.number}))
    panel_url = reverse("insights_ticket_panel", kwargs={"slug": "shop", "number": ticket.number})
    assert panel_url in page.content.decode()
    panel = client.get(panel_url)
    html = panel.content.decode()
    assert panel.status_code == 200 and "취소/교환/반품 &gt; 환불" in html and "맞아요" in html
    suggestion = TicketTagSuggestion.objects.get(ticket=ticket, field="category")
    response = client.post(reverse("insights_suggestion_decide", kwargs={"slug": "shop", "suggestion_id": suggestion.pk}),
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "ticket-changed" in response["HX-Trigger"]
    ticket.refresh_from_db()
    assert ticket.category.name == "환불"
    assert TicketTagSuggestion.objects.get(pk=suggestion.pk).status == SuggestionStatus.CONFIRMED


def test_panel_correction_with_a_select(workspace, agent, client):
    login(client, agent)
    ticket = make_ticket(workspace, subject="환불 요청", body="환불 언제 되나요")
    services.suggestions_refresh_ticket(ticket=ticket)
    suggestion = TicketTagSuggestion.objects.get(ticket=ticket, field="type")
    client.post(reverse("insights_suggestion_decide", kwargs={"slug": "shop", "suggestion_id": suggestion.pk}),
                {"label": "request"}, HTTP_HX_REQUEST="true")
    ticket.refresh_from_db()
    assert ticket.type == "request"


def test_viewer_sees_panel_but_cannot_decide(workspace, viewer, client):
    login(client, viewer)
    ticket = make_ticket(workspace)
    services.suggestions_refresh_ticket(ticket=ticket)
    assert "맞아요" not in client.get(reverse("insights_ticket_panel", kwargs={"slug": "shop", "number": ticket.number})
                                      ).content.decode()
    suggestion = TicketTagSuggestion.objects.filter(ticket=ticket).first()
    response = client.post(reverse("insights_suggestion_decide", kwargs={"slug": "shop", "suggestion_id": suggestion.pk}))
    assert response.status_code == 403


def test_other_workspace_suggestions_are_404(workspace, other_workspace, agent, client):
    login(client, agent)
    foreign = make_ticket(other_workspace)
    theirs = services.suggestions_refresh_ticket(ticket=foreign)[0]
    response = client.post(reverse("insights_suggestion_decide", kwargs={"slug": "shop", "suggestion_id": theirs.pk}))
    assert response.status_code == 404
    assert client.get(reverse("insights_dashboard", kwargs={"slug": "other"})).status_code == 404


@pytest.mark.parametrize("name", ["insights_dashboard", "insights_trends", "insights_alerts", "insights_products",
                                  "insights_reasons", "insights_models"])
def test_pages_render(workspace, client, name):
    manager = make_member(workspace, "manager")
    login(client, manager)
    make_ticket(workspace)
    response = client.get(reverse(name, kwargs={"slug": "shop"}))
    assert response.status_code == 200
    assert "고객의 소리" in response.content.decode() or name != "insights_dashboard"


def test_trends_page_options_and_sidebar_link(workspace, agent, client):
    login(client, agent)
    response = client.get(reverse("insights_trends", kwargs={"slug": "shop"}), {"by": "channel", "period": "day"})
    assert response.status_code == 200 and "<svg" in response.content.decode()
    assert reverse("insights_dashboard", kwargs={"slug": "shop"}) in response.content.decode()


def test_report_page_exports_and_share(workspace, agent, client):
    login(client, agent)
    product = Product.objects.create(workspace=workspace, name="무선 이어폰")
    url = reverse("insights_report", kwargs={"slug": "shop", "product_id": product.pk})
    assert client.get(url).status_code == 200
    xlsx = client.get(reverse("insights_report_xlsx", kwargs={"slug": "shop", "product_id": product.pk}))
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].startswith("attachment")
    assert client.get(url, {"start": "2026-13-01"}).status_code == 302
    response = client.post(reverse("insights_report_share", kwargs={"slug": "shop", "product_id": product.pk}),
                           {"days": "3"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "/s/shop/voc-report/" in page


def test_product_import_upload_errors_are_listed(workspace, client):
    lead = make_member(workspace, "lead")
    login(client, lead)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("p.csv", "상품명,상품코드\n,A\n".encode())
    response = client.post(reverse("insights_products_import", kwargs={"slug": "shop"}), {"file": upload}, follow=True)
    assert "상품명을 입력해 주세요" in response.content.decode()
    assert not Product.objects.filter(workspace=workspace).exists()


def test_agents_cannot_train_or_import(workspace, agent, client):
    login(client, agent)
    assert client.post(reverse("insights_model_train", kwargs={"slug": "shop"}), {"field": "category"}).status_code == 403
    assert client.post(reverse("insights_products_import", kwargs={"slug": "shop"})).status_code == 403
