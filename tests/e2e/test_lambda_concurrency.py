"""Lambda's concurrency in the sandbox (docs/sandbox.md "Lambda: execution environments and concurrency"):
concurrent invocations in environments of their own, warm reuse, reserved concurrency's throttles, and the
plane under it: one event delivered to two environments at once is corrected once."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from glueguard.adapters.decisions import DecisionLog

from tests.e2e.conftest import Events, SandboxHandle, enforcer_log, noncompliant_job, poll, provisioned_project


class Echoes:
    """Functions with the echo test function's code, recording into a queue of this module's own."""

    def __init__(self, sandbox: SandboxHandle, role: str) -> None:
        self.awslambda = sandbox.client("lambda")
        self.sqs = sandbox.client("sqs")
        self.url, arn = Events(sandbox).queue()
        self.role = role
        sandbox.client("iam").put_role_policy(
            RoleName=role.rsplit("/", 1)[-1],
            PolicyName="record-concurrency",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn}],
                }
            ),
        )

    def create(self, mark: str, reserved: int | None = None, timeout: int = 3) -> str:
        from glueguard_sandbox import deploy

        name = f"echo-{mark}-{uuid.uuid4().hex[:6]}"
        self.awslambda.create_function(
            FunctionName=name,
            Runtime="python3.13",
            Role=self.role,
            Handler="app.handler",
            Code={"S3Bucket": deploy.ARTIFACT_BUCKET, "S3Key": "tests/e2e/functions/echo"},
            Environment={"Variables": {"RECORD_QUEUE_URL": self.url, "MARK": mark}},
            Timeout=timeout,  # Lambda's default: 3 s
        )
        if reserved is not None:
            self.awslambda.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=reserved)
        return name

    def invoke(self, name: str, event: dict[str, Any], kind: str = "Event") -> Any:
        return self.awslambda.invoke(FunctionName=name, InvocationType=kind, Payload=json.dumps(event).encode())

    def records(self, tag: str, count: int) -> list[dict[str, Any]]:
        """The first `count` invocations of events tagged `tag` (their environment: pid, invocations, mark)."""
        got: list[dict[str, Any]] = []

        def mine() -> bool:
            for message in self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages", []):
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
                body = json.loads(message["Body"])
                got.extend([body] if body["event"].get("tag") == tag else [])
            return len(got) >= count

        poll(mine, timeout=30)
        return got


@pytest.fixture(scope="module")
def echoes(sandbox: SandboxHandle, echo_function: dict[str, str]) -> Echoes:
    return Echoes(sandbox, echo_function["role"])


def test_concurrent_invocations_run_in_environments_of_their_own(
    sandbox: SandboxHandle, echoes: Echoes, tmp_path: Path
):
    shared, reserved = echoes.create("shared", timeout=30), echoes.create("reserved", reserved=1, timeout=30)
    tag, barrier = uuid.uuid4().hex, {"dir": str(tmp_path), "parties": 4}  # none ends before all four began
    for name in (shared, shared, shared, reserved):
        echoes.invoke(name, {"tag": tag, "barrier": barrier})
    records = echoes.records(tag, 4)

    assert len({r["pid"] for r in records}) == 4  # four environments at once: none waited for another
    assert sorted(r["mark"] for r in records) == ["reserved", "shared", "shared", "shared"]  # each its own env
    assert len({r["key"] for r in records}) == 4  # and its own role session
    sandbox.drain()  # all idle again
    echoes.invoke(shared, {"tag": f"warm-{tag}"}, kind="RequestResponse")
    [warm] = echoes.records(f"warm-{tag}", 1)
    assert warm["pid"] in {r["pid"] for r in records if r["mark"] == "shared"}  # an idle environment is reused
    assert warm["invocations"] == 2  # with its module state


def test_reserved_concurrency_throttles_synchronous_calls_and_queues_asynchronous_ones(
    sandbox: SandboxHandle, echoes: Echoes
):
    name, tag = echoes.create("pinned", reserved=1), uuid.uuid4().hex
    for _ in range(3):
        echoes.invoke(name, {"tag": tag, "sleep": 2.0})
    [first] = echoes.records(tag, 1)
    once = boto3.client(  # no SDK retry: botocore retries a 429, and the slot frees within seconds
        "lambda",
        endpoint_url=sandbox.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}),
    )
    with pytest.raises(ClientError) as refused:  # its one execution is busy with the first event
        once.invoke(FunctionName=name, Payload=json.dumps({"tag": "sync"}))
    assert refused.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429

    rest = echoes.records(tag, 2)  # the throttled two were retried, not dropped
    assert {r["pid"] for r in [first, *rest]} == {first["pid"]}  # one environment served all three, in turn
    assert sorted(r["invocations"] for r in [first, *rest]) == [1, 2, 3]


def test_an_invocation_past_its_timeout_is_stopped_with_its_environment(echoes: Echoes):
    name, tag = echoes.create("late"), uuid.uuid4().hex
    echoes.invoke(name, {"tag": tag}, kind="RequestResponse")
    late = echoes.invoke(name, {"tag": tag, "sleep": 10}, kind="RequestResponse")
    echoes.invoke(name, {"tag": tag}, kind="RequestResponse")
    records = echoes.records(tag, 3)
    [timed_out] = [r for r in records if "sleep" in r["event"]]
    [before] = [r for r in records if r is not timed_out and r["pid"] == timed_out["pid"]]
    [after] = [r for r in records if r["pid"] != timed_out["pid"]]

    assert json.loads(late["Payload"].read())["errorMessage"] == "Task timed out after 3.00 seconds"
    assert (before["invocations"], timed_out["invocations"]) == (1, 2)
    assert after["invocations"] == 1  # the timed-out environment is not reused: a new one


def test_an_event_older_than_its_maximum_age_is_given_up_with_its_record(sandbox: SandboxHandle, echoes: Echoes):
    name, tag = echoes.create("aged"), uuid.uuid4().hex
    failures_url, failures_arn = Events(sandbox).queue()
    echoes.awslambda.put_function_event_invoke_config(
        FunctionName=name, MaximumEventAgeInSeconds=60, DestinationConfig={"OnFailure": {"Destination": failures_arn}}
    )
    echoes.invoke(name, {"fail": True, "tag": tag})
    assert len(echoes.records(tag, 1)) == 1
    sandbox.drain()
    sandbox.post("tick", {"seconds": 60})  # the first retry is due, the event is then over a minute old

    [failure] = Events(sandbox).receive(failures_url, timeout=15)
    assert failure["body"]["requestContext"]["condition"] == "EventAgeExceeded"
    assert failure["body"]["requestContext"]["approximateInvokeCount"] == 1


def test_one_event_delivered_to_three_environments_at_once_is_corrected_once(plane_env: SandboxHandle):
    """EventBridge delivers the event twice more while the first is being handled: the three deliveries would each
    read the job before any corrects it (the barrier holds each GetJob's answer until three ran, for up to 5 s),
    each in an environment of its own. The enforcer handles an event once, not once per environment."""
    pid = str(uuid.uuid4())
    provisioned_project(plane_env, pid)
    name = f"project-{pid}-job-twice"
    events = Events(plane_env)
    created = events.capture(
        {"source": ["aws.glue"], "detail": {"eventName": ["CreateJob"], "requestParameters": {"name": [name]}}}
    )
    updates = events.capture(
        {"source": ["aws.glue"], "detail": {"eventName": ["UpdateJob"], "requestParameters": {"jobName": [name]}}}
    )
    plane_env.post(
        "faults", {"service": "glue", "operation": "GetJob", "bodyContains": name, "barrier": 3, "waitSeconds": 5}
    )
    glue = plane_env.client("glue", plane_env.assume("ml-scientist", "frank"))
    glue.create_job(Name=name, **noncompliant_job(pid))
    try:
        [event] = events.receive(created)
        for _ in range(2):  # EventBridge delivers it again while the first is being handled
            plane_env.post("replay", event["body"])
        plane_env.drain()
    finally:
        plane_env.post("faults", {"clear": True})

    # three invocations: one handled it, two found it in progress in another environment (they overlapped it)
    envelope = event["body"]["id"]
    assert len(poll(lambda: enforcer_log(plane_env, envelope, "enforced"), timeout=10)) == 1
    assert len(enforcer_log(plane_env, envelope, "delivery in progress elsewhere")) == 2
    assert len(events.receive(updates, count=3, timeout=2.0)) == 1
    assert [d.outcome for d in DecisionLog().list(pid)] == ["remediated"]
    assert glue.get_job(JobName=name)["Job"]["NumberOfWorkers"] == 50
