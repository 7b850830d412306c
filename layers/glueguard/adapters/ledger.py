"""The project DPU ledger (DynamoDB): what each project's active runs hold, changed only atomically.

Items, keyed (project_id, entry):
- `#usage`: `dpu_in_use`, the sum of the project's active entries;
- `run#<JobRunId>`: an admitted run (`state` active, then released; a released item stays as a
  tombstone until its TTL so that a late or duplicate event cannot count the run again);
- `reservation#<id>`: capacity the upload trigger holds for a run it is about to start; once the run
  started it is `bound` to the run id (and holds nothing: the run item does).

Admission is one transaction: put the entry if it does not exist, and `ADD dpu_in_use :dpu` on the
usage item only if `dpu_in_use <= :cap - :dpu`. Two concurrent starts therefore cannot both pass,
a duplicate admission of the same run changes nothing, and a release subtracts exactly once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from glueguard.adapters.dynamo import from_item
from glueguard.adapters.ledger_table import LedgerTable, cancelled, dec
from glueguard.runs.admission import LedgerEntry, admission_limit
from glueguard.runs.job_run import as_utc

USAGE = "#usage"
RUN = "run#"
RESERVATION = "reservation#"
ACTIVE = "active"
RELEASED = "released"
BOUND = "bound"  # a reservation whose run has started (the run item holds the capacity now)
TOMBSTONE_SECONDS = 8 * 24 * 3600  # longer than any Glue run can last (Timeout < 7 days)


def entry_key(entry_id: str, reservation: bool = False) -> str:
    return f"{RESERVATION if reservation else RUN}{entry_id}"


@dataclass(frozen=True)
class AdmitResult:
    admitted: bool  # True: this call added the entry's DPU
    known: bool  # True: the entry was already in the ledger (admitted or released before): nothing changed
    in_use: float  # the project's dpu_in_use after the call


class Ledger(LedgerTable):
    # ------------------------------------------------------------------ reads
    def in_use(self, project_id: str) -> float:
        item = self._table.get_item(Key={"project_id": project_id, "entry": USAGE}, ConsistentRead=True).get("Item")
        return float(from_item(item.get("dpu_in_use", 0))) if item else 0.0

    def _items(self, project_id: str) -> list[dict[str, Any]]:
        from boto3.dynamodb.conditions import Key

        return [
            from_item(i)
            for i in self._query(KeyConditionExpression=Key("project_id").eq(project_id), ConsistentRead=True)
        ]

    def entries(self, project_id: str) -> list[LedgerEntry]:
        """The project's active runs and reservations."""
        return [_entry(i) for i in self._items(project_id) if i["entry"] != USAGE and i.get("state") == ACTIVE]

    def get(self, project_id: str, entry_id: str, reservation: bool = False) -> dict[str, Any] | None:
        key = {"project_id": project_id, "entry": entry_key(entry_id, reservation)}
        item = self._table.get_item(Key=key, ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    # ------------------------------------------------------------------ writes
    def admit(self, project_id: str, entry: LedgerEntry, cap: float | None) -> AdmitResult:
        """Add `entry` if the project stays within `cap` (None: unconditionally); idempotent on the entry id."""
        from botocore.exceptions import ClientError

        usage_update: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": {"project_id": project_id, "entry": USAGE},
            "UpdateExpression": "ADD dpu_in_use :dpu, entries_admitted :one",
            "ExpressionAttributeValues": {":dpu": dec(entry.dpu), ":one": 1},
        }
        if cap is not None:
            usage_update["ConditionExpression"] = "attribute_not_exists(dpu_in_use) OR dpu_in_use <= :limit"
            usage_update["ExpressionAttributeValues"][":limit"] = dec(admission_limit(cap, entry.dpu))
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": _item(project_id, entry),
                            "ConditionExpression": "attribute_not_exists(entry)",
                        }
                    },
                    {"Update": usage_update},
                ]
            )
        except ClientError as exc:
            reasons = cancelled(exc)
            if reasons is None:
                raise
            return AdmitResult(False, reasons[0] == "ConditionalCheckFailed", self.in_use(project_id))
        return AdmitResult(True, False, self.in_use(project_id))

    def release(self, project_id: str, entry_id: str, *, reservation: bool = False, reason: str = "") -> float:
        """Give back what the entry holds, once; return the DPU released (0 when nothing was held).

        An unknown run gets a tombstone, so that a late StartJobRun cannot admit a finished run.
        """
        return self.settle(project_id, entry_id, reservation=reservation, reason=reason) or 0.0

    def settle(self, project_id: str, entry_id: str, *, reservation: bool = False, reason: str = "") -> float | None:
        """Take the entry out of the ledger, once: the DPU this call released (0.0 when it tombstoned an entry the
        ledger did not hold), or None when another call had settled it already (so only one stops the run)."""
        from botocore.exceptions import ClientError

        key = {"project_id": project_id, "entry": entry_key(entry_id, reservation)}
        item = self.get(project_id, entry_id, reservation)
        if item is None:
            if self._tombstone(key, reason or "released before admitted"):
                return 0.0
            item = self.get(project_id, entry_id, reservation) or {}
        if item.get("state") != ACTIVE:
            return None
        dpu = float(item.get("dpu", 0))
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": key,
                            "UpdateExpression": "SET #s = :released, released_at = :at, reason = :why, expires = :exp",
                            "ConditionExpression": "#s = :active",
                            "ExpressionAttributeNames": {"#s": "state"},
                            "ExpressionAttributeValues": {
                                ":released": RELEASED,
                                ":active": ACTIVE,
                                ":at": _now_iso(),
                                ":why": reason or "released",
                                ":exp": int(time.time()) + TOMBSTONE_SECONDS,
                            },
                        }
                    },
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": {"project_id": project_id, "entry": USAGE},
                            "UpdateExpression": "ADD dpu_in_use :minus",
                            "ExpressionAttributeValues": {":minus": -dec(dpu)},
                        }
                    },
                ]
            )
        except ClientError as exc:
            if cancelled(exc) is None:
                raise
            return None  # released concurrently by someone else
        return dpu

    def refuse(self, project_id: str, run_id: str, reason: str) -> bool:
        """Tombstone a run the ledger does not hold, so that it can never be admitted; False when it holds an
        entry for it already (another event's judgement admitted or settled it meanwhile)."""
        return self._tombstone({"project_id": project_id, "entry": entry_key(run_id)}, reason)

    def _tombstone(self, key: dict[str, str], reason: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self._table.put_item(
                Item={
                    **key,
                    "state": RELEASED,
                    "dpu": Decimal(0),
                    "reason": reason,
                    "released_at": _now_iso(),
                    "expires": int(time.time()) + TOMBSTONE_SECONDS,
                },
                ConditionExpression="attribute_not_exists(entry)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def bind(self, project_id: str, reservation_id: str, run_id: str, started_on: datetime | None) -> None:
        """Hand a reservation's capacity to the run it was held for, keeping the project's usage unchanged.

        The reservation stays as `bound` (with the run id) until its TTL, so a retried start finds the run.
        If the guard admitted (or released) the run first, the reservation is released instead, so the run
        is never counted twice; if the reservation is gone, the run is admitted on its own.
        """
        from botocore.exceptions import ClientError

        reserved = self.get(project_id, reservation_id, reservation=True) or {}
        run = LedgerEntry(run_id, reserved.get("job_name", ""), float(reserved.get("dpu", 0)), started_on)
        if reserved.get("state") != ACTIVE:
            if run.dpu:
                self.admit(project_id, run, cap=None)
            return
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.table_name,
                            "Key": {"project_id": project_id, "entry": entry_key(reservation_id, True)},
                            "UpdateExpression": "SET #s = :bound, run_id = :run, expires = :exp",
                            "ConditionExpression": "#s = :active",
                            "ExpressionAttributeNames": {"#s": "state"},
                            "ExpressionAttributeValues": {
                                ":active": ACTIVE,
                                ":bound": BOUND,
                                ":run": run_id,
                                ":exp": int(time.time()) + TOMBSTONE_SECONDS,
                            },
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": {**_item(project_id, run), "reservation_id": reservation_id},
                            "ConditionExpression": "attribute_not_exists(entry)",
                        }
                    },
                ]
            )
        except ClientError as exc:
            reasons = cancelled(exc)
            if reasons is None:
                raise
            if reasons[1] == "ConditionalCheckFailed":  # the run is counted (or finished) already
                self.release(project_id, reservation_id, reservation=True, reason=f"run {run_id} already counted")
            elif reasons[0] == "ConditionalCheckFailed":  # the reservation went away meanwhile
                self.admit(project_id, run, cap=None)

    def forget(self, project_id: str, entry_id: str, reservation: bool = False) -> bool:
        """Delete a released entry (a tombstone) so that the id can be admitted afresh; True if deleted."""
        from botocore.exceptions import ClientError

        try:
            self._table.delete_item(
                Key={"project_id": project_id, "entry": entry_key(entry_id, reservation)},
                ConditionExpression="#s = :released",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues={":released": RELEASED},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def count_start(self, project_id: str, binding: str, minute: str, limit: int) -> tuple[bool, bool]:
        """Count one start of upload binding `binding` in `minute` if it stays within `limit`.

        Returns (allowed, first_refusal): the second is True only for the first start refused in that minute, so
        the storm guard records one decision per binding and minute. The counter expires after 10 minutes.
        """
        from botocore.exceptions import ClientError

        key = {"project_id": project_id, "entry": f"storm#{binding}#{minute}"}
        expires = int(time.time()) + 600
        try:
            self._table.update_item(
                Key=key,
                UpdateExpression="ADD starts :one SET expires = :exp",
                ConditionExpression="attribute_not_exists(starts) OR starts < :limit",
                ExpressionAttributeValues={":one": 1, ":limit": limit, ":exp": expires},
            )
            return True, False
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        try:
            self._table.update_item(
                Key=key,
                UpdateExpression="SET tripped = :t",
                ConditionExpression="attribute_not_exists(tripped)",
                ExpressionAttributeValues={":t": True},
            )
            return False, True
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False, False

    def resync(self, project_id: str) -> tuple[float, float] | None:
        """Set `dpu_in_use` to the sum of the active entries if they differ (an item lost to a crash or TTL).

        Optimistic: only applies when usage did not change meanwhile. Returns (was, now) when it corrected.
        """
        from botocore.exceptions import ClientError

        items = self._items(project_id)
        usage = next((i for i in items if i["entry"] == USAGE), None)
        if usage is None:
            return None
        was = float(usage.get("dpu_in_use", 0))
        actual = sum(float(i.get("dpu", 0)) for i in items if i["entry"] != USAGE and i.get("state") == ACTIVE)
        if abs(actual - was) < 1e-9:
            return None
        try:
            self._table.update_item(
                Key={"project_id": project_id, "entry": USAGE},
                UpdateExpression="SET dpu_in_use = :actual",
                ConditionExpression="dpu_in_use = :was",
                ExpressionAttributeValues={":actual": dec(actual), ":was": dec(was)},
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return None
            raise
        return was, actual


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


def _item(project_id: str, entry: LedgerEntry) -> dict[str, Any]:
    item: dict[str, Any] = {
        "project_id": project_id,
        "entry": entry_key(entry.entry_id, entry.reservation),
        "entry_id": entry.entry_id,
        "kind": "reservation" if entry.reservation else entry.holder,
        "job_name": entry.job_name,
        "dpu": dec(entry.dpu),
        "state": ACTIVE,
        "admitted_at": _now_iso(),
    }
    if entry.started_on:
        item["started_on"] = entry.started_on.isoformat()
    return item


def _entry(item: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        entry_id=item["entry_id"],
        job_name=item.get("job_name", ""),
        dpu=float(item.get("dpu", 0)),
        started_on=as_utc(item.get("started_on") or item.get("admitted_at")),
        reservation=item.get("kind") == "reservation",
        holder=item["kind"] if item.get("kind") in ("session", "devendpoint") else "run",
    )
