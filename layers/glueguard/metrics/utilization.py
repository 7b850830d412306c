"""Utilization and waste alerts (design 8.1 "Resource utilization anomalies"), pure: a job whose recent runs use
well under the workers they are given is a low-severity finding with a rightsizing figure, once per job and week.

Input: the weekly success metrics' run records (each run's average `glue.driver.workerUtilization`, measured
only for runs with Glue observability metrics). A job is underused when at least `MIN_RUNS` measured runs in the
window average (allocated-DPU-seconds weighted) under `UNDERUSED` of their workers; the workers to keep are
those its peak run needed at the success metrics' utilization target: ceil(workers x peak / 0.75), at least 2.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel

from glueguard import cost
from glueguard.metrics.success import UTILIZATION_TARGET, RunRecord
from glueguard.models.decision import Decision
from glueguard.policy.settings import Policy

RULE = "job-underutilized"
#: A job's measured runs must average under this share of their workers ...
UNDERUSED = 0.5
#: ... over at least this many runs in the window.
MIN_RUNS = 2
#: Glue's least worker count for a Spark job.
MIN_WORKERS = 2


class Underuse(BaseModel):
    project_id: str
    job_name: str
    worker_type: str
    workers: int
    runs: int
    mean_utilization: float
    peak_utilization: float
    workers_to_keep: int
    idle_cost_usd: float  # what the idle share of the runs' workers cost in the window


def underused(records: Iterable[RunRecord], policy: Policy) -> list[Underuse]:
    """The jobs whose measured runs used well under their workers, with the workers to keep."""
    by_job: dict[tuple[str, str], list[RunRecord]] = defaultdict(list)
    for record in records:
        if record.utilization is not None and record.run.get("NumberOfWorkers") and record.run.get("WorkerType"):
            by_job[(record.project_id, record.run["JobName"])].append(record)
    found = [_judge(project_id, job, runs, policy) for (project_id, job), runs in sorted(by_job.items())]
    return [u for u in found if u is not None]


def _judge(project_id: str, job: str, runs: list[RunRecord], policy: Policy) -> Underuse | None:
    if len(runs) < MIN_RUNS:
        return None
    priced = [(r, cost.run_cost(r.run, policy)) for r in runs]
    weight = sum(c.dpu * c.seconds for _, c in priced) or float(len(priced))
    mean = sum((r.utilization or 0.0) * ((c.dpu * c.seconds) or 1.0) for r, c in priced) / weight
    peak = max(r.utilization or 0.0 for r in runs)
    latest = max(runs, key=lambda r: str(r.run.get("StartedOn")))
    workers = int(latest.run["NumberOfWorkers"])
    keep = max(MIN_WORKERS, math.ceil(round(workers * peak / UTILIZATION_TARGET, 6)))
    if mean >= UNDERUSED or keep >= workers:
        return None
    return Underuse(
        project_id=project_id,
        job_name=job,
        worker_type=str(latest.run["WorkerType"]),
        workers=workers,
        runs=len(runs),
        mean_utilization=round(mean, 4),
        peak_utilization=round(peak, 4),
        workers_to_keep=keep,
        idle_cost_usd=round(sum(c.cost_usd * (1 - (r.utilization or 0.0)) for r, c in priced), 4),
    )


def week_of(when: datetime) -> str:
    year, week, _ = when.isocalendar()
    return f"{year}-W{week:02d}"


def finding(underuse: Underuse, now: datetime) -> Decision:
    """The low-severity finding, keyed by job and ISO week: recorded (and notified) at most once a week."""
    week = week_of(now)
    message = (
        f"{underuse.job_name}: {underuse.runs} runs used {underuse.mean_utilization:.0%} of their "
        f"{underuse.workers} {underuse.worker_type} workers on average (peak {underuse.peak_utilization:.0%}); "
        f"{underuse.workers_to_keep} workers would do"
    )
    return Decision(
        project_id=underuse.project_id,
        event_id=f"utilization-{week}",
        event_name="Weekly utilization",
        function="compliance",
        resource_kind="job",
        resource_name=underuse.job_name,
        outcome="reported",
        severity="low",
        violations=[{"rule": RULE, "severity": "low", "message": message, "enforced": False}],
        figures=underuse.model_dump(mode="json", exclude={"project_id", "job_name"}),
        reason=message,
        finding=f"{RULE}#{week}",
    )
