"""Cost of Glue job runs and rightsizing hints (pure: no AWS call).

A run's DPU-hours come from `DPUSeconds` when Glue reports them (auto-scaling and FLEX runs), else
from its capacity (workers x DPU per worker, or MaxCapacity) x its duration, billed per second
with Glue 2.0+'s one-minute minimum. FLEX runs are priced at `flex_price_per_dpu_hour`.
The run guard calls `run_cost` on every terminal run; the compliance sweep uses `summarize` weekly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from glueguard import dpu
from glueguard.policy.settings import Policy

TERMINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR"})
MINIMUM_BILLED_SECONDS = 60
GLUE_DEFAULT_TIMEOUT_MINUTES = 2880
#: A timeout is "far above" the runs when it exceeds this many times the longest successful run ...
TIMEOUT_HEADROOM_FACTOR = 4
#: ... and by at least this many minutes.
TIMEOUT_MIN_SLACK_MINUTES = 30
#: Auto-scaled runs that used less than this share of their allocated DPU are over-provisioned.
UNDERUSED_SHARE = 0.5


class RunCost(BaseModel):
    job_name: str
    run_id: str
    state: str
    execution_class: str = "STANDARD"
    dpu: float = Field(description="allocated DPU")
    seconds: float = Field(description="run duration")
    dpu_hours: float
    cost_usd: float
    source: str = Field(description="DPUSeconds | capacity x duration")
    dpu_seconds_reported: float | None = None
    started_on: str | None = None


class JobCost(BaseModel):
    project_id: str
    job_name: str
    runs: int = 0
    dpu_hours: float = 0.0
    cost_usd: float = 0.0


class ProjectCost(BaseModel):
    project_id: str
    runs: int = 0
    dpu_hours: float = 0.0
    cost_usd: float = 0.0


class Hint(BaseModel):
    project_id: str
    job_name: str
    kind: str  # timeout | flex | workers
    message: str
    saving_usd: float | None = Field(None, description="estimated saving over the window")


class CostReport(BaseModel):
    window_start: str
    window_end: str
    price_per_dpu_hour: float
    flex_price_per_dpu_hour: float
    total_dpu_hours: float = 0.0
    total_cost_usd: float = 0.0
    projects: list[ProjectCost] = Field(default_factory=list)
    jobs: list[JobCost] = Field(default_factory=list)
    hints: list[Hint] = Field(default_factory=list)


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def run_seconds(run: Mapping[str, Any]) -> float:
    """The run's duration: ExecutionTime (seconds) when Glue reports it, else CompletedOn - StartedOn.

    A reported 0 is a run that consumed nothing (stopped while STARTING): it stays 0, never the wall time
    between StartedOn and CompletedOn billed at the one-minute minimum."""
    execution_time = run.get("ExecutionTime")
    if execution_time is not None:
        return float(execution_time)
    started, completed = _as_datetime(run.get("StartedOn")), _as_datetime(run.get("CompletedOn"))
    if started and completed:
        return max((completed - started).total_seconds(), 0.0)
    return 0.0


def run_cost(run: Mapping[str, Any], policy: Policy, job: Mapping[str, Any] | None = None) -> RunCost:
    """The DPU-hours and cost of one JobRun (GetJobRun `JobRun`); `job` supplies Command when given."""
    seconds = run_seconds(run)
    capacity = dpu.job_capacity({**(job or {}), **{k: v for k, v in run.items() if v is not None}})
    execution_class = run.get("ExecutionClass") or (job or {}).get("ExecutionClass") or "STANDARD"
    reported = run.get("DPUSeconds")
    if reported is not None:
        hours, source = float(reported) / 3600.0, "DPUSeconds"
    else:
        billed = max(seconds, MINIMUM_BILLED_SECONDS) if seconds > 0 else 0.0
        hours, source = dpu.dpu_hours(capacity, billed), "capacity x duration"
    price = policy.flex_price_per_dpu_hour if execution_class == "FLEX" else policy.price_per_dpu_hour
    started = _as_datetime(run.get("StartedOn"))
    return RunCost(
        job_name=run.get("JobName") or (job or {}).get("Name") or "",
        run_id=run.get("Id") or "",
        state=run.get("JobRunState") or "",
        execution_class=execution_class,
        dpu=capacity,
        seconds=seconds,
        dpu_hours=round(hours, 6),
        cost_usd=dpu.cost_usd(hours, price),
        source=source,
        dpu_seconds_reported=float(reported) if reported is not None else None,
        started_on=started.isoformat() if started else None,
    )


def is_critical(tags: Mapping[str, str], policy: Policy) -> bool:
    return tags.get(policy.critical_tag_key, "").lower() == policy.critical_tag_value.lower()


def rightsizing_hints(
    project_id: str,
    job: Mapping[str, Any],
    tags: Mapping[str, str],
    runs: list[RunCost],
    policy: Policy,
) -> list[Hint]:
    """Timeouts far above run durations, FLEX savings, over-provisioned workers."""
    name = job.get("Name") or (runs[0].job_name if runs else "")
    hints: list[Hint] = []
    succeeded = [r for r in runs if r.state == "SUCCEEDED" and r.seconds > 0]
    if succeeded:
        longest_min = max(r.seconds for r in succeeded) / 60.0
        timeout = job.get("Timeout") or GLUE_DEFAULT_TIMEOUT_MINUTES
        if timeout > TIMEOUT_HEADROOM_FACTOR * longest_min and timeout - longest_min >= TIMEOUT_MIN_SLACK_MINUTES:
            suggested = max(math.ceil(2 * longest_min), 10)
            hints.append(
                Hint(
                    project_id=project_id,
                    job_name=name,
                    kind="timeout",
                    message=f"timeout {timeout} min is far above the longest run ({longest_min:.1f} min); "
                    f"{suggested} min would still leave 2x headroom",
                )
            )
    command = (job.get("Command") or {}).get("Name")
    try:
        version = float(job.get("GlueVersion") or "0.9")
    except ValueError:
        version = 0.0
    standard = [r for r in runs if r.execution_class != "FLEX"]
    if (
        command == "glueetl"
        and version >= 3.0
        and job.get("ExecutionClass") != "FLEX"
        and not is_critical(tags, policy)
        and standard
    ):
        hours = sum(r.dpu_hours for r in standard)
        saving = round(hours * (policy.price_per_dpu_hour - policy.flex_price_per_dpu_hour), 4)
        if saving > 0:
            hints.append(
                Hint(
                    project_id=project_id,
                    job_name=name,
                    kind="flex",
                    message=f"non-critical glueetl job: FLEX would have cost ${saving:.2f} less "
                    f"over {len(standard)} runs ({hours:.2f} DPU-hours)",
                    saving_usd=saving,
                )
            )
    measured = [r for r in runs if r.dpu_seconds_reported is not None and r.dpu > 0 and r.seconds > 0]
    workers = job.get("NumberOfWorkers")
    if measured and workers:
        shares = [r.dpu_seconds_reported / (r.dpu * r.seconds) for r in measured]
        peak = max(shares)
        if peak < UNDERUSED_SHARE:
            suggested = max(2, math.ceil(workers * peak * 1.2))
            unused_hours = sum(r.dpu * r.seconds / 3600.0 - r.dpu_hours for r in measured)
            hints.append(
                Hint(
                    project_id=project_id,
                    job_name=name,
                    kind="workers",
                    message=f"runs used at most {peak:.0%} of the {workers} allocated workers; "
                    f"about {suggested} would do",
                    saving_usd=round(max(unused_hours, 0.0) * policy.price_per_dpu_hour, 4),
                )
            )
    return hints


def summarize(
    jobs: Iterable[tuple[str, Mapping[str, Any], Mapping[str, str]]],
    runs_of: Callable[[str], list[Mapping[str, Any]]],
    policy: Policy,
    window_start: datetime,
    window_end: datetime,
) -> CostReport:
    """Costs per job and project of the terminal runs started in the window, with hints.

    `jobs` yields (project_id, GetJob definition, tags); `runs_of(job_name)` gives its JobRuns.
    """
    report = CostReport(
        window_start=window_start.isoformat(),
        window_end=window_end.isoformat(),
        price_per_dpu_hour=policy.price_per_dpu_hour,
        flex_price_per_dpu_hour=policy.flex_price_per_dpu_hour,
    )
    projects: dict[str, ProjectCost] = {}
    for project_id, job, tags in jobs:
        costs = []
        for run in runs_of(job["Name"]):
            started = _as_datetime(run.get("StartedOn"))
            if run.get("JobRunState") not in TERMINAL_STATES or started is None:
                continue
            if not window_start <= started < window_end:
                continue
            costs.append(run_cost(run, policy, job))
        line = JobCost(
            project_id=project_id,
            job_name=job["Name"],
            runs=len(costs),
            dpu_hours=round(sum(c.dpu_hours for c in costs), 6),
            cost_usd=round(sum(c.cost_usd for c in costs), 4),
        )
        report.jobs.append(line)
        total = projects.setdefault(project_id, ProjectCost(project_id=project_id))
        total.runs += line.runs
        total.dpu_hours = round(total.dpu_hours + line.dpu_hours, 6)
        total.cost_usd = round(total.cost_usd + line.cost_usd, 4)
        report.hints.extend(rightsizing_hints(project_id, job, tags, costs, policy))
    report.projects = sorted(projects.values(), key=lambda p: -p.cost_usd)
    report.jobs.sort(key=lambda j: (-j.cost_usd, j.job_name))
    report.total_dpu_hours = round(sum(p.dpu_hours for p in report.projects), 6)
    report.total_cost_usd = round(sum(p.cost_usd for p in report.projects), 4)
    return report
