"""Lambda's asynchronous invocation, as the Lambda developer guide documents it ("How Lambda handles errors and
retries with asynchronous invocation", docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html;
"Configuring error handling settings for Lambda asynchronous invocations", invocation-async-configuring.html;
AWS::Lambda::EventInvokeConfig):
- the event is queued (202) and the function invoked from the queue; invocations run side by side, each in an
  execution environment of its own (the sandbox's Lambda runtime);
- a function error is retried MaximumRetryAttempts times (default 2): one minute after the first attempt, two
  minutes after the second;
- a throttled invocation (no concurrency left: a 429) returns to the queue and is tried again 1 s later, the
  interval doubling up to 5 minutes, while the event is younger than MaximumEventAgeInSeconds (default 6 h);
  throttles are not retry attempts;
- an event that fails every attempt (RetriesExhausted) or outlives its maximum age (EventAgeExceeded) goes,
  as an invocation record, to the on-failure destination, and as itself to the function's dead-letter queue;
  a success goes to the on-success destination.
Delays and ages are on the sandbox's clock: `sandbox tick --seconds 60` brings the first retry (`drain()` does
not wait for a function error's retries; it waits for a throttled event's).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

from glueguard_sandbox.emulator.delivery import iso_now, send_to_arn, worker

log = logging.getLogger(__name__)

RETRY_DELAYS = (60.0, 120.0)  # after the first attempt, after the second
THROTTLE_FIRST, THROTTLE_MAX = 1.0, 300.0
DEFAULT_RETRIES, DEFAULT_MAX_AGE = 2, 21600.0


@dataclass
class Pending:
    """An event in a function's queue for asynchronous invocation."""

    fn: Any
    event: Any
    request_id: str
    accepted: float  # sandbox clock
    attempts: int = 0  # invocations that ran
    throttles: int = 0
    payload: str | None = None  # the last attempt's answer


def _function(arn: str) -> Any:
    from moto.awslambda.models import lambda_backends
    from moto.utilities.arns import parse_arn

    parsed = parse_arn(arn)
    return lambda_backends[parsed.account][parsed.region].get_function(parsed.resource_id.split(":")[0])


def invoke_function_async(arn: str, event: Any) -> None:
    """Accept an asynchronous invocation (raises if the function does not exist, like the Invoke API)."""
    accept(_function(arn), event)


def accept(fn: Any, event: Any) -> None:
    pending = Pending(fn, event, str(uuid.uuid4()), time.time())
    worker.schedule(lambda: attempt(pending), concurrent=True)


def _config(fn: Any) -> dict[str, Any]:
    return fn.event_invoke_config[0].config if getattr(fn, "event_invoke_config", None) else {}


def _throttled(exc: Exception) -> bool:
    return getattr(exc, "code", None) == 429  # the Invoke API's TooManyRequestsException


def attempt(pending: Pending) -> None:
    """One delivery from the queue: invoke, or retry, or give the event up."""
    config = _config(pending.fn)
    if time.time() - pending.accepted > float(config.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE)):
        return _give_up(pending, config, "EventAgeExceeded")
    try:
        payload, errored, _ = pending.fn._invoke_lambda(event=pending.event)
    except Exception as exc:
        if not _throttled(exc):
            raise
        pending.throttles += 1
        delay = min(THROTTLE_FIRST * 2 ** (pending.throttles - 1), THROTTLE_MAX)
        worker.schedule(lambda: attempt(pending), delay, concurrent=True)
        return None
    pending.attempts += 1
    pending.payload = payload
    if not errored:
        success = config.get("DestinationConfig", {}).get("OnSuccess", {}).get("Destination")
        if success:
            send_to_arn(success, _record(pending, "Success", errored=False))
        return None
    if pending.attempts <= int(config.get("MaximumRetryAttempts", DEFAULT_RETRIES)):
        delay = RETRY_DELAYS[min(pending.attempts, len(RETRY_DELAYS)) - 1]
        worker.schedule(lambda: attempt(pending), delay, concurrent=True, on_clock=True)
        return None
    return _give_up(pending, config, "RetriesExhausted")


def _give_up(pending: Pending, config: dict[str, Any], condition: str) -> None:
    log.warning(
        "async invocation of %s given up (%s, %d attempts)", pending.fn.function_name, condition, pending.attempts
    )
    failure = config.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
    if failure:
        send_to_arn(failure, _record(pending, condition, errored=pending.payload is not None))
    dlq = (getattr(pending.fn, "dead_letter_config", None) or {}).get("TargetArn")
    if dlq:
        error = _answer(pending.payload) or {}
        message = str(error.get("errorMessage", condition)) if isinstance(error, dict) else condition
        send_to_arn(dlq, pending.event, {"RequestID": pending.request_id, "ErrorCode": "200", "ErrorMessage": message})


def _answer(payload: str | None) -> Any:
    try:
        return json.loads(payload) if payload else None
    except ValueError:
        return payload


def _record(pending: Pending, condition: str, errored: bool) -> dict[str, Any]:
    """Lambda's invocation record, as destinations receive it."""
    context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if errored:
        context["functionError"] = "Unhandled"
    return {
        "version": "1.0",
        "timestamp": iso_now(),
        "requestContext": {
            "requestId": pending.request_id,
            "functionArn": f"{pending.fn.function_arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": pending.attempts,
        },
        "requestPayload": pending.event,
        "responseContext": context,
        "responsePayload": _answer(pending.payload),
    }
