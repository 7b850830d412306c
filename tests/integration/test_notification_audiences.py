"""Issue 12, item 8: the plane-wide topic carried every project's decisions (violations, principals, resources) to
every subscriber. A decision's detail now goes to its own project's topic; the plane topic gets only a summary of
critical and platform (unowned) decisions."""

from __future__ import annotations

import json
from collections import Counter

import boto3
import pytest
from botocore.exceptions import ClientError
from glueguard.adapters.clients import client
from glueguard.adapters.notify import Notifier
from glueguard.adapters.registry import Registry
from glueguard.models.decision import ORGANIZATION, UNOWNED, Decision
from glueguard.models.project import Project, ProjectResources

from tests.support.faults import inject

A, B = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"


def _queue(topic_arn: str, name: str) -> str:
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    return url


def _bodies(url: str) -> list[dict]:
    messages = boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def _register(project_id: str, topic_arn: str | None = None) -> None:
    resources = ProjectResources(notifications_topic_arn=topic_arn)
    Registry().create(Project(project_id=project_id, owner="team", cost_center="cc-1", resources=resources))


def _decision(project: str, severity: str, name: str) -> Decision:
    violation = {"rule": "job-workers-cap", "severity": severity, "message": f"secret detail of {name}"}
    return Decision(
        project_id=project,
        event_id=f"e-{name}",
        resource_kind="job",
        resource_name=name,
        principal="arn:aws:sts::123456789012:assumed-role/team/alice",
        outcome="remediated",
        severity=severity,
        violations=[violation],
    )


def test_each_project_reads_its_own_detail_and_the_plane_topic_only_summaries(aws):
    sns = boto3.client("sns")
    plane = _queue(aws["GLUEGUARD_TOPIC_ARN"], "plane")
    topics = {p: sns.create_topic(Name=f"project-{p}-notifications")["TopicArn"] for p in (A, B)}
    queues = {p: _queue(arn, f"team-{p[:8]}") for p, arn in topics.items()}
    for p, arn in topics.items():
        _register(p, arn)
    notifier = Notifier()

    notifier.decision(_decision(A, "high", "a-high"))
    notifier.decision(_decision(B, "critical", "b-critical"))
    notifier.decision(_decision(UNOWNED, "high", "nobodys"))

    assert [m["resource_name"] for m in _bodies(queues[A])] == ["a-high"]
    assert [m["resource_name"] for m in _bodies(queues[B])] == ["b-critical"]
    summaries = _bodies(plane)
    assert sorted(m["resource_name"] for m in summaries) == ["b-critical", "nobodys"]
    for summary in summaries:  # no team's detail on the shared topic
        assert "violations" not in summary and "principal" not in summary and summary["rules"] == ["job-workers-cap"]


def test_a_project_without_a_topic_is_told_nothing_and_the_platform_still_is(aws):
    """SNS answers NotFound for a project topic that does not exist (deprovisioned, never made): the only failure
    swallowed; the critical decision's summary still reaches the plane topic."""
    plane = _queue(aws["GLUEGUARD_TOPIC_ARN"], "plane")
    sns = boto3.client("sns")
    assert not [t for t in sns.list_topics()["Topics"] if A in t["TopicArn"]]
    _register(A)

    Notifier().decision(_decision(A, "critical", "no-topic"))
    Notifier().decision(_decision(B, "critical", "unregistered"))  # no project: no project topic is published to

    assert [m["resource_name"] for m in _bodies(plane)] == ["no-topic", "unregistered"]


@pytest.mark.parametrize(
    ("status", "code"),
    [(400, "KMSThrottling"), (403, "AuthorizationError"), (400, "KMSAccessDenied")],
)
def test_any_other_publish_failure_is_raised_for_the_stream_to_retry(aws, status, code):
    """Throttling, a key or a policy that refuses the plane: the project's team would never hear of the decision
    if this were swallowed; it is raised (the notifier reports the record in batchItemFailures)."""
    plane = _queue(aws["GLUEGUARD_TOPIC_ARN"], "plane")
    topic = boto3.client("sns").create_topic(Name=f"project-{A}-notifications")["TopicArn"]
    team = _queue(topic, "team")
    _register(A, topic)
    sns = client("sns")

    with (
        inject(sns, lambda op: (status, code) if op == "Publish" else None) as injected,
        pytest.raises(ClientError) as raised,
    ):
        Notifier().decision(_decision(A, "critical", "refused"))

    assert raised.value.response["Error"]["Code"] == code
    assert injected == Counter({"Publish": 1})  # the project's publish failed; nothing was sent after it
    assert _bodies(team) == [] and _bodies(plane) == []


def test_the_project_topic_is_the_registrys_not_one_named_after_the_project(aws):
    """Issue 24 item 7: the detail goes to the topic the registry holds; a topic merely named
    `project-<id>-notifications` (anyone able to create topics can make one) receives nothing."""
    sns = boto3.client("sns")
    registered = sns.create_topic(Name=f"team-a-{A[:8]}")["TopicArn"]
    lookalike = _queue(sns.create_topic(Name=f"project-{A}-notifications")["TopicArn"], "lookalike-a")
    team = _queue(registered, "team-a")
    _register(A, registered)

    Notifier().decision(_decision(A, "high", "a-high"))

    assert [m["resource_name"] for m in _bodies(team)] == ["a-high"]
    assert _bodies(lookalike) == []


def test_an_organization_finding_goes_to_the_platform_only(aws):
    """The heartbeat's member-account decisions (project id `organization`) are no project's: the plane topic gets
    them, and no `project-organization-notifications` topic is published to (the heartbeat may not, under IAM)."""
    sns = boto3.client("sns")
    plane = _queue(aws["GLUEGUARD_TOPIC_ARN"], "plane")
    lookalike = _queue(sns.create_topic(Name=f"project-{ORGANIZATION}-notifications")["TopicArn"], "lookalike")

    Notifier().decision(_decision(ORGANIZATION, "critical", "210987654321"))

    assert [m["resource_name"] for m in _bodies(plane)] == ["210987654321"]
    assert _bodies(lookalike) == []
