"""Failed runs grouped per job and window (DynamoDB, in the ledger table under partition `failures#<project>`).

Item `window#<ISO start>#<job>`: `failures` (a count), `run_ids` (a string set: a run counts once, however many
events or sweeps report it), `last` (the latest failure as JSON), `notified` (how many of them a message has told), and
`expires` (the table's TTL) a week after the window.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from glueguard.adapters.ledger_table import LedgerTable

KEEP = timedelta(days=7)


def partition(project_id: str) -> str:
    return f"failures#{project_id}"


def entry(job_name: str, start: datetime) -> str:
    return f"window#{start.isoformat()}#{job_name}"


@dataclass(frozen=True)
class Window:
    project_id: str
    entry: str
    job_name: str
    start: datetime
    failures: int
    run_ids: tuple[str, ...]
    last: dict[str, Any]
    notified: int

    @classmethod
    def of(cls, project_id: str, item: dict[str, Any]) -> Window:
        return cls(
            project_id,
            item["entry"],
            item["job_name"],
            datetime.fromisoformat(item["window_start"]),
            int(item.get("failures", 0)),
            tuple(sorted(item.get("run_ids") or ())),
            json.loads(item.get("last") or "{}"),
            int(item.get("notified", 0)),
        )


class FailureLog(LedgerTable):
    def count(self, project_id: str, job_name: str, start: datetime, run_id: str, last: dict[str, Any]) -> int:
        """Count a failed run in its job's window; the window's count after it, or 0 if it was counted before."""
        try:
            item = self._table.update_item(
                Key={"project_id": partition(project_id), "entry": entry(job_name, start)},
                UpdateExpression="ADD failures :one, run_ids :run SET job_name = :job, window_start = :start, "
                "#last = :last, expires = :expires",
                ConditionExpression="attribute_not_exists(run_ids) OR NOT contains(run_ids, :id)",
                ExpressionAttributeNames={"#last": "last"},
                ExpressionAttributeValues={
                    ":one": 1,
                    ":run": {run_id},
                    ":id": run_id,
                    ":job": job_name,
                    ":start": start.isoformat(),
                    ":last": json.dumps(last, separators=(",", ":"), default=str),
                    ":expires": int((start + KEEP).timestamp()),
                },
                ReturnValues="UPDATED_NEW",
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return 0
        return int(item["Attributes"]["failures"])

    def untold(self, project_id: str) -> list[Window]:
        """The project's windows with failures no message has told yet."""
        items = self._query(
            KeyConditionExpression="project_id = :p AND begins_with(entry, :w)",
            ExpressionAttributeValues={":p": partition(project_id), ":w": "window#"},
        )
        windows = [Window.of(project_id, item) for item in items]
        return [w for w in windows if w.failures > w.notified]

    def told(self, project_id: str, job_name: str, start: datetime, failures: int) -> None:
        """Record that messages have told `failures` of the window's failures (never fewer than before)."""
        with contextlib.suppress(self._client.exceptions.ConditionalCheckFailedException):
            self._table.update_item(
                Key={"project_id": partition(project_id), "entry": entry(job_name, start)},
                UpdateExpression="SET notified = :n",
                ConditionExpression="attribute_not_exists(notified) OR notified < :n",
                ExpressionAttributeValues={":n": failures},
            )
