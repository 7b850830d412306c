"""Asynchronous delivery, as EventBridge and Lambda's async invocation do it: queued, retried, dead-lettered.

Jobs are due on the sandbox's clock (`time.time()`, which `sandbox tick --seconds N` moves on): one worker
thread runs them in order, or starts each on a thread of its own (`concurrent`: Lambda invocations, which run
side by side in their own execution environments). EventBridge's retry back-off (and an event's age) and Lambda's
own retries (`lambda_async.py`) wait their real delays on the sandbox's clock: `sandbox tick --seconds N` brings
them; `drain()` does not wait for them. The stream poller's back-off is compressed by `settings.time_scale`
(default: 1 s of AWS back-off = 0.01 s here).
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class Settings:
    #: Real seconds per simulated AWS second for the DynamoDB stream poller's retry back-off.
    time_scale: float = 0.01


settings = Settings()


class Worker:
    """Background jobs on the sandbox's clock (the thread starts lazily)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, bool, bool, Callable[[], None]]] = []
        self._counter = itertools.count()
        self._cv = threading.Condition()
        self._thread: threading.Thread | None = None
        self._busy = 0
        self._waiting = 0  # queued jobs `drain()` waits for

    def schedule(
        self, job: Callable[[], None], delay: float = 0.0, *, concurrent: bool = False, on_clock: bool = False
    ) -> None:
        """Run `job` once the sandbox's clock is `delay` seconds on; on a thread of its own if `concurrent`.
        `on_clock`: a job that waits for the clock to be moved (Lambda's retries): `drain()` does not wait for it."""
        with self._cv:
            heapq.heappush(self._heap, (time.time() + delay, next(self._counter), concurrent, on_clock, job))
            self._waiting += not on_clock
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="glueguard-delivery", daemon=True)
                self._thread.start()
            self._cv.notify()

    def wake(self) -> None:
        """The sandbox's clock moved on: run what became due."""
        with self._cv:
            self._cv.notify()

    def idle(self) -> bool:
        """Nothing runs and nothing is queued but jobs waiting for the clock."""
        with self._cv:
            return not self._busy and not self._waiting

    def drain(self, timeout: float = 30.0) -> bool:
        """Wait until idle (tests, the demo)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.idle():
                return True
            time.sleep(0.01)
        return False

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._heap or self._heap[0][0] > time.time():
                    wait = min(self._heap[0][0] - time.time(), 1.0) if self._heap else None
                    self._cv.wait(timeout=wait)
                _, _, concurrent, on_clock, job = heapq.heappop(self._heap)
                self._busy += 1
                self._waiting -= not on_clock
            if concurrent:
                threading.Thread(target=self._finish, args=(job,), name="glueguard-invocation", daemon=True).start()
            else:
                self._finish(job)

    def _finish(self, job: Callable[[], None]) -> None:
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
        from glueguard_sandbox.emulator import lambda_async

        lambda_async.invoke_function_async(arn, json.loads(text))
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
