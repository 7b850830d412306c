"""Provisioner Lambda: one task of the provision/deprovision state machines, chosen by the input's `action`
(and `step` for create/compensate/remove). Every action is idempotent; errors propagate by class name so the
ASL can Retry (TransientError) or Catch and compensate."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from glueguard.adapters.registry import Registry
from glueguard.naming import is_project_id
from glueguard.provisioning import lifecycle
from glueguard.provisioning.context import Context
from glueguard.provisioning.request import DeprovisionRequest, InvalidRequest, ProvisionRequest, parse
from glueguard.provisioning.steps import STEPS, step

logger = Logger(service="glueguard-provisioner")


def _provision(event: dict[str, Any]) -> ProvisionRequest:
    return parse(ProvisionRequest, event.get("request"))


def _removal(event: dict[str, Any]) -> DeprovisionRequest:
    return parse(DeprovisionRequest, event.get("request"))


def _validate(event: dict[str, Any]) -> Any:
    return _provision(event).model_dump(mode="json", by_alias=True)


def _validate_removal(event: dict[str, Any]) -> Any:
    return _removal(event).model_dump(mode="json", by_alias=True)


def _register(event: dict[str, Any]) -> Any:
    return lifecycle.register(Registry(), _provision(event), str(event.get("executionId") or ""))


def _create(event: dict[str, Any]) -> Any:
    request = _provision(event)
    return step(event["step"]).create(Context(request.project_id, request))


def _compensate(event: dict[str, Any]) -> Any:
    """Undo a provisioning step: remove everything it may have created, keep nothing."""
    request = _provision(event)
    removed = step(event["step"]).delete(Context(request.project_id, request), retain_data=False)
    return {"removed": removed}


def _remove(event: dict[str, Any]) -> Any:
    request = _removal(event)
    ctx = Context(request.project_id)
    module = step(event["step"])
    if event["step"] == "kms":
        return module.delete(ctx, request.retain_data, deletion_days=request.key_deletion_days)
    return module.delete(ctx, request.retain_data)


def _activate(event: dict[str, Any]) -> Any:
    return lifecycle.activate(Registry(), _provision(event).project_id, event.get("outputs") or {})


def _fail(event: dict[str, Any]) -> Any:
    stage = str(event.get("stage") or "provisioning")
    return lifecycle.fail(Registry(), _provision(event).project_id, event.get("error"), stage)


def _begin_removal(event: dict[str, Any]) -> Any:
    return lifecycle.begin_removal(Registry(), _removal(event), str(event.get("executionId") or ""))


def _finish_removal(event: dict[str, Any]) -> Any:
    return lifecycle.finish_removal(Registry(), _removal(event), event.get("removed") or {})


def _removal_failed(event: dict[str, Any]) -> Any:
    return lifecycle.removal_failed(Registry(), _removal(event).project_id, event.get("error"))


ACTIONS = {
    "validate": _validate,
    "register": _register,
    "create": _create,
    "compensate": _compensate,
    "activate": _activate,
    "fail": _fail,
    "validate_removal": _validate_removal,
    "begin_removal": _begin_removal,
    "remove": _remove,
    "finish_removal": _finish_removal,
    "removal_failed": _removal_failed,
}


def dispatch(event: dict[str, Any]) -> Any:
    """Run one task; raise InvalidRequest for an event the state machines never send."""
    if not isinstance(event, dict):
        raise InvalidRequest("the task input must be a JSON object")
    action = event.get("action")
    if not isinstance(action, str) or action not in ACTIONS:
        raise InvalidRequest(f"unknown action {action!r} (known: {sorted(ACTIONS)})")
    step_name = event.get("step")
    if action in ("create", "compensate", "remove") and not (isinstance(step_name, str) and step_name in STEPS):
        raise InvalidRequest(f"action {action!r} needs a 'step', one of {sorted(STEPS)}; got {step_name!r}")
    return ACTIONS[action](event)


#: Actions that work on a removal request (the project's account comes from the registry).
REMOVAL_ACTIONS = {"validate_removal", "begin_removal", "remove", "finish_removal", "removal_failed"}


def _account(event: Any) -> str | None:
    """The account the task acts in: the request's accountId, or where the project being removed lives."""
    if not isinstance(event, dict) or not isinstance(event.get("request"), dict):
        return None
    action = event.get("action")
    if isinstance(action, str) and action in REMOVAL_ACTIONS:
        project_id = event["request"].get("projectId")
        project = Registry().get(project_id) if isinstance(project_id, str) and is_project_id(project_id) else None
        return project.account_id if project else None
    account = event["request"].get("accountId")
    return account if isinstance(account, str) else None


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> Any:
    from glueguard.adapters.clients import acting_in

    if isinstance(event, dict):
        logger.append_keys(action=event.get("action"), step=event.get("step"))
    try:
        with acting_in(_account(event)):  # a member's project: created and removed through its member role
            result = dispatch(event)
    except Exception as exc:
        logger.warning("task failed", extra={"error": type(exc).__name__, "reason": str(exc)})
        raise
    logger.info("task done")
    return result
