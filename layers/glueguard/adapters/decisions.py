"""The decisions table (DynamoDB): one record per event and resource, written once.

The audit payloads (violations, actions, state before and after, figures) are never queried by
attribute, so each is stored as one JSON string: a flat item is cheap to serialize on both ends,
where nested maps of whole definitions cost more than the call that records them.
"""

from __future__ import annotations

import json
from typing import Any

from glueguard.adapters.dynamo import NamedTable, from_item, to_item
from glueguard.models.decision import Decision

#: Decision fields stored as JSON strings.
PAYLOADS = ("violations", "actions", "before", "after", "figures")


def _to_item(decision: Decision) -> dict[str, Any]:
    record = decision.model_dump(mode="json")
    payloads = {k: json.dumps(record.pop(k), separators=(",", ":"), default=str) for k in PAYLOADS}
    return {**to_item(record), **payloads, "decision_id": decision.decision_id}


def from_stream_image(image: dict[str, Any]) -> Decision:
    """A decision from a DynamoDB stream record's NewImage (typed attribute values)."""
    from boto3.dynamodb.types import TypeDeserializer

    deserialize = TypeDeserializer().deserialize
    return _from_item({key: deserialize(value) for key, value in image.items()})


def _from_item(item: dict[str, Any]) -> Decision:
    record = from_item(item)
    for key in PAYLOADS:
        if isinstance(record.get(key), str):  # records written before payloads were strings are maps
            record[key] = json.loads(record[key])
    return Decision.model_validate(record)


class DecisionLog(NamedTable):
    environment = "GLUEGUARD_DECISIONS_TABLE"

    def record(self, decision: Decision) -> bool:
        """Write the decision unless one exists for the same event and resource; True if written."""
        from botocore.exceptions import ClientError

        from glueguard.adapters.clients import acting_account

        if decision.account is None:
            decision = decision.model_copy(update={"account": acting_account()})
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
        decisions = [_from_item(item) for item in items]
        return sorted(decisions, key=lambda d: d.created_at)
