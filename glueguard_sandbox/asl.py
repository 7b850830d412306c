"""Generate the provisioning and deprovisioning state machines (statemachines/*.asl.json) from the step order.

The committed ASL files are this module's output (`python -m glueguard_sandbox.asl` rewrites them; a test checks
they are current), so the saga's compensation chain always mirrors glueguard.provisioning.steps.ORDER.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from glueguard.provisioning.steps import ORDER, REMOVAL_ORDER

ROOT = Path(__file__).resolve().parents[1]
PROVISION = ROOT / "statemachines" / "provision_project.asl.json"
DEPROVISION = ROOT / "statemachines" / "deprovision_project.asl.json"
FUNCTION = "${ProvisionerFunctionArn}"

LAMBDA_ERRORS = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "States.Timeout",  # a crashed or timed-out step re-runs: every step is idempotent
]
RETRY_CRASH = {"ErrorEquals": LAMBDA_ERRORS, "IntervalSeconds": 2, "MaxAttempts": 5, "BackoffRate": 2}
RETRY_TRANSIENT = {"ErrorEquals": ["TransientError"], "IntervalSeconds": 10, "MaxAttempts": 10, "BackoffRate": 1.5}
RETRY_ANY = {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 5, "MaxAttempts": 5, "BackoffRate": 2}


def _title(step: str) -> str:
    return step.title().replace("_", "")


def _task(comment: str, parameters: dict[str, Any], nxt: str | None, **fields: Any) -> dict[str, Any]:
    state: dict[str, Any] = {"Type": "Task", "Comment": comment, "Resource": FUNCTION, "Parameters": parameters}
    state.update(fields)
    if nxt:
        state["Next"] = nxt
    else:
        state["End"] = True
    return state


def _catch(target: str, path: str = "$.error") -> list[dict[str, Any]]:
    return [{"ErrorEquals": ["States.ALL"], "ResultPath": path, "Next": target}]


def _opening(validate: str, collect: str, claim: tuple[str, str, str, str | None]) -> dict[str, Any]:
    """ValidateRequest then the registry claim; either refusing ends the execution with the error as it came."""
    state, comment, action, result_path = claim
    return {
        "ValidateRequest": _task(
            "Check the request against its contract (InvalidRequest names every bad field).",
            {"action": validate, "request.$": "$"},
            state,
            ResultSelector={"request.$": "$", collect: {}},
            ResultPath="$",
            Retry=[RETRY_CRASH],
            Catch=_catch("Refused", "$"),
        ),
        state: _task(
            comment,
            {"action": action, "request.$": "$.request", "executionId.$": "$$.Execution.Id"},
            None,
            ResultPath=result_path,
            Retry=[RETRY_CRASH],
            Catch=_catch("RefusedAfterValidation"),
        ),
    }


def _endings(failed: str) -> dict[str, Any]:
    return {
        failed: {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.failure.reason"},
        "Refused": {"Type": "Fail", "ErrorPath": "$.Error", "CausePath": "$.Cause"},
        "RefusedAfterValidation": {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"},
    }


def _then(states: dict[str, Any], state: str, nxt: str) -> None:
    states[state].pop("End")
    states[state]["Next"] = nxt


def provision() -> dict[str, Any]:
    register = (
        "Register",
        "Registry entry PROVISIONING; an existing project is refused (ProjectExists).",
        "register",
        None,
    )
    states = _opening("validate", "outputs", register)
    _then(states, "Register", f"Create{_title(ORDER[0])}")
    for index, step in enumerate(ORDER):
        nxt = f"Create{_title(ORDER[index + 1])}" if index + 1 < len(ORDER) else "Activate"
        states[f"Create{_title(step)}"] = _task(
            f"Create (or complete) the project's {step} resources.",
            {"action": "create", "step": step, "request.$": "$.request"},
            nxt,
            ResultPath=f"$.outputs.{step}",
            Retry=[RETRY_CRASH, RETRY_TRANSIENT],
            Catch=_catch(f"Compensate{_title(step)}"),
        )
    states["Activate"] = _task(
        "Record every ARN and id in the registry and mark the project ACTIVE.",
        {"action": "activate", "request.$": "$.request", "outputs.$": "$.outputs"},
        None,
        Retry=[RETRY_CRASH],
        Catch=_catch(f"Compensate{_title(ORDER[-1])}"),
    )
    for index, step in enumerate(reversed(ORDER)):
        remaining = list(reversed(ORDER))[index + 1 :]
        nxt = f"Compensate{_title(remaining[0])}" if remaining else "MarkFailed"
        states[f"Compensate{_title(step)}"] = _task(
            f"Undo the {step} step: remove whatever of it exists.",
            {"action": "compensate", "step": step, "request.$": "$.request"},
            nxt,
            ResultPath=None,
            Retry=[RETRY_TRANSIENT, RETRY_ANY],
            Catch=_catch("MarkRollbackIncomplete", "$.rollbackError"),
        )
    states["MarkFailed"] = _task(
        "Registry FAILED with the reason; everything created was removed.",
        {"action": "fail", "request.$": "$.request", "error.$": "$.error"},
        "ProvisioningFailed",
        ResultPath="$.failure",
        Retry=[RETRY_ANY],
    )
    states["MarkRollbackIncomplete"] = _task(
        "Registry FAILED, saying the rollback itself failed (what remains is tagged with the project).",
        {"action": "fail", "stage": "rollback", "request.$": "$.request", "error.$": "$.rollbackError"},
        "ProvisioningFailed",
        ResultPath="$.failure",
        Retry=[RETRY_ANY],
    )
    states.update(_endings("ProvisioningFailed"))
    return {
        "Comment": "glueguard: provision one project (saga: each step idempotent, compensated in reverse on failure).",
        "StartAt": "ValidateRequest",
        "TimeoutSeconds": 3600,
        "States": states,
    }


def deprovision() -> dict[str, Any]:
    begin = (
        "BeginRemoval",
        "Registry DEPROVISIONING (refused while the project is PROVISIONING).",
        "begin_removal",
        "$.begin",
    )
    states = _opening("validate_removal", "removed", begin)
    _then(states, "BeginRemoval", f"Remove{_title(REMOVAL_ORDER[0])}")
    for index, step in enumerate(REMOVAL_ORDER):
        nxt = f"Remove{_title(REMOVAL_ORDER[index + 1])}" if index + 1 < len(REMOVAL_ORDER) else "FinishRemoval"
        states[f"Remove{_title(step)}"] = _task(
            f"Remove the project's {step} resources (keeping retained data).",
            {"action": "remove", "step": step, "request.$": "$.request"},
            nxt,
            ResultPath=f"$.removed.{step}",
            Retry=[RETRY_CRASH, RETRY_TRANSIENT],
            Catch=_catch("RemovalFailed"),
        )
    states["FinishRemoval"] = _task(
        "Registry DELETED, listing what was retained.",
        {"action": "finish_removal", "request.$": "$.request", "removed.$": "$.removed"},
        None,
        Retry=[RETRY_CRASH],
        Catch=_catch("RemovalFailed"),
    )
    states["RemovalFailed"] = _task(
        "Registry keeps DEPROVISIONING with the reason: running the removal again finishes it.",
        {"action": "removal_failed", "request.$": "$.request", "error.$": "$.error"},
        "DeprovisioningFailed",
        ResultPath="$.failure",
        Retry=[RETRY_ANY],
    )
    states.update(_endings("DeprovisioningFailed"))
    return {
        "Comment": "glueguard: remove one project, keeping the data the retention parameter keeps.",
        "StartAt": "ValidateRequest",
        "TimeoutSeconds": 3600,
        "States": states,
    }


def render(definition: dict[str, Any]) -> str:
    return json.dumps(definition, indent=2) + "\n"


def main() -> int:
    for path, definition in ((PROVISION, provision()), (DEPROVISION, deprovision())):
        path.parent.mkdir(exist_ok=True)
        path.write_text(render(definition))
        print(f"wrote {path.relative_to(ROOT)} ({len(definition['States'])} states)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
