"""`glueguard plan`: what a policy would change, judged by the sweep's own pipeline, changing nothing.

Every governed resource is listed as the compliance sweep lists it (the kind's full-definition list
call and the Tagging API) and judged with `Enforcer.judge` (project, rules, remediation plan);
nothing is executed or recorded. Each resource that would be touched is listed with its actions
per rule and the field-level diff of its correction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from glueguard.enforcement import Enforcer, Judgement
from glueguard.models.decision import UNOWNED
from glueguard.remediation.plan import apply_patches, merged_tags
from glueguard.resources.base import ResourceKind

#: What would happen to a violation, in the order the plan lists them.
EFFECTS = ("corrected", "tagged", "stopped", "removed", "reported")


@dataclass
class FieldChange:
    path: str
    before: Any
    after: Any


@dataclass
class PlannedResource:
    """One resource the policy would act on (or report)."""

    kind: str
    name: str
    project_id: str
    outcome: str  # remediated | stopped | deleted | reported
    effects: dict[str, list[str]]  # rule -> effects (corrected, tagged, ...)
    actions: list[str]  # the AWS calls, in order (glue:update_job, ...)
    changes: list[FieldChange] = field(default_factory=list)
    tags: list[FieldChange] = field(default_factory=list)

    @property
    def changes_anything(self) -> bool:
        return bool(self.actions)


@dataclass
class PlanReport:
    policy_version: str
    resources_judged: int = 0
    planned: list[PlannedResource] = field(default_factory=list)
    kinds_not_listed: dict[str, str] = field(default_factory=dict)

    @property
    def changing(self) -> list[PlannedResource]:
        return [p for p in self.planned if p.changes_anything]

    def by_rule(self) -> dict[str, Counter[str]]:
        """rule -> effect -> number of resources."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for planned in self.planned:
            for rule_id, effects in planned.effects.items():
                counts[rule_id].update(effects)
        return dict(sorted(counts.items()))

    def by_project(self) -> dict[str, Counter[str]]:
        """project -> effect -> number of resources."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for planned in self.planned:
            counts[planned.project_id].update({e for effects in planned.effects.values() for e in effects})
        return dict(sorted(counts.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_version": self.policy_version,
            "resources_judged": self.resources_judged,
            "would_change": len(self.changing),
            "by_rule": {rule: dict(c) for rule, c in self.by_rule().items()},
            "by_project": {project: dict(c) for project, c in self.by_project().items()},
            "resources": [asdict(p) for p in self.planned],
            "kinds_not_listed": self.kinds_not_listed,
        }


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts as dotted paths (a key with a dot is quoted); lists and scalars are leaves."""
    if not isinstance(value, dict) or (prefix and not value):
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, sub in value.items():
        segment = f'"{key}"' if "." in str(key) else str(key)
        flat.update(flatten(sub, f"{prefix}.{segment}" if prefix else segment))
    return flat


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """The leaves that differ between two definitions (None where a side lacks the path)."""
    old, new = flatten(before), flatten(after)
    return [
        FieldChange(path, old.get(path), new.get(path))
        for path in sorted(set(old) | set(new))
        if old.get(path) != new.get(path)
    ]


def planned_resource(judged: Judgement) -> PlannedResource | None:
    """What the pipeline would do to one judged resource; None when it is compliant."""
    resource, plan = judged.resource, judged.plan
    project_id = judged.project.project_id if judged.project else UNOWNED
    if plan is None:  # compliant, or unowned (reported: there is no project to correct it for)
        if judged.project is not None:
            return None
        return PlannedResource(
            judged.kind.kind,
            resource.name,
            project_id,
            "reported",
            {v.rule: ["reported"] for v in judged.violations},
            [],
        )
    effects: dict[str, list[str]] = defaultdict(list)
    for violation in plan.enforced:
        if plan.outcome == "deleted":
            effects[violation.rule].append("removed")
            continue
        if violation.stop and plan.outcome == "stopped":
            effects[violation.rule].append("stopped")
        if violation.patch:
            effects[violation.rule].append("corrected")
        if violation.tags:
            effects[violation.rule].append("tagged")
    for violation in plan.reported:
        effects[violation.rule].append("reported")
    changes: list[FieldChange] = []
    tags: list[FieldChange] = []
    if plan.outcome != "deleted" and plan.actions:
        applied = [v for v in plan.enforced if v.patch and not (v.unfixable or v.remove)]
        if any(a.operation.startswith("update_") for a in plan.actions):
            changes = field_changes(resource.definition, apply_patches(resource.definition, applied))
        if any(a.operation == "tag_resource" for a in plan.actions):
            wanted = merged_tags([v for v in plan.enforced if not (v.unfixable or v.remove)])
            tags = [FieldChange(k, resource.tags.get(k), v) for k, v in sorted(wanted.items())]
    return PlannedResource(
        kind=judged.kind.kind,
        name=resource.name,
        project_id=project_id,
        outcome=plan.outcome,
        effects=dict(effects),
        actions=[f"{a.service}:{a.operation}" for a in plan.actions],
        changes=changes,
        tags=tags,
    )


def plan_account(
    enforcer: Enforcer,
    kinds: dict[str, ResourceKind],
    *,
    region: str,
    account: str,
    project: str | None = None,
) -> PlanReport:
    """Judge every listed resource (of `project` only, when given) under `enforcer.policy`; act on none."""
    from glueguard.adapters.tags import tag_index

    glue = enforcer.client_for("glue")
    tags = tag_index(glue, enforcer.client_for, [k.arn_type for k in kinds.values()])
    report = PlanReport(policy_version=enforcer.policy.version)
    for name, kind in kinds.items():
        try:
            listed = list(kind.list_all(glue, region, account, tags))
        except NotImplementedError as exc:
            report.kinds_not_listed[name] = str(exc)
            continue
        except Exception as exc:  # e.g. AccessDenied on one kind's list call: say so, plan the others
            report.kinds_not_listed[name] = f"listing failed: {type(exc).__name__}: {exc}"
            continue
        for resource in listed:
            judged = enforcer.judge(kind, resource, event_name="Plan")
            owner = judged.project.project_id if judged.project else UNOWNED
            if project and owner != project:
                continue
            report.resources_judged += 1
            if planned := planned_resource(judged):
                report.planned.append(planned)
    return report
