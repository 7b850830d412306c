"""Runs that no user started (issue 13, item 3): triggers, schedules and workflows start runs with no
StartJobRun call; Glue announces them only with `Glue Job Run Status` (after NotifyDelayAfter), and runs
that end in ERROR or EXPIRED send no `Glue Job State Change`."""

from __future__ import annotations

import boto3
import pytest
from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.ledger import Ledger
from glueguard.handlers import run_guard
from glueguard.handlers.run_guard import handler
from glueguard.runs.admission import LedgerEntry

from tests.support.lambda_context import LambdaContext
from tests.support.runs import make_job, prompt_runs, run_state, schedule_event, start_run, status_event


@pytest.fixture
def job(project):
    with prompt_runs():
        yield make_job(project, workers=40, NotificationProperty={"NotifyDelayAfter": 1})


def _guard(event: dict) -> dict:
    return handler(event, LambdaContext())


def _stops(project_id: str) -> list:
    return [d for d in DecisionLog().list(project_id) if d.outcome == "stopped"]


def _trigger(project, job: str, stem: str, actions: int) -> str:
    name = project.names.resource("trigger", stem)
    boto3.client("glue").create_trigger(
        Name=name, Type="ON_DEMAND", Actions=[{"JobName": job} for _ in range(actions)], Tags=project.mandatory_tags()
    )
    return name


def test_on_demand_trigger_starts_runs_that_name_it_and_stays_created(project, job):
    glue = boto3.client("glue")
    trigger = _trigger(project, job, "nightly", actions=2)

    glue.start_trigger(Name=trigger)

    runs = glue.get_job_runs(JobName=job)["JobRuns"]
    assert len(runs) == 2
    assert {r["TriggerName"] for r in runs} == {trigger}
    assert {r["NotificationProperty"]["NotifyDelayAfter"] for r in runs} == {1}  # the job's, inherited
    assert glue.get_trigger(Name=trigger)["Trigger"]["State"] == "CREATED"  # on-demand triggers never activate


def test_a_trigger_actions_timeout_and_notification_property_override_the_jobs(project, job):
    """Glue API "Triggers", Action: Timeout "overrides the timeout value set in the parent job"; NotificationProperty
    "specifies configuration properties of a job run notification": the run carries the action's, not the job's."""
    glue = boto3.client("glue")
    trigger = project.names.resource("trigger", "override")
    action = {"JobName": job, "Timeout": 600, "NotificationProperty": {"NotifyDelayAfter": 30}}
    glue.create_trigger(Name=trigger, Type="ON_DEMAND", Actions=[action], Tags=project.mandatory_tags())

    glue.start_trigger(Name=trigger)

    [run] = glue.get_job_runs(JobName=job)["JobRuns"]
    assert (run["Timeout"], run["NotificationProperty"]) == (600, {"NotifyDelayAfter": 30})
    assert glue.get_job(JobName=job)["Job"]["NotificationProperty"] == {"NotifyDelayAfter": 1}


def test_conditional_trigger_fires_only_on_runs_a_trigger_started(project, job):
    glue = boto3.client("glue")
    follow_up = make_job(project, "followup", workers=10)
    then = project.names.resource("trigger", "then")
    glue.create_trigger(
        Name=then,
        Type="CONDITIONAL",
        StartOnCreation=True,
        Predicate={
            "Logical": "ANY",
            "Conditions": [{"LogicalOperator": "EQUALS", "JobName": job, "State": "SUCCEEDED"}],
        },
        Actions=[{"JobName": follow_up}],
    )
    quick = {"--sandbox-run-seconds": "0"}
    by_hand = start_run(job, Arguments=quick)
    assert run_state(job, by_hand) == "SUCCEEDED"
    assert glue.get_job_runs(JobName=follow_up)["JobRuns"] == []  # a user's run does not fire it

    start = project.names.resource("trigger", "start")
    glue.create_trigger(Name=start, Type="ON_DEMAND", Actions=[{"JobName": job, "Arguments": quick}])
    glue.start_trigger(Name=start)
    [triggered] = [r for r in glue.get_job_runs(JobName=job)["JobRuns"] if r.get("TriggerName") == start]
    assert run_state(job, triggered["Id"]) == "SUCCEEDED"

    [followed] = glue.get_job_runs(JobName=follow_up)["JobRuns"]
    assert followed["TriggerName"] == then


def test_workflow_run_fires_its_start_trigger(project, job):
    glue = boto3.client("glue")
    workflow = project.names.resource("workflow", "daily")
    glue.create_workflow(Name=workflow)
    glue.create_trigger(
        Name=project.names.resource("trigger", "wf-start"),
        WorkflowName=workflow,
        Type="ON_DEMAND",
        Actions=[{"JobName": job}],
    )

    glue.start_workflow_run(Name=workflow)

    [run] = glue.get_job_runs(JobName=job)["JobRuns"]
    assert run["TriggerName"] == project.names.resource("trigger", "wf-start")


def test_trigger_runs_over_the_cap_are_stopped_on_their_run_status_naming_the_trigger(project, job):
    glue = boto3.client("glue")
    trigger = _trigger(project, job, "burst", actions=3)  # 3 x 40 DPU, no StartJobRun event for any
    glue.start_trigger(Name=trigger)
    runs = glue.get_job_runs(JobName=job)["JobRuns"]

    for run in runs:  # in whatever order the events arrive, the newest run is the one stopped
        _guard(status_event(job, run["Id"]))

    assert Ledger().in_use(project.project_id) == 80
    [decision] = _stops(project.project_id)
    newest = max(r["StartedOn"] for r in runs)
    assert decision.resource_name in {f"{job}/{r['Id']}" for r in runs if r["StartedOn"] == newest}
    assert decision.event_name == "Glue Job Run Status"
    assert decision.principal == f"trigger/{trigger}"
    assert decision.before["trigger_name"] == trigger
    assert trigger in decision.reason


@pytest.mark.parametrize("outcome", ["ERROR", "EXPIRED"])
def test_run_ending_without_a_state_change_gives_its_dpu_back_on_the_next_run_status(project, job, outcome):
    ended = start_run(job, WorkerType="G.2X", NumberOfWorkers=30)
    assert _guard(status_event(job, ended))["outcome"] == "admitted"
    glue_run = boto3.client("glue")
    # the run ends in ERROR/EXPIRED: Glue sends no `Glue Job State Change`, so the ledger still holds it
    from moto.glue.models import glue_backends

    [fake] = [r for r in glue_backends["123456789012"]["us-east-1"].jobs[job].job_runs if r.job_run_id == ended]
    fake.gg_duration, fake.gg_outcome = 0.0, outcome
    assert glue_run.get_job_run(JobName=job, RunId=ended)["JobRun"]["JobRunState"] == outcome
    assert Ledger().in_use(project.project_id) == 60

    newer = start_run(job, WorkerType="G.2X", NumberOfWorkers=30)
    result = _guard(status_event(job, newer))

    assert result["outcome"] == "admitted"  # not stopped for room the ended run no longer holds
    assert run_state(job, newer) == "RUNNING"
    assert Ledger().in_use(project.project_id) == 60
    assert _stops(project.project_id) == []


def test_reconcile_releases_a_run_that_ended_in_error(project, job):
    ended = start_run(job, Arguments={"--sandbox-run-seconds": "0", "--sandbox-outcome": "ERROR"})
    Ledger().admit(project.project_id, LedgerEntry(ended, job, 40), cap=100)
    assert run_state(job, ended) == "ERROR"

    result = _guard(schedule_event())

    assert result["counts"] == {"released": 1, "failures": 1}  # released, and told to the project's team
    assert Ledger().in_use(project.project_id) == 0


def test_reconcile_costs_calls_per_active_run_not_per_job(project, job):
    for n in range(60):  # jobs with no run: the reconcile must not read them
        make_job(project, f"idle-{n}")
    running = [start_run(job) for _ in range(2)]
    for run_id in running:
        assert _guard(status_event(job, run_id))["outcome"] == "admitted"
    calls: list[str] = []
    glue = run_guard.guard().glue
    glue.meta.events.register("before-call.glue", lambda model, **_: calls.append(model.name))

    _guard(schedule_event())

    job_calls = [c for c in calls if c in ("GetJobs", "GetJobRuns", "GetJobRun")]
    assert sorted(job_calls) == ["GetJobRun", "GetJobRun"]  # one per active run, none per job
