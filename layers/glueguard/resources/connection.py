"""Glue connections: GetConnection to read; UpdateConnection with the full ConnectionInput to correct.

The read includes the password (UpdateConnection replaces the whole input, so it must be sent back);
records, notifications and saved definitions only ever see it redacted.
"""

from __future__ import annotations

from typing import Any, ClassVar

from glueguard.models.resource import Resource
from glueguard.remediation.plan import Action, redacted
from glueguard.resources.base import ResourceKind, register_kind, request_from


def connection_input(definition: dict[str, Any], name: str) -> dict[str, Any]:
    return {**request_from(definition, "ConnectionInput"), "Name": name}


class ConnectionKind(ResourceKind):
    kind: ClassVar[str] = "connection"
    arn_type: ClassVar[str] = "connection"
    events: ClassVar[dict[str, str]] = {"CreateConnection": "connectionInput.name", "UpdateConnection": "name"}
    list_operation: ClassVar[str | None] = "get_connections"
    list_result_key: ClassVar[str] = "ConnectionList"
    list_page_size: ClassVar[int | None] = 1000

    def read(self, glue: Any, name: str, arn: str) -> Resource | None:
        return self._read(glue, name, arn, lambda: glue.get_connection(Name=name, HidePassword=False)["Connection"])

    def redact(self, definition: dict[str, Any]) -> dict[str, Any]:
        return redacted(definition)

    def update_action(self, current: Resource, definition: dict[str, Any]) -> Action:
        params = {"Name": current.name, "ConnectionInput": connection_input(definition, current.name)}
        return Action("glue", "update_connection", params, "correct")

    def delete_action(self, current: Resource) -> Action:
        return Action("glue", "delete_connection", {"ConnectionName": current.name}, "remove")

    def create_request(self, definition: dict[str, Any], name: str, tags: dict[str, str]) -> dict[str, Any]:
        return {"ConnectionInput": connection_input(definition, name), "Tags": tags}


register_kind(ConnectionKind())
