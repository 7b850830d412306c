"""Enforcer Lambda: CloudTrail CreateJob/UpdateJob (and every governed Glue call) -> correct the resource.

Skips rejected calls and the plane's own calls; a malformed event raises InvalidEventError (logged with its
id), changes nothing, and ends in the rule's DLQ. A duplicate delivery judges current state (a corrected
resource is compliant) and the decision is written once, conditionally on its id (event id, kind, name); two
deliveries of one event in two execution environments at once would both read the resource before either
corrects it, so each event is handled under Powertools idempotency on its id: the second skips while the first
runs, and gets its answer afterwards. A container also remembers the events it handled.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from aws_lambda_powertools import Logger

from glueguard.handlers import scaffold

# Heavy imports (pydantic models, boto3) wait for the first event, so a cold start pays only for what it
# uses (`make bench`: cold start).

logger = Logger(service="glueguard-enforcer")
#: Event ids this container handled (newest last): a redelivery here costs no AWS call.
RECENT_EVENTS = 1024
_handled: OrderedDict[str, dict[str, Any]] = OrderedDict()


@scaffold.Component
def enforcer() -> Any:
    """The Enforcer, built once per container from the environment."""
    return build_enforcer(lineage=True)


def build_enforcer(*, lineage: bool) -> Any:
    """An Enforcer over the environment's tables; with the lineage table only where calls arrive (the sweep, which
    sees resources and no calls, neither needs nor names it)."""
    from glueguard.adapters.decisions import DecisionLog
    from glueguard.adapters.lineage import LineageLog
    from glueguard.adapters.registry import Registry
    from glueguard.enforcement import Enforcer
    from glueguard.models.events import plane_principals
    from glueguard.policy.settings import current_policy

    return Enforcer(
        registry=Registry(),
        decisions=DecisionLog(),
        policy=current_policy(),
        plane=plane_principals(),
        lineage=LineageLog() if lineage else None,
    )


def reset() -> None:
    """Forget what the container built and handled (tests change tables and endpoints)."""
    scaffold.reset()
    _handled.clear()


def _enforce(event: dict[str, Any]) -> dict[str, Any]:
    from glueguard.adapters.clients import acting_in
    from glueguard.models.events import parse_cloudtrail_event

    with acting_in(event.get("account")):  # the resource's account: a member's, through its member role
        return enforcer().handle_event(parse_cloudtrail_event(event)).to_dict()


_enforce_once_per_event = scaffold.Idempotent(_enforce, keyword="event", key="id", expires_seconds=24 * 3600)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from glueguard.models.events import InvalidEventError, parse_cloudtrail_event

    try:
        parsed = parse_cloudtrail_event(event)  # validate before any state is touched
    except InvalidEventError as exc:
        logger.error("invalid event", extra={"event_id": exc.event_id, "error": str(exc)})
        raise
    if parsed.id in _handled:
        logger.info("duplicate delivery", extra={"event_id": parsed.id})
        return _handled[parsed.id]
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    _enforce_once_per_event.register(context)
    try:
        result = _enforce_once_per_event(event=event)
    except IdempotencyAlreadyInProgressError:  # the first delivery's invocation corrects and records it
        logger.info("delivery in progress elsewhere", extra={"event_id": parsed.id})
        return {"outcome": "skipped", "reason": "the same event is being handled by another invocation"}
    logger.info("enforced", extra={"event_id": parsed.id, "event_name": parsed.detail.eventName, **result})
    _handled[parsed.id] = result
    while len(_handled) > RECENT_EVENTS:
        _handled.popitem(last=False)
    return result
