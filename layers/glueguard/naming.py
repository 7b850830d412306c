"""The `project-{uuid}-` naming convention: parse names and build every fixed resource name."""

from __future__ import annotations

import re
from dataclasses import dataclass

UUID_PATTERN = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_UUID_RE = re.compile(rf"^{UUID_PATTERN}$")
_PROJECT_PREFIX_RE = re.compile(rf"^project-({UUID_PATTERN})(?:-|$)")
_ANY_CASE_PREFIX_RE = re.compile(r"^project-([0-9a-fA-F-]{36})(?:-|$)")

#: Name infix of each scientist-created resource kind (design doc §6.2).
KIND_INFIX: dict[str, str] = {
    "job": "job",
    "crawler": "crawler",
    "workflow": "workflow",
    "trigger": "trigger",
    "session": "session",
    "devendpoint": "devendpoint",
    "connection": "connection",
    "database": "catalog-db",
    "securityconfiguration": "security-config",
}


class NamingError(ValueError):
    """A project id or resource name that does not follow the convention."""


def is_project_id(value: str) -> bool:
    """True for a canonical lower-case UUID (8-4-4-4-12 hex)."""
    return bool(_UUID_RE.match(value))


def require_project_id(value: str) -> str:
    """Return `value` if it is a canonical project id, else raise NamingError saying why."""
    if not isinstance(value, str) or not is_project_id(value):
        hint = " (upper-case hex is not canonical)" if isinstance(value, str) and is_project_id(value.lower()) else ""
        raise NamingError(f"project id {value!r} is not a canonical lower-case UUID{hint}")
    return value


def project_of(name: str | None) -> str | None:
    """The project id a resource name belongs to, or None when it carries no canonical prefix (or is no string)."""
    if not isinstance(name, str) or not name:
        return None
    match = _PROJECT_PREFIX_RE.match(name)
    return match.group(1) if match else None


def claimed_project(name: str | None) -> str | None:
    """The project a name *claims*, canonical or not (e.g. an upper-case UUID), lower-cased."""
    if not isinstance(name, str) or not name:
        return None
    match = _ANY_CASE_PREFIX_RE.match(name)
    if not match:
        return None
    candidate = match.group(1).lower()
    return candidate if is_project_id(candidate) else None


def follows_convention(kind: str, name: str, project_id: str) -> bool:
    """True when `name` is `project-{project_id}-{infix}-<something>` for the resource kind."""
    infix = KIND_INFIX.get(kind, kind)
    prefix = f"project-{project_id}-{infix}-"
    return name.startswith(prefix) and len(name) > len(prefix)


def compliant_name(kind: str, name: str, project_id: str) -> str:
    """A compliant name for a resource of `kind` named `name`, keeping its meaningful part."""
    infix = KIND_INFIX.get(kind, kind)
    stem = name
    claimed = claimed_project(name)
    if claimed:
        stem = name[len("project-") + 36 :].lstrip("-")
    if stem.startswith(f"{infix}-"):
        stem = stem[len(infix) + 1 :]
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-") or "renamed"
    return f"project-{project_id}-{infix}-{stem}"[:255]


@dataclass(frozen=True)
class ProjectNames:
    """Every fixed name of one project's resources (ARCHITECTURE.md, 'Resource names')."""

    project_id: str

    def __post_init__(self) -> None:
        require_project_id(self.project_id)

    @property
    def prefix(self) -> str:
        return f"project-{self.project_id}"

    def role(self, purpose: str) -> str:
        """purpose: job | crawler | dev."""
        return f"{self.prefix}-glue-{purpose}-role"

    def policy(self, purpose: str) -> str:
        """purpose: data-access | catalog-access | network-access."""
        return f"{self.prefix}-glue-{purpose}"

    def bucket(self, purpose: str) -> str:
        """purpose: scripts | temp | artifacts."""
        return f"{self.prefix}-glue-{purpose}"

    @property
    def job_role(self) -> str:
        return self.role("job")

    @property
    def crawler_role(self) -> str:
        return self.role("crawler")

    @property
    def dev_role(self) -> str:
        return self.role("dev")

    @property
    def scripts_bucket(self) -> str:
        return self.bucket("scripts")

    @property
    def temp_bucket(self) -> str:
        return self.bucket("temp")

    @property
    def artifacts_bucket(self) -> str:
        return self.bucket("artifacts")

    @property
    def database(self) -> str:
        return f"{self.prefix}-catalog-db"

    @property
    def security_group(self) -> str:
        return f"{self.prefix}-glue-sg"

    @property
    def connection(self) -> str:
        return f"{self.prefix}-network"

    @property
    def security_configuration(self) -> str:
        return f"{self.prefix}-security-config"

    @property
    def kms_alias(self) -> str:
        return f"alias/{self.prefix}"

    @property
    def flow_log_group(self) -> str:
        """The CloudWatch Logs group of the flow logs of the VPC provisioning creates."""
        return f"/glueguard/flow-logs/{self.prefix}"

    @property
    def permissions_boundary(self) -> str:
        return f"{self.prefix}-glue-boundary"

    @property
    def scientist_policy(self) -> str:
        return f"{self.prefix}-glue-scientist"

    @property
    def budget(self) -> str:
        return f"{self.prefix}-glue-monthly"

    def resource(self, kind: str, stem: str) -> str:
        """A scientist resource name, e.g. resource("job", "ingest") -> project-<id>-job-ingest."""
        return f"{self.prefix}-{KIND_INFIX.get(kind, kind)}-{stem}"
