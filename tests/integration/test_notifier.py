"""Notifications off the event path: the decisions table's stream feeds the notifier, which publishes each
new decision once with the same message attributes; the enforcer itself makes no SNS call."""

from __future__ import annotations

import json
from collections import Counter

import boto3
from glueguard.adapters.calls import counting_calls
from glueguard.adapters.clients import client
from glueguard.adapters.decisions import DecisionLog
from glueguard.handlers.enforcer import handler

from tests.support.events import load
from tests.support.faults import inject
from tests.support.lambda_context import LambdaContext
from tests.support.stack import decision_stream_records, deliver_decision_stream

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
JOB = f"project-{PID}-job-ingest"
BAD_JOB = {
    "Role": "arn:aws:iam::123456789012:role/some-admin-role",
    "Command": {"Name": "glueetl", "ScriptLocation": f"s3://project-{PID}-glue-scripts/ingest.py"},
    "WorkerType": "G.1X",
    "NumberOfWorkers": 80,
}


def _subscribed_queue(_plane_topic: str) -> str:
    """A queue on the project's own topic, where a decision's detail goes (docs/security.md, 8c)."""
    topic_arn = boto3.client("sns").create_topic(Name=f"project-{PID}-notifications")["TopicArn"]
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="notifications")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return url


def _messages(url: str) -> list[dict]:
    sqs, got = boto3.client("sqs"), []
    while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        got += [json.loads(m["Body"]) for m in batch]
        sqs.delete_message_batch(
            QueueUrl=url, Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in batch]
        )
    return got


def test_each_decision_is_notified_once_from_the_stream_and_never_on_the_event_path(aws, project):
    url = _subscribed_queue(aws["GLUEGUARD_TOPIC_ARN"])
    boto3.client("glue").create_job(Name=JOB, **BAD_JOB)
    event = load("enforcer/create_job_noncompliant.json")
    with counting_calls() as calls:
        handler(event, LambdaContext())
    assert "SNS" not in calls
    assert _messages(url) == []  # nothing published yet: the stream has not been read

    answer, last = deliver_decision_stream()
    assert answer == {"batchItemFailures": []}
    [message] = _messages(url)
    assert message["MessageAttributes"] == {
        "project": {"Type": "String", "Value": PID},
        "severity": {"Type": "String", "Value": "high"},
        "kind": {"Type": "String", "Value": "job"},
        "outcome": {"Type": "String", "Value": "remediated"},
        "audience": {"Type": "String", "Value": "project"},
    }
    body = json.loads(message["Message"])
    assert (body["resource_name"], body["outcome"]) == (JOB, "remediated")

    event["id"] = "a-replayed-envelope"  # a duplicate: no new decision, so no new record, no notification
    handler(event, LambdaContext())
    assert deliver_decision_stream(last) == ({"batchItemFailures": []}, last)
    assert _messages(url) == []


def _enforce_three(project_id: str) -> list[str]:
    glue = boto3.client("glue")
    names = [f"{JOB}-{i}" for i in range(3)]
    for name in names:
        glue.create_job(Name=name, **BAD_JOB)
        event = load("enforcer/create_job_noncompliant.json")
        event["id"] = event["detail"]["eventID"] = f"evt-{name}"
        event["detail"]["requestParameters"]["name"] = name
        handler(event, LambdaContext())
    return names


def _subjects(url: str) -> list[str]:
    return [m["Subject"].rsplit(" ", 1)[-1] for m in _messages(url)]


def test_changed_and_removed_decision_items_are_not_notified(aws, project):
    """The stream also carries MODIFY and REMOVE records (a decision item changed or expired): not decisions."""
    url = _subscribed_queue(aws["GLUEGUARD_TOPIC_ARN"])
    names = _enforce_three(PID)
    answer, last = deliver_decision_stream()
    assert answer == {"batchItemFailures": []} and sorted(_subjects(url)) == sorted(names)
    table = boto3.resource("dynamodb").Table(aws["GLUEGUARD_DECISIONS_TABLE"])
    first, second, _ = [d.decision_id for d in DecisionLog().list(PID)]
    table.update_item(
        Key={"project_id": PID, "decision_id": first},
        UpdateExpression="SET reviewed = :yes",
        ExpressionAttributeValues={":yes": True},
    )
    table.delete_item(Key={"project_id": PID, "decision_id": second})

    answer, after = deliver_decision_stream(last)
    assert [r["eventName"] for r in decision_stream_records()][-2:] == ["MODIFY", "REMOVE"]
    assert answer == {"batchItemFailures": []} and after != last
    assert _messages(url) == []


def test_a_failed_publish_is_retried_from_that_record_and_the_ones_before_it_are_not_sent_again(aws, project):
    """SNS refuses the second decision's publish (KMS throttling on the project's key, as AWS answers it): the
    notifier reports that record, Lambda retries from it, and each decision reaches the team exactly once."""
    url = _subscribed_queue(aws["GLUEGUARD_TOPIC_ARN"])
    names = _enforce_three(PID)
    publishes: list[str] = []

    def second_fails(operation: str) -> tuple[int, str] | None:
        if operation != "Publish":
            return None
        publishes.append(operation)
        return (400, "KMSThrottling") if len(publishes) == 2 else None

    with inject(client("sns"), second_fails) as injected:
        answer, _ = deliver_decision_stream()
    [failed] = answer["batchItemFailures"]
    assert injected == Counter({"Publish": 1}) and len(publishes) == 2  # the third record was not attempted
    [sent_first] = _subjects(url)

    # Lambda retries from the reported record: the one before it is not in the retried batch.
    stream_records = _stream_sequence_numbers()
    assert stream_records.index(failed["itemIdentifier"]) == 1
    answer, _ = deliver_decision_stream(stream_records[0])
    assert answer == {"batchItemFailures": []}
    assert sorted([sent_first, *_subjects(url)]) == sorted(names)  # each decision exactly once


def _stream_sequence_numbers() -> list[str]:
    return [r["dynamodb"]["SequenceNumber"] for r in decision_stream_records()]
