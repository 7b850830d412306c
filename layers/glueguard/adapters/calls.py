"""Count the AWS calls a piece of work makes, per service, with botocore's event hooks."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def counting_calls(clients: Iterable[Any] | None = None) -> Iterator[Counter[str]]:
    """Within the block, count every API call the given boto3 clients send ("Glue": 12, ...); without
    `clients`, every call any plane client sends (glueguard.adapters.clients), whenever it was built."""
    counts: Counter[str] = Counter()
    if clients is None:
        from glueguard.adapters import clients as plane

        def seen(service: str) -> None:
            counts[service] += 1

        plane.observers.append(seen)
        try:
            yield counts
        finally:
            plane.observers.remove(seen)
        return

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
