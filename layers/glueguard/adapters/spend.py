"""Each project's month-to-date spend (DynamoDB, in the ledger table under partition `spend#<project>`).

Items, keyed (project_id = `spend#<project>`, entry):
- `month#YYYY-MM`: `actual_usd` (what ended work cost), `committed_usd` (expected cost of admitted runs still
  going), `exposure_usd` (= actual + committed; the admission condition reads it), counters `deferred` and
  `refused`, and `warned_<share>` flags so each warning goes out once;
- `charge#YYYY-MM#<kind>#<id>`: one run, session or dev endpoint: `state` committed -> settled (runs) or
  accruing (sessions, dev endpoints, whose cost grows with every sweep), `expected_usd`, `cost_usd`;
- `override`: a platform override (`until`, `reason`, `granted_by`): starts pass the budget until then.

Commit is one transaction, like the DPU ledger's admission: put the charge if new, and
`ADD exposure_usd :e` only if `exposure_usd <= :limit - :e`, so two concurrent starts cannot both pass
and a duplicate event commits nothing. Settling moves a charge from expected to actual exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from glueguard.adapters.dynamo import from_item
from glueguard.adapters.ledger_table import LedgerTable, cancelled, dec

COMMITTED = "committed"
SETTLED = "settled"
ACCRUING = "accruing"


def partition(project_id: str) -> str:
    return f"spend#{project_id}"


@dataclass(frozen=True)
class Month:
    project_id: str
    month: str
    actual_usd: float = 0.0
    committed_usd: float = 0.0
    deferred: int = 0
    refused: int = 0
    warned: frozenset[str] = frozenset()

    @classmethod
    def of(cls, project_id: str, month: str, item: dict[str, Any] | None) -> Month:
        item = item or {}
        return cls(
            project_id,
            month,
            float(item.get("actual_usd", 0)),
            float(item.get("committed_usd", 0)),
            int(item.get("deferred", 0)),
            int(item.get("refused", 0)),
            frozenset(k.removeprefix("warned_") for k in item if k.startswith("warned_")),
        )


@dataclass(frozen=True)
class Override:
    project_id: str
    until: str
    reason: str
    granted_by: str
    granted_at: str


@dataclass(frozen=True)
class Charged:
    """What one settle/accrue did: the month's actual spend before and after (equal when nothing changed)."""

    actual_before: float
    actual_after: float

    @property
    def changed(self) -> bool:
        return self.actual_after != self.actual_before


class Spend(LedgerTable):
    def _key(self, project_id: str, entry: str) -> dict[str, str]:
        return {"project_id": partition(project_id), "entry": entry}

    def _get(self, project_id: str, entry: str) -> dict[str, Any] | None:
        item = self._table.get_item(Key=self._key(project_id, entry), ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    # ------------------------------------------------------------------ reads
    def month(self, project_id: str, month: str) -> Month:
        return Month.of(project_id, month, self._get(project_id, f"month#{month}"))

    def months(self, project_id: str) -> list[Month]:
        """Every month the project has spent in, oldest first."""
        from boto3.dynamodb.conditions import Key

        query = Key("project_id").eq(partition(project_id)) & Key("entry").begins_with("month#")
        items = [from_item(i) for i in self._query(KeyConditionExpression=query)]
        return [Month.of(project_id, i["entry"].removeprefix("month#"), i) for i in items]

    def committed(self, project_id: str, month: str) -> list[str]:
        """The ids of the month's charges still committed (runs admitted and not yet settled)."""
        from boto3.dynamodb.conditions import Attr, Key

        prefix = f"charge#{month}#"
        items = self._query(
            KeyConditionExpression=Key("project_id").eq(partition(project_id)) & Key("entry").begins_with(prefix),
            FilterExpression=Attr("state").eq(COMMITTED),
            ProjectionExpression="entry",
        )
        return [i["entry"].removeprefix(prefix) for i in items]

    def charge(self, project_id: str, month: str, charge_id: str) -> dict[str, Any] | None:
        return self._get(project_id, f"charge#{month}#{charge_id}")

    def override(self, project_id: str) -> Override | None:
        item = self._get(project_id, "override")
        if not item:
            return None
        return Override(project_id, item["until"], item["reason"], item["granted_by"], item["granted_at"])

    # ------------------------------------------------------------------ writes
    def commit(
        self, project_id: str, month: str, charge_id: str, expected: float, limit: float | None, **meta: Any
    ) -> tuple[bool, bool]:
        """Commit a start's expected cost if the month stays within `limit` (None: unconditionally).

        Returns (committed, known): known when the charge existed already (a duplicate: nothing changed).
        """
        from botocore.exceptions import ClientError

        update: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": self._key(project_id, f"month#{month}"),
            "UpdateExpression": "ADD exposure_usd :e, committed_usd :e",
            "ExpressionAttributeValues": {":e": dec(expected)},
        }
        if limit is not None:
            update["ConditionExpression"] = "attribute_not_exists(exposure_usd) OR exposure_usd <= :room"
            update["ExpressionAttributeValues"][":room"] = dec(limit - expected)
        item = {
            **self._key(project_id, f"charge#{month}#{charge_id}"),
            **meta,
            "state": COMMITTED,
            "expected_usd": dec(expected),
            "cost_usd": Decimal(0),
        }
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(entry)",
                        }
                    },
                    {"Update": update},
                ]
            )
        except ClientError as exc:
            reasons = cancelled(exc)
            if reasons is None:
                raise
            return False, reasons[0] == "ConditionalCheckFailed"
        return True, False

    def settle(
        self, project_id: str, month: str, charge_id: str, cost: float, *, final: bool = True, **meta: Any
    ) -> Charged:
        """Record what a charge has cost so far (`final`: it ended, its commitment is released), exactly once."""
        from botocore.exceptions import ClientError

        for _ in range(5):
            item = self.charge(project_id, month, charge_id)
            if item and item.get("state") == SETTLED:
                actual = self.month(project_id, month).actual_usd
                return Charged(actual, actual)
            previous = float(item.get("cost_usd", 0)) if item else 0.0
            committed = float(item.get("expected_usd", 0)) if item and item.get("state") == COMMITTED else 0.0
            delta = round(cost - previous, 6)
            released = committed if final else 0.0
            state = SETTLED if final else (COMMITTED if committed else ACCRUING)
            before = self.month(project_id, month).actual_usd
            charge_update: dict[str, Any] = {
                "TableName": self.table_name,
                "Key": self._key(project_id, f"charge#{month}#{charge_id}"),
                "UpdateExpression": "SET #s = :state, cost_usd = :cost" + "".join(f", #{k} = :{k}" for k in meta),
                "ExpressionAttributeNames": {"#s": "state", **{f"#{k}": k for k in meta}},
                "ExpressionAttributeValues": {
                    ":state": state,
                    ":cost": dec(cost),
                    **{f":{k}": v for k, v in meta.items()},
                },
            }
            if item:
                charge_update["ConditionExpression"] = "cost_usd = :previous AND #s = :was"
                charge_update["ExpressionAttributeValues"].update({":previous": dec(previous), ":was": item["state"]})
            else:
                charge_update["ConditionExpression"] = "attribute_not_exists(entry)"
            month_update = {
                "TableName": self.table_name,
                "Key": self._key(project_id, f"month#{month}"),
                "UpdateExpression": "ADD actual_usd :delta, exposure_usd :exposure, committed_usd :released",
                "ExpressionAttributeValues": {
                    ":delta": dec(delta),
                    ":exposure": dec(delta - released),
                    ":released": -dec(released),
                },
            }
            try:
                self._client.transact_write_items(TransactItems=[{"Update": charge_update}, {"Update": month_update}])
            except ClientError as exc:
                if cancelled(exc) is None:
                    raise
                continue  # changed concurrently: read again
            return Charged(before, round(before + delta, 6))
        raise RuntimeError(f"charge {charge_id} of project {project_id} kept changing; not settled")

    def withdraw(self, project_id: str, month: str, charge_id: str) -> float:
        """Take back a commitment whose start did not happen (the charge is deleted); the amount withdrawn."""
        from botocore.exceptions import ClientError

        item = self.charge(project_id, month, charge_id)
        if not item or item.get("state") != COMMITTED:
            return 0.0
        expected = dec(float(item["expected_usd"]))
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": self._key(project_id, f"charge#{month}#{charge_id}"),
                            "ConditionExpression": "#s = :committed",
                            "ExpressionAttributeNames": {"#s": "state"},
                            "ExpressionAttributeValues": {":committed": COMMITTED},
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": self._key(project_id, f"month#{month}"),
                            "UpdateExpression": "ADD exposure_usd :minus, committed_usd :minus",
                            "ExpressionAttributeValues": {":minus": -expected},
                        }
                    },
                ]
            )
        except ClientError as exc:
            if cancelled(exc) is None:
                raise
            return 0.0  # withdrawn or settled concurrently
        return float(expected)

    def transfer(self, project_id: str, month: str, from_id: str, to_id: str) -> None:
        """Move a commitment to another charge id (a reservation to the run it started), keeping the month."""
        if expected := self.withdraw(project_id, month, from_id):
            self.commit(project_id, month, to_id, expected, None, kind="run", moved_from=from_id)

    def count(self, project_id: str, month: str, counter: str) -> None:
        """Add one to `deferred` or `refused`."""
        if counter not in ("deferred", "refused"):
            raise ValueError(f"unknown counter {counter!r}")
        self._table.update_item(
            Key=self._key(project_id, f"month#{month}"),
            UpdateExpression="ADD #c :one",
            ExpressionAttributeNames={"#c": counter},
            ExpressionAttributeValues={":one": 1},
        )

    def mark_warned(self, project_id: str, month: str, share: float) -> bool:
        """Flag the month as warned at `share` of its budget; True only for the first caller."""
        from botocore.exceptions import ClientError

        name = f"warned_{share:g}"
        try:
            self._table.update_item(
                Key=self._key(project_id, f"month#{month}"),
                UpdateExpression="SET #w = :yes",
                ConditionExpression="attribute_not_exists(#w)",
                ExpressionAttributeNames={"#w": name},
                ExpressionAttributeValues={":yes": True},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def set_override(self, override: Override) -> None:
        self._table.put_item(
            Item={
                **self._key(override.project_id, "override"),
                "until": override.until,
                "reason": override.reason,
                "granted_by": override.granted_by,
                "granted_at": override.granted_at,
            }
        )
