from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.core import mail

from cxops.insights import jobs, services
from cxops.insights.models import TrainedModel, TrendAlert
from cxops.tickets.models import Category, Ticket
from tests.factories import make_member, make_ticket
from tests.insights.test_alerts_reports import TODAY, spike  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_weekly_retraining_and_on_demand_training(workspace):
    late = Category.objects.get(workspace=workspace, name="배송 지연")
    refund = Category.objects.get(workspace=workspace, name="환불")
    for i in range(3):
        Ticket.objects.filter(pk=make_ticket(workspace, subject=f"늦어요 {i}").pk).update(category=late)
        Ticket.objects.filter(pk=make_ticket(workspace, subject=f"환불 {i}").pk).update(category=refund)
    assert jobs.retrain_weekly.call_local() == 1  # category only: no products, one type
    assert TrainedModel.objects.filter(workspace=workspace, field="category", active=True).count() == 1
    assert jobs.train_field.call_local(workspace.pk, "product") == "skipped"
    assert jobs.train_field.call_local(workspace.pk, "category").startswith("m")


def test_periodic_alert_scan_and_weekly_reports(workspace, spike, monkeypatch):  # noqa: F811
    monkeypatch.setattr("cxops.insights.trends.timezone.now", lambda: datetime(2026, 11, 18, 12, tzinfo=UTC))
    make_member(workspace, "manager")
    assert jobs.alerts_scan.call_local() > 0
    assert TrendAlert.objects.filter(workspace=workspace).exists() and mail.outbox
    admin = make_member(workspace, "admin")
    services.report_subscription_create(workspace=workspace, by=admin, product=spike, emails=["qa@example.kr"])
    assert jobs.weekly_reports.call_local() == 1
    assert mail.outbox[-1].to == ["qa@example.kr"]
    assert date(2026, 11, 16) <= TODAY
