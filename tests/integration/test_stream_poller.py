"""Lambda's DynamoDB stream poller in the sandbox (emulator/dynamodbstreams): a throttled invocation (Lambda's 429,
the function not run) is retried without spending MaximumRetryAttempts, as "Before invocation" in the Lambda
developer guide's "Retain discarded records for a DynamoDB event source" says; a function error spends them."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest
from moto.awslambda.models import LambdaFunction

from glueguard_sandbox import concurrency
from glueguard_sandbox.emulator import delivery
from glueguard_sandbox.lambda_runtime import TooManyRequestsException


@pytest.fixture
def mapped(aws: dict[str, str]) -> dict[str, Any]:
    """A table whose stream feeds function `fn` (no retry: MaximumRetryAttempts 0), failures to a queue."""
    dynamodb, sqs, awslambda = boto3.client("dynamodb"), boto3.client("sqs"), boto3.client("lambda")
    table = dynamodb.create_table(
        TableName="streamed",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    failures = sqs.create_queue(QueueName="stream-failures")["QueueUrl"]
    failures_arn = sqs.get_queue_attributes(QueueUrl=failures, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    trust = {
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    }
    role = boto3.client("iam").create_role(RoleName="streamed-fn", AssumeRolePolicyDocument=json.dumps(trust))["Role"][
        "Arn"
    ]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {}\n")
    awslambda.create_function(
        FunctionName="fn", Runtime="python3.13", Role=role, Handler="app.handler", Code={"ZipFile": code.getvalue()}
    )
    awslambda.create_event_source_mapping(
        EventSourceArn=table["LatestStreamArn"],
        FunctionName="fn",
        StartingPosition="TRIM_HORIZON",
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}},
    )
    return {"failures": failures}


def _invocations(monkeypatch: pytest.MonkeyPatch, outcomes: list[str]) -> list[list[str]]:
    """Each invocation's record keys; the function answers `outcomes` in turn ("throttled", "error", then "ok")."""
    seen: list[list[str]] = []

    def invoke(self: Any, event: Any = None) -> tuple[str, bool, str]:
        seen.append([r["dynamodb"]["Keys"]["pk"]["S"] for r in event["Records"]])
        outcome = outcomes.pop(0) if outcomes else "ok"
        if outcome == "throttled":
            raise TooManyRequestsException(concurrency.Throttled("ConcurrentInvocationLimitExceeded", "fn"))
        return ("{}", outcome == "error", "")

    monkeypatch.setattr(LambdaFunction, "_invoke_lambda", invoke)
    return seen


def _failures(url: str) -> list[Any]:
    return boto3.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])


def test_a_throttled_batch_is_retried_without_spending_its_retry_attempts(mapped, monkeypatch):
    seen = _invocations(monkeypatch, ["throttled", "throttled", "throttled"])
    boto3.client("dynamodb").put_item(TableName="streamed", Item={"pk": {"S": "a"}})
    assert delivery.worker.drain(timeout=10)
    assert seen == [["a"]] * 4  # three throttles, then the one attempt MaximumRetryAttempts 0 allows: it succeeds
    assert _failures(mapped["failures"]) == []


def test_a_function_error_spends_them(mapped, monkeypatch):
    seen = _invocations(monkeypatch, ["error"])
    boto3.client("dynamodb").put_item(TableName="streamed", Item={"pk": {"S": "b"}})
    assert delivery.worker.drain(timeout=10)
    assert seen == [["b"]]  # no retry: MaximumRetryAttempts 0
    [failure] = _failures(mapped["failures"])
    assert json.loads(failure["Body"])["requestContext"]["condition"] == "RetryAttemptsExhausted"
