"""Lambda's concurrency, as the Lambda developer guide documents it ("Understanding Lambda function scaling",
"Configuring reserved concurrency for a function"): each in-flight invocation holds one execution environment;
a function with reserved concurrency runs at most that many at once and no other function can use them; the
others share the account's limit (1000 by default, per Region) less every reservation. An invocation beyond
its limit is throttled (429). An idle environment is reused by the next invocation (a warm start); when every
environment is busy a new one is created (a cold start); one left idle for `settings.idle_seconds` is stopped.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass
class Settings:
    #: concurrent executions per account and Region (`glueguard sandbox up --account-concurrency N`)
    account_concurrency: int = 1000
    #: real seconds an idle execution environment is kept for the next invocation (Lambda keeps them minutes;
    #: each is a process here, ~20-60 MB of its own)
    idle_seconds: float = 60.0


settings = Settings()


class Throttled(Exception):
    """No concurrency left for the function: Lambda answers 429 TooManyRequestsException with this reason."""

    def __init__(self, reason: str, function_name: str) -> None:
        super().__init__(f"Rate Exceeded. ({reason}: {function_name})")
        self.reason = reason


class Environment(Protocol):
    """What the slots keep of an execution environment."""

    last_used: float
    expires: float

    def stop(self) -> None: ...


def reserved(fn: Any) -> int | None:
    value = getattr(fn, "reserved_concurrency", None)
    return None if value in (None, "") else int(value)


def _unreserved_limit(fn: Any) -> int:
    from moto.awslambda.models import lambda_backends

    functions = lambda_backends[fn.account_id][fn.region]._lambdas.all()
    return settings.account_concurrency - sum(reserved(f) or 0 for f in functions)


class Slots:
    """In-flight invocations per function and per account's unreserved pool, and the idle environments."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy: Counter[tuple[str, str, str]] = Counter()  # (account, region, function)
        self._unreserved: Counter[tuple[str, str]] = Counter()  # (account, region)
        self._idle: dict[Any, list[Environment]] = {}

    def acquire(self, fn: Any, key: Any) -> Environment | None:
        """Take a slot for one invocation of `fn`: a warm environment of `key`, or None (create one: a cold
        start). Raises Throttled when the function or the account has no concurrency left."""
        limit = reserved(fn)
        pool = (fn.account_id, fn.region)
        with self._lock:
            if limit is not None:
                if self._busy[(*pool, fn.function_name)] >= limit:
                    raise Throttled("ReservedFunctionConcurrentInvocationLimitExceeded", fn.function_name)
            elif self._unreserved[pool] >= _unreserved_limit(fn):
                raise Throttled("ConcurrentInvocationLimitExceeded", fn.function_name)
            self._busy[(*pool, fn.function_name)] += 1
            if limit is None:
                self._unreserved[pool] += 1
            return self._take_idle(key)

    def release(self, fn: Any, key: Any, environment: Environment | None) -> None:
        """Give the slot back; `environment` (None when it is gone) waits for the next invocation."""
        pool = (fn.account_id, fn.region)
        with self._lock:
            self._busy[(*pool, fn.function_name)] -= 1
            if reserved(fn) is None:
                self._unreserved[pool] -= 1
            if environment is not None:
                environment.last_used = time.monotonic()
                self._idle.setdefault(key, []).append(environment)
        self.reap()

    def reap(self) -> None:
        """Stop the environments idle for longer than `settings.idle_seconds` (the sandbox's ticker calls it)."""
        with self._lock:
            stale = self._stale()
        for old in stale:
            old.stop()

    def in_flight(self, fn: Any) -> int:
        with self._lock:
            return self._busy[(fn.account_id, fn.region, fn.function_name)]

    def clear(self) -> list[Environment]:
        """Forget every idle environment; return them (to be stopped)."""
        with self._lock:
            idle = [e for environments in self._idle.values() for e in environments]
            self._idle.clear()
            return idle

    def _take_idle(self, key: Any) -> Environment | None:
        environments = self._idle.get(key, [])
        while environments:
            environment = environments.pop()  # the most recently used: the warmest
            if environment.expires > time.time():  # its role session still valid on the sandbox clock
                return environment
            environment.stop()
        return None

    def _stale(self) -> list[Environment]:
        cutoff = time.monotonic() - settings.idle_seconds
        stale: list[Environment] = []
        for key, environments in list(self._idle.items()):
            stale += [e for e in environments if e.last_used < cutoff]
            self._idle[key] = [e for e in environments if e.last_used >= cutoff]
        return stale
