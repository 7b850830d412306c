"""The eight success metrics over a month of runs with known outcomes: every figure checked exactly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from glueguard.metrics.success import BudgetMonth, RunRecord, measure, percentile, startup_seconds
from glueguard.policy.settings import Policy

P1, P2 = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c", "9b2d4c6e-1a3f-4e5d-8c7b-0a1b2c3d4e5f"
T0 = datetime(2026, 11, 2, tzinfo=UTC)


def _run(day: int, state: str, seconds: int, startup: int, *, workers=10, worker_type="G.1X", flex=False, dpu_s=None):
    started = T0 + timedelta(days=day)
    run = {
        "Id": f"jr_{day}",
        "JobName": f"project-x-job-{day}",
        "JobRunState": state,
        "StartedOn": started,
        "CompletedOn": started + timedelta(seconds=startup + seconds),
        "ExecutionTime": seconds,
        "WorkerType": worker_type,
        "NumberOfWorkers": workers,
        "ExecutionClass": "FLEX" if flex else "STANDARD",
    }
    if dpu_s is not None:
        run["DPUSeconds"] = dpu_s
    return run


RECORDS = [
    # project 1, production: $4.40, $2.90 (FLEX), $2.20 (failed), $4.40 (20 DPU: not small)
    RunRecord(P1, _run(0, "SUCCEEDED", 3600, 60), True, 0.5),
    RunRecord(P1, _run(3, "SUCCEEDED", 3600, 240, flex=True, dpu_s=36000), True, 1.0),
    RunRecord(P1, _run(7, "FAILED", 1800, 30), True, None),
    RunRecord(P1, _run(10, "SUCCEEDED", 1800, 600, worker_type="G.2X"), True, 0.8),
    # project 2, not production: $1.45 (FLEX, auto-scaled to half), $0.7333 (timed out), a run stopped while starting
    RunRecord(P2, _run(1, "SUCCEEDED", 3600, 120, flex=True, dpu_s=18000), False, 0.5),
    RunRecord(P2, _run(14, "TIMEOUT", 600, 0), False, None),
    RunRecord(P2, _run(20, "STOPPED", 0, 30), False, None),
]
MONTHS = [BudgetMonth(P1, "2026-11", 50, 51.3338, deferred=1, refused=9), BudgetMonth(P2, "2026-11", 100, 30)]


@pytest.fixture(scope="module")
def report():
    return measure(RECORDS, MONTHS, Policy(), T0, T0 + timedelta(days=30), "2026-11")


def _figures(metrics):
    return {m.key: (m.value, m.meets, m.sample) for m in metrics.metrics}


def test_project_one(report):
    [p1] = [p for p in report.projects if p.scope == P1]
    assert _figures(p1) == {
        "success_rate": (0.75, False, 4),  # 3 of 4 production runs
        "startup_p90_seconds": (240.0, True, 3),  # 30, 60, 240 s (the 20 DPU run is not small)
        "utilization": (0.7667, True, 3),  # (0.5 x 36000 + 1.0 x 36000 + 0.8 x 36000) / 108000 DPU-s
        "waste": (0.3799, False, 4),  # (2.20 failed + 4.40 x 0.5 + 4.40 x 0.2) / (2.20 + 4.40 + 2.90 + 4.40)
        "flex_share": (0.2857, False, 4),  # 10 of 35 DPU-hours
        "flex_savings": (0.0974, False, 4),  # 10 h x $0.15 / (35 h x $0.44)
        "budget_adherence": (1.0267, True, 1),  # $51.33 / $50, within $52.50
        "starts_held": (10.0, True, 1),
    }
    assert p1.get("starts_held").detail == {"deferred": 1, "refused": 9}
    assert p1.get("waste").detail == {"wasted_usd": 5.28, "judged_usd": 13.9}


def test_project_two(report):
    [p2] = [p for p in report.projects if p.scope == P2]
    assert _figures(p2) == {
        "success_rate": (None, None, 0),  # no production job
        "startup_p90_seconds": (120.0, True, 2),  # 0 and 120 s; the stopped run never executed
        "utilization": (0.5, False, 1),
        "waste": (0.3359, False, 2),  # $0.7333 timed out / ($0.7333 + $1.45: auto-scaling bills only what ran)
        # the run stopped while starting consumed nothing (ExecutionTime 0): it costs nothing
        "flex_share": (0.75, False, 3),  # 5 of 6.666667 DPU-hours
        "flex_savings": (0.2557, False, 3),  # 5 h x $0.15 / (6.666667 h x $0.44)
        "budget_adherence": (0.3, True, 1),
        "starts_held": (0.0, True, 1),
    }


def test_overall(report):
    assert _figures(report.overall) == {
        "success_rate": (0.75, False, 4),
        "startup_p90_seconds": (240.0, True, 5),
        "utilization": (0.7, False, 4),  # 100800 / 144000 DPU-s
        "waste": (0.3739, False, 6),  # (5.28 + 0.7333) / (13.90 + 0.7333 + 1.45)
        "flex_share": (0.36, False, 7),  # 15 of 41.666667 DPU-hours
        "flex_savings": (0.1227, False, 7),  # 15 h x $0.15 / (41.666667 h x $0.44)
        "budget_adherence": (0.5422, True, 2),  # $81.33 / $150
        "starts_held": (10.0, True, 2),
    }
    assert [m.target for m in report.overall.metrics] == [
        ">= 90%",
        "< 300 s",
        "> 75%",
        "< 10%",
        ">= 88% (what 30% savings needs)",
        ">= 30%",
        "<= 105% (budget + 5%)",
        "every start past the limit held, none admitted",
    ]


def test_a_project_past_its_limit_fails_adherence():
    months = [BudgetMonth(P1, "2026-11", 50, 52.51)]
    [adherence, held] = measure([], months, Policy(), T0, T0, "2026-11").overall.metrics[-2:]
    assert (adherence.value, adherence.meets, held.meets) == (1.0502, False, False)


def test_startup_and_percentile_definitions():
    assert startup_seconds(_run(0, "SUCCEEDED", 100, 45)) == 45.0
    assert startup_seconds(_run(0, "STOPPED", 0, 45)) is None
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.9) == 5.0
    assert percentile([1.0] * 9 + [100.0], 0.9) == 1.0
