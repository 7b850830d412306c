"""Lambda's SQS poller (moto 5.2.5 only invokes at SendMessage time, so delayed or returned messages wait forever).

`poll()` does what Lambda's poller does for each enabled SQS event source mapping: receive up to
BatchSize visible messages (DelaySeconds and VisibilityTimeout respected), invoke the function with
them, delete them on success; with ReportBatchItemFailures only the reported ones stay, to come back
after the visibility timeout (and reach the queue's DLQ after maxReceiveCount). The sandbox calls it on
every tick.
"""

from __future__ import annotations

import json
import logging
from typing import Any

log = logging.getLogger(__name__)


def _record(message: Any, queue: Any, region: str) -> dict[str, Any]:
    return {
        "messageId": message.id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": {"ApproximateReceiveCount": str(message.approximate_receive_count)},
        "messageAttributes": {},
        "md5OfBody": message.body_md5,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue.queue_arn,
        "awsRegion": region,
    }


def _failed_ids(esm: Any, payload: Any, errored: bool, records: list[dict[str, Any]]) -> set[str]:
    if errored:
        return {r["messageId"] for r in records}
    if "ReportBatchItemFailures" not in (esm.function_response_types or []):
        return set()
    try:
        answer = json.loads(payload) if isinstance(payload, str | bytes) else payload
        return {f["itemIdentifier"] for f in (answer or {}).get("batchItemFailures", [])}
    except (ValueError, TypeError, AttributeError, KeyError):
        return {r["messageId"] for r in records}  # an unreadable answer fails the whole batch


def poll() -> int:
    """Deliver what is visible on every mapped queue; return how many messages were handed to functions."""
    from moto.awslambda.utils import get_backend
    from moto.sqs.models import sqs_backends

    delivered = 0
    for account, regions in list(sqs_backends.items()):
        for region, backend in list(regions.items()):
            for queue in list(backend.queues.values()):
                for function_arn, esm in list(queue.lambda_event_source_mappings.items()):
                    if not esm.enabled:
                        continue
                    messages = backend.receive_message(
                        queue.name, esm.batch_size or 10, 0, int(queue.visibility_timeout or 30)
                    )
                    if not messages:
                        continue
                    records = [_record(m, queue, region) for m in messages]
                    fn = get_backend(account, region).get_function(function_arn)
                    try:
                        payload, errored, _ = fn._invoke_lambda(event={"Records": records})
                    except Exception as exc:  # the function could not run: the batch comes back later
                        log.warning("SQS poller: %s failed: %s", function_arn, exc)
                        payload, errored = None, True
                    failed = _failed_ids(esm, payload, errored, records)
                    for message in messages:
                        if message.id not in failed:
                            backend.delete_message(queue.name, message.receipt_handle)
                    delivered += len(messages)
    return delivered


__all__ = ["poll"]
