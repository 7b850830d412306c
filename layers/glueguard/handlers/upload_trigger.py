"""Upload-trigger Lambda: S3 `Object Created` (EventBridge) -> start the bound Glue job, exactly once.

Two inputs: the EventBridge event itself, and SQS batches from the retry queue (a deferred start comes
back as `{"event": <the S3 event>, "attempt": n, "reason": "..."}`). A start that does not fit is
re-queued with exponential DelaySeconds and never dropped; after MAX_ATTEMPTS it goes to the dead-letter
queue with its reason. The same object version delivered twice starts one run (Powertools idempotency on
bucket/key/version + job; StartJobRun itself has no client token).
"""

from __future__ import annotations

import json
import os
from typing import Any

from aws_lambda_powertools import Logger

from glueguard.handlers import scaffold

# The event models (pydantic), the starter and the idempotency utility (boto3) load with the first event.
logger = Logger(service="glueguard-upload-trigger")


@scaffold.Component
def starter() -> Any:
    """The UploadStarter, built once per container from the environment."""
    from glueguard.adapters.decisions import DecisionLog
    from glueguard.adapters.ledger import Ledger
    from glueguard.adapters.registry import Registry
    from glueguard.policy.settings import current_policy
    from glueguard.uploads import UploadStarter

    return UploadStarter(registry=Registry(), ledger=Ledger(), decisions=DecisionLog(), policy=current_policy())


reset = scaffold.reset


def _start_once(request: dict[str, Any]) -> dict[str, Any]:
    """Start one binding for one object version (raises Deferred/Undeliverable: nothing is cached then)."""
    from glueguard.models.s3_events import parse_s3_object_created

    event = parse_s3_object_created(request["event"])
    match = starter().match(event)
    binding = next((b for b in match.bindings if b.job_name == request["job"]), None)
    if match.project is None or binding is None:
        reason = match.reason or f"the binding of {request['job']} was removed before the start"
        if match.project is not None:
            starter().skipped(match.project, event, reason, request["job"])
        return {"outcome": "skipped", "job_name": request["job"], "reason": reason}
    return starter().start(match.project, binding, event)


#: One run per object version and bound job, whichever delivery (EventBridge or a retry) gets there first.
_start_once_per_object = scaffold.Idempotent(
    _start_once, keyword="request", key="[object, job]", expires_seconds=7 * 24 * 3600
)


def _sqs() -> Any:
    from glueguard.adapters.clients import plane_client

    return plane_client("sqs")


def defer(event: dict[str, Any], attempt: int, reason: str) -> dict[str, Any]:
    """Queue the event for retry number `attempt` with exponential delay; past MAX_ATTEMPTS, dead-letter it."""
    from glueguard.uploads import MAX_ATTEMPTS, retry_delay

    body = {"event": event, "attempt": attempt, "reason": reason}
    if attempt > MAX_ATTEMPTS:
        _sqs().send_message(QueueUrl=os.environ["GLUEGUARD_UPLOAD_DLQ_URL"], MessageBody=json.dumps(body))
        logger.error(
            "start dead-lettered", extra={"event_id": event.get("id"), "attempts": attempt - 1, "reason": reason}
        )
        return {"outcome": "dead-lettered", "reason": reason, "attempt": attempt}
    delay = retry_delay(attempt)
    _sqs().send_message(
        QueueUrl=os.environ["GLUEGUARD_UPLOAD_RETRY_QUEUE_URL"], MessageBody=json.dumps(body), DelaySeconds=delay
    )
    logger.info(
        "start deferred", extra={"event_id": event.get("id"), "attempt": attempt, "delay": delay, "reason": reason}
    )
    return {"outcome": "deferred", "reason": reason, "attempt": attempt, "delay_seconds": delay}


def process(event: dict[str, Any], attempt: int = 0) -> dict[str, Any]:
    """Start every binding the object matches; defer the event if any of them does not fit now."""
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    from glueguard.models.s3_events import parse_s3_object_created
    from glueguard.uploads import MAX_ATTEMPTS, Deferred, Undeliverable

    parsed = parse_s3_object_created(event)
    match = starter().match(parsed)
    bucket, key = parsed.bucket, parsed.key
    if not match.bindings:
        if match.bound and match.project is not None:  # a bound upload that starts nothing: a decision, with why
            starter().skipped(match.project, parsed, match.reason)
        logger.info(
            "nothing to start", extra={"event_id": parsed.id, "object": f"s3://{bucket}/{key}", "reason": match.reason}
        )
        return {"outcome": "skipped", "reason": match.reason, "starts": []}
    starts: list[dict[str, Any]] = []
    waiting: list[str] = []
    for binding in match.bindings:
        request = {"object": parsed.object_identity, "job": binding.job_name, "event": event}
        try:
            starts.append(_start_once_per_object(request=request))
        except Deferred as exc:
            waiting.append(str(exc))
        except IdempotencyAlreadyInProgressError:
            waiting.append(f"a start of {binding.job_name} for this object is in progress")
        except Undeliverable as exc:
            starts.append(defer(event, MAX_ATTEMPTS + 1, str(exc)))
    result: dict[str, Any] = {"outcome": "started" if starts else "deferred", "starts": starts}
    if waiting:
        result["deferred"] = defer(event, attempt + 1, "; ".join(waiting))
    logger.info("upload handled", extra={"event_id": parsed.id, "object": f"s3://{bucket}/{key}", **result})
    return result


def _from_queue(event: dict[str, Any]) -> dict[str, Any]:
    """A batch from the retry queue: report only the messages that failed (ReportBatchItemFailures)."""
    from glueguard.models.events import InvalidEventError

    failures: list[dict[str, str]] = []
    for record in event["Records"]:
        try:
            body = json.loads(record["body"])
            from glueguard.adapters.clients import acting_in

            account = body["event"].get("account") if isinstance(body.get("event"), dict) else None
            with acting_in(account):  # the bucket's account, as on first delivery
                process(body["event"], attempt=int(body.get("attempt", 1)))
        except InvalidEventError as exc:  # cannot ever succeed: keep it, with why, on the DLQ
            logger.error("invalid queued event", extra={"message_id": record.get("messageId"), "error": str(exc)})
            _sqs().send_message(
                QueueUrl=os.environ["GLUEGUARD_UPLOAD_DLQ_URL"],
                MessageBody=json.dumps({"message": record.get("body"), "reason": str(exc)}),
            )
        except Exception:
            logger.exception("queued start failed; SQS will redeliver", extra={"message_id": record.get("messageId")})
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from glueguard.models.events import InvalidEventError
    from glueguard.models.s3_events import parse_s3_object_created

    _start_once_per_object.register(context)
    if isinstance(event, dict) and isinstance(event.get("Records"), list):
        return _from_queue(event)
    try:
        parse_s3_object_created(event)  # validate before any state is touched
    except InvalidEventError as exc:
        logger.error("invalid event", extra={"event_id": exc.event_id, "error": str(exc)})
        raise
    from glueguard.adapters.clients import acting_in

    with acting_in(event.get("account")):  # the bucket's account: a member's, through its member role
        return process(event)
