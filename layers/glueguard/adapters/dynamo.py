"""DynamoDB helpers shared by the table adapters: JSON-safe items and a Table with our retry config."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

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
