from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cxops.tickets.models import Ticket
from cxops.workforce import selectors, services
from cxops.workforce.models import QaScorecard
from tests.factories import make_ticket, make_workspace
from tests.workforce.fixtures import KST, log_calls

pytestmark = pytest.mark.django_db


def test_arrivals_are_grouped_by_local_interval_and_channel_in_one_query_per_source(workspace, agent):
    day = dt.date(2026, 11, 2)
    log_calls(workspace, agent, [dt.datetime(2026, 11, 2, 9, 5, tzinfo=KST), dt.datetime(2026, 11, 2, 9, 29, tzinfo=KST),
                                 dt.datetime(2026, 11, 2, 9, 30, tzinfo=KST), dt.datetime(2026, 11, 2, 23, 59, tzinfo=KST),
                                 dt.datetime(2026, 11, 3, 0, 0, tzinfo=KST)])
    t1 = make_ticket(workspace, channel="board")
    t2 = make_ticket(workspace, channel="email", phone="010-3333-4444")
    Ticket.objects.filter(pk=t1.pk).update(created_at=dt.datetime(2026, 11, 2, 14, 10, tzinfo=KST))
    Ticket.objects.filter(pk=t2.pk).update(created_at=dt.datetime(2026, 11, 2, 14, 50, tzinfo=KST))
    other = make_workspace()
    log_calls(other, None, [dt.datetime(2026, 11, 2, 9, 5, tzinfo=KST)])
    with CaptureQueriesContext(connection) as ctx:
        counts = selectors.arrival_counts(workspace=workspace, start=day, end=day, interval_min=30)
    assert len(ctx.captured_queries) == 2
    assert counts["phone"] == {(day, 18): 2, (day, 19): 1, (day, 47): 1}
    assert counts["board"] == {(day, 28): 1}
    assert counts["email"] == {(day, 29): 1}
    hourly = selectors.arrival_counts(workspace=workspace, start=day, end=day, interval_min=60)
    assert hourly["phone"] == {(day, 9): 3, (day, 23): 1}
    quarter = selectors.arrival_counts(workspace=workspace, start=day, end=day, interval_min=15, channels=["phone"])
    assert quarter == {"phone": {(day, 36): 1, (day, 37): 1, (day, 38): 1, (day, 95): 1}}


def test_forecast_follows_the_weekly_pattern_and_saved_forecasts_win(workspace, lead, agent):
    today = selectors.today_for(workspace)
    moments = []
    for d in range(1, 29):
        day = today - dt.timedelta(days=d)
        n = 6 if day.weekday() < 5 else 1
        moments += [dt.datetime.combine(day, dt.time(10, 0), tzinfo=KST)] * n
    log_calls(workspace, agent, moments)
    view = selectors.forecast_for(workspace=workspace, channel="phone", start=today, days=7, interval_min=60)
    assert view.source == "history"
    totals = {(today + dt.timedelta(days=d)).weekday(): view.values[d].sum() for d in range(7)}
    holidays = selectors.holidays_between(today, today + dt.timedelta(days=7))
    weekdays = [totals[w] for w in range(5) if today + dt.timedelta(days=(w - today.weekday()) % 7) not in holidays]
    assert min(weekdays) > max(totals[5], totals[6])
    saved = services.forecast_save_from_history(workspace=workspace, by=lead, channel="phone", start=today, days=7,
                                                interval_min=60)
    assert saved.wape is not None and saved.wape_naive is not None
    again = selectors.forecast_for(workspace=workspace, channel="phone", start=today, days=3, interval_min=30)
    assert again.saved == saved and again.values.shape == (3, 48)
    assert again.values.sum() == pytest.approx(sum(sum(day) for day in saved.values[:3]), rel=1e-6)


def test_staffing_plan_live_and_deferred(workspace, lead):
    services.settings_save(workspace=workspace, by=lead, channel="board", data=services.SettingsInput(
        interval_min=60, aht_s=600, deferred=True, sla_window_min=120, shrinkage="0", max_occupancy="1"))
    live = selectors.staffing_cells(selectors.settings_for(workspace=workspace, channel="phone"), [100.0, 0.0], 30)
    assert (live[0].agents, live[0].scheduled) == (14, 20)
    assert (live[1].agents, live[1].scheduled) == (0, 0)
    deferred = selectors.staffing_cells(selectors.settings_for(workspace=workspace, channel="board"), [12, 0, 0], 60)
    # 12 items × 10 min = 2 agent-hours, spread over the 2-hour window
    assert [c.agents for c in deferred] == [1, 1, 0]


def test_intraday_scales_the_rest_of_the_day(workspace, agent, monkeypatch):
    now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=KST)
    monkeypatch.setattr(timezone, "now", lambda: now)
    moments = []
    for d in range(1, 15):
        day = now.date() - dt.timedelta(days=d)
        moments += [dt.datetime.combine(day, dt.time(h, 0), tzinfo=KST) for h in range(9, 18)]
    moments += [dt.datetime.combine(now.date(), dt.time(h, 0), tzinfo=KST) for h in range(9, 12) for _ in range(2)]
    log_calls(workspace, agent, moments)
    view = selectors.intraday(workspace=workspace, channel="phone", interval_min=60)
    assert view.elapsed == 12
    assert view.ratio == pytest.approx(2.0, rel=0.15)
    assert view.reforecast[15] == pytest.approx(view.forecast[15] * view.ratio)
    assert view.actual[13] is None


def test_kpis_business_time_sla_and_qa(workspace, lead, agent):
    # Friday 17:00 → Monday 10:00 KST: 65 h on the wall clock, 2 business hours (17–18 and 09–10)
    created = dt.datetime(2026, 11, 20, 17, 0, tzinfo=KST)
    ticket = make_ticket(workspace)
    Ticket.objects.filter(pk=ticket.pk).update(
        assignee=agent.user, created_at=created, first_response_at=dt.datetime(2026, 11, 23, 10, 0, tzinfo=KST),
        solved_at=dt.datetime(2026, 11, 23, 11, 0, tzinfo=KST))
    services.qa_criterion_save(workspace=workspace, by=lead, name="정확성", weight=1)
    criterion = selectors.qa_criteria(workspace=workspace)[0]
    card = services.qa_scorecard_create(workspace=workspace, by=lead, ticket_number=ticket.number,
                                        scores={criterion.pk: 4})
    QaScorecard.objects.filter(pk=card.pk).update(created_at=dt.datetime(2026, 11, 23, 12, 0, tzinfo=KST))
    report = selectors.kpis(workspace=workspace, start=dt.date(2026, 11, 23), end=dt.date(2026, 11, 23))
    row = next(r for r in report.agents if r.membership_id == agent.pk)
    assert row.first_response_min == pytest.approx(65 * 60)
    assert row.first_response_business_min == pytest.approx(120)
    assert row.resolution_business_h == pytest.approx(3)
    assert row.tickets_solved == 1
    assert report.sla_source == "settings"
    assert (row.sla_met, row.sla_total) == (0, 1)  # 65 h is past the 4-hour default answer window
    assert row.qa_average == pytest.approx(80) and row.qa_count == 1
    assert report.team.tickets_solved == 1
    masked = selectors.kpis(workspace=workspace, start=dt.date(2026, 11, 23), end=dt.date(2026, 11, 23), mask=True)
    assert all("*" in r.label for r in masked.agents)
