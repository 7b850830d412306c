"""Cross-project access: a principal of project A (its role name carries A's id) acting on a resource
of project B. Critical, always; a creation is reverted (saved, then removed); anything else is reported
(the kind's own rules revert what breaks B's policy) and reaches the platform team."""

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


ACCOUNT_RULE_ID = "cross-account"


def cross_account(resource: Resource, ctx: RuleContext) -> Iterator[Violation]:
    """A resource named for a project that lives in another account of the organization."""
    home = ctx.project.account_id
    parts = (resource.arn or "").split(":")
    account = parts[4] if len(parts) > 5 else None
    if not home or not account or account == home:
        return
    creating = ctx.event_name.startswith("Create")
    yield Violation(
        ACCOUNT_RULE_ID,
        Severity.CRITICAL,
        f"{resource.kind} {resource.name} in account {account} is named for project {ctx.project.project_id} of "
        f"account {home}" + ("; the creation is reverted" if creating else ""),
        remove=creating,
    )


for _kind in (*KIND_INFIX, "table"):
    rule(_kind, RULE_ID, "no principal of another project creates or changes the resource")(cross_project)
    rule(_kind, ACCOUNT_RULE_ID, "a project's resources live in the project's own account")(cross_account)
