"""A test function: records what it received (and whether to fail) in the sandbox's SQS queue named by
its RECORD_QUEUE_URL environment variable; raises when the event asks it to."""

import json
import os

import boto3


def handler(event, context):
    boto3.client("sqs").send_message(
        QueueUrl=os.environ["RECORD_QUEUE_URL"],
        MessageBody=json.dumps(
            {"event": event, "function": context.function_name, "key": os.environ.get("AWS_ACCESS_KEY_ID", "")}
        ),
    )
    if isinstance(event, dict) and event.get("fail"):
        raise RuntimeError("asked to fail")
    return {"ok": True}
