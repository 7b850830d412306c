"""Run cost (DPUSeconds, else capacity x duration) and the rightsizing hints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from glueguard.cost import rightsizing_hints, run_cost, summarize
from glueguard.policy.settings import Policy

POLICY = Policy()
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _run(**fields):
    return {"Id": "jr_1", "JobName": "j", "JobRunState": "SUCCEEDED", "StartedOn": T0, **fields}


def test_dpu_seconds_win_when_glue_reports_them():
    cost = run_cost(_run(DPUSeconds=7200, WorkerType="G.1X", NumberOfWorkers=10, ExecutionTime=3600), POLICY)
    assert (cost.source, cost.dpu_hours, cost.cost_usd) == ("DPUSeconds", 2.0, 0.88)


def test_otherwise_workers_times_duration_at_the_policy_price():
    cost = run_cost(_run(WorkerType="G.2X", NumberOfWorkers=5, ExecutionTime=1800), POLICY)
    assert (cost.dpu, cost.dpu_hours, cost.cost_usd) == (10.0, 5.0, 2.2)
    assert (
        run_cost(
            _run(WorkerType="G.2X", NumberOfWorkers=5, ExecutionTime=1800), Policy(price_per_dpu_hour=1.0)
        ).cost_usd
        == 5.0
    )


def test_duration_from_timestamps_and_the_one_minute_minimum():
    timed = run_cost(_run(WorkerType="G.1X", NumberOfWorkers=6, CompletedOn=T0 + timedelta(minutes=15)), POLICY)
    assert timed.seconds == 900 and timed.dpu_hours == 1.5 and timed.cost_usd == 0.66  # FACTS.md's example
    short = run_cost(_run(WorkerType="G.1X", NumberOfWorkers=6, ExecutionTime=20), POLICY)
    assert short.dpu_hours == pytest.approx(6 * 60 / 3600)


def test_a_run_stopped_before_it_executed_costs_nothing():
    """Found by the e2e month (tests/e2e/test_budget_month.py): ExecutionTime 0 was read as "not reported" and the
    40 s between StartedOn and CompletedOn of a refused run were billed as Glue's one-minute minimum."""
    stopped = _run(JobRunState="STOPPED", WorkerType="G.1X", NumberOfWorkers=10, ExecutionTime=0)
    cost = run_cost({**stopped, "CompletedOn": T0 + timedelta(seconds=40)}, POLICY)
    assert (cost.seconds, cost.dpu_hours, cost.cost_usd) == (0.0, 0.0, 0.0)


def test_flex_runs_use_the_flex_price_and_inherit_the_job_class():
    run = _run(WorkerType="G.1X", NumberOfWorkers=10, ExecutionTime=3600)
    assert run_cost({**run, "ExecutionClass": "FLEX"}, POLICY).cost_usd == 2.9
    assert run_cost(run, POLICY, {"ExecutionClass": "FLEX"}).cost_usd == 2.9


def _job(**fields):
    return {
        "Name": "j",
        "Command": {"Name": "glueetl"},
        "GlueVersion": "4.0",
        "WorkerType": "G.1X",
        "NumberOfWorkers": 20,
        **fields,
    }


def test_hints_timeout_flex_and_over_provisioned_workers():
    runs = [
        run_cost(_run(WorkerType="G.1X", NumberOfWorkers=20, ExecutionTime=600, DPUSeconds=600 * 20 * 0.3), POLICY),
        run_cost(
            _run(Id="jr_2", WorkerType="G.1X", NumberOfWorkers=20, ExecutionTime=900, DPUSeconds=900 * 20 * 0.25),
            POLICY,
        ),
    ]
    hints = {h.kind: h for h in rightsizing_hints("p", _job(Timeout=480), {}, runs, POLICY)}
    assert set(hints) == {"timeout", "flex", "workers"}
    assert "30 min" in hints["timeout"].message  # 2 x the longest run (15 min)
    assert hints["flex"].saving_usd == pytest.approx(sum(r.dpu_hours for r in runs) * (0.44 - 0.29), abs=1e-3)
    assert "about 8" in hints["workers"].message  # 20 x 30% x 1.2


def test_no_flex_hint_for_critical_or_flex_jobs_and_no_timeout_hint_when_tight():
    runs = [run_cost(_run(WorkerType="G.1X", NumberOfWorkers=20, ExecutionTime=3000), POLICY)]
    assert not rightsizing_hints("p", _job(Timeout=60), {"Criticality": "critical"}, runs, POLICY)
    assert not rightsizing_hints("p", _job(Timeout=60, ExecutionClass="FLEX"), {}, runs, POLICY)


def test_summarize_counts_terminal_runs_in_the_window_per_job_and_project():
    runs = {
        "a": [
            _run(JobName="a", WorkerType="G.1X", NumberOfWorkers=2, ExecutionTime=3600),
            _run(
                JobName="a",
                Id="old",
                StartedOn=T0 - timedelta(days=8),
                WorkerType="G.1X",
                NumberOfWorkers=2,
                ExecutionTime=3600,
            ),
            _run(
                JobName="a", Id="live", JobRunState="RUNNING", WorkerType="G.1X", NumberOfWorkers=2, ExecutionTime=3600
            ),
        ],
        "b": [_run(JobName="b", WorkerType="G.1X", NumberOfWorkers=1, ExecutionTime=3600)],
    }
    jobs = [("p1", {"Name": "a"}, {}), ("p2", {"Name": "b"}, {})]
    report = summarize(jobs, runs.__getitem__, POLICY, T0 - timedelta(days=7), T0 + timedelta(hours=1))
    assert [(j.job_name, j.runs, j.dpu_hours) for j in report.jobs] == [("a", 1, 2.0), ("b", 1, 1.0)]
    assert [(p.project_id, p.cost_usd) for p in report.projects] == [("p1", 0.88), ("p2", 0.44)]
    assert report.total_cost_usd == 1.32
