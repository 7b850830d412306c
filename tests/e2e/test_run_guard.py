"""Issue 5's 'done when', in the sandbox: runs over the caps are stopped by the deployed run guard, reached
only through emulated CloudTrail / Glue events -> the template's rules; an upload starts its job once."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from glueguard.adapters.decisions import DecisionLog
from glueguard.naming import ProjectNames
from typer.testing import CliRunner

from glueguard_cli.cli import app
from tests.e2e.conftest import SandboxHandle, poll, provisioned_project
from tests.support.runs import make_job

STOPPED = ("STOPPING", "STOPPED")


@pytest.fixture
def guarded(plane_env: SandboxHandle, monkeypatch) -> SandboxHandle:
    monkeypatch.setenv("GLUEGUARD_LEDGER_TABLE", plane_env.outputs["RunLedgerTableName"])
    return plane_env


def _job(sandbox: SandboxHandle, project, stem: str = "batch", timeout: int = 120) -> str:
    return make_job(project, stem, timeout=timeout, glue=sandbox.client("glue"))


def _state(glue, job: str, run_id: str) -> str:
    return glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"]


def _stops(pid: str) -> list:
    return [d for d in DecisionLog().list(pid) if d.outcome == "stopped"]


def test_run_with_80_workers_is_stopped(guarded: SandboxHandle):
    project = provisioned_project(guarded)
    job = _job(guarded, project)
    glue = guarded.client("glue", guarded.assume("ml-scientist", "alice"))

    run_id = glue.start_job_run(JobName=job, NumberOfWorkers=80)["JobRunId"]

    assert poll(lambda: _state(glue, job, run_id) in STOPPED, timeout=10)
    [decision] = poll(lambda: _stops(project.project_id))
    assert decision.resource_name == f"{job}/{run_id}"
    assert decision.figures["run_dpu"] == 80 and decision.figures["workers"] == 80
    assert decision.figures["estimated_cost_avoided_usd"] > 0
    assert "assumed-role/ml-scientist/alice" in decision.principal


def test_three_runs_of_40_workers_leave_two_running(guarded: SandboxHandle):
    project = provisioned_project(guarded)
    job = _job(guarded, project)
    glue = guarded.client("glue", guarded.assume("ml-scientist", "bob"))

    runs = [glue.start_job_run(JobName=job, NumberOfWorkers=40)["JobRunId"] for _ in range(3)]
    guarded.drain()

    states = [_state(glue, job, r) for r in runs]
    assert sum(s in STOPPED for s in states) == 1, states
    assert states[2] in STOPPED  # the newest
    [decision] = _stops(project.project_id)
    assert decision.figures["project_dpu_before"] == 120
    assert decision.figures["project_dpu_after"] == 80
    assert decision.figures["project_dpu_cap"] == 100


def test_thirty_concurrent_starts_leave_exactly_the_cap_running(guarded: SandboxHandle):
    project = provisioned_project(guarded)
    job = _job(guarded, project)
    glue = guarded.client("glue", guarded.assume("ml-scientist", "carol"))

    with ThreadPoolExecutor(max_workers=30) as pool:
        runs = list(pool.map(lambda _: glue.start_job_run(JobName=job)["JobRunId"], range(30)))
    guarded.drain(timeout=120)  # 30 StartJobRun events, then each run's Run Status a sandbox minute later

    running = [r for r in runs if _state(glue, job, r) not in STOPPED]
    assert len(running) == 10  # 10 DPU each, 100 DPU cap: exactly min(cap, demand), no run that fitted stopped
    held = [glue.get_job_run(JobName=job, RunId=r)["JobRun"] for r in running]
    assert {(run["WorkerType"], run["NumberOfWorkers"]) for run in held} == {("G.1X", 10)}  # 10 DPU each
    stops = _stops(project.project_id)
    assert len(stops) == 20 and {d.resource_name.rsplit("/", 1)[-1] for d in stops} == set(runs) - set(running)
    assert all(d.figures["project_dpu_after"] <= 100 for d in stops)


def test_run_past_the_time_cap_is_stopped_by_the_schedule(guarded: SandboxHandle):
    project = provisioned_project(guarded)
    override = ["policy", "override", "--project", project.project_id, "--set", "run_time_cap_minutes=1"]
    result = CliRunner().invoke(app, [*override, "--endpoint-url", guarded.endpoint])
    assert result.exit_code == 0, result.output
    job = _job(guarded, project, timeout=480)  # Glue would end it only after 480 sandbox minutes
    glue = guarded.client("glue", guarded.assume("ml-scientist", "dave"))
    run_id = glue.start_job_run(JobName=job, Arguments={"--sandbox-run-seconds": "3600"})["JobRunId"]
    guarded.drain()
    assert _state(glue, job, run_id) in ("STARTING", "RUNNING")

    guarded.post("tick", {"seconds": 5})  # its one Glue Job Run Status (NotifyDelayAfter), well under the cap
    guarded.drain()
    assert _state(glue, job, run_id) == "RUNNING" and _stops(project.project_id) == []
    # The sandbox's clock (the guard's, Glue's, the schedules') moves on: past the 1-minute cap, then one whole
    # RunGuardSchedule period (5 minutes), in which the guard's schedule fires once and finds the run over its cap.
    guarded.post("tick", {"seconds": 60})
    guarded.drain()
    guarded.post("tick", {"seconds": 300})
    guarded.drain()
    assert poll(lambda: _state(glue, job, run_id) in STOPPED, timeout=10)
    [decision] = _stops(project.project_id)
    assert decision.event_name == "Scheduled Event"
    assert decision.violations[0]["rule"] == "run-time-cap"
    assert 1 < decision.figures["elapsed_minutes"] <= 6.5  # on the first schedule past the cap


def _bound(sandbox: SandboxHandle, stem: str, **binding) -> tuple:
    """A project provisioned with job `stem` bound to uploads to its artifacts bucket (`binding`: prefix, suffix,
    arguments), as the provisioning request carries it."""
    names = ProjectNames(str(uuid.uuid4()))
    bucket = names.artifacts_bucket
    trigger = {"bucket": bucket, "jobName": names.resource("job", stem), **binding}
    project = provisioned_project(sandbox, names.project_id, uploadTriggers=[trigger])
    job = _job(sandbox, project, stem=stem)
    return project, job, bucket, sandbox.client("s3")


def test_upload_under_a_bound_prefix_starts_its_job_exactly_once(guarded: SandboxHandle):
    binding = {"prefix": "incoming/", "suffix": ".csv", "arguments": {"--input_path": "s3://{bucket}/{key}"}}
    project, job, bucket, s3 = _bound(guarded, "ingest", **binding)
    glue = guarded.client("glue")

    s3.put_object(Bucket=bucket, Key="incoming/day1.csv", Body=b"a,b\n1,2\n")
    s3.put_object(Bucket=bucket, Key="reports/day1.csv", Body=b"not bound")
    guarded.drain()

    [run] = glue.get_job_runs(JobName=job)["JobRuns"]
    assert run["Arguments"]["--input_path"] == f"s3://{bucket}/incoming/day1.csv"
    decisions = [d for d in DecisionLog().list(project.project_id) if d.function == "upload_trigger"]
    assert [d.outcome for d in decisions] == ["started"]
    assert decisions[0].figures["run_dpu"] == 10
    assert decisions[0].after["run_id"] == run["Id"]


def test_upload_over_the_budget_waits_on_the_retry_queue_then_starts(guarded: SandboxHandle):
    from glueguard.adapters.ledger import Ledger

    project, job, bucket, s3 = _bound(guarded, "later", prefix="in/")
    ledger = Ledger()
    scientist = guarded.client("glue", guarded.assume("ml-scientist", "erin"))
    other = make_job(project, "elsewhere", workers=46, glue=guarded.client("glue"))
    hour = {"--sandbox-run-seconds": "3600"}
    running = [scientist.start_job_run(JobName=other, Arguments=hour)["JobRunId"] for _ in range(2)]
    guarded.drain()
    assert poll(lambda: ledger.in_use(project.project_id) == 92, timeout=30)  # the project is nearly full
    glue = guarded.client("glue")

    s3.put_object(Bucket=bucket, Key="in/late.csv", Body=b"x")
    guarded.drain()
    assert glue.get_job_runs(JobName=job)["JobRuns"] == []
    scientist.batch_stop_job_run(JobName=other, JobRunIds=running)  # their Glue Job State Changes free the DPU
    guarded.post("tick", {"seconds": 2})
    guarded.drain()
    assert poll(lambda: ledger.in_use(project.project_id) == 0, timeout=30)

    def started_after(seconds: float) -> list:  # the sandbox's clock moves on; the poller delivers what is due
        guarded.post("tick", {"seconds": seconds})
        guarded.drain()
        return glue.get_job_runs(JobName=job)["JobRuns"]

    assert started_after(20) == []  # the retry waits its DelaySeconds (30 s) on the queue
    runs = started_after(15)
    assert len(runs) == 1
    assert ledger.in_use(project.project_id) == 10
