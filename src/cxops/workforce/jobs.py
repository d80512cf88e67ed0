"""Background jobs of workforce planning: the schedule solver (up to ~30 s, so never in a request)."""

from __future__ import annotations

import logging

from huey.contrib.djhuey import db_task

log = logging.getLogger(__name__)


@db_task()
def schedule_solve_job(schedule_id: int) -> str:
    from cxops.workforce.services import schedule_solve

    schedule = schedule_solve(schedule_id=schedule_id)
    log.info("workforce: schedule %s solved: %s", schedule_id, schedule.solve_status)
    return str(schedule.solve_status)
