"""Carry out a plan, in order, stopping at the first failure (a delete never runs unsaved)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from glueguard.remediation.plan import Action, redacted


class RemediationError(RuntimeError):
    """An action failed; `done` lists the actions that had succeeded before it."""

    def __init__(self, action: Action, cause: Exception, done: list[Action]) -> None:
        super().__init__(f"{action.service}.{action.operation} failed: {cause}")
        self.action, self.cause, self.done = action, cause, done


def execute(
    actions: list[Action],
    client_for: Callable[[str], Any],
    client_as_profile: Callable[[str, str], Any] | None = None,
) -> list[dict[str, Any]]:
    """Run every action (one that names a usage profile with a client carrying it, when given); return a summary
    of each. Raise RemediationError at the first failure."""
    done: list[Action] = []
    results: list[dict[str, Any]] = []
    for action in actions:
        if action.profile and client_as_profile is not None:
            service = client_as_profile(action.service, action.profile)
        else:
            service = client_for(action.service)
        try:
            getattr(service, action.operation)(**action.params)
        except Exception as exc:
            raise RemediationError(action, exc, done) from exc
        done.append(action)
        results.append(summarize(action))
    return results


def summarize(action: Action) -> dict[str, Any]:
    """What a decision record keeps of an action (no object bodies, no secrets)."""
    params = redacted({k: v for k, v in action.params.items() if k != "Body"})
    summary = {"call": f"{action.service}:{action.operation}", "reason": action.reason, "params": params}
    return {**summary, "as_profile": action.profile} if action.profile else summary
