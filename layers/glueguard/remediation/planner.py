"""Build the plan that remediates one resource (pure: no AWS call)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from glueguard.models.project import Project
from glueguard.models.resource import Resource
from glueguard.models.violation import Violation
from glueguard.policy.settings import NamingAction, Policy
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
    """Violations become calls: the corrective Update, tags, save-then-stop, or save-then-delete."""
    if kind.refuses_corrections(resource):  # e.g. a job with members newer than the SDK: UpdateJob would reset them
        return Plan(enforced=[], reported=list(violations), outcome="reported" if violations else "compliant")
    enforced = [v for v in violations if v.enforce and (v.patch or v.tags or v.unfixable or v.stop or v.remove)]
    reported = [v for v in violations if v not in enforced]
    plan = Plan(enforced=enforced, reported=reported, outcome="reported" if reported else "compliant")
    in_place = [v for v in enforced if not (v.unfixable or v.remove)]
    unfixable = [v for v in enforced if v.unfixable]

    if any(v.remove for v in enforced) or (unfixable and policy.naming_action is NamingAction.DELETE):
        save = _save_action(kind, resource, violations, enforced, project, event_id, now)
        plan.actions = [save, kind.delete_action(resource)]
        plan.outcome = "deleted"
        return plan
    if unfixable:  # configured to report: nothing to do in place for these
        plan.reported.extend(unfixable)
        plan.enforced = in_place
        plan.outcome = "reported"

    stop = kind.stop_action(resource) if any(v.stop for v in in_place) else None
    if stop:
        plan.actions.append(_save_action(kind, resource, violations, enforced, project, event_id, now))
    after_definition, after_tags = resource.definition, resource.tags
    patched = [v for v in in_place if v.patch]
    if patched:
        corrected = apply_patches(resource.definition, patched)
        update = kind.update_action(resource, corrected) if corrected != resource.definition else None
        if update:
            plan.actions.append(update)
            after_definition = corrected
    tags = merged_tags(in_place)
    if tags and resource.arn and kind.taggable:
        plan.actions.append(Action("glue", "tag_resource", {"ResourceArn": resource.arn, "TagsToAdd": tags}, "tags"))
        after_tags = {**resource.tags, **tags}
    if stop:
        plan.actions.append(stop)
    if plan.actions:
        plan.outcome = "stopped" if stop else "remediated"
        plan.after = {"definition": kind.redact(after_definition), "tags": after_tags}
    return plan


def _save_action(
    kind: ResourceKind,
    resource: Resource,
    violations: list[Violation],
    fixable: list[Violation],
    project: Project,
    event_id: str,
    now: datetime | None,
) -> Action:
    """Put the full definition, and a Create request that replays it compliantly, in the artifacts bucket."""
    when = now or datetime.now(UTC)
    new_name = kind.compliant_name(resource.name, project.project_id, project.database_name)
    corrected = apply_patches(kind.redact(resource.definition), [v for v in fixable if v.patch])
    tags = {**resource.tags, **merged_tags(fixable)}
    document: dict[str, Any] = {
        "savedBy": "glueguard",
        "savedAt": when.isoformat(),
        "eventId": event_id,
        "project": project.project_id,
        "kind": kind.kind,
        "name": resource.name,
        "arn": resource.arn,
        "definition": kind.redact(resource.definition),
        "tags": resource.tags,
        "violations": [v.to_dict() for v in violations],
        "replay": {
            "service": "glue",
            "operation": kind.create_operation,
            "request": kind.create_request(corrected, new_name, tags),
        },
    }
    return Action(
        "s3",
        "put_object",
        {
            "Bucket": project.bucket("artifacts"),
            "Key": saved_definition_key(kind.kind, resource.name, when),
            "Body": json.dumps(document, default=str, indent=2, sort_keys=True),
            "ContentType": "application/json",
        },
        "save the full definition first",
    )
