"""What every part of the run guard shares: the adapters, the policy, the clock, and how a stop is recorded."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from glueguard.adapters import metrics
from glueguard.adapters.clients import acting_account, client, plane_account
from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.ledger import Ledger
from glueguard.adapters.registry import Registry
from glueguard.models.decision import Decision
from glueguard.models.project import Project, ProjectStatus
from glueguard.naming import project_of
from glueguard.policy.settings import Policy
from glueguard.runs.caps import Breach

logger = logging.getLogger(__name__)

FUNCTION = "run_guard"


@dataclass
class Outcome:
    """What the guard did about one run or event."""

    outcome: str  # admitted | known | stopped | released | skipped | swept
    reason: str = ""
    decisions: list[Decision] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "reason": self.reason,
            "decision_ids": [d.decision_id for d in self.decisions],
            **({"counts": self.counts} if self.counts else {}),
        }


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError ("" for anything else)."""
    return str(((getattr(exc, "response", None) or {}).get("Error") or {}).get("Code") or "")


def one_item(counts: Counter[str], kind: str, name: str, work: Callable[..., Any], *args: Any) -> Any:
    """Run a sweep's work on one item so that nothing about it stops the rest: an item deleted since it was listed
    (EntityNotFoundException) is counted `<kind>_gone`, any other failure is logged and counted `<kind>_failed`;
    either way the answer is None and the sweep goes on to the next item."""
    try:
        return work(*args)
    except Exception as exc:  # one item's failure must not blind the sweep to the others
        if error_code(exc) == "EntityNotFoundException":
            logger.info("%s %s was deleted while the sweep read it", kind, name)
            counts[f"{kind}_gone"] += 1
        else:
            logger.exception("the sweep could not judge %s %s; it goes on with the others", kind, name)
            counts[f"{kind}_failed"] += 1
        return None


@dataclass
class Trigger:
    """The event behind an action, as a decision records it."""

    event_id: str
    event_name: str
    principal: str | None = None


def interactive_decision(
    project: Project,
    trigger: Trigger,
    breach: Breach,
    policy: Policy,
    *,
    kind: str,
    name: str,
    outcome: str,
    actions: list[dict[str, Any]],
    before: dict[str, Any],
    figures: dict[str, Any],
    after: dict[str, Any] | None = None,
) -> Decision:
    """The decision recording what the guard did to an interactive session or dev endpoint over a cap."""
    return Decision(
        project_id=project.project_id,
        event_id=trigger.event_id,
        event_name=trigger.event_name,
        function=FUNCTION,
        resource_kind=kind,
        resource_name=name,
        outcome=outcome,
        severity="medium",
        policy_version=policy.version,
        violations=[breach.to_dict()],
        actions=actions,
        before=before,
        after=after,
        reason=breach.message,
        figures=figures,
    )


@dataclass
class GuardContext:
    """The run guard's adapters and settings, shared by admission, caps, reconcile and sessions."""

    registry: Registry
    ledger: Ledger
    decisions: DecisionLog
    policy: Policy
    client_for: Callable[[str], Any] = client
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @property
    def glue(self) -> Any:
        return self.client_for("glue")

    def policy_for(self, project: Project) -> Policy:
        return self.policy.with_overrides(project.policy_overrides)

    def project(self, job_name: str) -> tuple[Project | None, str]:
        """The live project a job (or session, endpoint) belongs to by name, or None and why not."""
        project_id = project_of(job_name)
        if project_id is None:
            return None, f"job {job_name} carries no project prefix; runs of unowned jobs are the enforcer's to report"
        project = self.registry.get(project_id)
        if project is None:
            return None, f"job {job_name} points at unregistered project {project_id}"
        if project.status is ProjectStatus.DELETED:
            return None, f"project {project_id} is deleted"
        if elsewhere := self.elsewhere(project, job_name):
            return None, elsewhere
        return project, ""

    @staticmethod
    def elsewhere(project: Project, name: str) -> str:
        """Why `name`, in the account acted in (the event's), is not `project`'s: a name-alike that another
        account's administrator made; empty when the project lives there."""
        here = acting_account()
        if project.lives_in(here, plane_account()):
            return ""
        return f"{name} is in account {here}; project {project.project_id} lives in {project.account_id}"

    def live_projects(self) -> dict[str, Project]:
        return {p.project_id: p for p in self.registry.list() if p.status is not ProjectStatus.DELETED}

    def publish(self, decision: Decision, rule: str) -> bool:
        """Record and measure a decision once (the decisions stream notifies); False when already recorded."""
        if not self.decisions.record(decision):
            logger.info("decision %s already recorded; duplicate delivery", decision.decision_id)
            return False
        metrics.count(
            metrics.RUNS_STOPPED if decision.resource_kind == "jobrun" else "InteractiveStopped",
            Project=decision.project_id,
            Rule=rule,
        )
        return True
