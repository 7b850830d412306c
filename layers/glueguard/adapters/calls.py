"""Count the AWS calls a piece of work makes, per service, with botocore's event hooks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def counting_calls(clients: Iterable[Any]) -> Iterator[Counter[str]]:
    """Within the block, count every API call the given boto3 clients send ("Glue": 12, ...)."""
    counts: Counter[str] = Counter()

    def count(model: Any, **_: Any) -> None:
        counts[model.service_model.service_id] += 1

    registered = []
    for client in {id(c): c for c in clients}.values():
        client.meta.events.register("before-call", count, unique_id=f"glueguard-count-{id(counts)}")
        registered.append(client)
    try:
        yield counts
    finally:
        for client in registered:
            client.meta.events.unregister("before-call", unique_id=f"glueguard-count-{id(counts)}")
