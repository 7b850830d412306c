"""Glue job runs in the sandbox: a lifecycle by wall clock, per-run overrides, stop, timeout, failure,
MaxConcurrentRuns, and `Glue Job State Change` events (FACTS.md), fired without anyone reading the run."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import Events, SandboxHandle, poll


def _create(glue, **extra) -> str:
    name = f"runs-{uuid.uuid4().hex[:8]}"
    glue.create_job(
        Name=name,
        Role="arn:aws:iam::123456789012:role/r",
        Command={"Name": "glueetl", "ScriptLocation": "s3://b/x.py"},
        GlueVersion="4.0",
        WorkerType="G.1X",
        NumberOfWorkers=10,
        **extra,
    )
    return name


def _state(glue, name: str, run_id: str) -> str:
    return glue.get_job_run(JobName=name, RunId=run_id)["JobRun"]["JobRunState"]


def _state_changes(events: Events, name: str) -> str:
    return events.capture(
        {"source": ["aws.glue"], "detail-type": ["Glue Job State Change"], "detail": {"jobName": [name]}}
    )


def test_run_stays_running_then_succeeds_and_emits_state_change(sandbox: SandboxHandle, events: Events):
    glue = sandbox.client("glue")
    name = _create(glue)
    url = _state_changes(events, name)
    run_id = glue.start_job_run(JobName=name, Arguments={"--sandbox-run-seconds": "2"})["JobRunId"]
    assert _state(glue, name, run_id) in ("STARTING", "RUNNING")
    assert poll(lambda: _state(glue, name, run_id) == "RUNNING", timeout=5)
    # nobody reads the run from here: the ticker must still finish it and fire the event
    [message] = events.receive(url, timeout=10)
    event = message["body"]
    assert event["source"] == "aws.glue"
    assert event["detail"] == {
        "jobName": name,
        "severity": "INFO",
        "state": "SUCCEEDED",
        "jobRunId": run_id,
        "message": "Job run succeeded",
    }
    run = glue.get_job_run(JobName=name, RunId=run_id)["JobRun"]
    assert run["JobRunState"] == "SUCCEEDED" and run["CompletedOn"] >= run["StartedOn"]


def test_sandbox_outcome_failed(sandbox: SandboxHandle, events: Events):
    glue = sandbox.client("glue")
    name = _create(glue)
    url = _state_changes(events, name)
    run_id = glue.start_job_run(JobName=name, Arguments={"--sandbox-run-seconds": "0", "--sandbox-outcome": "FAILED"})[
        "JobRunId"
    ]
    [message] = events.receive(url, timeout=10)
    assert (message["body"]["detail"]["state"], message["body"]["detail"]["severity"]) == ("FAILED", "ERROR")
    assert glue.get_job_run(JobName=name, RunId=run_id)["JobRun"]["ErrorMessage"]


def test_bad_sandbox_arguments_are_rejected(sandbox: SandboxHandle):
    glue = sandbox.client("glue")
    name = _create(glue)
    with pytest.raises(glue.exceptions.InvalidInputException, match="--sandbox-outcome"):
        glue.start_job_run(JobName=name, Arguments={"--sandbox-outcome": "MAYBE"})
    assert glue.get_job_runs(JobName=name)["JobRuns"] == []


def test_timeout_ends_in_timeout(sandbox: SandboxHandle, events: Events):
    """Timeout is in minutes (one Glue minute = 1 s in the test sandbox); the run ends in TIMEOUT."""
    glue = sandbox.client("glue")
    name = _create(glue)
    url = _state_changes(events, name)
    run_id = glue.start_job_run(JobName=name, Timeout=2, Arguments={"--sandbox-run-seconds": "600"})["JobRunId"]
    [message] = events.receive(url, timeout=15)
    assert message["body"]["detail"]["state"] == "TIMEOUT"
    assert _state(glue, name, run_id) == "TIMEOUT"


def test_stop_goes_through_stopping_to_stopped(sandbox: SandboxHandle, events: Events):
    """STOPPING lasts 10 minutes of the sandbox's clock here (`--sandbox-stopping-seconds`): it ends when the test
    moves the clock, not after a second of the machine's time, however slow the machine."""
    glue = sandbox.client("glue")
    name = _create(glue)
    url = _state_changes(events, name)
    run_id = glue.start_job_run(JobName=name, Arguments={"--sandbox-stopping-seconds": "600"})["JobRunId"]
    result = glue.batch_stop_job_run(JobName=name, JobRunIds=[run_id, "jr_missing"])
    assert result["SuccessfulSubmissions"] == [{"JobName": name, "JobRunId": run_id}]
    assert [e["JobRunId"] for e in result["Errors"]] == ["jr_missing"]
    assert _state(glue, name, run_id) == "STOPPING"
    assert events.receive(url, timeout=1) == []  # still STOPPING: no state change yet
    sandbox.post("tick", {"seconds": 600})
    [message] = events.receive(url, timeout=10)
    assert message["body"]["detail"]["state"] == "STOPPED"
    assert _state(glue, name, run_id) == "STOPPED"


def test_run_time_overrides_show_in_get_job_run(sandbox: SandboxHandle):
    glue = sandbox.client("glue")
    name = _create(glue, ExecutionProperty={"MaxConcurrentRuns": 2})
    run_id = glue.start_job_run(JobName=name, WorkerType="G.2X", NumberOfWorkers=40, Timeout=30, ExecutionClass="FLEX")[
        "JobRunId"
    ]
    run = glue.get_job_run(JobName=name, RunId=run_id)["JobRun"]
    assert (run["WorkerType"], run["NumberOfWorkers"], run["Timeout"], run["ExecutionClass"]) == (
        "G.2X",
        40,
        30,
        "FLEX",
    )
    assert run["MaxCapacity"] == 80.0
    default = glue.get_job_run(JobName=name, RunId=glue.start_job_run(JobName=name)["JobRunId"])["JobRun"]
    assert (default["WorkerType"], default["NumberOfWorkers"], default["Timeout"]) == ("G.1X", 10, 2880)


def test_max_concurrent_runs(sandbox: SandboxHandle):
    glue = sandbox.client("glue")
    name = _create(glue)  # MaxConcurrentRuns defaults to 1
    glue.start_job_run(JobName=name)
    with pytest.raises(glue.exceptions.ConcurrentRunsExceededException):
        glue.start_job_run(JobName=name)
