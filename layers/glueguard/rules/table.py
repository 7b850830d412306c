"""Rules for Glue catalog tables (GetTable `Table`, named database/table)."""

from __future__ import annotations

from collections.abc import Iterator

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.rules.engine import RuleContext, rule

KIND = "table"


@rule(KIND, "table-database", "tables live only in the project's database")
def database(table: Resource, ctx: RuleContext) -> Iterator[Violation]:
    current = table.name.split("/", 1)[0]
    wanted = ctx.project.database_name
    if ctx.policy.lock_database and current != wanted:
        # A table elsewhere is a cross-project violation: saved (with a replay into the project
        # database), then removed.
        yield Violation(
            "table-database",
            Severity.CRITICAL,
            f"table is in database {current!r}, not the project database {wanted!r}",
            remove=True,
        )
