"""Lambda's DynamoDB stream event source mappings, as the Lambda developer guide documents them.

moto 5.2.5 invokes the mapped function synchronously inside the write that produced the record (and hands
it every earlier record again until one invocation returns something), ignoring FilterCriteria, retries and
ReportBatchItemFailures. Here, as Lambda's poller does ("Using AWS Lambda with Amazon DynamoDB", "Lambda
event filtering", "Configuring partial batch response with DynamoDB and Lambda"):
- a write appends its stream record and returns; each mapping then reads the shard in order, afterwards,
  on the delivery worker, at most BatchSize records per invocation;
- records that match none of the mapping's FilterCriteria patterns are skipped without an invocation;
- a failed invocation is retried with the same records, MaximumRetryAttempts times (-1 or absent: until
  the records expire; here, until it succeeds); a throttled one (the function not invoked: Lambda's 429) is
  retried without spending an attempt ("Before invocation: If a Lambda event source mapping is unable to
  invoke the function due to throttling ... it retries until the records expire", services-dynamodb-errors). With ReportBatchItemFailures the function names the
  sequence number of the first record that failed; the retry starts from it, and the records before it
  are done. An empty list (or no failures) checkpoints the whole batch;
- when the retries are spent, the batch's details go to the OnFailure destination (SQS) and the poller
  moves on.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime
from typing import Any

from moto.dynamodb.models.table import StreamRecord, StreamShard

from glueguard_sandbox.emulator import delivery

log = logging.getLogger(__name__)

#: mapping uuid -> index of the next shard record it delivers, and failed attempts of the current batch.
_positions: dict[str, int] = {}
_attempts: dict[str, int] = {}
_locks: dict[str, threading.Lock] = {}  # one poller per mapping (held while its function runs; never by a write)
_locks_lock = threading.Lock()
_append = threading.Lock()  # a shard's sequence numbers
#: Seconds between retries of a failed batch (compressed by delivery.settings.time_scale like all back-off).
RETRY_BACKOFF_SECONDS = 1.0


def _add(self: StreamShard, old: Any, new: Any) -> None:
    view = self.table.stream_specification["StreamViewType"]  # type: ignore[index]
    event_name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    with _append:
        sequence = len(self.items) + self.starting_sequence_number
        self.items.append(StreamRecord(self.table, view, event_name, old, new, sequence))
    for esm in list(self.table.lambda_event_source_mappings.values()):
        delivery.worker.schedule(lambda s=self, m=esm: pump(s, m), concurrent=True)


def lambda_record(record: StreamRecord, region: str, stream_arn: str) -> dict[str, Any]:
    """A stream record as Lambda hands it to a function (creation time in epoch seconds)."""
    body = record.to_json()
    change = dict(body["dynamodb"])
    if isinstance(change.get("ApproximateCreationDateTime"), datetime):
        change["ApproximateCreationDateTime"] = int(change["ApproximateCreationDateTime"].timestamp())
    return {
        "eventID": body["eventID"],
        "eventName": body["eventName"],
        "eventVersion": body["eventVersion"],
        "eventSource": body["eventSource"],
        "awsRegion": region,
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    }


def _matches(esm: Any, record: dict[str, Any]) -> bool:
    from moto.events.models import EventPattern

    filters = (esm.filter_criteria or {}).get("Filters") or []
    return not filters or any(EventPattern.load(f["Pattern"]).matches_event(record) for f in filters)


def _first_failure(esm: Any, payload: Any, errored: bool, records: list[dict[str, Any]]) -> int | None:
    """Index in `records` to retry from, or None when the whole batch is done."""
    if errored:
        return 0
    if "ReportBatchItemFailures" not in (esm.function_response_types or []):
        return None
    try:
        answer = json.loads(payload) if isinstance(payload, str | bytes) else payload
        failed = {str(f["itemIdentifier"]) for f in (answer or {}).get("batchItemFailures") or []}
    except (ValueError, TypeError, AttributeError, KeyError):
        return 0  # an unreadable answer fails the whole batch
    sequence = [r["dynamodb"]["SequenceNumber"] for r in records]
    hits = [i for i, s in enumerate(sequence) if s in failed]
    return min(hits) if hits else (0 if failed else None)


def pump(shard: StreamShard, esm: Any) -> None:
    """Deliver the mapping's next batches until the shard is read or a batch failed (then retry later)."""
    from moto.awslambda.utils import get_backend

    with _locks_lock:
        lock = _locks.setdefault(esm.uuid, threading.Lock())
    with lock:
        while esm.enabled:
            start = _positions.get(esm.uuid, 0)
            pending = shard.items[start : start + int(esm.batch_size or 100)]
            if not pending:
                return
            chosen = [(i, lambda_record(r, esm.region, esm.event_source_arn)) for i, r in enumerate(pending)]
            chosen = [(i, r) for i, r in chosen if _matches(esm, r)]
            if not chosen:
                _positions[esm.uuid] = start + len(pending)
                continue
            records = [r for _, r in chosen]
            fn = get_backend(esm.account_id, esm.region).get_function(esm.function_arn)
            try:
                payload, errored, _ = fn._invoke_lambda(event={"Records": records})
            except Exception as exc:
                if throttled(exc):  # not invoked: retried from the same record, no attempt spent
                    log.info("DynamoDB stream poller: %s throttled; retrying", esm.function_arn)
                    _positions[esm.uuid] = start
                    delivery.worker.schedule(
                        lambda: pump(shard, esm), RETRY_BACKOFF_SECONDS * delivery.settings.time_scale, concurrent=True
                    )
                    return
                # the function could not run at all
                log.warning("DynamoDB stream poller: %s failed: %s", esm.function_arn, exc)
                payload, errored = None, True
            failed = _first_failure(esm, payload, errored, records)
            if failed is None:
                _positions[esm.uuid] = start + len(pending)
                _attempts.pop(esm.uuid, None)
                continue
            _positions[esm.uuid] = start + chosen[failed][0]
            attempts = _attempts[esm.uuid] = _attempts.get(esm.uuid, 0) + 1
            limit = esm.max_retry_attempts
            if limit is not None and int(limit) >= 0 and attempts > int(limit):
                _dead_letter(esm, records[failed:], attempts)
                _positions[esm.uuid] = start + len(pending)
                _attempts.pop(esm.uuid, None)
                continue
            delivery.worker.schedule(
                lambda: pump(shard, esm), RETRY_BACKOFF_SECONDS * delivery.settings.time_scale, concurrent=True
            )
            return


def throttled(exc: Exception) -> bool:
    """Whether the invocation was refused for want of concurrency (Lambda's 429), the function not run."""
    return getattr(exc, "error_type", None) == "TooManyRequestsException" or type(exc).__name__ == "Throttled"


def _dead_letter(esm: Any, records: list[dict[str, Any]], attempts: int) -> None:
    """What Lambda sends the OnFailure destination of a stream mapping: the batch's shard position, not its data."""
    destination = ((esm.destination_config or {}).get("OnFailure") or {}).get("Destination")
    log.warning("DynamoDB stream poller: %s gave up on %d records", esm.function_arn, len(records))
    if not destination:
        return
    info = {
        "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": attempts,
                           "functionArn": esm.function_arn},
        "DDBStreamBatchInfo": {
            "shardId": "shardId-00000001541626099285-f35f62ef",
            "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
            "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
            "batchSize": len(records),
            "streamArn": esm.event_source_arn,
        },
    }  # fmt: skip
    delivery.send_to_arn(destination, info)


def install() -> None:
    StreamShard.add = _add  # type: ignore[method-assign]
