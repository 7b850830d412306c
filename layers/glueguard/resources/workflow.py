"""Glue workflows: GetWorkflow to read; UpdateWorkflow with every updatable field."""

from __future__ import annotations

from typing import Any, ClassVar

from glueguard.models.resource import Resource
from glueguard.remediation.plan import Action
from glueguard.resources.base import ResourceKind, register_kind, request_from


class WorkflowKind(ResourceKind):
    kind: ClassVar[str] = "workflow"
    arn_type: ClassVar[str] = "workflow"
    events: ClassVar[dict[str, str]] = {"CreateWorkflow": "name", "UpdateWorkflow": "name"}

    def read(self, glue: Any, name: str, arn: str) -> Resource | None:
        return self._read(glue, name, arn, lambda: glue.get_workflow(Name=name, IncludeGraph=False)["Workflow"])

    def update_action(self, current: Resource, definition: dict[str, Any]) -> Action:
        update = request_from(definition, "UpdateWorkflowRequest", drop=frozenset({"Name"}))
        return Action("glue", "update_workflow", {"Name": current.name, **update}, "correct")

    def delete_action(self, current: Resource) -> Action:
        return Action("glue", "delete_workflow", {"Name": current.name}, "remove")

    def create_request(self, definition: dict[str, Any], name: str, tags: dict[str, str]) -> dict[str, Any]:
        return {
            "Name": name,
            **request_from(definition, "CreateWorkflowRequest", drop=frozenset({"Name"})),
            "Tags": tags,
        }


register_kind(WorkflowKind())
