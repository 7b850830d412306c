"""Glue triggers: GetTrigger to read; UpdateTrigger with a full TriggerUpdate; StopTrigger to deactivate."""

from __future__ import annotations

from typing import Any, ClassVar

from glueguard.models.resource import Resource
from glueguard.remediation.plan import Action
from glueguard.resources.base import ResourceKind, register_kind, request_from

#: States in which a trigger fires by itself (and StopTrigger applies).
ACTIVE_STATES = frozenset({"ACTIVATED", "ACTIVATING"})


class TriggerKind(ResourceKind):
    kind: ClassVar[str] = "trigger"
    arn_type: ClassVar[str] = "trigger"
    # StartTrigger re-activates a trigger we deactivated: it is judged again.
    events: ClassVar[dict[str, str]] = {"CreateTrigger": "name", "UpdateTrigger": "name", "StartTrigger": "name"}
    list_operation: ClassVar[str | None] = "get_triggers"
    list_result_key: ClassVar[str] = "Triggers"
    list_page_size: ClassVar[int | None] = 200

    def read(self, glue: Any, name: str, arn: str) -> Resource | None:
        return self._read(glue, name, arn, lambda: glue.get_trigger(Name=name)["Trigger"])

    def update_action(self, current: Resource, definition: dict[str, Any]) -> Action:
        update = {"Name": current.name, **request_from(definition, "TriggerUpdate", drop=frozenset({"Name"}))}
        return Action("glue", "update_trigger", {"Name": current.name, "TriggerUpdate": update}, "correct")

    def stop_action(self, current: Resource) -> Action | None:
        if current.get("Type") == "ON_DEMAND" or current.get("State") not in ACTIVE_STATES:
            return None
        return Action("glue", "stop_trigger", {"Name": current.name}, "deactivate")

    def delete_action(self, current: Resource) -> Action:
        return Action("glue", "delete_trigger", {"Name": current.name}, "remove")

    def create_request(self, definition: dict[str, Any], name: str, tags: dict[str, str]) -> dict[str, Any]:
        # Replays deactivated: the owner starts it once they have reviewed it.
        request = request_from(definition, "CreateTriggerRequest", drop=frozenset({"Name", "StartOnCreation", "Tags"}))
        return {"Name": name, **request, "StartOnCreation": False, "Tags": tags}


register_kind(TriggerKind())
