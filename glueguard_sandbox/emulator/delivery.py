"""Asynchronous delivery, as EventBridge and Lambda's async invocation do it: queued, retried, dead-lettered.

One worker thread runs due jobs in order. Retry delays are AWS's, compressed by `settings.time_scale`
(default: 1 s of AWS back-off = 0.01 s here) so that a retry policy plays out in seconds.
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class Settings:
    #: Real seconds per simulated AWS second for retry back-off.
    time_scale: float = 0.01


settings = Settings()


class Worker:
    """A single background thread running scheduled callables (started lazily)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._counter = itertools.count()
        self._cv = threading.Condition()
        self._thread: threading.Thread | None = None
        self._busy = 0

    def schedule(self, job: Callable[[], None], delay: float = 0.0) -> None:
        with self._cv:
            heapq.heappush(self._heap, (time.monotonic() + delay, next(self._counter), job))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="glueguard-delivery", daemon=True)
                self._thread.start()
            self._cv.notify()

    def idle(self) -> bool:
        with self._cv:
            return not self._heap and not self._busy

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until nothing is queued or running (tests, the demo)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.idle():
                return True
            time.sleep(0.01)
        return False

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._heap or self._heap[0][0] > time.monotonic():
                    self._cv.wait(timeout=(self._heap[0][0] - time.monotonic()) if self._heap else None)
                _, _, job = heapq.heappop(self._heap)
                self._busy += 1
            try:
                job()
            except Exception:
                log.exception("delivery job failed")
            finally:
                with self._cv:
                    self._busy -= 1


worker = Worker()


def iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# ------------------------------------------------------------------------------- destinations
def send_to_arn(arn: str, body: Any, attributes: dict[str, str] | None = None) -> None:
    """Deliver `body` to an SQS queue, SNS topic, Lambda function or event bus named by ARN."""
    from moto.utilities.arns import parse_arn

    parsed = parse_arn(arn)
    text = body if isinstance(body, str) else json.dumps(body, default=str)
    if parsed.service == "sqs":
        from moto.sqs.models import sqs_backends

        attrs = {k: {"DataType": "String", "StringValue": v} for k, v in (attributes or {}).items()}
        sqs_backends[parsed.account][parsed.region].send_message(
            queue_name=parsed.resource_id, message_body=text, message_attributes=attrs
        )
    elif parsed.service == "sns":
        from moto.sns.models import sns_backends

        sns_backends[parsed.account][parsed.region].publish(text, arn=arn)
    elif parsed.service == "lambda":
        invoke_function_async(arn, json.loads(text))
    elif parsed.service == "events":
        from moto.events.models import events_backends

        events_backends[parsed.account][parsed.region].put_events(
            [
                {
                    "Source": "lambda",
                    "DetailType": "Lambda Function Invocation Result",
                    "Detail": text,
                    "EventBusName": arn,
                }
            ]
        )
    else:
        raise ValueError(f"unsupported destination {arn}")


# ------------------------------------------------------------------------------- Lambda async invocation
def _function(arn_or_name: str, account: str | None = None, region: str | None = None) -> Any:
    from moto.awslambda.models import lambda_backends
    from moto.utilities.arns import parse_arn

    if arn_or_name.startswith("arn:"):
        parsed = parse_arn(arn_or_name)
        account, region = parsed.account, parsed.region
        name = parsed.resource_id.split(":")[0]
    else:
        name = arn_or_name
    assert account and region
    return lambda_backends[account][region].get_function(name)


def invoke_function_async(arn: str, event: Any) -> None:
    """Accept an asynchronous invocation (raises if the function does not exist, like the Invoke API)."""
    fn = _function(arn)
    queue_function_event(fn, event)


def queue_function_event(fn: Any, event: Any) -> None:
    request_id = str(uuid.uuid4())
    accepted = time.monotonic()
    worker.schedule(lambda: _attempt(fn, event, request_id, 1, accepted))


def _invoke_config(fn: Any) -> dict[str, Any]:
    return fn.event_invoke_config[0].config if getattr(fn, "event_invoke_config", None) else {}


def _attempt(fn: Any, event: Any, request_id: str, attempt: int, accepted: float) -> None:
    payload, errored, _ = fn._invoke_lambda(event=event)
    config = _invoke_config(fn)
    destinations = config.get("DestinationConfig", {})
    if not errored:
        success = destinations.get("OnSuccess", {}).get("Destination")
        if success:
            send_to_arn(success, _record(fn, event, request_id, attempt, "Success", payload, errored))
        return
    retries = int(config.get("MaximumRetryAttempts", 2))
    max_age = float(config.get("MaximumEventAgeInSeconds", 21600))
    age = (time.monotonic() - accepted) / settings.time_scale
    if attempt <= retries and age < max_age:
        delay = 60.0 * attempt  # Lambda waits 1 minute, then 2 minutes
        worker.schedule(lambda: _attempt(fn, event, request_id, attempt + 1, accepted), delay * settings.time_scale)
        return
    condition = "RetriesExhausted" if attempt > retries else "EventAgeExceeded"
    failure = destinations.get("OnFailure", {}).get("Destination")
    if failure:
        send_to_arn(failure, _record(fn, event, request_id, attempt, condition, payload, errored))
    dlq = (getattr(fn, "dead_letter_config", None) or {}).get("TargetArn")
    if dlq:
        error = json.loads(payload) if payload else {}
        send_to_arn(
            dlq,
            event,
            {"RequestID": request_id, "ErrorCode": "200", "ErrorMessage": str(error.get("errorMessage", ""))},
        )
    log.warning("async invocation of %s failed after %d attempts", fn.function_name, attempt)


def _record(fn: Any, event: Any, request_id: str, attempts: int, condition: str, payload: str, errored: bool) -> dict:
    """Lambda's invocation record, as destinations receive it."""
    try:
        response = json.loads(payload) if payload else None
    except ValueError:
        response = payload
    context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
    if errored:
        context["functionError"] = "Unhandled"
    return {
        "version": "1.0",
        "timestamp": iso_now(),
        "requestContext": {
            "requestId": request_id,
            "functionArn": f"{fn.function_arn}:$LATEST",
            "condition": condition,
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": context,
        "responsePayload": response,
    }
