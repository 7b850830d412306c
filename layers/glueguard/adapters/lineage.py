"""The lineage table (DynamoDB): one item per compliant catalog change, keyed (table ARN, `eventTime#eventID`).

A record is written with one PutItem (a redelivered event writes the same item again: idempotent) and read back
for one table, in the order the calls were made.
"""

from __future__ import annotations

from glueguard.adapters.dynamo import NamedTable, from_item
from glueguard.lineage.record import LineageRecord


class LineageLog(NamedTable):
    environment = "GLUEGUARD_LINEAGE_TABLE"

    def record(self, record: LineageRecord) -> None:
        """Store the record (one PutItem; the same event's record overwrites itself)."""
        item = {k: v for k, v in record.model_dump().items() if v is not None}
        self._table.put_item(Item={**item, "entry": record.entry})

    def history(self, table_arn: str) -> list[LineageRecord]:
        """The table's records, oldest first."""
        from boto3.dynamodb.conditions import Key

        items = self._query(KeyConditionExpression=Key("table_arn").eq(table_arn))
        return [LineageRecord.model_validate(from_item(item)) for item in items]
