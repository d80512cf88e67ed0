"""Workforce planning: volume forecasts, Erlang staffing and shift schedules.

The engine lives in plain modules with no Django imports:

- :mod:`cxops.workforce.erlang` – Erlang B / C / A formulas, staffing solvers, shrinkage, deferred work.
- :mod:`cxops.workforce.forecast` – arrivals per interval from a history of offered volume.
- :mod:`cxops.workforce.schedule` – 7-day shift schedules with OR-Tools CP-SAT.
"""
