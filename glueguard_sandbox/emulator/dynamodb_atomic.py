"""DynamoDB writes as AWS documents them: each write (and each transaction) is atomic and isolated.

moto 5.2.5 applies a TransactWriteItems by copying the table, writing, and restoring the copy on a
failed condition, with no lock: concurrent requests (threads under `mock_aws`, or the threaded moto
server the sandbox runs) can interleave, lose writes, or fail with "dictionary changed size during
iteration". Serialising the data-plane calls restores DynamoDB's guarantee that a conditional write
or a transaction sees no concurrent change; the ledger's cap relies on it.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

_lock = threading.RLock()

#: Every call that reads or writes items (reads too, so they never see a half-applied transaction).
DATA_PLANE = (
    "put_item",
    "get_item",
    "update_item",
    "delete_item",
    "query",
    "scan",
    "batch_get_item",
    "batch_write_item",
    "transact_get_items",
    "transact_write_items",
    "execute_statement",
    "execute_transaction",
    "batch_execute_statement",
)


def _serialised(method: Any) -> Any:
    @functools.wraps(method)
    def call(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            return method(self, *args, **kwargs)

    call.__glueguard_serialised__ = True  # type: ignore[attr-defined]
    return call


def install() -> None:
    for name in DATA_PLANE:
        method = getattr(DynamoDBBackend, name)
        if not getattr(method, "__glueguard_serialised__", False):
            setattr(DynamoDBBackend, name, _serialised(method))


__all__ = ["install"]
