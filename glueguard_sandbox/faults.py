"""Fault injection for the sandbox (never part of AWS): make the nth call of an AWS operation fail with an
AWS-shaped error, as an outage or a refused call would. Configured with POST /_glueguard/faults:

    {"service": "kms", "operation": "CreateAlias", "nth": 1, "code": "InjectedFailure"}   # arm one fault
    {"service": "dynamodb", "operation": "UpdateItem", "bodyContains": "<table name>"}   # only matching calls
    {"service": "glue", "operation": "GetJob", "bodyContains": "<job>", "barrier": 2}     # a race, made certain
    {"clear": true}                                                                      # disarm all

GET /_glueguard/faults lists the armed faults with what they saw (`seen`, `arrived`, `fired`): a test holds a
call at a barrier, waits until it `arrived`, then acts in the window (e.g. deletes what the held answer lists).

A barrier runs the first `barrier` matching calls and holds each answer until all of them have run (or
`waitSeconds`, default 5, passed): concurrent callers all read the state before any of them can change it.

Every call that passes through the server counts, the plane's Lambda tasks included (they run in-process but
reach the sandbox over HTTP). Errors are rendered in the operation's protocol (json, query, ec2, rest-xml).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from glueguard_sandbox.cloudtrail import request_call


@dataclass
class Fault:
    service: str
    operation: str
    nth: int = 1
    code: str = "InjectedFailure"
    body_contains: str = ""
    barrier: int = 0  # hold the answers of the first `barrier` calls until they all ran (no error)
    wait_seconds: float = 5.0
    seen: int = 0
    fired: bool = False
    arrived: int = 0


class Faults:
    """The armed faults (thread-safe: the server is threaded)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrivals = threading.Condition()
        self._faults: list[Fault] = []

    def configure(self, spec: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if spec.get("clear"):
                self._faults.clear()
                return {"armed": 0}
            missing = [k for k in ("service", "operation") if not isinstance(spec.get(k), str)]
            if missing:
                raise ValueError(f"a fault needs {missing}")
            nth = int(spec.get("nth", 1))
            if nth < 1:
                raise ValueError("nth counts from 1")
            code = str(spec.get("code") or "InjectedFailure")
            fault = Fault(spec["service"], spec["operation"], nth, code, str(spec.get("bodyContains") or ""))
            fault.barrier = int(spec.get("barrier", 0))
            fault.wait_seconds = float(spec.get("waitSeconds", 5.0))
            self._faults.append(fault)
            return {"armed": len(self._faults)}

    def status(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.__dict__.copy() for f in self._faults]

    def hit(self, service: str, operation: str, body: bytes = b"") -> Fault | None:
        """Count a matching call; the fault it trips, if any (each fault fires once)."""
        with self._lock:
            for fault in self._faults:
                if fault.fired or (fault.service, fault.operation) != (service, operation):
                    continue
                if fault.body_contains and fault.body_contains.encode() not in body:
                    continue
                fault.seen += 1
                if fault.barrier:
                    fault.fired = fault.seen >= fault.barrier
                    return fault
                if fault.seen == fault.nth:
                    fault.fired = True
                    return fault
        return None

    def wait_at(self, fault: Fault) -> None:
        """A barrier: this call ran; wait until every call the barrier holds has run (or its time is up)."""
        with self._arrivals:
            fault.arrived += 1
            self._arrivals.notify_all()
            self._arrivals.wait_for(lambda: fault.arrived >= fault.barrier, timeout=fault.wait_seconds)

    @property
    def armed(self) -> bool:
        return any(not f.fired for f in self._faults)


def error_body(protocol: str, code: str, message: str) -> tuple[str, bytes]:
    """(content type, body) of an AWS error in `protocol`, as botocore parses it."""
    if protocol in ("json", "rest-json"):
        return "application/x-amz-json-1.1", json.dumps({"__type": code, "message": message}).encode()
    message = escape(message)
    if protocol == "ec2":
        xml = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>injected</RequestID></Response>"
    elif protocol == "query":
        xml = f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>injected</RequestId></ErrorResponse>"
    elif protocol == "rest-xml":
        xml = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>injected</RequestId></Error>"
    else:
        raise ValueError(f"cannot render an error in protocol {protocol!r}")
    return "text/xml", xml.encode()


class FaultMiddleware:
    """WSGI middleware answering a call that trips an armed fault with its error instead of running it."""

    def __init__(self, app: Callable[..., Iterable[bytes]], faults: Faults) -> None:
        self.app = app
        self.faults = faults

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not self.faults.armed:
            return self.app(environ, start_response)
        call, body = request_call(environ)
        fault = self.faults.hit(call.service, call.operation.name, body) if call else None
        if fault is None or call is None:
            return self.app(environ, start_response)
        if fault.barrier:
            return self._held(fault, environ, start_response)
        message = f"injected at {fault.service}.{fault.operation} #{fault.nth}"
        content_type, data = error_body(call.protocol, fault.code, message)
        start_response(
            "400 Bad Request",
            [("Content-Type", content_type), ("Content-Length", str(len(data))), ("x-amzn-ErrorType", fault.code)],
        )
        return [data]

    def _held(self, fault: Fault, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Run the call now, answer it once the barrier opens."""
        started: list[Any] = []
        body = b"".join(self.app(environ, lambda *args: started.append(args)))
        self.faults.wait_at(fault)
        start_response(*started[0])
        return [body]
