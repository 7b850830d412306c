"""Issue #17 through the deployed sandbox: a month of spend on the sandbox's one clock (docs/sandbox.md "Time").

Two projects provisioned by the deployed workflow: A with a $50 budget, B with $1,000. On each of 22 days A's
scientist starts a run that would cost $3.6667 (10 x G.1X for 3,000 s at $0.44 per DPU-hour; $80.67 in all) and
the clock moves an hour on; B's scientist does the same once. The deployed run guard (its own role, IAM
evaluated) admits, refuses (and stops) and settles; nothing in the test judges a run itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from glueguard.adapters.clients import reset_clients
from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.spend import Spend
from glueguard.budget import month_of

from glueguard_dev.sandbox.process import SandboxProcess
from tests.e2e.conftest import (
    ACCOUNT,
    AT_START,
    ROOT,
    SandboxHandle,
    job_definition,
    point_at,
    provisioned_project,
    trust,
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
    """An SSO-style role with the project's scientist policy attached; its session's credentials."""
    role = f"AWSReservedSSO_Scientist_{project.project_id[:8]}"
    iam = sandbox.client("iam")
    iam.create_role(RoleName=role, Path="/aws-reserved/sso.amazonaws.com/", AssumeRolePolicyDocument=trust(ACCOUNT))
    iam.attach_role_policy(RoleName=role, PolicyArn=project.resources.scientist_policy_arn)
    arn = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/{role}"
    return sandbox.client("sts").assume_role(RoleArn=arn, RoleSessionName=name)["Credentials"]


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
