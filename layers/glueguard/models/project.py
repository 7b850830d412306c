"""A project as the registry holds it: identity, ownership, status and its locked resources."""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from glueguard.naming import ProjectNames, follows_convention, require_project_id

#: `{name}` placeholders in an upload binding's argument values.
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class ProjectStatus(StrEnum):
    PROVISIONING = "PROVISIONING"
    ACTIVE = "ACTIVE"
    FAILED = "FAILED"
    DEPROVISIONING = "DEPROVISIONING"
    DELETED = "DELETED"


#: Where the plane itself writes in project buckets (quarantined definitions, reports).
PLANE_PREFIX = "glueguard/"


class UploadTrigger(BaseModel):
    """An upload binding: an object under bucket/prefix ending in suffix starts job_name."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    bucket: str
    prefix: str = ""
    suffix: str = ""
    job_name: str = Field(alias="jobName")
    arguments: dict[str, str] = Field(default_factory=dict)

    def matches(self, bucket: str, key: str) -> bool:
        return bucket == self.bucket and key.startswith(self.prefix) and key.endswith(self.suffix)

    def render_arguments(self, bucket: str, key: str) -> dict[str, str]:
        return {k: v.replace("{bucket}", bucket).replace("{key}", key) for k, v in self.arguments.items()}

    def catches(self, bucket: str, path: str) -> bool:
        """True when some object under s3://bucket/path could match this binding's prefix."""
        return bucket == self.bucket and (path.startswith(self.prefix) or self.prefix.startswith(path))

    def output_paths(self) -> list[str]:
        """The S3 locations the binding's own arguments name (values without `{bucket}`/`{key}`: not the input)."""
        return [v for v in self.arguments.values() if v.startswith("s3://") and not PLACEHOLDER.search(v)]

    def problems(self, project_id: str, buckets: Iterable[str], job_outputs: Iterable[str] = ()) -> list[str]:
        """Why this binding cannot belong to project `project_id` with `buckets` (empty when it can).

        `job_outputs`: the S3 locations the bound job writes (its DefaultArguments' s3:// values); a binding that
        catches one of them, or the plane's own writes under `glueguard/`, would start runs in a loop.
        """
        names = ProjectNames(project_id)
        found: list[str] = []
        if self.catches(self.bucket, PLANE_PREFIX):
            found.append(
                f"prefix {self.prefix!r} catches the plane's own writes under s3://{self.bucket}/{PLANE_PREFIX}"
            )
        for output in [*job_outputs, *self.output_paths()]:
            bucket, _, path = output.removeprefix("s3://").partition("/")
            if self.catches(bucket, path):
                found.append(
                    f"prefix {self.prefix!r} catches {output}, where {self.job_name} writes: a self-trigger loop"
                )
                break
        if self.bucket not in set(buckets):
            found.append(f"bucket {self.bucket!r} is not a bucket of project {project_id}")
        if not follows_convention("job", self.job_name, project_id):
            found.append(f"jobName {self.job_name!r} is not {names.prefix}-job-<name>")
        for key, value in self.arguments.items():
            if not key.startswith("--"):
                found.append(f"arguments key {key!r} must start with '--'")
            unknown = set(PLACEHOLDER.findall(value)) - {"bucket", "key"}
            if unknown:
                found.append(f"arguments[{key!r}] uses unknown placeholders {sorted(unknown)} (known: bucket, key)")
        return found


class ProjectResources(BaseModel):
    """ARNs and ids of the project's locked resources, filled in by provisioning."""

    model_config = ConfigDict(extra="allow")

    job_role_arn: str | None = None
    crawler_role_arn: str | None = None
    dev_role_arn: str | None = None
    security_group_id: str | None = None
    subnet_ids: list[str] = Field(default_factory=list)
    subnet_availability_zones: dict[str, str] = Field(default_factory=dict)  # subnet id -> its AZ
    vpc_id: str | None = None
    connection_name: str | None = None
    security_configuration: str | None = None
    database_name: str | None = None
    kms_key_arn: str | None = None
    buckets: dict[str, str] = Field(default_factory=dict)
    # Filled by provisioning (glueguard.provisioning); additive, all optional.
    kms_key_alias: str | None = None
    vpc_created: bool = False
    vpc_endpoint_ids: dict[str, str] = Field(default_factory=dict)
    permissions_boundary_arn: str | None = None
    policy_arns: dict[str, str] = Field(default_factory=dict)
    scientist_policy_arn: str | None = None
    notifications_topic_arn: str | None = None
    budget_name: str | None = None
    job_failure_rule_arn: str | None = None
    alarm_names: list[str] = Field(default_factory=list)
    #: The project's IAM Identity Center permission set and the groups it is assigned to in the project's account.
    permission_set_arn: str | None = None
    scientist_groups: list[str] = Field(default_factory=list)


class Project(BaseModel):
    """A registry entry."""

    model_config = ConfigDict(extra="ignore")

    project_id: str
    owner: str
    cost_center: str
    status: ProjectStatus = ProjectStatus.ACTIVE
    monthly_budget_usd: float | None = None
    resources: ProjectResources = Field(default_factory=ProjectResources)
    policy_overrides: dict[str, Any] = Field(default_factory=dict)
    upload_triggers: list[UploadTrigger] = Field(default_factory=list)
    #: Roles the provisioning request named as the project's scientists (policy attached, usage profile tagged).
    scientist_role_arns: list[str] = Field(default_factory=list)
    status_reason: str | None = None
    #: The Step Functions execution that owns the current provisioning or removal (re-runs recognise it).
    execution_id: str | None = None
    #: Where the project lives (an account of the organization; the plane's own when absent).
    account_id: str | None = None
    region: str | None = None

    @field_validator("project_id")
    @classmethod
    def _canonical(cls, value: str) -> str:
        return require_project_id(value)

    @property
    def names(self) -> ProjectNames:
        return ProjectNames(self.project_id)

    def lives_in(self, account: str, plane_account: str) -> bool:
        """Whether the project's resources live in `account` (a project without one lives in the plane's)."""
        return (self.account_id or plane_account) == account

    def mandatory_tags(self, service: str = "glue") -> dict[str, str]:
        """The four tags every project resource must carry, with their registry values."""
        return {
            "Project": self.names.prefix,
            "Service": service,
            "Owner": self.owner,
            "CostCenter": self.cost_center,
        }

    @property
    def job_role_arn(self) -> str | None:
        return self.resources.job_role_arn

    @property
    def connection_name(self) -> str:
        return self.resources.connection_name or self.names.connection

    @property
    def security_configuration(self) -> str:
        return self.resources.security_configuration or self.names.security_configuration

    @property
    def database_name(self) -> str:
        return self.resources.database_name or self.names.database

    def bucket(self, purpose: str) -> str:
        return self.resources.buckets.get(purpose) or self.names.bucket(purpose)

    @property
    def bucket_names(self) -> set[str]:
        """Every bucket of the project (registered, plus the fixed names)."""
        return set(self.resources.buckets.values()) | {self.names.bucket(p) for p in ("scripts", "temp", "artifacts")}
