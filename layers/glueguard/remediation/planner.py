"""Build the plan that remediates one resource (pure: no AWS call)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from glueguard.models.project import Project
from glueguard.models.resource import Resource
from glueguard.models.violation import Violation
from glueguard.naming import compliant_name
from glueguard.policy import NamingAction, Policy
from glueguard.remediation.plan import Action, Plan, apply_patches, merged_tags
from glueguard.resources.base import ResourceKind

QUARANTINE_PREFIX = "glueguard/quarantine"


def saved_definition_key(kind: str, name: str, when: datetime) -> str:
    return f"{QUARANTINE_PREFIX}/{kind}/{name}/{when.strftime('%Y%m%dT%H%M%S%fZ')}.json"


def build_plan(
    kind: ResourceKind,
    resource: Resource,
    violations: list[Violation],
    project: Project,
    policy: Policy,
    *,
    event_id: str = "",
    now: datetime | None = None,
) -> Plan:
    """Violations become calls: the corrective Update, tags, or save-then-delete for an unfixable name."""
    enforced = [v for v in violations if v.enforce and (v.patch or v.tags or v.unfixable)]
    reported = [v for v in violations if v not in enforced]
    plan = Plan(enforced=enforced, reported=reported, outcome="reported" if reported else "compliant")
    fixable = [v for v in enforced if not v.unfixable]
    unfixable = [v for v in enforced if v.unfixable]

    if unfixable and policy.naming_action is NamingAction.DELETE:
        plan.actions = _save_then_delete(kind, resource, violations, fixable, project, event_id, now)
        plan.outcome = "deleted"
        return plan
    if unfixable:  # configured to report: nothing to do in place for these
        plan.reported.extend(unfixable)
        plan.enforced = fixable
        plan.outcome = "reported"

    patched = [v for v in fixable if v.patch]
    if patched:
        corrected = apply_patches(resource.definition, patched)
        if corrected != resource.definition:
            plan.actions.append(kind.update_action(resource, corrected))
    tags = merged_tags(fixable)
    if tags and resource.arn:
        plan.actions.append(Action("glue", "tag_resource", {"ResourceArn": resource.arn, "TagsToAdd": tags}, "tags"))
    if plan.actions:
        plan.outcome = "remediated"
    return plan


def _save_then_delete(
    kind: ResourceKind,
    resource: Resource,
    violations: list[Violation],
    fixable: list[Violation],
    project: Project,
    event_id: str,
    now: datetime | None,
) -> list[Action]:
    when = now or datetime.now(UTC)
    new_name = compliant_name(kind.kind, resource.name, project.project_id)
    corrected = apply_patches(resource.definition, [v for v in fixable if v.patch])
    tags = {**resource.tags, **merged_tags(fixable)}
    document: dict[str, Any] = {
        "savedBy": "glueguard",
        "savedAt": when.isoformat(),
        "eventId": event_id,
        "project": project.project_id,
        "kind": kind.kind,
        "name": resource.name,
        "arn": resource.arn,
        "definition": resource.definition,
        "tags": resource.tags,
        "violations": [v.to_dict() for v in violations],
        "replay": {
            "service": "glue",
            "operation": f"Create{kind.arn_type.capitalize()}",
            "request": kind.create_request(corrected, new_name, tags),
        },
    }
    save = Action(
        "s3",
        "put_object",
        {
            "Bucket": project.bucket("artifacts"),
            "Key": saved_definition_key(kind.kind, resource.name, when),
            "Body": json.dumps(document, default=str, indent=2, sort_keys=True),
            "ContentType": "application/json",
        },
        "save the full definition before deleting",
    )
    return [save, kind.delete_action(resource)]
