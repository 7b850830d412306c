"""A test function: records what it received (and whether to fail) in the sandbox's SQS queue named by
its RECORD_QUEUE_URL environment variable, with its execution environment (process id, the invocations it
served, its MARK variable); sleeps, waits at a barrier and raises when the event asks it to.

A barrier (`{"barrier": {"dir": D, "parties": N}}`) holds each invocation until N invocations have arrived in D
(or 20 s have passed): none can end, so none can lend its environment to another, whatever the machine's load."""

import json
import os
import time

import boto3

INVOCATIONS = 0  # module state: one count per execution environment


def handler(event, context):
    global INVOCATIONS
    INVOCATIONS += 1
    record = {
        "event": event,
        "function": context.function_name,
        "key": os.environ.get("AWS_ACCESS_KEY_ID", ""),
        "pid": os.getpid(),
        "invocations": INVOCATIONS,
        "mark": os.environ.get("MARK", ""),
    }
    boto3.client("sqs").send_message(QueueUrl=os.environ["RECORD_QUEUE_URL"], MessageBody=json.dumps(record))
    if isinstance(event, dict):
        _barrier(event.get("barrier"))
        time.sleep(float(event.get("sleep", 0)))
        if event.get("fail"):
            raise RuntimeError("asked to fail")
    return {"ok": True}


def _barrier(barrier):
    if not barrier:
        return
    folder = barrier["dir"]
    open(os.path.join(folder, f"{os.getpid()}-{INVOCATIONS}"), "w").close()
    deadline = time.monotonic() + 20
    while len(os.listdir(folder)) < barrier["parties"] and time.monotonic() < deadline:
        time.sleep(0.05)
