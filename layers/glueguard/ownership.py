"""Which project a resource belongs to, judged from its current state (pure: the registry is passed in).

Ownership comes from the resource's name; failing that, from the role it runs as or the role that created it,
but only when that role is, by full ARN, one of a registered project's own roles (only that project's principals
may pass or assume it). A `Project` tag, or a role that merely carries a project's name (another path, another
account), never makes a resource a project's: anyone able to create an unprefixed resource could otherwise claim a project and
the enforcer would attach that project's role, network and temp dir to it (a confused deputy). Such a resource
is unowned and reported.
"""

from __future__ import annotations

from collections.abc import Callable

from glueguard.models.project import Project
from glueguard.models.resource import Resource
from glueguard.naming import claimed_project, project_of
from glueguard.rules.common import role_name, same_role


def resolve_project(resource: Resource) -> str | None:
    """The project the resource's name belongs to (canonical prefix, or the project a non-canonical one claims)."""
    return project_of(resource.name) or claimed_project(resource.name)


def owner(
    resource: Resource, lookup: Callable[[str], Project | None], principal: str | None = None
) -> tuple[str | None, Project | None]:
    """(claimed project id, registered project) of a resource: by name; else by the exact ARN of the role it runs
    as; else by the exact ARN of the role that created it (`principal`, the caller's session issuer)."""
    by_name = resolve_project(resource)
    if by_name:
        return by_name, lookup(by_name)
    for role in (resource.get("Role") or resource.get("RoleArn"), principal):
        if (project := _role_owner(role, lookup)) is not None:
            return project.project_id, project
    return None, None


def _role_owner(role: str | None, lookup: Callable[[str], Project | None]) -> Project | None:
    """The registered project whose own role `role` is, by full ARN (a name-alike elsewhere is nobody's)."""
    claimed = project_of(role_name(role))
    project = lookup(claimed) if claimed else None
    if project is None:
        return None
    roles = [project.resources.job_role_arn, project.resources.crawler_role_arn, project.resources.dev_role_arn]
    return project if any(arn and same_role(role, arn) for arn in roles) else None
