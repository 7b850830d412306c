"""Glue triggers on the plane's path: scientists may not write triggers (IAM authorises CreateTrigger/UpdateTrigger
on the trigger's ARN alone, whatever jobs its actions name), so an operator creates them here, after every action
and predicate condition is checked to be the project's own (docs/security.md, "Glue and runtime", item 2).
"""

from __future__ import annotations

from typing import Any

from glueguard.arguments import ArgumentPolicy, check
from glueguard.models.project import Project
from glueguard.naming import follows_convention

TRIGGER_TYPES = ("SCHEDULED", "CONDITIONAL", "ON_DEMAND", "EVENT")
_FIELDS = {
    "Name",
    "WorkflowName",
    "Type",
    "Schedule",
    "Predicate",
    "Actions",
    "Description",
    "StartOnCreation",
    "Tags",
    "EventBatchingCondition",
}


class TriggerRefused(ValueError):
    """A trigger request that would reach outside its project; the message lists every reason."""


def _own(kind: str, name: Any, project: Project) -> bool:
    return isinstance(name, str) and follows_convention(kind, name, project.project_id)


def problems(request: dict[str, Any], project: Project, arguments: ArgumentPolicy | None = None) -> list[str]:
    """Why the CreateTrigger request `request` may not be made for `project` (empty: it may); action arguments are
    judged by the policy's argument table (`arguments`, default: the built-in one)."""
    found: list[str] = []
    if unknown := sorted(set(request) - _FIELDS):
        found.append(f"unknown CreateTrigger members: {unknown}")
    if not _own("trigger", request.get("Name"), project):
        found.append(f"Name {request.get('Name')!r} is not {project.names.prefix}-trigger-<name>")
    if request.get("Type") not in TRIGGER_TYPES:
        found.append(f"Type {request.get('Type')!r} is not one of {list(TRIGGER_TYPES)}")
    if "WorkflowName" in request and not _own("workflow", request["WorkflowName"], project):
        found.append(f"WorkflowName {request['WorkflowName']!r} is not a workflow of the project")
    actions = request.get("Actions")
    if not isinstance(actions, list) or not actions:
        found.append("Actions must name at least one job or crawler")
        actions = []
    for i, action in enumerate(actions):
        where = f"Actions[{i}]"
        if not isinstance(action, dict) or bool(action.get("JobName")) == bool(action.get("CrawlerName")):
            found.append(f"{where} must name exactly one of JobName, CrawlerName")
            continue
        if action.get("JobName") and not _own("job", action["JobName"], project):
            found.append(f"{where}.JobName {action['JobName']!r} is not a job of the project")
        if action.get("CrawlerName") and not _own("crawler", action["CrawlerName"], project):
            found.append(f"{where}.CrawlerName {action['CrawlerName']!r} is not a crawler of the project")
        buckets = {purpose: project.bucket(purpose) for purpose in ("scripts", "temp", "artifacts")}
        for finding in check(action.get("Arguments"), buckets, arguments or ArgumentPolicy()):
            found.append(f"{where}.Arguments: {finding.message}")
        config = action.get("SecurityConfiguration")
        if config is not None and config != project.security_configuration:
            found.append(f"{where}.SecurityConfiguration {config!r} is not the project's")
    conditions = (request.get("Predicate") or {}).get("Conditions") or []
    for i, condition in enumerate(conditions):
        job, crawler = condition.get("JobName"), condition.get("CrawlerName")
        if (job and not _own("job", job, project)) or (crawler and not _own("crawler", crawler, project)):
            found.append(f"Predicate.Conditions[{i}] watches {job or crawler!r}, not the project's")
    return found


def create(
    glue: Any, request: dict[str, Any], project: Project, arguments: ArgumentPolicy | None = None
) -> dict[str, Any]:
    """Create the trigger once every check passes (with the project's mandatory tags); TriggerRefused otherwise."""
    if found := problems(request, project, arguments):
        raise TriggerRefused("; ".join(found))
    tags = {**(request.get("Tags") or {}), **project.mandatory_tags()}
    return dict(glue.create_trigger(**{**request, "Tags": tags}))
