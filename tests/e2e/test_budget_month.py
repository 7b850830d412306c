"""Issue #17 through the deployed sandbox: a month of spend on the sandbox's one clock (docs/sandbox.md "Time").

Two projects provisioned by the deployed workflow: A with a $50 budget, B with $1,000. On each of 22 days A's
scientist starts a run that would cost $3.6667 (10 x G.1X for 3,000 s at $0.44 per DPU-hour; $80.67 in all) and
the clock moves an hour on; B's scientist does the same once. The deployed run guard (its own role, IAM
evaluated) admits, refuses (and stops) and settles; nothing in the test judges a run itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from glueguard.adapters.clients import reset_clients
from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.spend import Spend
from glueguard.budget.cap import month_of

from glueguard_sandbox.process import SandboxProcess
from tests.e2e.conftest import (
    AT_START,
    ROOT,
    SandboxHandle,
    job_definition,
    point_at,
    provisioned_project,
    scientist_session,
)

RUN_SECONDS = 3000
RUN_COST = round(10 * RUN_SECONDS / 3600 * 0.44, 4)  # $3.6667, every cost rounded to 4 places
#: Each run is STARTING for 30 s (sandbox time): a refused run is stopped before it is billed.
RUN = {"--sandbox-run-seconds": str(RUN_SECONDS), "--sandbox-startup-seconds": "30"}
LIMIT = 52.50  # $50 + the policy's 5 % tolerance


@pytest.fixture(scope="module")
def sandbox(worker_id: str) -> Iterator[SandboxHandle]:
    """A sandbox of its own on Glue's real minute (Timeout 60 means an hour, as the month needs)."""
    with SandboxProcess("--manual-schedules", *AT_START, log=ROOT / f".e2e-sandbox-month-{worker_id}.log") as process:
        yield SandboxHandle(process.endpoint, process.outputs)


@pytest.fixture
def plane(sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHandle]:
    point_at(sandbox, monkeypatch)
    yield sandbox
    reset_clients()


def _now(sandbox: SandboxHandle) -> datetime:
    return datetime.fromisoformat(sandbox.post("tick", {"seconds": 0})["now"])


def _scientist(sandbox: SandboxHandle, project, name: str) -> dict[str, str]:
    """A scientist of the project, signed in through IAM Identity Center: the session's credentials."""
    return scientist_session(sandbox, project, name)


def _job(sandbox: SandboxHandle, project) -> str:
    job = job_definition(project, "daily", workers=10)
    sandbox.client("glue").create_job(**job, Tags=project.mandatory_tags())
    return job["Name"]


def test_a_50_dollar_project_whose_runs_would_cost_80_ends_the_month_within_tolerance(plane: SandboxHandle):
    a, b = provisioned_project(plane, monthlyBudgetUsd=50), provisioned_project(plane, monthlyBudgetUsd=1000)
    a_id, b_id = a.project_id, b.project_id
    # the month starts: move the sandbox's clock to a minute past midnight on the 1st of the next month
    now = _now(plane)
    first = (now.replace(day=1, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=32)).replace(day=1)
    plane.post("tick", {"seconds": (first - now).total_seconds() + 60})
    plane.drain()
    month = month_of(first)
    jobs = {a_id: _job(plane, a), b_id: _job(plane, b)}
    glue = {pid: plane.client("glue", _scientist(plane, p, f"sci-{pid[:4]}")) for pid, p in ((a_id, a), (b_id, b))}
    admin = plane.client("glue")

    states: dict[str, list[str]] = {a_id: [], b_id: []}
    for _ in range(22):
        started = {pid: glue[pid].start_job_run(JobName=jobs[pid], Arguments=RUN)["JobRunId"] for pid in jobs}
        plane.drain()  # the run guard has seen both starts
        plane.post("tick", {"seconds": 3600})  # an hour on: admitted runs have ended
        plane.drain()  # ... and have been settled
        for pid, run_id in started.items():
            states[pid].append(admin.get_job_run(JobName=jobs[pid], RunId=run_id)["JobRun"]["JobRunState"])
    assert _now(plane) < first + timedelta(days=2)  # all in one month

    spend = Spend()
    month_a, month_b = spend.month(a_id, month), spend.month(b_id, month)
    # $4.40 (the 60-minute Timeout bounds it) for the first start, then the job's median $3.6667: admitted while
    # 3.6667 k + 3.6667 <= 52.50, i.e. 14 runs; the 15th to 22nd are refused and stopped while STARTING.
    assert states[a_id] == ["SUCCEEDED"] * 14 + ["STOPPED"] * 8
    assert month_a.actual_usd == pytest.approx(14 * RUN_COST, abs=1e-6)  # $51.33
    assert month_a.actual_usd <= LIMIT
    assert (month_a.committed_usd, month_a.refused) == (pytest.approx(0.0, abs=1e-6), 8)
    refused = [d for d in DecisionLog().list(a_id) if d.outcome == "refused"]
    assert len(refused) == 8 and {d.resource_kind for d in refused} == {"jobrun"}
    assert all(d.figures["budget_limit_usd"] == LIMIT and d.function == "run_guard" for d in refused), refused[0]
    warned = [d for d in DecisionLog().list(a_id) if d.outcome == "warned"]
    assert sorted(d.figures["threshold"] for d in warned) == [0.8, 1.0]
    # B, beside it: every run admitted and charged, nothing held, stopped or warned
    assert states[b_id] == ["SUCCEEDED"] * 22
    assert month_b.actual_usd == pytest.approx(22 * RUN_COST, abs=1e-6)
    assert (month_b.deferred, month_b.refused) == (0, 0)
    assert [
        d.outcome for d in DecisionLog().list(b_id) if d.function == "run_guard"
    ] == []  # (its job's own are the enforcer's)
    assert [m.month for m in spend.months(a_id)] == [month]  # the sandbox's month, not the wall clock's


def _cents(workers: int, seconds: float) -> float:
    """What Glue bills a G.1X run of `workers` for `seconds` (one-minute minimum) at $0.44 per DPU-hour."""
    return workers * max(seconds, 60.0) / 3600 * 0.44


def _ran(plane: SandboxHandle, glue, job: str, seconds: int, **overrides) -> str:
    """A scientist's run of `seconds`: seen by the run guard, the clock moved past its end, settled."""
    run_id = glue.start_job_run(JobName=job, Arguments={"--sandbox-run-seconds": str(seconds)}, **overrides)["JobRunId"]
    plane.drain()
    plane.post("tick", {"seconds": seconds + 60})
    plane.drain()
    return run_id


def test_a_month_end_run_far_costlier_than_its_history_leaves_the_month_within_budget_plus_5_percent(
    plane: SandboxHandle,
):
    """A $50 project's month through the deployed plane, on the sandbox's clock: a build whose history says $1.47
    and a 3-hour ETL ($13.20) three times (once started by an upload bound mid-month with `glueguard triggers add`);
    on the 29th the build runs on with 8 hours of data (20 DPU, $70.40). The schedule (every 5 minutes) warns at
    100 % while it runs and stops it before the month passes $52.50; `budget override` and `audit --costs` then
    read the sandbox's clock, weeks past the test process's."""
    from typer.testing import CliRunner

    from glueguard_cli.cli import app

    project = provisioned_project(plane, monthlyBudgetUsd=50)
    pid, admin_glue, s3 = project.project_id, plane.client("glue"), plane.client("s3")
    jobs = {"etl": (10, 240), "build": (20, 480)}  # workers, Timeout (minutes)
    for stem, (workers, timeout) in jobs.items():
        definition = {**job_definition(project, stem, workers=workers), "Timeout": timeout}
        admin_glue.create_job(**definition, Tags=project.mandatory_tags())
    etl, build = (project.names.resource("job", stem) for stem in jobs)
    glue = plane.client("glue", _scientist(plane, project, "sci-month-end"))
    now = _now(plane)
    first = (now.replace(day=1, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=32)).replace(day=1)
    month = month_of(first)

    def at(day: int, hour: int) -> None:  # move the sandbox's clock on to this day and hour of the month
        plane.post("tick", {"seconds": (first.replace(day=day, hour=hour) - _now(plane)).total_seconds()})
        plane.drain()

    at(1, 1)
    for _ in range(2):  # the build's history: 10 minutes with a 20-minute Timeout, $1.4667 each
        _ran(plane, glue, build, 600, Timeout=20)
    at(2, 1)
    _ran(plane, glue, etl, 10800)  # $13.20
    at(10, 9)  # mid-month: an upload nothing is bound to yet, then a binding added, then the next upload
    bucket = project.names.artifacts_bucket
    s3.put_object(Bucket=bucket, Key="incoming/early.csv", Body=b"a\n")
    plane.drain()
    added = CliRunner().invoke(
        app,
        [
            *("triggers", "add", pid, "--bucket", bucket, "--prefix", "incoming/", "--suffix", ".csv", "--job", etl),
            *("--arg", "--sandbox-run-seconds=10800", "--endpoint-url", plane.endpoint),
        ],
    )
    assert added.exit_code == 0, added.output
    s3.put_object(Bucket=bucket, Key="incoming/day10.csv", Body=b"a\n")
    plane.drain()
    [started] = [d for d in DecisionLog().list(pid) if d.function == "upload_trigger"]
    assert (started.outcome, started.figures["object"]) == ("started", f"s3://{bucket}/incoming/day10.csv")
    plane.post("tick", {"seconds": 10860})
    plane.drain()
    at(20, 1)
    _ran(plane, glue, etl, 10800)
    spend = Spend()
    before = spend.month(pid, month).actual_usd
    assert before == pytest.approx(2 * _cents(20, 600) + 3 * _cents(10, 10800), abs=1e-3)  # $42.53
    assert sorted(d.figures["threshold"] for d in DecisionLog().list(pid) if d.outcome == "warned") == [0.8]

    at(29, 20)
    run_id = glue.start_job_run(JobName=build, Arguments={"--sandbox-run-seconds": "28800"})["JobRunId"]
    plane.drain()
    for _ in range(96):  # the schedule every 5 minutes, for as long as the 8-hour run would take
        plane.post("tick", {"seconds": 300})
        plane.drain()
        if admin_glue.get_job_run(JobName=build, RunId=run_id)["JobRun"]["JobRunState"] not in ("STARTING", "RUNNING"):
            break
    plane.post("tick", {"seconds": 60})
    plane.drain()

    run = admin_glue.get_job_run(JobName=build, RunId=run_id)["JobRun"]
    assert run["JobRunState"] == "STOPPED"
    month_spend = spend.month(pid, month)
    # the truth, from Glue's own GetJobRuns: every run of the project's jobs this month
    truth = sum(
        _cents(jobs[stem][0], r.get("ExecutionTime") or 0)
        for stem in jobs
        for r in admin_glue.get_job_runs(JobName=project.names.resource("job", stem))["JobRuns"]
        if month_of(r["StartedOn"]) == month and r.get("ExecutionTime")
    )
    assert month_spend.actual_usd == pytest.approx(truth, abs=1e-3)
    ahead, period = _cents(20, 600), _cents(20, 300)  # the 10-minute lookahead; one schedule period
    assert LIMIT - ahead - period <= month_spend.actual_usd <= LIMIT  # stopped ahead of the limit, not after
    assert month_spend.committed_usd == pytest.approx(0.0, abs=1e-6)
    decisions = DecisionLog().list(pid)
    warned = {d.figures["threshold"]: d for d in decisions if d.outcome == "warned"}
    [stop] = [d for d in decisions if d.outcome == "stopped" and d.violations[0]["rule"] == "project-budget-limit"]
    assert sorted(warned) == [0.8, 1.0]
    hundred = warned[1.0]
    assert 50.0 <= hundred.figures["month_actual_usd"] + hundred.figures["running_accrued_usd"] < LIMIT
    assert hundred.created_at < stop.created_at  # warned at 100 % on the schedule, before the stop
    assert stop.figures["month_actual_usd"] + stop.figures["running_accrued_usd"] < LIMIT

    # the operator's commands read the sandbox's clock (weeks past the test process's)
    sandbox_now = _now(plane)
    overridden = CliRunner().invoke(
        app,
        [
            *("budget", "override", "--project", pid, "--hours", "2", "--reason", "month-end deadline"),
            *("--endpoint-url", plane.endpoint),
        ],
    )
    assert overridden.exit_code == 0, overridden.output
    until = datetime.fromisoformat(spend.override(pid).until)
    assert abs((until - (sandbox_now + timedelta(hours=2))).total_seconds()) < 5
    audited = CliRunner().invoke(app, ["audit", "--costs", "--json", "--endpoint-url", plane.endpoint])
    assert audited.exit_code == 0, audited.output
    costs = json.loads(audited.output)["cost"]
    assert abs((datetime.fromisoformat(costs["window_end"]) - sandbox_now).total_seconds()) < 5
    [week] = [p for p in costs["projects"] if p["project_id"] == pid]  # the week: only the month-end build
    assert (week["runs"], week["cost_usd"]) == (1, pytest.approx(_cents(20, run["ExecutionTime"]), abs=1e-3))
