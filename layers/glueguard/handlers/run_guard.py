"""Run-guard Lambda: StartJobRun (CloudTrail), Glue job state/status events and a schedule -> runtime caps.

Idempotent on the EventBridge event id; a malformed event raises InvalidEventError (logged with its id),
changes nothing, and ends in the rule's DLQ.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from glueguard.handlers import scaffold

# The event models (pydantic) and the idempotency utility (boto3) load with the first event.
logger = Logger(service="glueguard-run-guard")
SCHEDULED = "Scheduled Event"


@scaffold.Component
def guard() -> Any:
    """The RunGuard, built once per container from the environment."""
    from glueguard.adapters.decisions import DecisionLog
    from glueguard.adapters.ledger import Ledger
    from glueguard.adapters.registry import Registry
    from glueguard.models.events import plane_principals
    from glueguard.policy.settings import current_policy
    from glueguard.runs.guard import RunGuard

    return RunGuard(
        registry=Registry(),
        ledger=Ledger(),
        decisions=DecisionLog(),
        policy=current_policy(),
        plane=plane_principals(),
    )


reset = scaffold.reset


def _kind(event: Any) -> str:
    """Which of the guard's inputs this is; InvalidEventError for anything else."""
    from glueguard.models.events import (
        CLOUDTRAIL_DETAIL_TYPE,
        GLUE_JOB_RUN_STATUS,
        GLUE_JOB_STATE_CHANGE,
        InvalidEventError,
        parse_cloudtrail_event,
        parse_glue_job_event,
        parse_scheduled_event,
    )

    if not isinstance(event, dict):
        raise InvalidEventError(f"expected a JSON object, got {type(event).__name__}")
    kind = event.get("detail-type")
    if kind == CLOUDTRAIL_DETAIL_TYPE:
        parse_cloudtrail_event(event)
    elif kind in (GLUE_JOB_STATE_CHANGE, GLUE_JOB_RUN_STATUS):
        parse_glue_job_event(event)
    elif kind == SCHEDULED:
        parse_scheduled_event(event)  # its account picks the member role: it must be one
    else:
        raise InvalidEventError(f"detail-type {kind!r} is not handled by the run guard", event.get("id"))
    return kind


def _guard_once(event: dict[str, Any]) -> dict[str, Any]:
    from glueguard.models.events import CLOUDTRAIL_DETAIL_TYPE, parse_cloudtrail_event, parse_glue_job_event

    kind = _kind(event)
    if kind == CLOUDTRAIL_DETAIL_TYPE:
        outcome = guard().on_start(parse_cloudtrail_event(event))
    elif kind == SCHEDULED:
        outcome = guard().sweep(event["id"])
    else:
        outcome = guard().on_job_event(parse_glue_job_event(event))
    result = outcome.to_dict()
    logger.info("guarded", extra={"event_id": event["id"], "detail_type": kind, **result})
    return result


_guard_once_per_event = scaffold.Idempotent(_guard_once, keyword="event", key="id", expires_seconds=24 * 3600)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from glueguard.models.events import InvalidEventError

    try:
        _kind(event)  # validate before any state is touched
    except InvalidEventError as exc:
        logger.error("invalid event", extra={"event_id": exc.event_id, "error": str(exc)})
        raise
    _guard_once_per_event.register(context)
    from glueguard.adapters.clients import acting_in

    with acting_in(event.get("account")):  # the run's account: a member's, through its member role
        return _guard_once_per_event(event=event)
