"""Notifier Lambda: the decisions table's stream -> one SNS message per new decision, off the event path.

A decision is written once (conditionally on its id), so its stream INSERT happens once; MODIFY and REMOVE
records are not decisions. The event source mapping reports failures per record (ReportBatchItemFailures):
the handler stops at the first record it could not publish and reports it, so Lambda retries from there
and never publishes a record before it again. Upload-trigger starts were never notified and are not now; budget warnings go to the project's topic.
Message and attributes (project, severity, kind, outcome, audience) are the Notifier's, unchanged. Only SNS
NotFound (a project without a topic) is swallowed; throttling, KMS and access errors report the record.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from glueguard.handlers import scaffold

logger = Logger(service="glueguard-notifier")
#: Functions whose decisions are notified (the upload trigger's starts are routine, never notified).
NOTIFIED = frozenset({"enforcer", "compliance", "run_guard"})
#: Kinds that notify elsewhere: budget warnings go to the project's own topic (glueguard.budget.keeper).
ELSEWHERE = frozenset({"budget"})


@scaffold.Lazy
def notifier() -> Any:
    from glueguard.adapters.notify import Notifier

    return Notifier()


reset = scaffold.reset


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from glueguard.adapters.clients import acting_in
    from glueguard.adapters.decisions import from_stream_image

    published = 0
    for record in event.get("Records", []):
        if record.get("eventName") != "INSERT":
            continue
        change = record["dynamodb"]
        try:
            decision = from_stream_image(change["NewImage"])
            if decision.function in NOTIFIED and decision.resource_kind not in ELSEWHERE:
                with acting_in(decision.account):  # a member project's topic: in its account, through its member role
                    notifier().decision(decision)
                published += 1
        except Exception:
            logger.exception("notification failed; retried from this record", extra={"record": record.get("eventID")})
            return {"batchItemFailures": [{"itemIdentifier": change["SequenceNumber"]}]}
    logger.info("notified", extra={"published": published, "records": len(event.get("Records", []))})
    return {"batchItemFailures": []}
