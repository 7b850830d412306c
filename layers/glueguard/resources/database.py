"""Glue catalog databases: GetDatabase (and its table names) to read; UpdateDatabase to correct."""

from __future__ import annotations

from typing import Any, ClassVar

from glueguard.models.resource import Resource
from glueguard.remediation.plan import Action
from glueguard.resources.base import ResourceKind, register_kind, request_from


def database_input(definition: dict[str, Any], name: str) -> dict[str, Any]:
    return {**request_from(definition, "DatabaseInput"), "Name": name}


class DatabaseKind(ResourceKind):
    kind: ClassVar[str] = "database"
    arn_type: ClassVar[str] = "database"
    events: ClassVar[dict[str, str]] = {"CreateDatabase": "databaseInput.name", "UpdateDatabase": "name"}
    list_operation: ClassVar[str | None] = "get_databases"
    list_result_key: ClassVar[str] = "DatabaseList"
    list_page_size: ClassVar[int | None] = 100

    def read(self, glue: Any, name: str, arn: str) -> Resource | None:
        resource = self._read(glue, name, arn, lambda: glue.get_database(Name=name)["Database"])
        if resource is None:
            return None
        # Only whether it holds tables matters (a database with tables is never deleted): one page is enough.
        tables = [t["Name"] for t in glue.get_tables(DatabaseName=name, MaxResults=100).get("TableList", [])]
        return Resource(resource.kind, name, resource.definition, resource.tags, arn, {"tables": tables})

    def update_action(self, current: Resource, definition: dict[str, Any]) -> Action:
        params = {"Name": current.name, "DatabaseInput": database_input(definition, current.name)}
        return Action("glue", "update_database", params, "correct")

    def delete_action(self, current: Resource) -> Action:
        return Action("glue", "delete_database", {"Name": current.name}, "remove")

    def create_request(self, definition: dict[str, Any], name: str, tags: dict[str, str]) -> dict[str, Any]:
        return {"DatabaseInput": database_input(definition, name), "Tags": tags}


register_kind(DatabaseKind())
