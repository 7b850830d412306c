"""Side-by-side timing helpers: interleaved repetitions, and where a handler's time goes."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def interleaved(
    sides: dict[str, tuple[Callable[[], Any], Callable[[], Any]]], repetitions: int
) -> dict[str, list[float]]:
    """Time each side's `run` `repetitions` times, after its untimed `prepare`, rotating the order
    every repetition so drift in the machine's load falls on every side alike."""
    samples: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for i in range(repetitions):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            prepare, run = sides[name]
            prepare()
            samples[name].append(timed(run))
    return samples


@contextmanager
def aws_call_times() -> Iterator[dict[str, list[float]]]:
    """Within the block, the wall time of every botocore API call, by "Service.Operation"."""
    import botocore.client

    times: dict[str, list[float]] = defaultdict(list)
    original = botocore.client.BaseClient._make_api_call

    def measured(self: Any, operation: str, params: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return original(self, operation, params)
        finally:
            times[f"{self.meta.service_model.service_id}.{operation}"].append(time.perf_counter() - started)

    botocore.client.BaseClient._make_api_call = measured  # type: ignore[method-assign]
    try:
        yield times
    finally:
        botocore.client.BaseClient._make_api_call = original  # type: ignore[method-assign]
