"""Notifications off the event path: the decisions table's stream feeds the notifier, which publishes each
new decision once with the same message attributes; the enforcer itself makes no SNS call."""

from __future__ import annotations

import json

import boto3
from glueguard.adapters.calls import counting_calls
from glueguard.handlers import notifier
from glueguard.handlers.enforcer import handler

from tests.support.events import load
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


def test_a_failed_publish_is_retried_from_that_record_and_the_ones_before_it_are_not_sent_again(
    aws, project, monkeypatch
):
    url = _subscribed_queue(aws["GLUEGUARD_TOPIC_ARN"])
    glue = boto3.client("glue")
    names = [f"{JOB}-{i}" for i in range(3)]
    for name in names:
        glue.create_job(Name=name, **BAD_JOB)
        event = load("enforcer/create_job_noncompliant.json")
        event["id"] = event["detail"]["eventID"] = f"evt-{name}"
        event["detail"]["requestParameters"]["name"] = name
        handler(event, LambdaContext())

    real, calls = notifier.notifier().decision, []

    def flaky(decision):
        calls.append(decision.resource_name)
        if len(calls) == 2:
            raise RuntimeError("SNS is throttling")
        real(decision)

    monkeypatch.setattr(notifier.notifier(), "decision", flaky)
    answer, _ = deliver_decision_stream()
    [failed] = answer["batchItemFailures"]
    assert [m["Subject"].rsplit(" ", 1)[-1] for m in _messages(url)] == [calls[0]]

    # Lambda retries from the reported record: the one before it is not in the retried batch.
    stream_records = _stream_sequence_numbers()
    retry_from = stream_records.index(failed["itemIdentifier"])
    answer, _ = deliver_decision_stream(stream_records[retry_from - 1])
    assert answer == {"batchItemFailures": []}
    sent = [m["Subject"].rsplit(" ", 1)[-1] for m in _messages(url)]
    assert sorted([calls[0], *sent]) == sorted(names)  # each decision exactly once


def _stream_sequence_numbers() -> list[str]:
    return [r["dynamodb"]["SequenceNumber"] for r in decision_stream_records()]
