"""Reliability end to end in the sandbox: the plane's own calls never loop, and an event the enforcer
cannot handle ends in its dead-letter queue with the reason."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from glueguard.adapters.decisions import DecisionLog

from tests.e2e.conftest import SandboxHandle, poll, provisioned_project
from tests.e2e.test_enforcement import _noncompliant
from tests.support.events import load


def _physical_id(sandbox: SandboxHandle, logical_id: str) -> str:
    pages = sandbox.client("cloudformation").get_paginator("list_stack_resources").paginate(StackName="glueguard")
    found = {r["LogicalResourceId"]: r["PhysicalResourceId"] for page in pages for r in page["StackResourceSummaries"]}
    return found[logical_id]


def _invocations(sandbox: SandboxHandle, function_name: str) -> int:
    """Invocations of a function so far: the sandbox writes one log stream per invocation, as Lambda does."""
    logs = sandbox.client("logs")
    try:
        pages = logs.get_paginator("describe_log_streams").paginate(logGroupName=f"/aws/lambda/{function_name}")
        return sum(len(page["logStreams"]) for page in pages)
    except logs.exceptions.ResourceNotFoundException:
        return 0


def _enforcer_event_names() -> set[str]:
    """The eventNames the enforcer's EventBridge rules match, from template.yaml (the one wiring source)."""
    from tests.support.stack import template

    rules = template()["Resources"]["EnforcerFunction"]["Properties"]["Events"].values()
    return {n for rule in rules for n in rule["Properties"]["Pattern"].get("detail", {}).get("eventName", [])}


def test_a_correction_settles_the_plane_calls_trigger_no_remediation(plane_env: SandboxHandle, events, machine_load):
    pid = str(uuid.uuid4())
    provisioned_project(plane_env, pid)
    name = f"project-{pid}-job-settle"
    enforcer = _physical_id(plane_env, "EnforcerFunction")
    glue_calls = events.capture({"source": ["aws.glue"], "detail-type": ["AWS API Call via CloudTrail"]})
    plane_env.drain()
    before = _invocations(plane_env, enforcer)

    glue = plane_env.client("glue", plane_env.assume("ml-scientist", "dave"))
    glue.create_job(Name=name, **_noncompliant(pid))
    assert poll(lambda: glue.get_job(JobName=name)["Job"]["NumberOfWorkers"] == 50)
    plane_env.drain()
    settled = _invocations(plane_env, enforcer)
    time.sleep(1.0)  # anything a loop would add arrives well within this (deliveries are immediate)
    plane_env.drain()

    assert _invocations(plane_env, enforcer) == settled  # settled: no further invocations
    seen = [e["body"]["detail"] for e in events.receive(glue_calls, count=50, timeout=2.0)]
    seen = [d for d in seen if name in json.dumps(d.get("requestParameters"))]
    plane = [d for d in seen if "/glueguard/" in json.dumps(d["userIdentity"])]
    scientist = [d for d in seen if d not in plane]
    assert [d["eventName"] for d in scientist] == ["CreateJob"]
    assert "UpdateJob" in {d["eventName"] for d in plane}
    # One invocation per event the enforcer's rule matches: the scientist's call and the plane's own
    # corrections, each of which is skipped, so nothing further follows.
    governed = _enforcer_event_names()
    assert settled - before == len([d for d in seen if d["eventName"] in governed])
    decisions = DecisionLog().list(pid)
    assert [d.outcome for d in decisions] == ["remediated"]


def test_a_correction_is_notified_once_through_the_decisions_stream(plane_env: SandboxHandle, events):
    """The enforcer publishes nothing itself: the decisions table's stream reaches the notifier function,
    which sends one message per decision with the project/severity/kind/outcome/audience attributes."""
    pid = str(uuid.uuid4())
    project = provisioned_project(plane_env, pid)
    name = f"project-{pid}-job-notified"
    url, arn = events.queue()
    topic = project.resources.notifications_topic_arn  # the project's own topic, as provisioning made it
    assert topic == f"arn:aws:sns:us-east-1:123456789012:project-{pid}-notifications"
    plane_env.client("sns").subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    glue = plane_env.client("glue", plane_env.assume("ml-scientist", "erin"))
    glue.create_job(Name=name, **_noncompliant(pid))
    [message] = events.receive(url, count=1, timeout=15.0)
    assert message["body"]["resource_name"] == name and message["body"]["outcome"] == "remediated"
    assert {k: v["StringValue"] for k, v in message["attributes"].items()} == {
        "project": pid,
        "severity": "high",
        "kind": "job",
        "outcome": "remediated",
        "audience": "project",
    }
    plane_env.drain()
    assert events.receive(url, timeout=1.0) == []  # exactly once


def test_an_event_the_enforcer_cannot_handle_lands_in_its_dlq_with_the_reason(plane_env: SandboxHandle):
    sqs = plane_env.client("sqs")
    dlq = _physical_id(plane_env, "EnforcerDeadLetterQueue")
    dlq_url = dlq if dlq.startswith("http") else sqs.get_queue_url(QueueName=dlq.rsplit(":", 1)[-1])["QueueUrl"]
    event = load("enforcer/create_job_noncompliant.json")
    event["id"] = str(uuid.uuid4())
    del event["detail"]["eventID"]

    plane_env.post("replay", event)
    for seconds in (60, 120):  # Lambda's retries: a minute after the first attempt, two after the second
        plane_env.drain()
        plane_env.post("tick", {"seconds": seconds})
    plane_env.drain()

    def failure() -> list[dict[str, Any]]:
        messages = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages", [])
        bodies = [json.loads(m["Body"]) for m in messages]
        return [b for b in bodies if b.get("requestPayload", {}).get("id") == event["id"]]

    [record] = poll(failure, timeout=10.0)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 3  # the first try and Lambda's 2 retries
    assert "invalid event" in record["responsePayload"]["errorMessage"]
    assert "detail.eventID" in record["responsePayload"]["errorMessage"]
