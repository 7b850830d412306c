"""The ledger table (DynamoDB) shared by the DPU ledger and the spend ledger: table, client and helpers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal
from functools import cached_property
from typing import Any

from glueguard.adapters.dynamo import table


def dec(value: float) -> Decimal:
    """A number as the Decimal the table stores (rounded to 6 places)."""
    return Decimal(str(round(float(value), 6)))


def cancelled(exc: Any) -> list[str] | None:
    """The per-item cancellation codes of a cancelled transaction, or None for any other error."""
    if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return None
    reasons = exc.response.get("CancellationReasons") or []
    if not reasons:  # some SDKs only put them in the message: "... [ConditionalCheckFailed, None]"
        message = exc.response["Error"].get("Message", "")
        inside = message[message.rfind("[") + 1 : message.rfind("]")]
        return [r.strip() for r in inside.split(",")]
    return [r.get("Code", "None") for r in reasons]


class LedgerTable:
    """Base of the adapters over the ledger table (`GLUEGUARD_LEDGER_TABLE` unless named)."""

    def __init__(self, table_name: str | None = None) -> None:
        self.table_name = table_name or os.environ["GLUEGUARD_LEDGER_TABLE"]

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
