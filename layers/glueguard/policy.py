"""The governance policy: caps, names, locked settings and per-rule modes, as validated data.

Loaded from `GLUEGUARD_POLICY` (JSON) or the SSM parameter named by `GLUEGUARD_POLICY_PARAMETER`,
then `GLUEGUARD_<FIELD>` variables for single fields. Per-project overrides come from the registry.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

MAX_GLUE_TIMEOUT_MINUTES = 10079  # Timeout must be < 10080 (7 days)


class Mode(StrEnum):
    ENFORCE = "enforce"
    REPORT = "report"
    OFF = "off"


class NamingAction(StrEnum):
    REPORT = "report"
    DELETE = "delete"


class PolicyError(ValueError):
    """An invalid policy document; the message names every offending field."""


#: Rules that only report unless a policy says otherwise.
DEFAULT_REPORT_ONLY = frozenset({"job-flex-preference"})


class Policy(BaseModel):
    """Validated settings with the design document's defaults (§3.3, §6.2, §8.2)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_workers_per_job: int = Field(50, ge=1, le=100000)
    max_dpu_per_job: float = Field(100.0, gt=0)
    max_dpu_per_project: float = Field(100.0, gt=0)
    default_timeout_minutes: int = Field(120, ge=1, le=MAX_GLUE_TIMEOUT_MINUTES)
    max_timeout_minutes: int = Field(480, ge=1, le=MAX_GLUE_TIMEOUT_MINUTES)
    run_time_cap_minutes: int | None = Field(None, ge=1, description="defaults to max_timeout_minutes")
    session_idle_timeout_max_minutes: int = Field(60, ge=1)
    session_max_workers: int = Field(10, ge=1)
    session_lifetime_max_minutes: int = Field(480, ge=1)
    dev_endpoint_lifetime_max_hours: int = Field(24, ge=1)
    mandatory_tags: tuple[str, ...] = ("Project", "Service", "Owner", "CostCenter")
    service_tag_value: str = "glue"
    critical_tag_key: str = "Criticality"
    critical_tag_value: str = "critical"
    lock_role: bool = True
    lock_vpc: bool = True
    lock_security_group: bool = True
    lock_database: bool = True
    naming_action: NamingAction = NamingAction.REPORT
    price_per_dpu_hour: float = Field(0.44, gt=0)
    flex_price_per_dpu_hour: float = Field(0.29, gt=0, description="price of FLEX runs (us-east-1)")
    rule_modes: dict[str, Mode] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _coherent(self) -> Policy:
        if self.default_timeout_minutes > self.max_timeout_minutes:
            raise ValueError(
                f"default_timeout_minutes ({self.default_timeout_minutes}) exceeds "
                f"max_timeout_minutes ({self.max_timeout_minutes})"
            )
        if self.max_dpu_per_job > self.max_dpu_per_project:
            raise ValueError(
                f"max_dpu_per_job ({self.max_dpu_per_job}) exceeds max_dpu_per_project ({self.max_dpu_per_project})"
            )
        return self

    @property
    def effective_run_time_cap_minutes(self) -> int:
        return self.run_time_cap_minutes or self.max_timeout_minutes

    def mode(self, rule_id: str) -> Mode:
        """The configured mode of a rule (enforce unless it is report-only by default)."""
        if rule_id in self.rule_modes:
            return self.rule_modes[rule_id]
        return Mode.REPORT if rule_id in DEFAULT_REPORT_ONLY else Mode.ENFORCE

    def with_overrides(self, overrides: Mapping[str, Any] | None) -> Policy:
        """This policy with a project's overrides applied (rule_modes are merged, not replaced)."""
        if not overrides:
            return self
        data = self.model_dump()
        merged = dict(overrides)
        if "rule_modes" in merged:
            merged["rule_modes"] = {**data["rule_modes"], **merged["rule_modes"]}
        return parse_policy({**data, **merged}, source="project overrides")


def parse_policy(document: Mapping[str, Any] | str, source: str = "policy") -> Policy:
    """Validate a policy document (a mapping or JSON text); raise PolicyError naming each bad field."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as exc:
            raise PolicyError(f"{source}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    if not isinstance(document, Mapping):
        raise PolicyError(f"{source}: must be a JSON object, got {type(document).__name__}")
    try:
        return Policy.model_validate(dict(document))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']} (got {err.get('input')!r})"
            for err in exc.errors()
        )
        raise PolicyError(f"{source}: {problems}") from None


def _env_fields(environ: Mapping[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name in Policy.model_fields:
        raw = environ.get(f"GLUEGUARD_{name.upper()}")
        if raw is None:
            continue
        try:
            fields[name] = json.loads(raw)
        except json.JSONDecodeError:
            fields[name] = raw
    return fields


def load_policy(
    environ: Mapping[str, str] | None = None,
    ssm_reader: Callable[[str], str] | None = None,
) -> Policy:
    """Load the policy: JSON from env or SSM (GLUEGUARD_POLICY_PARAMETER), then single-field env vars."""
    environ = os.environ if environ is None else environ
    document: dict[str, Any] = {}
    if raw := environ.get("GLUEGUARD_POLICY"):
        document.update(parse_policy(raw, source="GLUEGUARD_POLICY").model_dump(exclude_unset=True))
    elif parameter := environ.get("GLUEGUARD_POLICY_PARAMETER"):
        reader = ssm_reader or _read_ssm_parameter
        document.update(
            parse_policy(reader(parameter), source=f"SSM parameter {parameter}").model_dump(exclude_unset=True)
        )
    document.update(_env_fields(environ))
    return parse_policy(document, source="environment")


def _read_ssm_parameter(name: str) -> str:
    from glueguard.adapters.clients import client

    return client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
