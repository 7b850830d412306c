"""The design's performance and cost success metrics (seed §13), per project and overall (pure: no AWS call).

Eight figures, each beside its target; docs/metrics.md defines each and how it is derived:
success rate, startup time, utilization, waste, FLEX share, FLEX savings, budget adherence, starts held.
Inputs are what the plane reads: GetJobRun `JobRun`s (terminal, started in the window), the job's tags
(production), the run's average `glue.driver.workerUtilization`, and each project's month from the spend table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from glueguard import cost
from glueguard.budget.cap import limit_usd
from glueguard.policy.settings import Policy

FINISHED = frozenset({"SUCCEEDED", "FAILED", "TIMEOUT", "ERROR"})  # outcomes of the job itself
UNSUCCESSFUL = frozenset({"FAILED", "TIMEOUT", "ERROR"})
STARTUP_TARGET_SECONDS = 300
SUCCESS_TARGET = 0.90
UTILIZATION_TARGET = 0.75
WASTE_TARGET = 0.10
SAVINGS_TARGET = 0.30
OVERALL = "overall"


@dataclass(frozen=True)
class RunRecord:
    """One terminal run as the metrics read it."""

    project_id: str
    run: Mapping[str, Any]  # GetJobRun `JobRun`
    production: bool = False
    utilization: float | None = None  # average glue.driver.workerUtilization (0-1), when the run reports it


@dataclass(frozen=True)
class BudgetMonth:
    project_id: str
    month: str
    budget_usd: float | None
    actual_usd: float
    deferred: int = 0
    refused: int = 0


class Metric(BaseModel):
    key: str
    name: str
    value: float | None = Field(None, description="None: nothing to measure in the window")
    unit: str  # ratio | seconds | count
    target: str
    meets: bool | None = None
    sample: int = Field(0, description="how many runs (or project-months) the figure is over")
    detail: dict[str, float] = Field(default_factory=dict)


class SuccessMetrics(BaseModel):
    scope: str  # a project id or "overall"
    metrics: list[Metric]

    def get(self, key: str) -> Metric:
        return next(m for m in self.metrics if m.key == key)


class SuccessReport(BaseModel):
    window_start: str
    window_end: str
    month: str
    overall: SuccessMetrics
    projects: list[SuccessMetrics] = Field(default_factory=list)

    def restricted(self, project_id: str) -> SuccessReport:
        """One project's share: its own figures, which are also its report's overall (no one else's totals)."""
        mine = [p for p in self.projects if p.scope == project_id]
        overall = mine[0] if mine else SuccessMetrics(scope=project_id, metrics=[])
        return self.model_copy(update={"projects": mine, "overall": overall})


def shown(metric: Metric) -> str:
    """A figure as the reports print it: 91.2% / 240 s / 3, with ✓ or ✗ against its target."""
    if metric.value is None:
        return "—"
    text = {"ratio": f"{metric.value:.1%}", "seconds": f"{metric.value:,.0f} s"}.get(metric.unit, f"{metric.value:g}")
    return text + {True: " ✓", False: " ✗"}.get(metric.meets, "")  # type: ignore[call-overload]


def table_rows(report: SuccessReport) -> tuple[list[str], list[list[str]]]:
    """Header and rows: one row per metric (name, target, overall, each project)."""
    scopes = [report.overall, *(p for p in report.projects if p.scope != report.overall.scope)]
    header = ["metric", "target", *(s.scope if s.scope == OVERALL else s.scope[:8] for s in scopes)]
    rows = [
        [metric.name, metric.target, *(shown(s.metrics[i]) if i < len(s.metrics) else "—" for s in scopes)]
        for i, metric in enumerate(report.overall.metrics)
    ]
    return header, rows


def _ratio(part: float, whole: float) -> float | None:
    return round(part / whole, 4) if whole else None


def startup_seconds(run: Mapping[str, Any]) -> float | None:
    """(CompletedOn - StartedOn) - ExecutionTime: the time from the start request until the run executed.

    None for runs that never executed (ExecutionTime 0: stopped or failed while starting).
    """
    started, completed = cost._as_datetime(run.get("StartedOn")), cost._as_datetime(run.get("CompletedOn"))
    if started is None or completed is None or not run.get("ExecutionTime"):
        return None
    return max(0.0, (completed - started).total_seconds() - float(run["ExecutionTime"]))


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (the smallest value at or above `share` of the sorted values)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _meets(value: float | None, ok: bool) -> bool | None:
    return None if value is None else ok


Priced = tuple[RunRecord, cost.RunCost]


def run_metrics(priced: list[Priced], policy: Policy) -> list[Metric]:
    """The six run figures over priced runs (any set: one project's, or everyone's)."""
    records = [r for r, _ in priced]
    production = [r for r in records if r.production and r.run.get("JobRunState") in FINISHED]
    succeeded = sum(r.run.get("JobRunState") == "SUCCEEDED" for r in production)
    success = _ratio(succeeded, len(production))

    small = [r for r, c in priced if c.dpu <= policy.small_run_max_dpu]
    startups = [s for r in small if (s := startup_seconds(r.run)) is not None]
    p90 = percentile(startups, 0.9) if startups else None

    measured = [(r, c) for r, c in priced if r.utilization is not None and c.dpu * c.seconds > 0]
    allocated = sum(c.dpu * c.seconds for _, c in measured)
    used = sum(r.utilization * c.dpu * c.seconds for r, c in measured)  # type: ignore[operator]
    utilization = _ratio(used, allocated)

    wasted = 0.0
    judged = 0.0
    for r, c in priced:
        if r.run.get("JobRunState") in UNSUCCESSFUL:
            wasted, judged = wasted + c.cost_usd, judged + c.cost_usd
        elif r.utilization is not None and r.run.get("JobRunState") == "SUCCEEDED":
            billed_by_capacity = c.dpu_seconds_reported is None  # DPUSeconds bill only what ran
            wasted += c.cost_usd * (1.0 - r.utilization) if billed_by_capacity else 0.0
            judged += c.cost_usd
    waste = _ratio(wasted, judged)

    hours = sum(c.dpu_hours for _, c in priced)
    flex_hours = sum(c.dpu_hours for _, c in priced if c.execution_class == "FLEX")
    flex_share = _ratio(flex_hours, hours)
    at_standard = hours * policy.price_per_dpu_hour
    saved = flex_hours * (policy.price_per_dpu_hour - policy.flex_price_per_dpu_hour)
    savings = _ratio(saved, at_standard)
    flex_discount = 1.0 - policy.flex_price_per_dpu_hour / policy.price_per_dpu_hour
    share_needed = min(1.0, SAVINGS_TARGET / flex_discount) if flex_discount > 0 else 1.0

    return [
        Metric(
            key="success_rate",
            name="job success rate (production)",
            value=success,
            unit="ratio",
            target=">= 90%",
            meets=_meets(success, (success or 0) >= SUCCESS_TARGET),
            sample=len(production),
            detail={"succeeded": succeeded},
        ),
        Metric(
            key="startup_p90_seconds",
            name="startup time, p90 of small runs",
            value=p90,
            unit="seconds",
            target=f"< {STARTUP_TARGET_SECONDS} s",
            meets=_meets(p90, (p90 or 0) < STARTUP_TARGET_SECONDS),
            sample=len(startups),
        ),
        Metric(
            key="utilization",
            name="utilization of allocated workers",
            value=utilization,
            unit="ratio",
            target="> 75%",
            meets=_meets(utilization, (utilization or 0) > UTILIZATION_TARGET),
            sample=len(measured),
        ),
        Metric(
            key="waste",
            name="resource waste",
            value=waste,
            unit="ratio",
            target="< 10%",
            meets=_meets(waste, (waste or 0) < WASTE_TARGET),
            sample=sum(1 for r in records if r.run.get("JobRunState") in UNSUCCESSFUL) + len(measured),
            detail={"wasted_usd": round(wasted, 4), "judged_usd": round(judged, 4)},
        ),
        Metric(
            key="flex_share",
            name="FLEX share of DPU-hours",
            value=flex_share,
            unit="ratio",
            target=f">= {share_needed:.0%} (what 30% savings needs)",
            meets=_meets(flex_share, (flex_share or 0) >= share_needed - 1e-9),
            sample=len(priced),
            detail={"flex_dpu_hours": round(flex_hours, 6), "dpu_hours": round(hours, 6)},
        ),
        Metric(
            key="flex_savings",
            name="FLEX savings vs standard price",
            value=savings,
            unit="ratio",
            target=">= 30%",
            meets=_meets(savings, (savings or 0) >= SAVINGS_TARGET - 1e-9),
            sample=len(priced),
            detail={"saved_usd": round(saved, 4), "at_standard_usd": round(at_standard, 4)},
        ),
    ]


def budget_metrics(months: list[BudgetMonth], policy: Policy) -> list[Metric]:
    """Budget adherence (spend / budget of the month) and the starts held back to keep it."""
    budgeted = [m for m in months if m.budget_usd]
    spent = sum(m.actual_usd for m in budgeted)
    budget = sum(m.budget_usd or 0 for m in budgeted)
    adherence = _ratio(spent, budget)
    within = all(m.actual_usd <= limit_usd(m.budget_usd or 0, policy) + 1e-6 for m in budgeted)
    deferred, refused = sum(m.deferred for m in months), sum(m.refused for m in months)
    return [
        Metric(
            key="budget_adherence",
            name="spend / monthly budget",
            value=adherence,
            unit="ratio",
            target=f"<= {1 + policy.budget_tolerance:.0%} (budget + {policy.budget_tolerance:.0%})",
            meets=_meets(adherence, within),
            sample=len(budgeted),
            detail={"spent_usd": round(spent, 4), "budget_usd": round(budget, 4)},
        ),
        Metric(
            key="starts_held",
            name="starts deferred or refused to hold the budget",
            value=float(deferred + refused),
            unit="count",
            target="every start past the limit held, none admitted",
            meets=_meets(adherence, within),
            sample=len(months),
            detail={"deferred": deferred, "refused": refused},
        ),
    ]


def measure(
    records: Iterable[RunRecord],
    months: Iterable[BudgetMonth],
    policy: Policy,
    window_start: datetime,
    window_end: datetime,
    month: str,
) -> SuccessReport:
    """The eight figures for every project and overall."""
    priced = [(r, cost.run_cost(r.run, policy)) for r in records]  # each run priced once
    months = list(months)
    by_project: dict[str, list[Priced]] = {}
    for pair in priced:
        by_project.setdefault(pair[0].project_id, []).append(pair)
    months_of: dict[str, list[BudgetMonth]] = {}
    for m in months:
        months_of.setdefault(m.project_id, []).append(m)
    projects = [
        SuccessMetrics(
            scope=pid,
            metrics=run_metrics(by_project.get(pid, []), policy) + budget_metrics(months_of.get(pid, []), policy),
        )
        for pid in sorted(set(by_project) | set(months_of))
    ]
    overall = SuccessMetrics(scope=OVERALL, metrics=run_metrics(priced, policy) + budget_metrics(months, policy))
    return SuccessReport(
        window_start=window_start.isoformat(),
        window_end=window_end.isoformat(),
        month=month,
        overall=overall,
        projects=projects,
    )
