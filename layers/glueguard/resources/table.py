"""Glue catalog tables, named `database/table` (as in their ARN). Tables cannot be tagged."""

from __future__ import annotations

from typing import Any, ClassVar

from glueguard.models.resource import Resource
from glueguard.remediation.plan import Action
from glueguard.resources.base import ResourceKind, register_kind, request_from


def split(name: str) -> tuple[str, str]:
    """`database/table` -> (database, table)."""
    database, _, table = name.partition("/")
    if not database or not table:
        raise ValueError(f"table name {name!r} is not database/table")
    return database, table


def table_input(definition: dict[str, Any], table: str) -> dict[str, Any]:
    return {**request_from(definition, "TableInput"), "Name": table}


class TableKind(ResourceKind):
    kind: ClassVar[str] = "table"
    arn_type: ClassVar[str] = "table"
    taggable: ClassVar[bool] = False
    #: Partition calls name their table too: the table is judged and the call is its lineage (docs/lineage.md).
    events: ClassVar[dict[str, str]] = {
        "CreateTable": "tableInput.name",
        "UpdateTable": "tableInput.name",
        **dict.fromkeys(
            (
                "CreatePartition",
                "BatchCreatePartition",
                "UpdatePartition",
                "BatchUpdatePartition",
                "DeletePartition",
                "BatchDeletePartition",
            ),
            "tableName",
        ),
    }

    def name_from_event(self, event_name: str, request: dict[str, Any] | None, response: dict[str, Any] | None) -> str:
        database = (request or {}).get("databaseName")
        if not isinstance(database, str) or not database:
            raise KeyError(f"{event_name} event has no requestParameters.databaseName")
        return f"{database}/{super().name_from_event(event_name, request, response)}"

    def compliant_name(self, name: str, project_id: str, database: str) -> str:
        return f"{database}/{split(name)[1]}"  # the same table, in the project's database

    def read(self, glue: Any, name: str, arn: str) -> Resource | None:
        database, table = split(name)
        return self._read(glue, name, arn, lambda: glue.get_table(DatabaseName=database, Name=table)["Table"])

    def update_action(self, current: Resource, definition: dict[str, Any]) -> Action:
        database, table = split(current.name)
        params = {"DatabaseName": database, "TableInput": table_input(definition, table)}
        return Action("glue", "update_table", params, "correct")

    def delete_action(self, current: Resource) -> Action:
        database, table = split(current.name)
        return Action("glue", "delete_table", {"DatabaseName": database, "Name": table}, "remove")

    def create_request(self, definition: dict[str, Any], name: str, tags: dict[str, str]) -> dict[str, Any]:
        database, table = split(name)
        return {"DatabaseName": database, "TableInput": table_input(definition, table)}


register_kind(TableKind())
