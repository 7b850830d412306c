"""The governance policy: caps, names, locked settings and per-rule modes, as validated data.

Loaded from `GLUEGUARD_POLICY` (JSON) or the SSM parameter named by `GLUEGUARD_POLICY_PARAMETER`,
then `GLUEGUARD_<FIELD>` variables for single fields. Per-project overrides come from the registry.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from glueguard.arguments import ArgumentPolicy
from glueguard.policy.custom_rules import CustomRule

logger = logging.getLogger(__name__)

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
DEFAULT_REPORT_ONLY = frozenset({"job-flex-preference", "account-quota-near"})
#: Rules a policy turns on (`rule_modes`) when it wants them: off unless asked for.
#: job-pinned-arguments rewrites every job's NonOverridableArguments: a platform turns it on (docs/policy.md).
DEFAULT_OFF = frozenset({"job-observability-metrics", "job-pinned-arguments"})


#: The retention periods CloudWatch Logs accepts (PutRetentionPolicy, retentionInDays).
LogRetentionDays = Literal[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
]


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
    session_max_dpu: float = Field(10.0, gt=0, description="capacity of one interactive session or dev endpoint")
    session_lifetime_max_minutes: int = Field(480, ge=1)
    upload_max_starts_per_minute: int = Field(
        20, ge=1, description="runs one upload binding may start per minute (a storm guard); the rest wait"
    )
    streaming_max_workers: int = Field(10, ge=1, le=100000, description="workers per streaming (gluestreaming) job")
    streaming_max_run_hours: int | None = Field(
        None, ge=1, description="stop streaming runs older than this; unset: they run until stopped, as Glue intends"
    )
    dev_endpoint_lifetime_max_hours: int = Field(24, ge=1)
    max_jobs_per_project: int = Field(100, ge=1, description="jobs one project may hold: a creation past it is removed")
    max_crawlers_per_project: int = Field(25, ge=1, description="crawlers one project may hold (likewise)")
    account_jobs_quota: int = Field(1000, ge=1, description="the account's Glue jobs quota (Service Quotas)")
    account_crawlers_quota: int = Field(1000, ge=1, description="the account's Glue crawlers quota (Service Quotas)")
    account_quota_warning_share: float = Field(
        0.8, gt=0, le=1, description="a creation that brings the account to this share of a quota is reported"
    )
    flow_logs_retention_days: LogRetentionDays = Field(
        90, description="retention of the flow logs of every VPC provisioning creates (CloudWatch Logs' values)"
    )
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
    budget_tolerance: float = Field(0.05, ge=0, le=1, description="a month may end this share over budget")
    budget_warning_shares: tuple[float, ...] = Field((0.8, 1.0), description="warn when spend crosses these")
    budget_lookahead_minutes: float = Field(
        10.0,
        ge=0,
        description="running work stops when the month, plus what it would cost this much longer, reaches the limit "
        "(the run guard's 5-minute schedule period plus the time a stop takes, with room for a late schedule)",
    )
    production_tag_key: str = Field("Environment", min_length=1, description="tag naming production jobs")
    production_tag_value: str = "production"
    small_run_max_dpu: float = Field(10.0, gt=0, description="runs up to this DPU count as small (startup metric)")
    arguments: ArgumentPolicy = Field(
        default_factory=ArgumentPolicy, description="Glue's special job parameters: the table (docs/policy.md)"
    )
    rule_modes: dict[str, Mode] = Field(default_factory=dict)
    custom_rules: tuple[CustomRule, ...] = Field((), description="rules written as data (docs/policy.md)")

    #: Which stored version of the policy this is ("7" for SSM version 7, "env:<sha>" , "default").
    _version: str = PrivateAttr("default")
    #: Projects' overrides already applied (validating custom rules again per resource would cost ~2 ms).
    _overridden: dict[str, Policy] = PrivateAttr(default_factory=dict)
    _override_errors: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def version(self) -> str:
        return self._version

    @model_validator(mode="after")
    def _known_rules(self) -> Policy:
        from glueguard.rules import all_rules

        builtin = {r.id for rules in all_rules().values() for r in rules}
        seen: set[str] = set()
        for custom in self.custom_rules:
            if custom.id in builtin:
                raise ValueError(f"custom_rules: rule {custom.id!r} has the id of a built-in rule; choose another")
            if custom.id in seen:
                raise ValueError(f"custom_rules: rule id {custom.id!r} is used twice")
            seen.add(custom.id)
        unknown = sorted(set(self.rule_modes) - builtin - seen)
        if unknown:
            raise ValueError(f"rule_modes: no rule named {', '.join(map(repr, unknown))} (neither built-in nor custom)")
        return self

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
        if rule_id in DEFAULT_OFF:
            return Mode.OFF
        return Mode.REPORT if rule_id in DEFAULT_REPORT_ONLY else Mode.ENFORCE

    def with_overrides(self, overrides: Mapping[str, Any] | None) -> Policy:
        """This policy with a project's overrides applied (rule_modes are merged, not replaced). Invalid overrides
        fail closed: this policy applies unchanged, and `override_error` says why (never an exception, which
        would stop that project's enforcement altogether)."""
        if not overrides:
            return self
        key = json.dumps(overrides, sort_keys=True, default=str)
        if key not in self._overridden:
            data = self.model_dump(by_alias=True)
            merged = dict(overrides)
            try:
                if "rule_modes" in merged:
                    merged["rule_modes"] = {**data["rule_modes"], **merged["rule_modes"]}
                self._overridden[key] = parse_policy({**data, **merged}, source="project overrides")
            except (PolicyError, TypeError, ValueError) as exc:
                logger.error("invalid project policy overrides; the deployed policy applies: %s", exc)
                self._override_errors[key] = str(exc)
                self._overridden[key] = self
        return self._overridden[key].versioned(self.version)

    def override_error(self, overrides: Mapping[str, Any] | None) -> str | None:
        """Why a project's overrides were refused (None when they apply, or there are none)."""
        if not overrides:
            return None
        self.with_overrides(overrides)
        return self._override_errors.get(json.dumps(overrides, sort_keys=True, default=str))

    def versioned(self, version: str) -> Policy:
        """This policy, marked as stored version `version` (recorded on every decision made under it)."""
        self._version = version
        return self

    def custom_rules_for(self, kind: str) -> list[CustomRule]:
        return [r for r in self.custom_rules if r.kind == kind]


def policy_schema() -> dict[str, Any]:
    """The policy document's JSON Schema (for editors and CI)."""
    schema = Policy.model_json_schema()
    schema["$id"] = "https://glueguard.dev/schemas/policy.json"
    schema["title"] = "glueguard policy"
    return schema


_UNION_TAGS = {"condition": {"key", "all", "any", "not"}, "remedy": {"report", "tag", "set"}}


def _where(loc: tuple[Any, ...], document: Mapping[str, Any]) -> str:
    """`custom_rules.2.condition.all.0.key.op` -> `custom_rules[2] (rule 'x') condition.all.0.op`
    (the union tags pydantic puts in the location are dropped)."""
    if not (len(loc) >= 2 and loc[0] == "custom_rules" and isinstance(loc[1], int)):
        return ".".join(str(p) for p in loc)
    rules = document.get("custom_rules")
    rule_id = None
    if isinstance(rules, list | tuple) and loc[1] < len(rules) and isinstance(rules[loc[1]], Mapping):
        rule_id = rules[loc[1]].get("id")
    parts: list[str] = []
    tags: set[str] = set()
    for part in loc[2:]:
        if str(part) in tags:
            tags = set()
            continue
        parts.append(str(part))
        tags = _UNION_TAGS["condition"] if part in ("condition", "not") or isinstance(part, int) else set()
        tags = _UNION_TAGS["remedy"] if part == "remedy" else tags
    return f"custom_rules[{loc[1]}] (rule {rule_id!r})" + (f" {'.'.join(parts)}" if parts else "")


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
            f"{_where(err['loc'], document)}: {err['msg'].removeprefix('Value error, ')}{_got(err)}".lstrip(": ")
            for err in exc.errors()
        )
        raise PolicyError(f"{source}: {problems}") from None


def _got(err: Mapping[str, Any]) -> str:
    given = err.get("input")
    if err.get("type") == "value_error" or isinstance(given, Mapping):
        return ""  # the message says what was wrong; a whole object would drown it
    return f" (got {given!r})"


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


#: How long a function keeps a loaded policy (and registry entries) before reading them again.
DEFAULT_TTL_SECONDS = 30.0
MAX_TTL_SECONDS = 60.0


def load_policy(
    environ: Mapping[str, str] | None = None,
    ssm_reader: Callable[[str], str | tuple[str, str]] | None = None,
) -> Policy:
    """Load the policy: JSON from env or SSM (GLUEGUARD_POLICY_PARAMETER), then single-field env vars.

    The result carries its version: the SSM parameter's version number, `env:<sha256 prefix>` for
    GLUEGUARD_POLICY, `default` when neither is set.
    """
    environ = os.environ if environ is None else environ
    document: dict[str, Any] = {}
    version = "default"
    if raw := environ.get("GLUEGUARD_POLICY"):
        document.update(parse_policy(raw, source="GLUEGUARD_POLICY").model_dump(exclude_unset=True, by_alias=True))
        version = "env:" + hashlib.sha256(raw.encode()).hexdigest()[:12]
    elif parameter := environ.get("GLUEGUARD_POLICY_PARAMETER"):
        read = (ssm_reader or read_ssm_parameter)(parameter)
        value, version = read if isinstance(read, tuple) else (read, "ssm")
        document.update(
            parse_policy(value, source=f"SSM parameter {parameter} version {version}").model_dump(
                exclude_unset=True, by_alias=True
            )
        )
    document.update(_env_fields(environ))
    return parse_policy(document, source="environment").versioned(version)


def read_ssm_parameter(name: str) -> tuple[str, str]:
    """The parameter's value and version number."""
    from glueguard.adapters.clients import plane_client

    parameter = plane_client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]
    return parameter["Value"], str(parameter["Version"])


def cache_seconds(environ: Mapping[str, str] | None = None) -> float:
    """GLUEGUARD_POLICY_TTL_SECONDS (default 30, at most 60, so a new version is in force within a minute)."""
    raw = (os.environ if environ is None else environ).get("GLUEGUARD_POLICY_TTL_SECONDS")
    try:
        seconds = float(raw) if raw else DEFAULT_TTL_SECONDS
    except ValueError:
        raise PolicyError(f"GLUEGUARD_POLICY_TTL_SECONDS: not a number (got {raw!r})") from None
    return min(max(seconds, 0.0), MAX_TTL_SECONDS)


class PolicyCache:
    """The policy a function works under, read again once `cache_seconds()` have passed.

    A version that fails to load or validate (a hand-edited parameter) leaves the last good one in
    force, logged, and is tried again after the next interval. The interval is on the wall clock (`time.time`),
    the one clock there is: in the sandbox, `sandbox tick` moves it on for caches too.
    """

    def __init__(self, loader: Callable[[], Policy] = load_policy, clock: Callable[[], float] = time.time):
        self._loader, self._clock = loader, clock
        self._lock = threading.Lock()
        self._policy: Policy | None = None
        self._loaded_at = 0.0

    def get(self) -> Policy:
        with self._lock:
            now = self._clock()
            if self._policy is not None and 0 <= now - self._loaded_at < cache_seconds():
                return self._policy
            try:
                self._policy = self._loader()
            except Exception:
                if self._policy is None:
                    raise
                logger.exception("policy reload failed; version %s stays in force", self._policy.version)
            self._loaded_at = now
            return self._policy

    def clear(self) -> None:
        with self._lock:
            self._policy = None


_current = PolicyCache()


def current_policy() -> Policy:
    """The function's policy, at most `cache_seconds()` old (see PolicyCache)."""
    return _current.get()


def reset_policy_cache() -> None:
    _current.clear()
