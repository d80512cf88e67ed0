"""The inbox: views, filters, sorting, paging, htmx partials, bulk changes, saved views, query count."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cxops.core.models import AuditEvent
from cxops.tickets.models import SavedView, Ticket
from cxops.tickets.services import ticket_update
from tests.factories import make_member, make_ticket
from tests.web.conftest import client_for, htmx

pytestmark = pytest.mark.django_db


def inbox_url(workspace, query: str = "") -> str:
    return reverse("inbox", kwargs={"slug": workspace.slug}) + (f"?{query}" if query else "")


def test_inbox_lists_tickets_with_everything_a_row_shows(world):
    ticket_update(ticket=world.ticket, by=world.agent, assignee_id=world.agent.user_id, priority="urgent",
                  tags=["VIP"])
    response = client_for(world.agent).get(inbox_url(world.workspace, "view=all"))
    html = response.content.decode()
    assert response.status_code == 200
    for text in (f"#{world.ticket.number}", "배송이 너무 늦어요", "김민지", "게시판", "긴급", "VIP",
                 world.agent.user.label, "chan-board", "status-"):
        assert text in html
    assert 'data-page="inbox"' in html and "<time" in html


@pytest.mark.parametrize("view", ["mine", "unassigned", "open", "pending", "solved", "all", "channel-board",
                                  "channel-phone"])
def test_every_builtin_view_renders(world, view):
    response = client_for(world.agent).get(inbox_url(world.workspace, f"view={view}"))
    assert response.status_code == 200


def test_unknown_view_is_404(world):
    client = client_for(world.agent)
    assert client.get(inbox_url(world.workspace, "view=bogus")).status_code == 404
    assert client.get(inbox_url(world.workspace, "view=channel-fax")).status_code == 404
    assert client.get(inbox_url(world.workspace, "view=saved-999999")).status_code == 404


def test_mine_view_shows_only_my_tickets_and_a_helpful_empty_state(world):
    client = client_for(world.agent)
    html = client.get(inbox_url(world.workspace, "view=mine")).content.decode()
    assert "지금 맡은 진행 중 티켓이 없습니다" in html and "view=unassigned" in html
    ticket_update(ticket=world.ticket, by=world.agent, assignee_id=world.agent.user_id)
    html = client.get(inbox_url(world.workspace, "view=mine")).content.decode()
    assert f"#{world.ticket.number}" in html


def test_filters_narrow_the_list(world):
    other = make_ticket(world.workspace, subject="교환 요청", phone="010-7777-8888", name="박서준")
    ticket_update(ticket=other, by=world.agent, priority="high", assignee_id=world.agent.user_id)
    client = client_for(world.agent)
    html = client.get(inbox_url(world.workspace, "view=all&priority=high")).content.decode()
    assert "교환 요청" in html and "배송이 너무 늦어요" not in html
    html = client.get(inbox_url(world.workspace, "view=all&assignee=me")).content.decode()
    assert "교환 요청" in html and "배송이 너무 늦어요" not in html
    html = client.get(inbox_url(world.workspace, "view=all&assignee=none")).content.decode()
    assert "교환 요청" not in html and "배송이 너무 늦어요" in html
    # The filter form (f=1) states every filter itself: unchecking all statuses means "any status".
    html = client.get(inbox_url(world.workspace, "view=mine&f=1&assignee=&priority=normal")).content.decode()
    assert "배송이 너무 늦어요" in html and "교환 요청" not in html


def test_korean_full_text_search(world):
    make_ticket(world.workspace, subject="환불 문의", body="카드 결제를 취소하고 싶어요", phone="010-1212-3434")
    client = client_for(world.agent)
    html = client.get(inbox_url(world.workspace, "view=all&q=결제 취소")).content.decode()
    assert "환불 문의" in html and "배송이 너무 늦어요" not in html
    html = client.get(inbox_url(world.workspace, "view=all&q=01033334444")).content.decode()
    assert "배송이 너무 늦어요" in html  # customers are found by phone number too
    html = client.get(inbox_url(world.workspace, "view=all&q=존재하지않는말")).content.decode()
    assert "맞는 티켓이 없습니다" in html


def test_bad_filter_values_show_a_message_not_an_error(world):
    client = client_for(world.agent)
    response = client.get(inbox_url(world.workspace, "view=all&status=bogus"))
    assert response.status_code == 200 and "status 값이 올바르지 않습니다" in response.content.decode()
    response = client.get(inbox_url(world.workspace, "view=all&created_from=2026-13-45"))
    assert response.status_code == 200 and "날짜 형식이 올바르지 않습니다" in response.content.decode()
    response = client.get(inbox_url(world.workspace, "view=all&team=abc"))
    assert response.status_code == 200 and "숫자가 필요합니다" in response.content.decode()
    response = client.get(inbox_url(world.workspace, "view=all&sort=-bogus"))
    assert response.status_code == 200 and "알 수 없는 정렬입니다" in response.content.decode()


def test_htmx_filter_change_returns_only_the_results(world):
    response = client_for(world.agent).get(inbox_url(world.workspace, "view=all&f=1&priority=normal"),
                                           **htmx("inbox-results"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'class="table inbox-table"' in html and "data-announce" in html
    # A history restore (back button without cache) still gets the whole page.
    response = client_for(world.agent).get(inbox_url(world.workspace, "view=all"),
                                           HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true",
                                           HTTP_HX_TARGET="inbox-results")
    assert "<html" in response.content.decode()


def test_sorting_and_paging(world):
    for i in range(52):
        make_ticket(world.workspace, subject=f"문의 {i:02d}", phone=f"010-5000-{i:04d}")
    client = client_for(world.agent)
    first = client.get(inbox_url(world.workspace, "view=all&sort=number")).content.decode()
    assert f"#{world.ticket.number}" in first and 'rel="next"' in first and "문의 51" not in first
    second = client.get(inbox_url(world.workspace, "view=all&sort=number&page=2")).content.decode()
    assert "문의 51" in second and 'rel="prev"' in second and 'rel="next"' not in second
    newest_first = client.get(inbox_url(world.workspace, "view=all&sort=-number")).content.decode()
    assert newest_first.index("문의 51") < newest_first.index("문의 10")
    assert client.get(inbox_url(world.workspace, "view=all&page=abc")).status_code == 200


def test_inbox_runs_a_constant_number_of_queries(workspace, django_assert_max_num_queries):
    agent = make_member(workspace, "agent")
    client = client_for(agent)

    def count_queries() -> int:
        # Sidebar counts are cached for a few seconds; count them every time here. Only that key goes:
        # clearing the whole cache would also drop the SLA settings version and reload them at random.
        cache.delete(f"cxops:sidebar-counts:{workspace.pk}:{agent.user_id}")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(inbox_url(workspace, "view=all"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    count_queries()  # the workspace's choice lists load once per process (cxops.tickets.lookups)
    tags = ["VIP", "재문의", "배송지연"]
    for i in range(5):
        ticket = make_ticket(workspace, subject=f"적은 {i}", phone=f"010-4000-{i:04d}")
        ticket_update(ticket=ticket, by=agent, assignee_id=agent.user_id, tags=tags[: i % 3 + 1])
    few = count_queries()
    for i in range(35):
        ticket = make_ticket(workspace, subject=f"많은 {i}", phone=f"010-4100-{i:04d}")
        ticket_update(ticket=ticket, by=agent, assignee_id=agent.user_id, tags=tags[: i % 3 + 1])
    assert Ticket.objects.filter(workspace=workspace).count() == 40
    many = count_queries()
    assert few == many
    cache.delete(f"cxops:sidebar-counts:{workspace.pk}:{agent.user_id}")
    with django_assert_max_num_queries(few):
        client.get(inbox_url(workspace, "view=all"))
    # The htmx partial skips the sidebar entirely.
    with CaptureQueriesContext(connection) as ctx:
        client.get(inbox_url(workspace, "view=all&f=1"), **htmx("inbox-results"))
    assert len(ctx.captured_queries) < few


def test_bulk_assign_status_and_tag(world):
    second = make_ticket(world.workspace, subject="두 번째", phone="010-6666-7777")
    client = client_for(world.agent)
    url = reverse("inbox_bulk", kwargs={"slug": world.workspace.slug})
    response = client.post(url, {"ticket_ids": [world.ticket.pk, second.pk], "bulk_assignee": "me",
                                 "bulk_status": "on_hold", "bulk_tag": "일괄"}, **htmx())
    assert response.status_code == 204
    triggers = json.loads(response["HX-Trigger"])
    assert "inbox-refresh" in triggers and triggers["cx-toast"]["message"] == "티켓 2건을 변경했습니다."
    for ticket in (world.ticket, second):
        ticket.refresh_from_db()
        assert (ticket.assignee_id, ticket.status) == (world.agent.user_id, "on_hold")
        assert list(ticket.tags.values_list("name", flat=True)) == ["일괄"]
    assert AuditEvent.objects.filter(action="ticket.update", object_id=str(second.pk)).exists()


def test_bulk_custom_status_and_unassign(world):
    custom = world.workspace.statuses.get(name="배송사 확인 중")
    ticket_update(ticket=world.ticket, by=world.agent, assignee_id=world.agent.user_id)
    client = client_for(world.agent)
    url = reverse("inbox_bulk", kwargs={"slug": world.workspace.slug})
    response = client.post(url, {"ticket_ids": [world.ticket.pk], "bulk_status": f"custom-{custom.pk}",
                                 "bulk_assignee": "none", "next": "/w/shop/inbox/?view=all"})
    assert response.status_code == 302 and response["Location"] == "/w/shop/inbox/?view=all"
    world.ticket.refresh_from_db()
    assert world.ticket.custom_status_id == custom.pk and world.ticket.assignee_id is None


def test_bulk_needs_a_selection_and_a_change(world):
    client = client_for(world.agent)
    url = reverse("inbox_bulk", kwargs={"slug": world.workspace.slug})
    response = client.post(url, {"bulk_status": "open"}, **htmx())
    assert json.loads(response["HX-Trigger"])["cx-toast"]["level"] == "error"
    response = client.post(url, {"ticket_ids": [world.ticket.pk]}, **htmx())
    assert "바꿀 담당자" in json.loads(response["HX-Trigger"])["cx-toast"]["message"]
    response = client.post(url, {"ticket_ids": [world.ticket.pk], "bulk_assignee": "999999"}, **htmx())
    assert "담당자는 이 워크스페이스의 상담원이어야 합니다" in json.loads(response["HX-Trigger"])["cx-toast"]["message"]


def test_bulk_ignores_other_workspaces_tickets(world, other_world):
    client = client_for(world.agent)
    url = reverse("inbox_bulk", kwargs={"slug": world.workspace.slug})
    client.post(url, {"ticket_ids": [other_world.ticket.pk], "bulk_status": "solved"}, **htmx())
    other_world.ticket.refresh_from_db()
    assert other_world.ticket.status != "solved"


def test_save_and_delete_a_view(world):
    client = client_for(world.agent)
    url = reverse("saved_view_create", kwargs={"slug": world.workspace.slug})
    response = client.post(url, {"name": "내 급한 것", "shared": "1", "sort": "-priority",
                                 "filters": json.dumps({"priority": ["urgent", "high"], "assignee": "me"})})
    view = SavedView.objects.get(name="내 급한 것")
    assert response.status_code == 302 and response["Location"].endswith(f"view=saved-{view.pk}")
    assert view.owner_id == world.agent.user_id  # agents cannot share; leads can
    assert view.filters == {"priority": ["urgent", "high"], "assignee": "me"} and view.sort == "-priority"
    html = client.get(inbox_url(world.workspace, f"view=saved-{view.pk}")).content.decode()
    assert "내 급한 것" in html and 'value="-priority" selected' in html
    lead = make_member(world.workspace, "lead")
    client_for(lead).post(url, {"name": "팀 공유", "shared": "1", "filters": "{}"})
    assert SavedView.objects.get(name="팀 공유").owner_id is None
    delete = reverse("saved_view_delete", kwargs={"slug": world.workspace.slug, "view_id": view.pk})
    assert client.post(delete).status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_saving_a_view_reports_problems(world):
    client = client_for(world.agent)
    url = reverse("saved_view_create", kwargs={"slug": world.workspace.slug})
    response = client.post(url, {"name": "", "filters": "{}"}, follow=True)
    assert "보기 이름을 입력해 주세요" in response.content.decode()
    response = client.post(url, {"name": "x", "filters": json.dumps({"status": ["bogus"]})}, follow=True)
    assert "status 값이 올바르지 않습니다" in response.content.decode()
    response = client.post(url, {"name": "x", "filters": "not json"}, follow=True)
    assert "보기 조건을 읽을 수 없습니다" in response.content.decode()


def test_someone_elses_private_view_is_invisible(world):
    private = SavedView.objects.get(pk=world.saved_view.pk)
    assert private.owner_id == world.agent.user_id
    other = client_for(world.member)
    assert other.get(inbox_url(world.workspace, f"view=saved-{private.pk}")).status_code == 404
    delete = reverse("saved_view_delete", kwargs={"slug": world.workspace.slug, "view_id": private.pk})
    assert other.post(delete).status_code == 404


def test_search_suggestions(world):
    url = reverse("search_suggest", kwargs={"slug": world.workspace.slug})
    html = client_for(world.agent).get(url + "?q=배송", **htmx("search-suggest")).content.decode()
    assert "배송이 너무 늦어요" in html and "전체 결과를 받은함에서 보기" in html
    assert client_for(world.agent).get(url + "?q=").content.decode().strip() == ""


def test_sidebar_counts_are_reused_briefly_and_refreshed_by_the_sidebar(workspace):
    agent = make_member(workspace, "agent")
    client = client_for(agent)
    cache.clear()

    def count_queries(url: str, **headers: str) -> list[str]:
        # Read the captured queries at once: the next request resets the connection's log.
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, **headers).status_code == 200
        return [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"]]

    make_ticket(workspace, subject="첫 문의", phone="010-4200-0001")
    assert count_queries(inbox_url(workspace, "view=all"))
    assert not count_queries(inbox_url(workspace, "view=all"))
    make_ticket(workspace, subject="둘째 문의", phone="010-4200-0002")
    sidebar = reverse("sidebar_views", kwargs={"slug": workspace.slug})
    assert count_queries(sidebar, **htmx("sidebar-views"))
    response = client.get(inbox_url(workspace, "view=all"))
    assert ">2<" in response.content.decode().replace(" ", "")
