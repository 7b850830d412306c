"""The provisioning and deprovisioning requests (ARCHITECTURE.md, 'Provisioning input'), validated precisely."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from glueguard.models.project import UploadTrigger
from glueguard.naming import ProjectNames, follows_convention, require_project_id

BUCKET_PURPOSES = ("scripts", "temp", "artifacts")
_VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
_SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class InvalidRequest(ValueError):
    """A request that does not follow the contract; the message names every offending field."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, str_strip_whitespace=True)


class NetworkSettings(_Model):
    """Either an existing VPC (vpcId + its private subnetIds) or a private VPC to create (cidr, azCount)."""

    vpc_id: str | None = Field(default=None, alias="vpcId")
    subnet_ids: list[str] = Field(default_factory=list, alias="subnetIds")
    cidr: str | None = None
    az_count: int = Field(default=2, alias="azCount", ge=1, le=6)

    @field_validator("vpc_id")
    @classmethod
    def _vpc(cls, value: str | None) -> str | None:
        if value is not None and not _VPC_ID.match(value):
            raise ValueError(f"{value!r} is not a VPC id (vpc-<hex>)")
        return value

    @field_validator("subnet_ids")
    @classmethod
    def _subnets(cls, value: list[str]) -> list[str]:
        bad = [s for s in value if not _SUBNET_ID.match(s)]
        if bad:
            raise ValueError(f"not subnet ids (subnet-<hex>): {bad}")
        if len(set(value)) != len(value):
            raise ValueError("subnet ids repeat")
        return value

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            net = ipaddress.ip_network(value, strict=True)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a CIDR block: {exc}") from None
        if net.version != 4 or not net.is_private or not 16 <= net.prefixlen <= 24:
            raise ValueError(f"{value!r} must be a private IPv4 block between /16 and /24")
        return value

    @model_validator(mode="after")
    def _one_mode(self) -> NetworkSettings:
        if self.vpc_id and not self.subnet_ids:
            raise ValueError("vpcId needs subnetIds: the private subnets the project's jobs run in")
        if self.subnet_ids and not self.vpc_id:
            raise ValueError("subnetIds need the vpcId they belong to")
        if self.vpc_id and self.cidr:
            raise ValueError("cidr is for a VPC glueguard creates; leave it out when vpcId is given")
        return self

    @property
    def creates_vpc(self) -> bool:
        return self.vpc_id is None

    @property
    def vpc_cidr(self) -> str:
        return self.cidr or "10.0.0.0/16"


class ProvisionRequest(_Model):
    """Input of the provision-project state machine."""

    project_id: str = Field(alias="projectId")
    owner: str = Field(min_length=1, max_length=256)
    cost_center: str = Field(alias="costCenter", min_length=1, max_length=256)
    monthly_budget_usd: float = Field(alias="monthlyBudgetUsd", gt=0, le=1_000_000)
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    upload_triggers: list[UploadTrigger] = Field(default_factory=list, alias="uploadTriggers")
    temp_expiration_days: int = Field(default=7, alias="tempExpirationDays", ge=1, le=365)
    #: The organization account the project lives in (default: the plane's own account).
    account_id: str | None = Field(default=None, alias="accountId", pattern=r"^[0-9]{12}$")
    #: Refused (kept only to say why): IAM refuses policies and tags on Identity Center roles.
    scientist_roles: list[str] = Field(default_factory=list, alias="scientistRoles")

    #: IAM Identity Center groups (identity store group ids) given the project's permission set in its account.
    scientist_groups: list[str] = Field(default_factory=list, alias="scientistGroups", max_length=20)

    @field_validator("scientist_groups")
    @classmethod
    def _group_ids(cls, value: list[str]) -> list[str]:
        pattern = r"([0-9a-f]{10}-)?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
        bad = [g for g in value if not re.fullmatch(pattern, g)]
        if bad:
            raise ValueError(f"scientistGroups must be IAM Identity Center group ids; not: {bad}")
        return value

    @field_validator("scientist_roles", mode="before")
    @classmethod
    def _no_roles(cls, value: Any) -> Any:
        if value:
            raise ValueError(
                "scientistRoles is no longer accepted: IAM refuses to attach policies to or tag IAM Identity Center "
                "roles (UnmodifiableEntity); name the Identity Center groups in scientistGroups instead (the "
                "project's permission set carries the scientist policy)"
            )
        return value

    @field_validator("project_id")
    @classmethod
    def _project_id(cls, value: str) -> str:
        return require_project_id(value)

    @field_validator("owner", "cost_center")
    @classmethod
    def _tag_value(cls, value: str) -> str:
        # AWS tag values: letters, digits, spaces and + - = . _ : / @
        if not re.fullmatch(r"[\w\s+\-=.:/@]+", value):
            raise ValueError(f"{value!r} is not a valid AWS tag value (letters, digits, spaces, + - = . _ : / @)")
        return value

    @model_validator(mode="after")
    def _triggers(self) -> ProvisionRequest:
        names = ProjectNames(self.project_id)
        buckets = {names.bucket(p) for p in BUCKET_PURPOSES}
        problems: list[str] = []
        for i, trigger in enumerate(self.upload_triggers):
            where = f"uploadTriggers[{i}]"
            if trigger.bucket not in buckets:
                problems.append(f"{where}.bucket {trigger.bucket!r} is not a project bucket ({sorted(buckets)})")
            if not follows_convention("job", trigger.job_name, self.project_id):
                problems.append(f"{where}.jobName {trigger.job_name!r} is not {names.prefix}-job-<name>")
            for key, value in trigger.arguments.items():
                if not key.startswith("--"):
                    problems.append(f"{where}.arguments key {key!r} must start with '--'")
                unknown = set(_PLACEHOLDER.findall(value)) - {"bucket", "key"}
                if unknown:
                    problems.append(f"{where}.arguments[{key!r}] uses unknown placeholders {sorted(unknown)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def names(self) -> ProjectNames:
        return ProjectNames(self.project_id)

    @property
    def owner_email(self) -> str | None:
        return self.owner if _EMAIL.match(self.owner) else None

    def tags(self) -> dict[str, str]:
        """The four mandatory tags (same values as Project.mandatory_tags)."""
        return {"Project": self.names.prefix, "Service": "glue", "Owner": self.owner, "CostCenter": self.cost_center}


class DeprovisionRequest(_Model):
    """Input of the deprovision-project state machine. retainData keeps the project's data (docs/provisioning.md)."""

    project_id: str = Field(alias="projectId")
    retain_data: bool = Field(default=True, alias="retainData")
    key_deletion_days: int = Field(default=30, alias="keyDeletionDays", ge=7, le=30)

    @field_validator("project_id")
    @classmethod
    def _project_id(cls, value: str) -> str:
        return require_project_id(value)


def parse(model: type[_Model], data: Any) -> Any:
    """Validate `data` as `model`; raise InvalidRequest naming every offending field."""
    if not isinstance(data, dict):
        raise InvalidRequest(f"the request must be a JSON object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidRequest(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "request"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field"
        parts.append(f"{where}: {message}")
    return "invalid request: " + "; ".join(parts)
