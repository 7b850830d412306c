"""The cost of computing the eight success metrics (glueguard.metrics.success) over 10,000 runs, as the weekly report does."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from benchmarks.figures import Figure, median
from benchmarks.timing import timed

RUNS = 10_000
PROJECTS = 100
GOAL_SECONDS = 1.0  # the weekly report's time budget for the metrics themselves (it runs for minutes)


def _records(count: int, projects: int) -> tuple[list, list]:
    from glueguard.metrics.success import BudgetMonth, RunRecord

    rng = random.Random(17)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    pids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(projects)]
    records = []
    for i in range(count):
        seconds = rng.randint(60, 7200)
        started = start + timedelta(minutes=i)
        flex = rng.random() < 0.4
        run = {
            "Id": f"jr_{i}",
            "JobName": f"project-{pids[i % projects]}-job-{i % 7}",
            "JobRunState": rng.choice(["SUCCEEDED"] * 9 + ["FAILED"]),
            "StartedOn": started,
            "CompletedOn": started + timedelta(seconds=seconds + rng.randint(5, 400)),
            "ExecutionTime": seconds,
            "WorkerType": rng.choice(["G.1X", "G.2X"]),
            "NumberOfWorkers": rng.randint(2, 20),
            "ExecutionClass": "FLEX" if flex else "STANDARD",
        }
        if flex:
            run["DPUSeconds"] = float(seconds * 10)
        utilization = round(rng.uniform(0.2, 1.0), 3) if rng.random() < 0.5 else None
        records.append(RunRecord(pids[i % projects], run, rng.random() < 0.5, utilization))
    months = [BudgetMonth(pid, "2026-11", 500.0, rng.uniform(0, 520), rng.randint(0, 3), 0) for pid in pids]
    return records, months


def metrics_cost(repetitions: int = 5) -> list[Figure]:
    from glueguard.metrics.success import measure
    from glueguard.policy.settings import Policy

    records, months = _records(RUNS, PROJECTS)
    policy = Policy()
    window = (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
    samples = [timed(lambda: measure(records, months, policy, *window, "2026-11")) for _ in range(repetitions)]
    seconds = median(samples)
    return [
        Figure(
            "success metrics over 10,000 runs",
            round(seconds, 3),
            f"<= {GOAL_SECONDS}",
            unit="s",
            met=seconds <= GOAL_SECONDS,
            detail={
                "runs": RUNS,
                "projects": PROJECTS,
                "us_per_run": round(seconds / RUNS * 1e6, 1),
                "repetitions": repetitions,
                "aws_calls": "1 GetMetricStatistics per run with observability metrics, 1 GetItem per project",
            },
        )
    ]
