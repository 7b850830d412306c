"""The sweep: every resource of every registered kind, listed page by page, judged and repaired by
the enforcer's own pipeline (`Enforcer.enforce(..., resource=listed)`: no extra Get per resource).

Decisions use the event id `sweep-<run id>`, so a retried sweep run records each decision once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from glueguard.compliance.report import Finding, ResourceStatus, in_project_vpc
from glueguard.enforcement import Enforcer, Result
from glueguard.models.decision import UNOWNED
from glueguard.models.project import Project
from glueguard.models.resource import Resource
from glueguard.ownership import owner
from glueguard.resources.base import ResourceKind, TagLookup
from glueguard.rules import RuleContext, evaluate

logger = logging.getLogger(__name__)

EVENT_NAME = "ComplianceSweep"


def sweep_event_id(run_id: str) -> str:
    return f"sweep-{run_id}"


@dataclass
class SweepResult:
    statuses: list[ResourceStatus] = field(default_factory=list)
    kinds_swept: list[str] = field(default_factory=list)
    kinds_not_swept: dict[str, str] = field(default_factory=dict)
    #: (project id, definition after the sweep, tags) of every job, for the cost report.
    jobs: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)


def _project(enforcer: Enforcer, resource: Resource) -> Project | None:
    return owner(resource, enforcer.registry.get)[1]


def _after(enforcer: Enforcer, kind: ResourceKind, resource: Resource, result: Result) -> Resource | None:
    """The resource as the sweep left it, None once deleted: read again from Glue when the repair called it (what
    the calls did, not what the plan meant them to do), else the plan's own record of it."""
    if result.outcome == "deleted":
        return None
    if result.decision and result.decision.actions:
        return kind.read(enforcer.client_for("glue"), resource.name, resource.arn or "")
    after = result.decision.after if result.decision else None
    if after:
        return Resource(kind.kind, resource.name, after["definition"], after.get("tags") or {}, resource.arn)
    return resource


def judge(enforcer: Enforcer, kind: ResourceKind, resource: Resource, run_id: str) -> tuple[ResourceStatus, Resource]:
    """Run one listed resource through the enforcement pipeline; report what it found and left."""
    project = _project(enforcer, resource)
    project_id = project.project_id if project else UNOWNED
    is_job = kind.kind == "job"
    status = ResourceStatus(
        kind=kind.kind,
        name=resource.name,
        project_id=project_id,
        outcome="failed",
        in_project_vpc_before=in_project_vpc(resource.definition, project) if is_job else None,
    )
    try:
        result = enforcer.enforce(
            kind,
            resource.name,
            resource.arn or "",
            event_id=sweep_event_id(run_id),
            event_name=EVENT_NAME,
            resource=resource,
        )
    except Exception as exc:  # one broken resource must not stop the sweep of the others
        logger.exception("sweep of %s %s failed", kind.kind, resource.name)
        status.error = f"{type(exc).__name__}: {exc}"
        status.in_project_vpc_after = status.in_project_vpc_before
        return status, resource
    status.outcome = result.outcome
    status.before = [Finding.of(v) for v in result.violations]
    left = _after(enforcer, kind, resource, result)
    if left is None:
        status.after = []
    elif left is resource or project is None:
        status.after = list(status.before)
    else:
        ctx = RuleContext(project, enforcer.policy.with_overrides(project.policy_overrides))
        status.after = [Finding.of(v) for v in evaluate(left, ctx)]
    if is_job:
        status.in_project_vpc_after = in_project_vpc(left.definition, project) if left else None
    return status, left or resource


def sweep(
    enforcer: Enforcer,
    kinds: Mapping[str, ResourceKind],
    *,
    run_id: str,
    region: str,
    account: str,
    tags_of: TagLookup,
    projects: frozenset[str] | None = None,
) -> SweepResult:
    """List every resource of every kind (paginated) and judge each as its page arrives (only those of
    `projects`, when given: a sweep of some projects lists the account but judges and repairs only theirs)."""
    glue = enforcer.client_for("glue")
    result = SweepResult()
    for name, kind in kinds.items():
        listed: Iterator[Resource] = kind.list_all(glue, region, account, tags_of)
        try:
            for resource in listed:
                if projects is not None and owner(resource, enforcer.registry.get)[0] not in projects:
                    continue
                status, left = judge(enforcer, kind, resource, run_id)
                result.statuses.append(status)
                if name == "job" and status.project_id != UNOWNED and status.outcome != "deleted":
                    result.jobs.append((status.project_id, left.definition, left.tags))
        except NotImplementedError as exc:
            result.kinds_not_swept[name] = str(exc)
            continue
        except Exception as exc:  # e.g. AccessDenied on one kind's list call: report it, sweep the others
            logger.exception("listing %s failed", name)
            result.kinds_not_swept[name] = f"listing failed: {type(exc).__name__}: {exc}"
            continue
        result.kinds_swept.append(name)
    return result
