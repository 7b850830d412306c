"""Job failure notifications to the ML team (design 8.1), in the sandbox: a run that ends FAILED, TIMEOUT or
ERROR reaches the subscribers of its own project's topic, grouped per job and hour; no other team, and not the
platform topic."""

from __future__ import annotations

import time
from datetime import datetime

from tests.e2e.conftest import SandboxHandle, provisioned_project
from tests.support.runs import make_job

FAILING = {"--sandbox-run-seconds": "2", "--sandbox-outcome": "FAILED"}


def _subscribed(sandbox: SandboxHandle, events, topic: str) -> str:
    url, arn = events.queue()
    # A message read stays invisible for the test's length (SQS shows it again after VisibilityTimeout).
    sandbox.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "43200"})
    sandbox.client("sns").subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    return url


def _failures(events, url: str, count: int = 0, timeout: float = 1.0) -> list[dict]:
    """The job-failure messages among what reaches `url` (the team's topic also carries its decisions)."""
    got: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (not count or len(got) < count):
        batch = events.receive(url, count=1, timeout=min(1.0, max(0.05, deadline - time.monotonic())))
        got += [m for m in batch if m["attributes"].get("kind", {}).get("StringValue") == "job-failure"]
    return got


def _to_next_hour(sandbox: SandboxHandle) -> None:
    """Move the sandbox's clock to just past the next hour, where a failure window starts."""
    now = datetime.fromisoformat(sandbox.post("tick", {"seconds": 0})["now"])
    sandbox.post("tick", {"seconds": 3600 - now.minute * 60 - now.second + 1})
    sandbox.drain()


def test_failed_runs_reach_their_team_once_per_job_and_window(plane_env: SandboxHandle, events, monkeypatch):
    monkeypatch.setenv("GLUEGUARD_LEDGER_TABLE", plane_env.outputs["RunLedgerTableName"])
    project, other = provisioned_project(plane_env), provisioned_project(plane_env)
    team = _subscribed(plane_env, events, project.resources.notifications_topic_arn)
    others = _subscribed(plane_env, events, other.resources.notifications_topic_arn)
    platform = _subscribed(plane_env, events, plane_env.outputs["NotificationsTopicArn"])
    job = make_job(project, "nightly", glue=plane_env.client("glue"))
    glue = plane_env.client("glue", plane_env.assume("ml-scientist", "dave"))
    _to_next_hour(plane_env)

    first = glue.start_job_run(JobName=job, Arguments=FAILING)["JobRunId"]
    [message] = _failures(events, team, count=1, timeout=30.0)
    body, attributes = message["body"], {k: v["StringValue"] for k, v in message["attributes"].items()}
    assert attributes == {
        "project": project.project_id,
        "severity": "medium",
        "kind": "job-failure",
        "job": job,
        "state": "FAILED",
        "audience": "project",
    }
    run = glue.get_job_run(JobName=job, RunId=first)["JobRun"]
    assert (body["project_id"], body["job_name"], body["run_id"], body["state"]) == (
        project.project_id,
        job,
        first,
        "FAILED",
    )
    assert body["error_message"] == run["ErrorMessage"]
    assert body["duration_seconds"] == run["ExecutionTime"]
    # Glue bills a run at least a minute: 10 G.1X workers (10 DPU) x 60 s, at the default $0.44 per DPU-hour.
    assert (run["WorkerType"], run["NumberOfWorkers"]) == ("G.1X", 10)
    assert (body["dpu_hours"], body["cost_usd"]) == (round(10 / 60, 6), round(10 / 60 * 0.44, 4))
    assert body["logs_url"].endswith(f"$252Faws-glue$252Fjobs$252Ferror/log-events$3FlogStreamNameFilter$3D{first}")
    assert body["failures_in_window"] == 1

    # Two more failures of the job in the same hour, one of them ERROR (Glue sends no event for it: the run
    # guard's schedule finds it when it reconciles the ledger), are counted, not sent one by one.
    second = glue.start_job_run(JobName=job, Arguments=FAILING)["JobRunId"]
    third = glue.start_job_run(JobName=job, Arguments={**FAILING, "--sandbox-outcome": "ERROR"})["JobRunId"]
    plane_env.drain()
    plane_env.post("tick", {"seconds": 300})  # one run-guard schedule: reconcile finds the ERROR run
    plane_env.drain()
    assert _failures(events, team) == []

    plane_env.post("tick", {"seconds": 3600})  # the window has closed: the next schedule sends its digest
    plane_env.drain()
    [digest] = _failures(events, team, count=1, timeout=30.0)
    assert digest["body"]["digest"] is True and digest["body"]["job_name"] == job
    assert digest["body"]["failures_in_window"] == 3
    assert digest["body"]["run_ids"] == sorted([first, second, third])
    assert _failures(events, team) == []  # once
    assert events.receive(others, timeout=0.5) == []
    assert _failures(events, platform, timeout=0.5) == []
