"""Cross-project access: a principal of project A (its role name carries A's id) acting on a resource
of project B. Critical, always; a creation is reverted (saved, then removed); anything else is reported
(the kind's own rules revert what breaks B's policy) and reaches the platform team.

A resource named for a project in another account than the project's is no project's at all (the enforcer reports
it `*-unowned`, glueguard.enforcement): no project's rule, role or network is applied to it."""

from __future__ import annotations

from collections.abc import Iterator

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.naming import KIND_INFIX
from glueguard.rules.engine import RuleContext, rule

RULE_ID = "cross-project"


def cross_project(resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    actor = ctx.principal_project
    if not actor or actor == ctx.project.project_id:
        return
    creating = ctx.event_name.startswith("Create")
    yield Violation(
        RULE_ID,
        Severity.CRITICAL,
        f"a principal of project {actor} called {ctx.event_name or 'Glue'} on a {resource.kind} of project "
        f"{ctx.project.project_id}" + ("; the creation is reverted" if creating else ""),
        remove=creating,
    )


for _kind in (*KIND_INFIX, "table"):
    rule(_kind, RULE_ID, "no principal of another project creates or changes the resource")(cross_project)
