"""Change-calendar events feed the workforce forecast as uplift days."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from cxops.collaboration import selectors, services
from cxops.core.models import Workspace
from cxops.workforce.forecast import History, forecast_history

D = dt.date.fromisoformat


def test_uplifts_by_day_takes_the_largest_factor_and_clips_to_the_range() -> None:
    factors = {"low": 1.1, "medium": 1.2, "high": 1.5}
    events = [(D("2026-11-01"), D("2026-11-05"), "medium"), (D("2026-11-04"), None, "high"),
              (D("2026-10-20"), D("2026-11-02"), "low")]
    result = selectors.uplifts_by_day(events, start=D("2026-11-02"), end=D("2026-11-06"), factors=factors)
    assert result == {D("2026-11-02"): 1.2, D("2026-11-03"): 1.2, D("2026-11-04"): 1.5, D("2026-11-05"): 1.2}


@pytest.mark.django_db
def test_forecast_uplifts_of_a_workspace(workspace: Workspace, other_workspace: Workspace) -> None:
    workspace.settings = {"collaboration": {"impact_uplift": {"high": 2.0, "low": "bad"}}}
    workspace.save()
    for ws, impact in ((workspace, "high"), (other_workspace, "low")):
        services.change_save(workspace=ws, actor=None, data=services.ChangeInput(
            kind="marketing", title="푸시", starts_on=D("2026-11-10"), ends_on=D("2026-11-11"),
            expected_impact=impact))
    uplifts = selectors.forecast_uplifts(workspace=workspace, start=D("2026-11-09"), end=D("2026-11-30"))
    assert uplifts == {D("2026-11-10"): 2.0, D("2026-11-11"): 2.0}
    assert selectors.impact_uplift(workspace)["low"] == selectors.DEFAULT_IMPACT_UPLIFT["low"]

    # The workforce forecast multiplies exactly those days.
    history = History(start=D("2026-10-12"), interval_min=360, values=np.ones((28, 4)))
    plain = forecast_history(history, horizon_days=7)
    lifted = forecast_history(history, horizon_days=7, uplifts=uplifts)
    assert np.allclose(lifted[1], plain[1] * 2.0) and np.allclose(lifted[2], plain[2] * 2.0)
    assert np.allclose(lifted[[0, 3, 4, 5, 6]], plain[[0, 3, 4, 5, 6]])
    with pytest.raises(ValueError):
        forecast_history(history, horizon_days=7, uplifts={D("2026-11-10"): 0.0})


@pytest.mark.django_db
def test_the_workforce_forecast_of_a_workspace_reads_its_change_calendar(workspace: Workspace) -> None:
    from cxops.workforce.selectors import forecast_from_history

    services.change_save(workspace=workspace, actor=None, data=services.ChangeInput(
        kind="promotion", title="블랙프라이데이", starts_on=D("2026-11-27"), expected_impact="high"))
    history = History(start=D("2026-10-19"), interval_min=360, values=np.ones((28, 4)))  # ends 11-15
    start = D("2026-11-23")
    plain = forecast_from_history(history, start=start, days=7, interval_min=360)
    lifted = forecast_from_history(history, start=start, days=7, interval_min=360, workspace=workspace)
    factor = selectors.DEFAULT_IMPACT_UPLIFT["high"]
    assert np.allclose(lifted[4], plain[4] * factor)  # 11-27
    assert np.allclose(np.delete(lifted, 4, axis=0), np.delete(plain, 4, axis=0))
