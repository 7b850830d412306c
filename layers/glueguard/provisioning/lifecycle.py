"""The registry side of the workflows: register, activate, fail, and the start and end of a removal."""

from __future__ import annotations

import json
from typing import Any

from glueguard.adapters.registry import ProjectExists, ProjectNotFound, Registry
from glueguard.models.project import Project, ProjectResources, ProjectStatus
from glueguard.provisioning.request import DeprovisionRequest, ProvisionRequest
from glueguard.provisioning.steps.buckets import RETAINED

#: A project in one of these states may be provisioned again under the same id. Only a provisioning that
#: failed and rolled back ends FAILED, so nothing of it exists; a removed (DELETED) project keeps its id retired.
REPROVISIONABLE = (ProjectStatus.FAILED,)
#: DELETED is removable again: a removal that retained data can be re-run with retainData false to purge it.
REMOVABLE = (ProjectStatus.ACTIVE, ProjectStatus.FAILED, ProjectStatus.DEPROVISIONING, ProjectStatus.DELETED)


class NotRemovable(Exception):
    """A project whose state forbids removal (e.g. still provisioning)."""


def register(registry: Registry, request: ProvisionRequest, execution_id: str) -> dict[str, Any]:
    """Register the project PROVISIONING. Refuse an existing one, unless it is this very execution re-running
    or an earlier attempt that FAILED and was rolled back."""
    project = Project(
        project_id=request.project_id,
        owner=request.owner,
        cost_center=request.cost_center,
        monthly_budget_usd=request.monthly_budget_usd,
        status=ProjectStatus.PROVISIONING,
        upload_triggers=request.upload_triggers,
        scientist_role_arns=request.scientist_roles,
        execution_id=execution_id,
    )
    try:
        registry.create(project)
        return {"registered": True}
    except ProjectExists:
        existing = registry.get(request.project_id, cached=False)
        if existing and existing.status == ProjectStatus.PROVISIONING and existing.execution_id == execution_id:
            return {"registered": False}  # this execution's own entry: a re-run
        if existing is None or existing.status not in REPROVISIONABLE:
            status = existing.status if existing else "unknown"
            raise ProjectExists(f"project {request.project_id} already exists (status {status})") from None
    registry.claim(project, from_statuses=REPROVISIONABLE)
    return {"registered": True}


def activate(registry: Registry, project_id: str, outputs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Record every step's ARNs and ids and mark the project ACTIVE; return what was created."""
    merged: dict[str, Any] = {}
    for step_outputs in outputs.values():
        merged.update(step_outputs or {})
    resources = ProjectResources.model_validate(merged)
    registry.update(project_id, resources=resources, status=str(ProjectStatus.ACTIVE), status_reason=None)
    return {
        "projectId": project_id,
        "status": str(ProjectStatus.ACTIVE),
        "resources": resources.model_dump(mode="json"),
    }


def failure_reason(error: dict[str, Any] | None, stage: str) -> str:
    """A one-line reason from a Step Functions Catch output ({"Error", "Cause"}; Cause is Lambda's JSON)."""
    error = error or {}
    name = str(error.get("Error") or "Error")
    cause = error.get("Cause") or ""
    try:
        parsed = json.loads(cause)
        cause = parsed.get("errorMessage") or parsed.get("message") or cause
        name = parsed.get("errorType") or name
    except (TypeError, ValueError, AttributeError):
        pass
    return f"{stage} failed: {name}: {cause}".strip().rstrip(":")[:1000]


def fail(registry: Registry, project_id: str, error: dict[str, Any] | None, stage: str) -> dict[str, Any]:
    reason = failure_reason(error, stage)
    registry.update(project_id, status=str(ProjectStatus.FAILED), status_reason=reason)
    return {"projectId": project_id, "status": str(ProjectStatus.FAILED), "reason": reason}


def removal_failed(registry: Registry, project_id: str, error: dict[str, Any] | None) -> dict[str, Any]:
    """A removal that failed stays DEPROVISIONING with the reason: running it again finishes it."""
    reason = failure_reason(error, "deprovisioning") + " (run deprovision again to finish)"
    registry.update(project_id, status=str(ProjectStatus.DEPROVISIONING), status_reason=reason)
    return {"projectId": project_id, "status": str(ProjectStatus.DEPROVISIONING), "reason": reason}


def begin_removal(registry: Registry, request: DeprovisionRequest, execution_id: str) -> dict[str, Any]:
    project = registry.get(request.project_id, cached=False)
    if project is None:
        raise ProjectNotFound(f"project {request.project_id} is not registered")
    if project.status not in REMOVABLE:
        raise NotRemovable(
            f"project {request.project_id} is {project.status}; only {[str(s) for s in REMOVABLE]} can be removed"
        )
    registry.update(
        request.project_id, status=str(ProjectStatus.DEPROVISIONING), status_reason=None, execution_id=execution_id
    )
    return {"previousStatus": str(project.status)}


def retained(project: Project, retain_data: bool) -> ProjectResources:
    """What a removal keeps: with retainData, the artifacts bucket, the KMS key (and alias) and the database."""
    if not retain_data:
        return ProjectResources()
    kept = project.resources
    return ProjectResources(
        kms_key_arn=kept.kms_key_arn,
        kms_key_alias=kept.kms_key_alias,
        database_name=kept.database_name or project.names.database,
        buckets={p: kept.buckets.get(p) or project.names.bucket(p) for p in RETAINED},
    )


def finish_removal(registry: Registry, request: DeprovisionRequest, removed: dict[str, list[str]]) -> dict[str, Any]:
    project = registry.require(request.project_id)
    kept = retained(project, request.retain_data)
    summary = (
        "retained: " + ", ".join(filter(None, [*kept.buckets.values(), kept.kms_key_alias, kept.database_name]))
        if request.retain_data
        else "nothing retained"
    )
    registry.update(
        request.project_id, status=str(ProjectStatus.DELETED), status_reason=f"deprovisioned; {summary}", resources=kept
    )
    count = sum(len(v or []) for v in removed.values())
    return {
        "projectId": request.project_id,
        "status": str(ProjectStatus.DELETED),
        "removed": count,
        "retained": kept.model_dump(mode="json", exclude_defaults=True),
    }
