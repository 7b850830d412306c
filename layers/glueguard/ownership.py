"""Which project a resource belongs to, judged from its current state (pure)."""

from __future__ import annotations

from glueguard.models.resource import Resource
from glueguard.naming import claimed_project, project_of


def _role_name(value: str | None) -> str | None:
    return value.rsplit("/", 1)[-1] if value else None


def resolve_project(resource: Resource, principal_role: str | None = None) -> str | None:
    """The owning project: the name's prefix, then the Project tag, then the role, then the caller's role."""
    candidates = [
        project_of(resource.name) or claimed_project(resource.name),
        project_of(resource.tags.get("Project")),
        project_of(_role_name(resource.get("Role") or resource.get("RoleArn"))),
        project_of(principal_role),
    ]
    return next((c for c in candidates if c), None)
