"""Rules for Glue catalog databases (GetDatabase `Database`)."""

from __future__ import annotations

from collections.abc import Iterator

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.rules.common import foreign_project, tag_violations
from glueguard.rules.engine import RuleContext, rule

KIND = "database"


@rule(KIND, "database-project-only", "a project has one catalog database: project-{uuid}-catalog-db")
def project_only(database: Resource, ctx: RuleContext) -> Iterator[Violation]:
    wanted = ctx.project.database_name
    if not ctx.policy.lock_database or database.name == wanted:
        return
    other = foreign_project(database.name, ctx)
    tables = database.extra.get("tables")
    # An empty database gets the configured action (saved first); one that holds tables, or whose
    # tables were not read (a sweep lists databases only), is only reported.
    yield Violation(
        "database-project-only",
        Severity.CRITICAL if other else Severity.HIGH,
        f"database {database.name!r} is not the project database {wanted!r}"
        + (f"; it holds {len(tables)} table(s), so it is reported, never deleted" if tables else ""),
        unfixable=tables == [],
    )


@rule(KIND, "database-tags", "the mandatory tags, with the registry's values")
def tags(database: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from tag_violations(database, ctx, "database-tags")
