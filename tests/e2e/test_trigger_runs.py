"""Issue 13, item 3, in the sandbox: runs that Glue triggers start (no StartJobRun call, so no CloudTrail event)
are seen through `Glue Job Run Status`, and a project they take over its DPU cap is back within it in
2 sandbox minutes, with the decision naming the trigger."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from glueguard.adapters.decisions import DecisionLog
from glueguard.dpu import job_capacity

from glueguard_sandbox.process import SandboxProcess
from tests.e2e.conftest import AT_START, ROOT, Events, SandboxHandle, poll, provisioned_project

ACTIVE = ("STARTING", "RUNNING", "WAITING")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxHandle]:
    """This module's own sandbox (overrides the session's): Glue's real minute on a clock that moves only when
    the test moves it, so "2 sandbox minutes" measures the plane in the sandbox's time, not the machine's speed."""
    args = ("--manual-schedules", *AT_START)
    with SandboxProcess(*args, log=ROOT / ".e2e-sandbox-triggers.log") as process:
        yield SandboxHandle(process.endpoint, process.outputs)


@pytest.fixture
def guarded(plane_env: SandboxHandle, monkeypatch) -> SandboxHandle:
    monkeypatch.setenv("GLUEGUARD_LEDGER_TABLE", plane_env.outputs["RunLedgerTableName"])
    return plane_env


def _scientist_job(glue, project, stem: str, workers: int = 40) -> str:
    """A job a scientist creates as the console would: no NotificationProperty (40 G.1X workers = 40 DPU)."""
    name = project.names.resource("job", stem)
    glue.create_job(
        Name=name,
        Role=project.resources.job_role_arn,
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{project.names.scripts_bucket}/{stem}.py"},
        Connections={"Connections": [project.connection_name]},
        SecurityConfiguration=project.security_configuration,
        DefaultArguments={"--TempDir": f"s3://{project.bucket('temp')}/temporary/"},
        GlueVersion="4.0",
        WorkerType="G.1X",
        NumberOfWorkers=workers,
        Timeout=60,
        ExecutionProperty={"MaxConcurrentRuns": 5},
        Tags=project.mandatory_tags(),
    )
    return name


def _sandbox_now(sandbox: SandboxHandle) -> datetime:
    return datetime.fromisoformat(sandbox.post("tick", {"seconds": 0})["now"])


def _running_dpu(glue, job: str) -> float:
    return sum(job_capacity(r) for r in glue.get_job_runs(JobName=job)["JobRuns"] if r["JobRunState"] in ACTIVE)


def _over_the_cap_within_two_sandbox_minutes(guarded: SandboxHandle, events: Events, project, actions) -> None:
    """A trigger of three 40-DPU runs of one job (120 DPU, over the 100 DPU cap) is brought back within the cap in
    2 sandbox minutes, by stopping its newest run, with the decision naming the trigger."""
    glue = guarded.client("glue", guarded.assume("ml-scientist", "erin"))
    job = actions[0]["JobName"]
    starts = events.capture({"source": ["aws.glue"], "detail": {"eventName": ["StartJobRun"]}})
    trigger = project.names.resource("trigger", "burst")
    glue.create_trigger(Name=trigger, Type="ON_DEMAND", Actions=actions, Tags=project.mandatory_tags())

    def announced():
        return [
            (a.get("NotificationProperty") or {}).get("NotifyDelayAfter", 1)
            for a in glue.get_trigger(Name=trigger)["Trigger"]["Actions"]
        ]

    assert poll(lambda: announced() == [1, 1, 1], timeout=10), f"the trigger's runs would stay unseen: {announced()}"

    fired = _sandbox_now(guarded)
    glue.start_trigger(Name=trigger)
    assert _running_dpu(glue, job) == 120  # 3 x 40 DPU, over the 100 DPU cap (their NotifyDelayAfter not yet passed)

    guarded.post("tick", {"seconds": 60})  # one Glue minute: the runs announce themselves (Glue Job Run Status)
    within = poll(lambda: _running_dpu(glue, job) <= 100, timeout=60, interval=0.1)  # real time: the machine's pace
    sandbox_minutes = (_sandbox_now(guarded) - fired).total_seconds() / 60

    assert within and sandbox_minutes <= 2, f"over the cap for {sandbox_minutes:.1f} sandbox minutes"
    assert _running_dpu(glue, job) == 80  # the newest run stopped, the other two kept
    [decision] = poll(lambda: [d for d in DecisionLog().list(project.project_id) if d.outcome == "stopped"])
    assert decision.principal == f"trigger/{trigger}"
    assert decision.before["trigger_name"] == trigger
    assert decision.event_name == "Glue Job Run Status"
    runs = glue.get_job_runs(JobName=job)["JobRuns"]
    assert {r["TriggerName"] for r in runs} == {trigger}
    assert events.receive(starts, count=1, timeout=1) == []  # Glue started them: no StartJobRun was called


def _scientists_job_announcing_its_runs(guarded: SandboxHandle, project) -> str:
    glue = guarded.client("glue", guarded.assume("ml-scientist", "erin"))
    job = _scientist_job(glue, project, "nightly")
    notify = lambda: (glue.get_job(JobName=job)["Job"].get("NotificationProperty") or {}).get("NotifyDelayAfter")  # noqa: E731
    assert poll(lambda: notify() == 1, timeout=10)  # the enforcer made every run of it announce itself
    return job


def test_trigger_over_the_cap_is_brought_back_within_two_sandbox_minutes_naming_the_trigger(
    guarded: SandboxHandle, events: Events
):
    project = provisioned_project(guarded)
    job = _scientists_job_announcing_its_runs(guarded, project)
    _over_the_cap_within_two_sandbox_minutes(guarded, events, project, [{"JobName": job}] * 3)


def test_a_trigger_action_cannot_hide_its_runs_behind_a_longer_notify_delay_or_timeout(
    guarded: SandboxHandle, events: Events
):
    """Attack: a trigger action's NotificationProperty and Timeout override the job's (Glue API, "Triggers",
    Action), so a 600-minute NotifyDelayAfter would keep its runs from announcing themselves for 10 hours. The
    enforcer corrects the trigger's actions (`trigger-action-overrides`) before it fires; the runs are then seen."""
    project = provisioned_project(guarded)
    job = _scientists_job_announcing_its_runs(guarded, project)
    hidden = {"JobName": job, "NotificationProperty": {"NotifyDelayAfter": 600}, "Timeout": 5000}
    _over_the_cap_within_two_sandbox_minutes(guarded, events, project, [hidden] * 3)
    [action, *_] = guarded.client("glue").get_trigger(Name=project.names.resource("trigger", "burst"))["Trigger"][
        "Actions"
    ]
    assert action["Timeout"] == 480  # the policy's max_timeout_minutes


def test_error_and_expired_runs_send_no_state_change(guarded: SandboxHandle, events: Events):
    project = provisioned_project(guarded)
    glue = guarded.client("glue")
    job = _scientist_job(glue, project, "flaky", workers=10)  # 3 runs within the project's cap
    changes = events.capture({"source": ["aws.glue"], "detail-type": ["Glue Job State Change"]})
    quick = {"--sandbox-run-seconds": "0"}
    runs = [
        glue.start_job_run(JobName=job, Arguments={**quick, "--sandbox-outcome": outcome})["JobRunId"]
        for outcome in ("ERROR", "EXPIRED", "FAILED")
    ]

    def ended() -> list[str] | None:
        states = [glue.get_job_run(JobName=job, RunId=r)["JobRun"]["JobRunState"] for r in runs]
        return None if set(states) & {"STARTING", "RUNNING"} else states

    states = poll(ended, timeout=10)

    assert states == ["ERROR", "EXPIRED", "FAILED"]
    received = events.receive(changes, count=2, timeout=3)
    assert [m["body"]["detail"]["jobRunId"] for m in received] == [runs[2]]  # only FAILED sends one
