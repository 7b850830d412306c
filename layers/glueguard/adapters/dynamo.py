"""DynamoDB helpers shared by the table adapters: JSON-safe items and a Table with our retry config."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from decimal import Decimal
from functools import cached_property
from typing import Any, ClassVar

from glueguard.adapters.clients import plane_resource


def table(name: str) -> Any:
    """A boto3 Table of the plane's one DynamoDB resource (its session, configuration and call counting)."""
    return plane_resource("dynamodb").Table(name)


def to_item(value: Any) -> Any:
    """A JSON-compatible value as DynamoDB wants it (floats as Decimal)."""
    return json.loads(json.dumps(value, default=str), parse_float=Decimal)


def from_item(value: Any) -> Any:
    """A DynamoDB value back to plain Python (Decimal as int or float)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: from_item(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_item(v) for v in value]
    return value


class NamedTable:
    """Base of an adapter over one of the stack's tables: named by the `environment` variable unless given."""

    environment: ClassVar[str]

    def __init__(self, table_name: str | None = None) -> None:
        self.table_name = table_name or os.environ[self.environment]

    @cached_property
    def _table(self) -> Any:
        return table(self.table_name)

    @property
    def _client(self) -> Any:
        return self._table.meta.client

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every item a Query returns, page after page (raw DynamoDB values)."""
        while True:
            page = self._table.query(**kwargs)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
