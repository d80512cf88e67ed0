"""Customer-center pages: check a ticket's attachments, see ledger/chart/fixes, reply, export, campaign, reminders."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from openpyxl import load_workbook

from cxops.core.models import Membership, Workspace
from cxops.kits.allbaro import services
from cxops.kits.allbaro.models import CheckRun, KitSettings, Reminder
from cxops.tickets.channels.base import CustomerRef, InboundAttachment, InboundMessage
from cxops.tickets.models import Message, MessageKind, Ticket
from cxops.tickets.services import inbound_ingest
from tests.conftest import login
from tests.factories import make_member, make_ticket
from tests.kits.allbaro.builders import generation_csv, manifest, manifests_csv

SAMPLE = Path("/work/shared/data/allbaro/sample_2025")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ticket_with_files(workspace: Workspace, files: list[tuple[str, bytes]], email: str = "env@saebom.kr") -> Ticket:
    message = inbound_ingest(workspace=workspace, message=InboundMessage(
        channel="email", subject="올바로 실적보고 보관량이 0이 안 돼요", body_text="파일 보냅니다.",
        customer=CustomerRef(name="새봄정밀", email=email),
        attachments=tuple(InboundAttachment(name, XLSX if name.endswith("xlsx") else "text/csv", data)
                          for name, data in files)))
    return message.ticket


def _sample_files() -> list[tuple[str, bytes]]:
    return [(name, (SAMPLE / name).read_bytes()) for name in ("manifests.xlsx", "generation.csv", "opening_balance.csv")]


def _small_files() -> list[tuple[str, bytes]]:
    return [("인계서.csv", manifests_csv([manifest(1, "20250314", "1.200")], encoding="cp949")),
            ("발생량.csv", generation_csv([("20250320", "51-03-01", "0.500")]))]


def _run(client: Client, workspace: Workspace, ticket: Ticket, year: int = 2025) -> Any:
    ids = [a.pk for a in __import__("cxops.tickets.models", fromlist=["Attachment"]).Attachment.objects.filter(
        message__ticket=ticket)]
    return client.post(f"/w/{workspace.slug}/allbaro/tickets/{ticket.number}/",
                       {"attachments": ids, "year": str(year)})


@pytest.mark.skipif(not SAMPLE.exists(), reason="shared Allbaro sample not available")
def test_agent_checks_the_sample_from_a_ticket_and_sees_ledger_chart_fixes(agent_client: Client, workspace: Workspace,
                                                                           agent: Membership) -> None:
    ticket = _ticket_with_files(workspace, _sample_files())
    page = agent_client.get(f"/w/{workspace.slug}/allbaro/tickets/{ticket.number}/")
    assert page.status_code == 200 and "manifests.xlsx" in page.content.decode()
    response = _run(agent_client, workspace, ticket)
    run = CheckRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/w/{workspace.slug}/allbaro/runs/{run.pk}/"
    assert (run.status, run.issue_count, run.customer_id, run.year) == ("issues", 8, ticket.customer_id, 2025)
    assert sorted(f["kind"] for f in run.files) == ["generation", "manifests", "opening"]
    html = agent_client.get(response["Location"]).content.decode()
    assert "<svg" in html and "polyline" in html and "cdn" not in html.lower()
    assert "2025-04-11에 51-03-01 발생량 1.669톤 추가" in html
    assert "-4.194" in html  # December storage of 51-03-01 in the ledger table
    assert 'data-check="year_end_zero"' in html and "제출 기한 2026-02-28" in html
    assert "이 내용으로 답변" in html


def test_reply_with_it_posts_the_korean_findings_on_the_ticket(agent_client: Client, workspace: Workspace) -> None:
    ticket = _ticket_with_files(workspace, _small_files())
    _run(agent_client, workspace, ticket)
    run = CheckRun.objects.get()
    assert run.issue_count == 1
    response = agent_client.post(f"/w/{workspace.slug}/allbaro/runs/{run.pk}/reply/", {"body": ""})
    assert response.status_code == 302
    reply = Message.objects.get(ticket=ticket, kind=MessageKind.REPLY)
    assert "2025-03-14에 51-03-01 발생량 0.700톤 추가" in reply.body_text  # 0.500 came later that month
    assert "고칠 곳이 1건" in reply.body_text and "2월 말" in reply.body_text


def test_export_xlsx_has_ledger_and_fixes(agent_client: Client, workspace: Workspace) -> None:
    ticket = _ticket_with_files(workspace, _small_files())
    _run(agent_client, workspace, ticket)
    run = CheckRun.objects.get()
    response = agent_client.get(f"/w/{workspace.slug}/allbaro/runs/{run.pk}/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == ["대장", "고칠 곳", "점검표"]
    ledger = list(book["대장"].iter_rows(values_only=True))
    assert len(ledger) == 13 and ledger[3][9] == pytest.approx(-0.7)  # March storage
    fixes = list(book["고칠 곳"].iter_rows(values_only=True))
    assert fixes[1][1] == "a" and fixes[1][10] == "2025-03-14에 51-03-01 발생량 0.700톤 추가"


def test_unrecognised_file_gets_a_korean_message(agent_client: Client, workspace: Workspace) -> None:
    ticket = _ticket_with_files(workspace, [("메모.csv", "이름,전화\n홍길동,010\n".encode())])
    response = _run(agent_client, workspace, ticket)
    assert response.status_code == 400
    assert "인계서진행상황·발생량·이월량 파일로 보이지 않습니다" in response.content.decode()
    assert not CheckRun.objects.exists()


def test_other_workspace_sees_404_everywhere(client: Client, workspace: Workspace, other_workspace: Workspace,
                                             agent: Membership) -> None:
    ticket = _ticket_with_files(workspace, _small_files())
    login(client, agent)
    _run(client, workspace, ticket)
    run = CheckRun.objects.get()
    outsider = make_member(other_workspace, "admin")
    login(client, outsider)
    for url in (f"/w/{workspace.slug}/allbaro/", f"/w/{workspace.slug}/allbaro/runs/{run.pk}/",
                f"/w/{workspace.slug}/allbaro/runs/{run.pk}/export.xlsx",
                f"/w/{workspace.slug}/allbaro/tickets/{ticket.number}/"):
        assert client.get(url).status_code == 404, url
    # A run id of another workspace under the member's own workspace is not found either.
    assert client.get(f"/w/{other_workspace.slug}/allbaro/runs/{run.pk}/").status_code == 404
    assert client.get(f"/w/{other_workspace.slug}/allbaro/runs/{run.pk}/export.xlsx").status_code == 404
    assert client.post(f"/w/{other_workspace.slug}/allbaro/runs/{run.pk}/reply/").status_code == 404
    assert client.get(f"/w/{other_workspace.slug}/allbaro/tickets/{ticket.number}/").status_code == 404


def test_client_viewer_reads_but_cannot_post(client: Client, workspace: Workspace, agent: Membership,
                                             viewer: Membership) -> None:
    ticket = _ticket_with_files(workspace, _small_files())
    login(client, agent)
    _run(client, workspace, ticket)
    run = CheckRun.objects.get()
    login(client, viewer)
    html = client.get(f"/w/{workspace.slug}/allbaro/runs/{run.pk}/").content.decode()
    assert "발생량 0.700톤 추가" in html and "이 내용으로 답변" not in html
    assert client.get(f"/w/{workspace.slug}/allbaro/").status_code == 200
    assert _run(client, workspace, ticket).status_code == 403
    assert client.post(f"/w/{workspace.slug}/allbaro/runs/{run.pk}/reply/").status_code == 403
    assert client.post(f"/w/{workspace.slug}/allbaro/settings/", {"enabled": "on"}).status_code == 403
    assert CheckRun.objects.count() == 1 and not Message.objects.filter(kind=MessageKind.REPLY).exists()


def test_campaign_lists_ready_issues_and_not_checked(agent_client: Client, workspace: Workspace,
                                                     agent: Membership) -> None:
    with_issue = _ticket_with_files(workspace, _small_files(), email="a@gen.kr")
    ready = _ticket_with_files(workspace, [
        ("m.csv", manifests_csv([manifest(1, "20250314", "1.200")])),
        ("g.csv", generation_csv([("20250314", "51-03-01", "1.200")]))], email="b@gen.kr")
    _run(agent_client, workspace, with_issue)
    _run(agent_client, workspace, ready)
    _run(agent_client, workspace, ready, year=2024)  # checked, but for another year
    make_ticket(workspace, email="c@shop.kr")  # not an Allbaro customer
    html = agent_client.get(f"/w/{workspace.slug}/allbaro/?year=2025").content.decode()
    assert html.count('data-status="issues"') == 1 and html.count('data-status="ready"') == 1
    html_2026 = agent_client.get(f"/w/{workspace.slug}/allbaro/?year=2026").content.decode()
    assert html_2026.count('data-status="not_checked"') == 2


def test_admin_toggles_monthly_reminders_which_go_out_once_a_month(client: Client, workspace: Workspace,
                                                                   agent: Membership, admin: Membership,
                                                                   other_workspace: Workspace) -> None:
    ticket = _ticket_with_files(workspace, _small_files(), email="env@saebom.kr")
    login(client, agent)
    _run(client, workspace, ticket)
    assert client.post(f"/w/{workspace.slug}/allbaro/settings/", {"enabled": "on"}).status_code == 403
    assert services.reminders_send(today=date(2026, 1, 10)) == 0  # kit not enabled yet
    login(client, admin)
    client.post(f"/w/{workspace.slug}/allbaro/settings/",
                {"enabled": "on", "reminders_enabled": "on", "reminder_day": "5"})
    kit = KitSettings.objects.get(workspace=workspace)
    assert (kit.enabled, kit.reminders_enabled, kit.reminder_day) == (True, True, 5)
    other_ticket = _ticket_with_files(other_workspace, _small_files(), email="x@other.kr")
    services.check_run_create(ticket=other_ticket, by=make_member(other_workspace), attachment_ids=[
        a.pk for a in __import__("cxops.tickets.models", fromlist=["Attachment"]).Attachment.objects.filter(
            message__ticket=other_ticket)], year=2025)
    assert services.reminders_send(today=date(2026, 1, 4)) == 0  # before the reminder day
    mail.outbox.clear()
    assert services.reminders_send(today=date(2026, 1, 10)) == 1
    assert services.reminders_send(today=date(2026, 1, 20)) == 0  # once a month
    assert mail.outbox[0].to == ["env@saebom.kr"] and "관리대장" in mail.outbox[0].subject
    assert "2025-12" in mail.outbox[0].body
    assert Reminder.objects.get().customer_id == ticket.customer_id  # the other workspace never enabled the kit
    assert services.reminders_send(today=date(2026, 2, 5)) == 1


@pytest.mark.django_db
def test_the_daily_job_is_a_periodic_task_that_sends_reminders() -> None:
    from datetime import datetime

    from cxops.kits.allbaro import jobs

    task = jobs.ledger_reminders.task_class()
    assert task.validate_datetime(datetime(2026, 1, 5, 9, 7)) and not task.validate_datetime(datetime(2026, 1, 5, 10, 7))
    assert jobs.ledger_reminders.call_local() == 0


def test_reply_links_the_matching_help_center_guide(agent_client: Client, workspace: Workspace) -> None:
    from cxops.knowledge.models import ArticleStatus
    from cxops.knowledge.services import ArticleInput, article_create

    guide = article_create(workspace=workspace, by=None, status=ArticleStatus.PUBLISHED, data=ArticleInput(
        title="올바로시스템 인계서는 있으나 발생량 미등록일 때 정정 방법 (보관량 음수)",
        body="<p>인계서 날짜에 맞춰 발생량을 추가 등록하면 음수 보관량이 없어집니다.</p>"),
        steps=["배출자 메뉴에서 폐기물 발생량 등록을 엽니다.", "인계서 일자와 같은 날짜로 발생량을 등록합니다."])
    other = article_create(workspace=workspace, by=None, status=ArticleStatus.PUBLISHED, data=ArticleInput(
        title="수거 차량 도착 시간 안내", body="<p>수거 차량은 오전 9시부터 순서대로 방문합니다.</p>"))
    ticket = _ticket_with_files(workspace, _small_files())
    _run(agent_client, workspace, ticket)
    run = CheckRun.objects.get()
    agent_client.post(f"/w/{workspace.slug}/allbaro/runs/{run.pk}/reply/", {"body": ""})
    reply = Message.objects.get(ticket=ticket, kind=MessageKind.REPLY)
    assert "참고 안내:" in reply.body_text
    assert f"/p/{workspace.slug}/help/a/{guide.pk}/" in reply.body_text
    assert f"/help/a/{other.pk}/" not in reply.body_text
