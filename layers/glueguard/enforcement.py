"""The enforcement pipeline shared by the enforcer and the compliance sweep:
read current state -> resolve the project -> evaluate rules -> plan -> execute -> record, measure, notify.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from glueguard.adapters import metrics
from glueguard.adapters.clients import acting_account, client, client_as_profile, plane_account
from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.lineage import LineageLog
from glueguard.adapters.registry import Registry
from glueguard.lineage.record import lineage_record
from glueguard.models.decision import UNOWNED, Decision, finding_of
from glueguard.models.events import CloudTrailEvent, PlanePrincipals
from glueguard.models.project import Project
from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation, highest
from glueguard.naming import project_of
from glueguard.ownership import owner
from glueguard.policy.settings import Policy
from glueguard.remediation.execute import execute
from glueguard.remediation.plan import Plan
from glueguard.remediation.planner import build_plan
from glueguard.resources.base import ResourceKind, kind_for_event
from glueguard.rules import RuleContext, evaluate
from glueguard.rules.quota import QUOTAS

logger = logging.getLogger(__name__)


@dataclass
class Result:
    """What happened to one event or resource."""

    outcome: str  # compliant | remediated | reported | deleted | skipped
    reason: str = ""
    decision: Decision | None = None
    violations: list[Violation] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "reason": self.reason,
            "violations": [v.rule for v in self.violations],
            "decision_id": self.decision.decision_id if self.decision else None,
        }


@dataclass
class Judgement:
    """What the pipeline would do to one resource, before it does anything."""

    kind: ResourceKind
    resource: Resource
    project: Project | None
    policy: Policy
    violations: list[Violation]
    plan: Plan | None  # None when compliant or unowned


#: Metric: governed events that name no resource (CloudTrail left the name out); the sweep judges them.
UNNAMED_EVENTS = "UnnamedEvents"


@dataclass
class Enforcer:
    registry: Registry
    decisions: DecisionLog
    policy: Policy
    client_for: Callable[[str], Any] = client
    #: a client whose calls carry a Glue usage profile (a job's correction keeps the job's profile)
    client_as: Callable[[str, str], Any] | None = client_as_profile
    plane: PlanePrincipals = field(default_factory=PlanePrincipals)
    function: str = "enforcer"
    #: Record a report once per finding on unchanged state rather than once per event (the sweep: every
    #: run would otherwise record the same unchanged finding again).
    reports_by_finding: bool = False
    #: Where a compliant catalog change's lineage record goes (the enforcer's; the sweep sees no calls).
    lineage: LineageLog | None = None

    # -------------------------------------------------------------- events
    def handle_event(self, event: CloudTrailEvent) -> Result:
        detail = event.detail
        if detail.errorCode:
            return Result("skipped", f"rejected call ({detail.errorCode})")
        identity = detail.userIdentity
        if self.plane.is_plane(identity):
            return Result("skipped", "the control plane's own call")
        route = kind_for_event(detail.eventName)
        if route is None:
            return Result("skipped", f"{detail.eventName} is not governed")
        try:
            target = route.target(detail.eventName, detail.requestParameters, detail.responseElements)
        except KeyError as exc:
            # CloudTrail omits large requestParameters (e.g. a visual job's CodeGenConfigurationNodes) and the
            # response may not name it either: count it and let the compliance sweep judge the resource.
            logger.warning("event %s names no resource: %s", event.id, exc.args[0])
            metrics.count(UNNAMED_EVENTS, Event=detail.eventName)
            return Result("skipped", f"{exc.args[0]}; left to the compliance sweep")
        if target is None:
            return Result("skipped", f"{detail.eventName} concerns no governed resource")
        kind, name = target
        region = detail.awsRegion or event.region or "us-east-1"
        account = event.account or identity.accountId or "000000000000"
        arn = kind.arn(name, region, account)
        result = self.enforce(
            kind,
            name,
            arn,
            event_id=detail.eventID,
            event_name=detail.eventName,
            principal=identity.arn,
            principal_role=identity.role_name,
            principal_issuer=identity.issuer_arn,
            impostor=self.plane.impersonates(identity),
        )
        if result.outcome == "compliant" and self.lineage is not None:
            record = lineage_record(event, arn, name)  # None unless a catalog data change: one PutItem if one
            if record is not None:
                self.lineage.record(record)
        return result

    # -------------------------------------------------------------- resources
    def enforce(
        self,
        kind: ResourceKind,
        name: str,
        arn: str,
        *,
        event_id: str,
        event_name: str = "",
        principal: str | None = None,
        principal_role: str | None = None,
        principal_issuer: str | None = None,
        resource: Resource | None = None,
        impostor: bool = False,
    ) -> Result:
        """Judge the resource's current state and correct it (the event only names it)."""
        current = resource or kind.read(self.client_for("glue"), name, arn)
        if current is None:
            return Result("skipped", f"{kind.kind} {name} no longer exists")
        judged = self.judge(
            kind,
            current,
            event_id=event_id,
            event_name=event_name,
            principal_role=principal_role,
            principal_issuer=principal_issuer,
            impostor=principal if impostor else None,
        )
        base = {
            "event_id": event_id,
            "event_name": event_name,
            "function": self.function,
            "resource_kind": kind.kind,
            "resource_name": name,
            "principal": principal,
            "policy_version": judged.policy.version,
        }
        project, violations, plan = judged.project, judged.violations, judged.plan
        if project is None:
            violation = violations[0]
            before = kind.redact(current.definition)
            decision = Decision(
                project_id=UNOWNED,
                outcome="reported",
                severity=str(violation.severity),
                violations=[violation.to_dict()],
                before=before,
                finding=self._finding(kind.kind, name, [violation.to_dict()], before),
                **base,
            )
            self._publish(decision, [violation])
            return Result("reported", violation.message, decision, [violation])
        if plan is None:
            return Result("compliant")
        results = execute(plan.actions, self.client_for, self.client_as)
        found = [v.to_dict() for v in violations]
        before = {"definition": kind.redact(current.definition), "tags": current.tags}
        decision = Decision(
            project_id=project.project_id,
            outcome=plan.outcome,
            severity=str(highest([v.severity for v in violations])),
            violations=found,
            actions=results,
            before=before,
            after=plan.after,
            finding=self._finding(kind.kind, name, found, before) if plan.outcome == "reported" else None,
            **base,
        )
        self._publish(decision, violations, enforced=plan.enforced)
        return Result(plan.outcome, "", decision, violations)

    def judge(
        self,
        kind: ResourceKind,
        current: Resource,
        *,
        event_id: str = "",
        event_name: str = "",
        principal_role: str | None = None,
        principal_issuer: str | None = None,
        impostor: str | None = None,
    ) -> Judgement:
        """Resolve the project, evaluate the rules and build the plan, calling nothing but the registry
        (`glueguard plan` stops here; `enforce` goes on to execute and record)."""
        project_id, project = owner(current, self._registered_here, principal_issuer)
        if project is None:
            violation = Violation(
                f"{kind.kind}-unowned",
                Severity.HIGH,
                f"{kind.kind} {current.name} in account {acting_account()} belongs to no project registered there"
                + (f" (it points at project {project_id})" if project_id else ""),
            )
            return Judgement(kind, current, None, self.policy, [violation], None)
        policy = self.policy.with_overrides(project.policy_overrides)
        counted = event_name.startswith("Create") and kind.kind in QUOTAS
        project_count, account_count = self._counts(kind, current, project.project_id) if counted else (None, None)
        ctx = RuleContext(
            project,
            policy,
            principal_project=project_of(principal_role),
            event_name=event_name,
            project_count=project_count,
            account_count=account_count,
        )
        violations = evaluate(current, ctx)
        refused = self.policy.override_error(project.policy_overrides)
        if refused:  # fail closed: the deployed policy applied; say why, critically
            violations.append(Violation("policy-overrides-invalid", Severity.CRITICAL, refused, enforce=False))
        if impostor:  # a role under the plane's path that is not the stack's (docs/security.md)
            violations.append(self.plane.impersonation(impostor, kind.kind, current.name))
        plan = build_plan(kind, current, violations, project, policy, event_id=event_id) if violations else None
        return Judgement(kind, current, project, policy, violations, plan)

    def _counts(self, kind: ResourceKind, current: Resource, project_id: str) -> tuple[int, int]:
        """(the project's resources of the kind created up to `current`, `current` included; the account's): the
        order of creation decides which one is past the quota, however many creations arrive at once."""
        created = creation_time(current.definition)
        mine = everyone = 0
        pages = self.client_for("glue").get_paginator(kind.list_operation).paginate()
        for definition in (d for page in pages for d in page.get(kind.list_result_key, [])):
            everyone += 1
            name = definition.get(kind.list_name_field)
            if project_of(name) == project_id and (name == current.name or creation_time(definition) <= created):
                mine += 1
        return mine, everyone

    def _registered_here(self, project_id: str) -> Project | None:
        """The registered project `project_id` when it lives in the account acted in (the event's): a name-alike
        that another account's administrator made is nobody's (issue 24 item 7)."""
        project = self.registry.get(project_id)
        return project if project is not None and project.lives_in(acting_account(), plane_account()) else None

    def _finding(self, kind: str, name: str, violations: list[dict[str, Any]], before: Any) -> str | None:
        return finding_of(kind, name, violations, before) if self.reports_by_finding else None

    def _publish(self, decision: Decision, violations: list[Violation], enforced: list[Violation] = ()) -> None:
        """Record the decision once; only a first write is measured (the decisions table's stream notifies)."""
        if not self.decisions.record(decision):
            logger.info("decision %s already recorded; duplicate delivery", decision.decision_id)
            return
        for violation in violations:
            metrics.count("Violations", Project=decision.project_id, Rule=violation.rule)
        for violation in enforced:
            metrics.count("Remediations", Project=decision.project_id, Rule=violation.rule)


def creation_time(definition: dict[str, Any]) -> str:
    """When a job (CreatedOn) or crawler (CreationTime) was created, comparable as text ("" when unknown)."""
    value = definition.get("CreatedOn") or definition.get("CreationTime")
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")
