"""The run guard on moto: per-run caps, the project DPU ledger, terminal events, the schedule."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from glueguard.adapters.clients import plane_resource
from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.ledger import Ledger
from glueguard.handlers import run_guard
from glueguard.handlers.run_guard import handler
from glueguard.models.events import InvalidEventError
from glueguard.runs.admission import LedgerEntry

from tests.support.events import load
from tests.support.faults import barrier
from tests.support.lambda_context import LambdaContext
from tests.support.runs import (
    make_job,
    prompt_runs,
    run_state,
    schedule_event,
    start_event,
    start_run,
    state_event,
    status_event,
)


@pytest.fixture
def job(project):
    with prompt_runs():
        yield make_job(project)


def _guard(event: dict) -> dict:
    return handler(event, LambdaContext())


def _start(job: str, **overrides) -> tuple[str, dict]:
    run_id = start_run(job, **overrides)
    return run_id, _guard(start_event(job, run_id))


def _stops(project_id: str) -> list:
    return [d for d in DecisionLog().list(project_id) if d.outcome == "stopped"]


def test_run_started_with_80_workers_is_stopped_with_its_figures(project, job):
    run_id, result = _start(job, WorkerType="G.1X", NumberOfWorkers=80)

    assert result["outcome"] == "stopped"
    assert run_state(job, run_id) == "STOPPED"
    [decision] = _stops(project.project_id)
    assert decision.resource_name == f"{job}/{run_id}"
    assert {v["rule"] for v in decision.violations} == {"run-workers-cap"}  # 80 DPU is within the 100 DPU job cap
    figures = decision.figures
    assert figures["run_dpu"] == 80
    assert figures["workers"] == 80
    assert figures["project_dpu_before"] == 80 and figures["project_dpu_after"] == 0
    # Timeout 60 min < run-time cap: 80 DPU x 1 h x $0.44
    assert figures["estimated_cost_avoided_usd"] == pytest.approx(80 * 0.44, rel=0.01)
    assert Ledger().in_use(project.project_id) == 0


def test_timeout_override_over_the_maximum_is_stopped(project, job):
    run_id, result = _start(job, Timeout=2880)

    assert result["outcome"] == "stopped"
    assert run_state(job, run_id) == "STOPPED"
    [decision] = _stops(project.project_id)
    assert decision.violations[0]["rule"] == "run-timeout-cap"
    assert decision.figures["timeout_minutes"] == 2880


def test_three_runs_of_40_workers_leave_two_running(project, job):
    runs = [_start(job, NumberOfWorkers=40) for _ in range(3)]

    assert [r["outcome"] for _, r in runs] == ["admitted", "admitted", "stopped"]
    assert [run_state(job, run_id) for run_id, _ in runs] == ["RUNNING", "RUNNING", "STOPPED"]
    assert Ledger().in_use(project.project_id) == 80
    [decision] = _stops(project.project_id)
    assert decision.resource_name == f"{job}/{runs[2][0]}"
    assert decision.violations[0]["rule"] == "project-dpu-cap"
    assert decision.figures["project_dpu_before"] == 120
    assert decision.figures["project_dpu_after"] == 80
    assert decision.figures["project_dpu_cap"] == 100
    assert decision.figures["estimated_cost_avoided_usd"] > 0


def test_newest_runs_are_stopped_even_when_events_arrive_out_of_order(project, job):
    first, second, third = (start_run(job, NumberOfWorkers=40) for _ in range(3))
    for run_id in (first, third):
        assert _guard(start_event(job, run_id))["outcome"] == "admitted"

    late = _guard(start_event(job, second))

    assert late["outcome"] == "admitted"  # the older run keeps its place; the newest one makes room
    assert [run_state(job, r) for r in (first, second, third)] == ["RUNNING", "RUNNING", "STOPPED"]
    assert Ledger().in_use(project.project_id) == 80
    [decision] = _stops(project.project_id)
    assert decision.resource_name == f"{job}/{third}"


def test_duplicate_start_event_changes_nothing(project, job):
    run_id = start_run(job, NumberOfWorkers=40)
    event = start_event(job, run_id)
    assert _guard(event)["outcome"] == "admitted"
    run_guard.reset()  # a new container: only the idempotency record remembers
    redelivered = start_event(job, run_id)  # a second delivery with another event id

    assert _guard(event)["outcome"] == "admitted"
    assert _guard(redelivered)["outcome"] == "known"
    assert Ledger().in_use(project.project_id) == 40


def test_terminal_state_releases_capacity_once(project, job):
    first, _ = _start(job, NumberOfWorkers=50)
    _second, _ = _start(job, NumberOfWorkers=50)
    boto3.client("glue").batch_stop_job_run(JobName=job, JobRunIds=[first])
    stopped = state_event(job, first, "STOPPED")

    assert _guard(stopped)["outcome"] == "released"
    assert _guard(state_event(job, first, "STOPPED"))["outcome"] == "skipped"
    assert Ledger().in_use(project.project_id) == 50
    _third, result = _start(job, NumberOfWorkers=50)
    assert result["outcome"] == "admitted"
    assert Ledger().in_use(project.project_id) == 100


def test_state_change_before_start_event_does_not_leak_capacity(project, job):
    run_id = start_run(job, NumberOfWorkers=40)
    assert _guard(state_event(job, run_id, "SUCCEEDED"))["outcome"] == "skipped"

    result = _guard(start_event(job, run_id))  # a late StartJobRun: the tombstone decides

    assert result["outcome"] == "known"
    assert Ledger().in_use(project.project_id) == 0


def test_plane_start_is_not_counted_twice(project, job):
    run_id = start_run(job)
    event = start_event(job, run_id, sample="run_guard/start_job_run_by_plane.json")

    assert _guard(event)["outcome"] == "known"
    assert Ledger().in_use(project.project_id) == 0
    assert run_state(job, run_id) == "RUNNING"


def test_plane_start_over_a_per_run_cap_is_stopped_like_any_run(project, job):
    """Issue #12 item 7: runs the upload trigger starts were marked known and skipped the per-run caps."""
    big = make_job(project, "big", workers=80)  # a job the enforcer has not corrected yet
    run_id = start_run(big)
    event = start_event(big, run_id, sample="run_guard/start_job_run_by_plane.json")

    assert _guard(event)["outcome"] == "stopped"
    assert run_state(big, run_id) == "STOPPED"
    [decision] = _stops(project.project_id)
    assert {v["rule"] for v in decision.violations} == {"run-workers-cap"}


def test_security_configuration_override_is_stopped_and_the_projects_own_runs(project, job):
    """Issue #12 item 7: StartJobRun's SecurityConfiguration override was never checked."""
    glue = boto3.client("glue")
    glue.create_security_configuration(Name="plain", EncryptionConfiguration={})
    own, own_result = _start(job, SecurityConfiguration=project.security_configuration)
    other, result = _start(job, SecurityConfiguration="plain")

    assert (own_result["outcome"], run_state(job, own)) == ("admitted", "RUNNING")
    assert (result["outcome"], run_state(job, other)) == ("stopped", "STOPPED")
    [decision] = _stops(project.project_id)
    assert {v["rule"] for v in decision.violations} == {"run-security-configuration"}


def test_rejected_start_is_skipped(project, job):
    assert _guard(load("run_guard/start_job_run_rejected.json"))["outcome"] == "skipped"


def test_malformed_event_raises_and_changes_nothing(project, job):
    with pytest.raises(InvalidEventError, match="jobRunId"):
        _guard(load("run_guard/malformed_job_state_change.json"))
    assert DecisionLog().list() == []


def test_schedule_stops_runs_past_the_time_cap_and_reconciles(edge, project, job):
    old, _ = _start(job, NumberOfWorkers=20)
    ended = start_run(job, NumberOfWorkers=20, Arguments={"--sandbox-run-seconds": "0"})
    Ledger().admit(project.project_id, LedgerEntry(ended, job, 20), cap=100)  # admitted while it ran...
    assert run_state(job, ended) == "SUCCEEDED"  # ...and its terminal event never reached the guard
    missed = start_run(job, NumberOfWorkers=20)  # its StartJobRun event never arrived...
    assert Ledger().in_use(project.project_id) == 40

    first = _guard(schedule_event())

    assert first["counts"] == {"released": 1}  # the reconcile reads only the runs the ledger holds
    assert _guard(status_event(job, missed))["outcome"] == "admitted"  # ...its Run Status did
    assert Ledger().in_use(project.project_id) == 40  # old + missed
    later = datetime.now(UTC) + timedelta(minutes=481)  # past the default 480 min run-time cap
    run_guard.guard().now = lambda: later

    second = _guard(schedule_event())

    assert second["counts"] == {"stopped": 2}
    assert run_state(job, old) == "STOPPED" and run_state(job, missed) == "STOPPED"
    assert Ledger().in_use(project.project_id) == 0
    decisions = _stops(project.project_id)
    assert {d.violations[0]["rule"] for d in decisions} == {"run-time-cap"}
    assert all(d.event_name == "Scheduled Event" for d in decisions)
    assert all(d.figures["elapsed_minutes"] > 480 for d in decisions)


def test_schedule_stops_idle_and_old_sessions(edge, clock, project, job):
    clock.move_to(edge, tick=False)  # time stands still: a stopped session stays STOPPING however slow the machine
    glue = boto3.client("glue")
    names = project.names
    session_args = {"Role": project.resources.dev_role_arn, "Command": {"Name": "glueetl", "PythonVersion": "3"}}
    glue.create_session(Id=names.resource("session", "idle"), **session_args)
    glue.create_session(Id=names.resource("session", "busy"), **session_args)
    glue.run_statement(SessionId=names.resource("session", "busy"), Code="print(1)")
    soon = datetime.now(UTC) + timedelta(minutes=30)
    run_guard.guard().now = lambda: soon
    assert _guard(schedule_event()).get("counts", {}) == {}

    idle_now = datetime.now(UTC) + timedelta(minutes=61)
    run_guard.guard().now = lambda: idle_now
    result = _guard(schedule_event())

    assert result["counts"] == {"sessions_stopped": 2}  # the statement ran at creation: both idle 61 min
    statuses = {glue.get_session(Id=names.resource("session", s))["Session"]["Status"] for s in ("idle", "busy")}
    assert statuses == {"STOPPING"}
    rules = {d.violations[0]["rule"] for d in DecisionLog().list(project.project_id) if d.resource_kind == "session"}
    assert rules == {"session-idle-cap"}


def test_concurrent_starts_never_leave_the_project_over_its_cap(project, job):
    run_ids = [start_run(job, NumberOfWorkers=10) for _ in range(30)]
    events = [start_event(job, r) for r in run_ids]
    run_guard.guard()  # built once, shared by the threads (as one container per concurrent invocation would)

    # Every admission's write waits until all 30 were sent: each guard read the ledger before any of them wrote,
    # so only an atomic admission (the write's own condition) keeps the project under its cap.
    dynamodb = plane_resource("dynamodb").meta.client  # the ledger's client
    with barrier(dynamodb, "TransactWriteItems", 30) as held, ThreadPoolExecutor(max_workers=30) as pool:
        outcomes = list(pool.map(_guard, events))
    assert held == {"TransactWriteItems": 30}

    running = [r for r in run_ids if run_state(job, r) != "STOPPED"]
    # an admitted run may still be stopped later, as the newest, to make room for an older one
    assert sum(o["outcome"] == "admitted" for o in outcomes) >= len(running)
    assert len(running) == 10  # exactly min(cap, demand): 10 runs of 10 DPU under the 100 DPU cap
    assert Ledger().in_use(project.project_id) == 100
    stops = _stops(project.project_id)
    assert len(stops) == 20 and {d.resource_name.rsplit("/", 1)[-1] for d in stops} == set(run_ids) - set(running)


def test_run_status_event_admits_a_run_whose_start_was_missed_and_caps_it(project, job):
    glue = boto3.client("glue")
    fits = start_run(job, NumberOfWorkers=40)
    over = start_run(job, NumberOfWorkers=80)  # neither StartJobRun event reached the guard
    status = load("run_guard/job_run_status_running.json")

    results = []
    for run_id in (fits, over):
        event = {
            **status,
            "id": f"status-{run_id[-12:]}",
            "detail": {**status["detail"], "jobName": job, "jobRunId": run_id},
        }
        results.append(_guard(event)["outcome"])

    assert results == ["admitted", "stopped"]
    assert Ledger().in_use(project.project_id) == 40
    assert glue.get_job_run(JobName=job, RunId=over)["JobRun"]["JobRunState"] in ("STOPPING", "STOPPED")
    [decision] = _stops(project.project_id)
    assert decision.event_name == "Glue Job Run Status"


def _session_event(name: str, session_id: str) -> dict:
    event = start_event("unused", "unused")
    event["detail"]["eventName"] = name
    event["detail"]["requestParameters"] = {"id": session_id}
    event["detail"]["responseElements"] = None
    return event


def _open_session(project, stem: str, workers: int) -> str:
    session_id = project.names.resource("session", stem)
    boto3.client("glue").create_session(
        Id=session_id,
        Role=project.resources.dev_role_arn,
        Command={"Name": "glueetl", "PythonVersion": "3"},
        WorkerType="G.1X",
        NumberOfWorkers=workers,
    )
    return session_id


def test_sessions_take_project_dpu_and_one_that_does_not_fit_is_stopped(project, job):
    """Issue #12 item 3: sessions were not in the project ledger (unlimited sessions beside a full project)."""
    runs = [_start(job, NumberOfWorkers=workers)[0] for workers in (45, 40)]  # 85 of the 100 DPU
    fits = _open_session(project, "small", 10)
    too_big = _open_session(project, "big", 10)

    assert _guard(_session_event("CreateSession", fits))["outcome"] == "admitted"
    assert Ledger().in_use(project.project_id) == 95
    result = _guard(_session_event("CreateSession", too_big))

    assert result["outcome"] == "stopped"
    glue = boto3.client("glue")
    assert glue.get_session(Id=too_big)["Session"]["Status"] in {"STOPPING", "STOPPED"}
    assert glue.get_session(Id=fits)["Session"]["Status"] == "READY"
    [decision] = [d for d in DecisionLog().list(project.project_id) if d.resource_kind == "session"]
    assert decision.violations[0]["rule"] == "project-dpu-cap" and decision.figures["session_dpu"] == 10
    assert Ledger().in_use(project.project_id) == 95  # the stopped session took nothing

    glue.stop_session(Id=fits)
    assert _guard(_session_event("StopSession", fits))["outcome"] == "released"
    assert Ledger().in_use(project.project_id) == 85
    late = _guard(_session_event("CreateSession", fits))  # a duplicate (or late) create of an ended session
    assert late["outcome"] in {"known", "skipped"} and Ledger().in_use(project.project_id) == 85
    assert [run_state(job, r) for r in runs] == ["RUNNING", "RUNNING"]  # sessions never stop runs


def test_a_session_that_ended_unseen_gives_its_dpu_back_on_the_schedule(project, job):
    session_id = _open_session(project, "notebook", 5)
    assert _guard(_session_event("CreateSession", session_id))["outcome"] == "admitted"
    boto3.client("glue").stop_session(Id=session_id)  # its StopSession event is lost

    result = _guard(schedule_event())

    assert result["counts"].get("sessions_released") == 1
    assert Ledger().in_use(project.project_id) == 0
