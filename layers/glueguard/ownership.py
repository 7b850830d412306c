"""Which project a resource belongs to, judged from its current state (pure: the registry is passed in).

Ownership comes from the resource's name; failing that, from the role it runs as, but only when that role is,
by full ARN, one of a registered project's own roles (only that project's principals may pass it). A `Project`
tag, a role that merely carries a project's name (another path, another account) or the caller's role never
make a resource a project's: anyone able to create an unprefixed resource could otherwise claim a project and
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


def owner(resource: Resource, lookup: Callable[[str], Project | None]) -> tuple[str | None, Project | None]:
    """(claimed project id, registered project) of a resource: by name, else by the exact ARN of its role."""
    by_name = resolve_project(resource)
    if by_name:
        return by_name, lookup(by_name)
    role = resource.get("Role") or resource.get("RoleArn")
    claimed = project_of(role_name(role))
    project = lookup(claimed) if claimed else None
    if project is None:
        return None, None
    roles = [project.resources.job_role_arn, project.resources.crawler_role_arn, project.resources.dev_role_arn]
    if any(arn and same_role(role, arn) for arn in roles):
        return claimed, project
    return None, None
