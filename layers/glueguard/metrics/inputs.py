"""The success metrics' inputs, read for the weekly report: runs, their utilization, each project's month,
and AWS's billing view of it (Cost Explorer) to reconcile the plane's figure with."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from glueguard import cost
from glueguard.adapters import billing, observability
from glueguard.budget.cap import month_of
from glueguard.metrics.success import BudgetMonth, RunRecord, SuccessReport, measure
from glueguard.metrics.utilization import Underuse, underused
from glueguard.models.project import Project, ProjectStatus
from glueguard.policy.settings import Policy


class BillingCheck(BaseModel):
    """The plane's month-to-date figure beside AWS's own (None where Cost Explorer has nothing)."""

    project_id: str
    month: str
    plane_usd: float
    billing_usd: float | None = None
    difference_usd: float | None = None
    note: str = ""


class SuccessSection(BaseModel):
    metrics: SuccessReport
    billing: list[BillingCheck] = []
    underused: list[Underuse] = []  # jobs using well under their workers (glueguard.metrics.utilization)


def collect(
    jobs: Iterable[tuple[str, Mapping[str, Any], Mapping[str, str]]],
    runs_of: Callable[[str], list[Mapping[str, Any]]],
    projects: list[Project],
    policy: Policy,
    window_start: datetime,
    window_end: datetime,
    client_for: Callable[[str], Any],
    reconcile_billing: bool = True,
) -> SuccessSection:
    """Read the inputs and measure the eight figures (per project and overall)."""
    records: list[RunRecord] = []
    for project_id, job, tags in jobs:
        production = tags.get(policy.production_tag_key, "").lower() == policy.production_tag_value.lower()
        for run in runs_of(job["Name"]):
            started = cost._as_datetime(run.get("StartedOn"))
            if run.get("JobRunState") not in cost.TERMINAL_STATES or started is None:
                continue
            if not window_start <= started < window_end:
                continue
            utilization = observability.worker_utilization(run, client_for) if observability.enabled(job, run) else None
            records.append(RunRecord(project_id, run, production, utilization))
    month = month_of(window_end)
    months: list[BudgetMonth] = []
    checks: list[BillingCheck] = []
    live = [p for p in projects if p.status is not ProjectStatus.DELETED]
    if os.environ.get("GLUEGUARD_LEDGER_TABLE"):
        from glueguard.adapters.spend import Spend

        spend = Spend()
        for project in live:
            spent = spend.month(project.project_id, month)
            months.append(
                BudgetMonth(
                    project.project_id,
                    month,
                    project.monthly_budget_usd,
                    spent.actual_usd,
                    spent.deferred,
                    spent.refused,
                )
            )
            if reconcile_billing:
                checks.append(_billing(project, month, spent.actual_usd, window_end, client_for))
    report = measure(records, months, policy, window_start, window_end, month)
    return SuccessSection(metrics=report, billing=checks, underused=underused(records, policy))


def _billing(
    project: Project, month: str, plane: float, now: datetime, client_for: Callable[[str], Any]
) -> BillingCheck:
    actual, why = billing.month_to_date_usd(
        project.names.prefix, month, now.date(), client_for, project.resources.budget_name
    )
    check = BillingCheck(project_id=project.project_id, month=month, plane_usd=round(plane, 4), note=why)
    if actual is not None:
        check.billing_usd = actual
        check.difference_usd = round(plane - actual, 4)
    return check
