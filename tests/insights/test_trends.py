from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cxops.cli import main
from cxops.insights.trends import period_start, shift, trend_table
from cxops.tickets.models import Category, Product, Ticket

pytestmark = pytest.mark.django_db
KST = ZoneInfo("Asia/Seoul")


def bulk_tickets(workspace, plan: list[tuple[date, int, Category | None, Product | None, str]]) -> None:
    """plan: (day, how many, category, product, channel) → tickets created at 10:00 KST that day."""
    rows = []
    for day, n, category, product, channel in plan:
        at = datetime.combine(day, datetime.min.time(), tzinfo=KST) + timedelta(hours=10)
        rows += [Ticket(workspace=workspace, subject="문의", category=category, product=product, channel=channel, status="closed",
                        created_at=at, updated_at=at) for _ in range(n)]
    Ticket.objects.bulk_create(rows)


@pytest.fixture
def history(workspace):
    """Twelve weeks: 배송 지연 10/week steady, 환불 5/week, then 환불 30 in the latest week."""
    late = Category.objects.get(workspace=workspace, name="배송 지연")
    refund = Category.objects.get(workspace=workspace, name="환불")
    product = Product.objects.create(workspace=workspace, name="무선 이어폰")
    today = date(2026, 11, 18)  # a Wednesday
    this_week = period_start(today, "week")
    plan = []
    for w in range(12):
        monday = shift(this_week, "week", -11 + w)
        plan.append((monday, 10, late, product, "board"))
        plan.append((monday + timedelta(days=1), 30 if w == 11 else 5, refund, None, "phone"))
        plan.append((monday + timedelta(days=2), 3, None, None, "email"))
    bulk_tickets(workspace, plan)
    return today


def test_weekly_trend_flags_the_spike_only(workspace, history):
    table = trend_table(workspace=workspace, by="category", period="week", periods=12, until=history)
    assert table.output_starts[-1] == date(2026, 11, 16)
    rows = {(r.label, r.period_start): r for r in table.rows()}
    spike = rows[("취소/교환/반품 > 환불", date(2026, 11, 16))]
    steady = rows[("배송 > 배송 지연", date(2026, 11, 16))]
    assert spike.count == 30 and spike.alert and spike.score > 3
    assert not steady.alert and abs(steady.score) < 3
    assert spike.explanation.startswith("취소/교환/반품 > 환불: 이번 주 30건, 평소 5±0건")
    # Shares are of every ticket that week, unclassified ones included.
    assert spike.share == pytest.approx(30 / 43)
    assert not any(r.alert for r in table.rows() if r.period_start < date(2026, 11, 16))


def test_cli_json_contract(workspace, history, capsys, monkeypatch):
    monkeypatch.setattr("cxops.insights.trends.timezone.now",
                        lambda: datetime(2026, 11, 18, 12, tzinfo=KST))
    assert main(["voc", "trends", "--workspace", "shop", "--by", "product", "--period", "week", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and set(rows[0]) == {"key", "period_start", "count", "share", "expected", "score", "alert"}
    latest = [r for r in rows if r["period_start"] == "2026-11-16"]
    assert latest == [{"key": "무선 이어폰", "period_start": "2026-11-16", "count": 10, "share": pytest.approx(10 / 43, abs=1e-4),
                       "expected": latest[0]["expected"], "score": latest[0]["score"], "alert": False}]
    assert main(["voc", "trends", "--workspace", "shop", "--by", "category", "--period", "month", "--json"]) == 0
    months = json.loads(capsys.readouterr().out)
    assert {r["period_start"][8:] for r in months} == {"01"}
    assert main(["voc", "trends", "--workspace", "shop", "--by", "category", "--period", "day", "--json"]) == 0
    days = json.loads(capsys.readouterr().out)
    assert sum(r["count"] for r in days if r["key"] == "배송 > 배송 지연") == 10 * 12


def test_product_by_reason_and_channel(workspace, history):
    table = trend_table(workspace=workspace, by="product_category", period="week", periods=4, until=history)
    assert table.labels == ["무선 이어폰 · 배송 > 배송 지연"]
    channels = trend_table(workspace=workspace, by="channel", period="week", periods=4, until=history)
    assert set(channels.labels) == {"게시판", "전화", "이메일"}


def test_other_workspace_is_not_counted(workspace, other_workspace, history):
    bulk_tickets(other_workspace, [(history, 500, None, None, "board")])
    table = trend_table(workspace=workspace, by="category", period="week", periods=1, until=history)
    assert table.totals[-1] == 43


def test_bad_arguments_are_clear_errors(workspace, capsys):
    assert main(["voc", "trends", "--workspace", "shop", "--periods", "0"]) == 2
    assert "기간 수" in capsys.readouterr().err


def test_cli_table_output(workspace, history, capsys):
    assert main(["voc", "trends", "--workspace", "shop", "--by", "category", "--period", "week"]) == 0
    assert "배송 > 배송 지연" in capsys.readouterr().out
    bulk_tickets(workspace, [(date.today(), 3, None, None, "chat")])
    assert main(["voc", "trends", "--workspace", "shop", "--by", "channel", "--period", "day", "--periods", "1"]) == 0
