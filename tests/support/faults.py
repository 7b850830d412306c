"""Fault injection at the AWS boundary: botocore `before-send` hooks that answer for AWS.

A hook returning an AWSResponse short-circuits the HTTP send, so botocore (its retries included)
sees exactly what AWS would send back: a throttling error, a 5xx, an access denial. In-process moto
answers through a `before-send` hook of its own, so the failing hook runs first and points the request
away from the emulator: a call that fails never executes.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs

from botocore.awsrequest import AWSResponse

NOWHERE = "https://fault-injected.invalid/"

#: (HTTP status, error code) of the transient failures Glue returns.
TRANSIENT = [(400, "ThrottlingException"), (500, "InternalServiceException"), (503, "ServiceUnavailable")]


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body

    def read(self, *_: Any) -> bytes:
        return self._body


def error_response(url: str, status: int, code: str, message: str, query: bool = False) -> AWSResponse:
    """The error as AWS answers it: a JSON body (JSON protocols: Glue, DynamoDB) or the query protocol's XML
    (SNS, SQS's older form, IAM, STS)."""
    if query:
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            "<RequestId>fault-injected</RequestId></ErrorResponse>"
        ).encode()
        return AWSResponse(url, status, {"Content-Type": "text/xml"}, _Raw(body))
    body = json.dumps({"__type": code, "message": message}).encode()
    headers = {"x-amzn-ErrorType": code, "Content-Type": "application/x-amz-json-1.1"}
    return AWSResponse(url, status, headers, _Raw(body))


def operation_of(request: Any) -> str:
    """The operation a request calls: the X-Amz-Target header (JSON protocols) or the body's Action (query)."""
    target = request.headers.get("X-Amz-Target")
    if target:
        return (target if isinstance(target, str) else target.decode()).rsplit(".", 1)[-1]
    body = request.body if isinstance(request.body, str) else (request.body or b"").decode(errors="replace")
    return parse_qs(body).get("Action", [""])[0]


def _is_query(request: Any) -> bool:
    return not request.headers.get("X-Amz-Target") and "Action=" in str(request.body)


@contextmanager
def inject(client: Any, decide: Callable[[str], tuple[int, str] | None]) -> Iterator[Counter[str]]:
    """While inside, `decide(operation)` may answer a call of `client` with (status, code) instead of AWS.
    Yields a counter of the injected failures per operation."""
    injected: Counter[str] = Counter()

    def before_send(request: Any, **_: Any) -> AWSResponse | None:
        operation = operation_of(request)
        failure = decide(operation)
        if failure is None:
            return None
        injected[operation] += 1
        request.url = NOWHERE  # no emulator URL pattern matches: moto's stubber lets it pass unexecuted
        status, code = failure
        query = _is_query(request)
        return error_response(request.url, status, code, f"injected {code} on {operation}", query=query)

    unique_id = f"glueguard-faults-{id(injected)}"
    client.meta.events.register_first("before-send", before_send, unique_id=unique_id)
    try:
        yield injected
    finally:
        client.meta.events.unregister("before-send", unique_id=unique_id)


def flaky(rate: float, seed: int = 7) -> Callable[[str], tuple[int, str] | None]:
    """Fail a `rate` share of calls, each with a transient error drawn at random (seeded)."""
    rng = random.Random(seed)

    def decide(_operation: str) -> tuple[int, str] | None:
        return rng.choice(TRANSIENT) if rng.random() < rate else None

    return decide


def always(operation: str, status: int, code: str) -> Callable[[str], tuple[int, str] | None]:
    """Fail every call of `operation` with (status, code): a permanent failure."""
    return lambda op: (status, code) if op == operation else None


class WarpClock:
    """botocore's retry clock, running `factor` times faster than the wall clock."""

    def __init__(self, factor: float) -> None:
        import time

        self._time, self.factor = time, factor
        self._origin = time.time()

    def sleep(self, amount: float) -> None:
        self._time.sleep(amount / self.factor)

    def current_time(self) -> float:
        return self._origin + (self._time.time() - self._origin) * self.factor


def warp_retries(monkeypatch: Any, factor: float = 200.0) -> None:
    """Run botocore's retry timing (exponential backoff, the adaptive mode's token bucket and CUBIC
    rate) `factor` times faster. Attempts, modes and every decision stay botocore's own: only time is
    compressed. Call before the clients are built (adaptive mode takes its clock at client creation)."""
    from botocore.retries import bucket, standard

    monkeypatch.setattr(bucket, "Clock", lambda: WarpClock(factor))
    delay = standard.ExponentialBackoff.delay_amount
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, ctx: delay(self, ctx) / factor)
    sleep_amount = bucket.TokenBucket._sleep_amount
    monkeypatch.setattr(bucket.TokenBucket, "_sleep_amount", lambda self, n: sleep_amount(self, n) / factor)


@contextmanager
def barrier(client: Any, operation: str, parties: int, timeout: float = 10.0) -> Iterator[Counter[str]]:
    """Hold the first `parties` calls of `operation` (from any thread) until all of them were sent, then let them
    reach AWS together: whatever each caller read before its call, it read before any of them wrote (a race
    made certain, as the sandbox's fault barrier does across environments). Yields how many were held."""
    import threading

    gate = threading.Barrier(parties, timeout=timeout)
    held: Counter[str] = Counter()
    lock = threading.Lock()

    def before_send(request: Any, **_: Any) -> None:
        if operation_of(request) != operation:
            return
        with lock:
            if held[operation] >= parties:
                return
            held[operation] += 1
        gate.wait()

    unique_id = f"glueguard-barrier-{id(held)}"
    client.meta.events.register_first("before-send", before_send, unique_id=unique_id)
    try:
        yield held
    finally:
        client.meta.events.unregister("before-send", unique_id=unique_id)
