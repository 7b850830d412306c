"""The ledger table (DynamoDB) shared by the DPU ledger and the spend ledger: table, client and helpers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from glueguard.adapters.dynamo import NamedTable


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


class LedgerTable(NamedTable):
    """Base of the adapters over the ledger table (`GLUEGUARD_LEDGER_TABLE` unless named)."""

    environment = "GLUEGUARD_LEDGER_TABLE"
