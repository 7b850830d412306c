"""The decisions table (DynamoDB): one record per event and resource, written once."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from typing import Any

from glueguard.adapters.clients import client
from glueguard.models.decision import Decision


def _to_item(decision: Decision) -> dict[str, Any]:
    body = json.loads(decision.model_dump_json(), parse_float=Decimal)
    body["decision_id"] = decision.decision_id
    return body


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class DecisionLog:
    def __init__(self, table_name: str | None = None) -> None:
        self.table_name = table_name or os.environ["GLUEGUARD_DECISIONS_TABLE"]

    @property
    def _table(self) -> Any:
        import boto3

        return boto3.resource("dynamodb", config=client("dynamodb").meta.config).Table(self.table_name)

    def record(self, decision: Decision) -> bool:
        """Write the decision unless one exists for the same event and resource; True if written."""
        from botocore.exceptions import ClientError

        try:
            self._table.put_item(
                Item=_to_item(decision),
                ConditionExpression="attribute_not_exists(decision_id)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def list(self, project_id: str | None = None) -> list[Decision]:
        """Decisions, oldest first; of one project when `project_id` is given."""
        from boto3.dynamodb.conditions import Key

        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {}
        if project_id:
            kwargs["KeyConditionExpression"] = Key("project_id").eq(project_id)
        while True:
            page = self._table.query(**kwargs) if project_id else self._table.scan(**kwargs)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        decisions = [Decision.model_validate(_plain(item)) for item in items]
        return sorted(decisions, key=lambda d: d.created_at)
