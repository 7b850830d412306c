"""Enforcer Lambda: CloudTrail CreateJob/UpdateJob (and every governed Glue call) -> correct the resource.

Skips rejected calls and the plane's own calls; idempotent on the EventBridge event id; a malformed
event raises InvalidEventError (logged with its id), changes nothing, and ends in the rule's DLQ.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger

from glueguard.handlers import idempotency

# Heavy imports (pydantic models, the idempotency utility and boto3 behind it) wait for the first
# event, so a cold start pays only for what it uses (`make bench`: cold start).

logger = Logger(service="glueguard-enforcer")


@cache
def idempotency_config() -> Any:
    return idempotency.config("id", 24 * 3600)


def enforcer() -> Any:
    """The container's Enforcer, under the current policy (read again every GLUEGUARD_POLICY_TTL_SECONDS)."""
    from glueguard.policy import current_policy

    built = _enforcer()
    built.policy = current_policy()
    return built


@cache
def _enforcer() -> Any:
    """The Enforcer, built once per container from the environment."""
    from glueguard.adapters.decisions import DecisionLog
    from glueguard.adapters.notify import Notifier
    from glueguard.adapters.registry import Registry
    from glueguard.enforcement import Enforcer
    from glueguard.models.events import plane_principals
    from glueguard.policy import current_policy

    return Enforcer(
        registry=Registry(),
        decisions=DecisionLog(),
        notifier=Notifier(),
        policy=current_policy(),
        plane=plane_principals(),
    )


def reset() -> None:
    """Forget the cached Enforcer and persistence layer (tests change tables and endpoints)."""
    from glueguard.policy import reset_policy_cache

    _enforcer.cache_clear()
    reset_policy_cache()
    idempotency.reset()
    _idempotent.cache_clear()
    idempotency_config.cache_clear()


@cache
def _idempotent() -> Any:
    return idempotency.idempotent(_enforce_once, "event", idempotency_config())


def _enforce_once(event: dict[str, Any]) -> dict[str, Any]:
    from glueguard.models.events import parse_cloudtrail_event

    parsed = parse_cloudtrail_event(event)
    result = enforcer().handle_event(parsed)
    logger.info("enforced", extra={"event_id": parsed.id, "event_name": parsed.detail.eventName, **result.to_dict()})
    return result.to_dict()


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from glueguard.models.events import InvalidEventError, parse_cloudtrail_event

    try:
        parse_cloudtrail_event(event)  # validate before any state is touched
    except InvalidEventError as exc:
        logger.error("invalid event", extra={"event_id": exc.event_id, "error": str(exc)})
        raise
    idempotency_config().register_lambda_context(context)
    from glueguard.adapters.clients import acting_in

    with acting_in(event.get("account")):  # the resource's account: a member's, through its member role
        return _idempotent()(event=event)
