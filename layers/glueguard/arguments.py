"""Glue's special job parameters as governed data: what each may hold, paths confined to the project's buckets.

The same pure check judges job definitions (DefaultArguments, NonOverridableArguments), run overrides, trigger
actions and session defaults. The table is policy data (`Policy.arguments`); AWS's list of parameters: "Using job
parameters in AWS Glue jobs" (docs/policy.md cites it). An argument the table does not name is the script's own
and is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Purpose = Literal["scripts", "temp", "artifacts"]


class ArgumentAction(StrEnum):
    ALLOW = "allow"  # any value
    DENY = "deny"  # never set: removed
    CONFINE = "confine"  # every path (comma-separated) in one of the rule's project buckets
    PACKAGES = "packages"  # --additional-python-modules: package names, or wheels in the rule's project buckets
    INSTALLER = "installer"  # pip options: only the policy's package indexes, no trust or proxy changes
    SPARK_CONF = "spark-conf"  # --conf: only properties the policy allows, never the denied ones
    ENV = "env"  # KEY=VALUE,... environment variables: none whose name the policy denies
    REQUIRE = "require"  # always set, to `default` (e.g. --disable-proxy-v2 "true"): added where it is missing


class ArgumentRule(BaseModel):
    """What one special parameter may hold."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: ArgumentAction
    buckets: tuple[Purpose, ...] = Field((), description="confine/packages: the project buckets paths may name")
    pin: bool = Field(False, description="the enforcer sets it in the job's NonOverridableArguments")
    default: str | None = Field(
        None, description="the value a correction sets ({scripts}, {temp}, {artifacts}: the buckets); else removed"
    )

    @model_validator(mode="after")
    def _coherent(self) -> ArgumentRule:
        needs_buckets = self.action in (ArgumentAction.CONFINE, ArgumentAction.PACKAGES)
        if needs_buckets and not self.buckets:
            raise ValueError(f"action {self.action.value!r} needs buckets (scripts, temp, artifacts)")
        if self.buckets and not needs_buckets:
            raise ValueError(f"buckets apply to confine and packages only, not {self.action.value!r}")
        if self.action is ArgumentAction.REQUIRE and self.default is None:
            raise ValueError("action 'require' needs the default it requires")
        if self.default is not None:
            try:
                self.default.format(scripts="", temp="", artifacts="")
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError(
                    f"default {self.default!r}: only {{scripts}}, {{temp}}, {{artifacts}} ({exc})"
                ) from None
        return self


_CODE = ("scripts", "artifacts")
#: The built-in table (a policy's `arguments.rules` replace entries key by key).
DEFAULT_RULES: dict[str, ArgumentRule] = {
    "--scriptLocation": ArgumentRule(action=ArgumentAction.CONFINE, buckets=("scripts",), pin=True),
    "--extra-py-files": ArgumentRule(action=ArgumentAction.CONFINE, buckets=_CODE),
    "--extra-jars": ArgumentRule(action=ArgumentAction.CONFINE, buckets=_CODE),
    "--extra-files": ArgumentRule(action=ArgumentAction.CONFINE, buckets=_CODE),
    "--TempDir": ArgumentRule(
        action=ArgumentAction.CONFINE, buckets=("temp",), pin=True, default="s3://{temp}/temporary/"
    ),
    "--spark-event-logs-path": ArgumentRule(action=ArgumentAction.CONFINE, buckets=("temp", "artifacts")),
    "--additional-python-modules": ArgumentRule(action=ArgumentAction.PACKAGES, buckets=_CODE),
    "--python-modules-installer-option": ArgumentRule(action=ArgumentAction.INSTALLER),
    "--conf": ArgumentRule(action=ArgumentAction.SPARK_CONF),
    "--customer-driver-env-vars": ArgumentRule(action=ArgumentAction.ENV),
    "--customer-executor-env-vars": ArgumentRule(action=ArgumentAction.ENV),
}
#: Spark properties no policy may allow: capacity the caps count, code and credentials from elsewhere.
DEFAULT_DENIED_CONF = (
    "spark.executor.instances",
    "spark.executor.cores",
    "spark.executor.memory",
    "spark.driver.cores",
    "spark.driver.memory",
    "spark.cores.max",
    "spark.dynamicAllocation.",
    "spark.jars",
    "spark.submit.pyFiles",
    "spark.files",
    "spark.archives",
    "spark.hadoop.fs.s3.customAWSCredentialsProvider",
    "spark.hadoop.fs.s3a.aws.credentials.provider",
    "spark.hadoop.fs.s3a.access.key",
    "spark.hadoop.fs.s3a.secret.key",
    "spark.hadoop.fs.s3a.session.token",
)


class ArgumentPolicy(BaseModel):
    """The argument table and the lists its actions read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: dict[str, ArgumentRule] = Field(default_factory=dict, description="merged over the built-in table")
    package_indexes: tuple[str, ...] = Field((), description="index URLs pip options may name (e.g. a mirror)")
    spark_conf_allowed: tuple[str, ...] = Field((), description="--conf property-name prefixes allowed")
    spark_conf_denied: tuple[str, ...] = Field(DEFAULT_DENIED_CONF, description="prefixes never allowed")
    env_denied: tuple[str, ...] = Field(("AWS_",), description="environment variable name prefixes denied")

    @field_validator("rules")
    @classmethod
    def _keys(cls, rules: dict[str, ArgumentRule]) -> dict[str, ArgumentRule]:
        bad = sorted(k for k in rules if not re.fullmatch(r"--[A-Za-z0-9][A-Za-z0-9_.-]*", k))
        if bad:
            raise ValueError(f"argument names start with -- and hold letters, digits, _ . - only: {bad}")
        return rules

    @property
    def table(self) -> dict[str, ArgumentRule]:
        return {**DEFAULT_RULES, **self.rules}


@dataclass(frozen=True)
class ArgumentFinding:
    """One argument that breaks its rule, and its compliant value (None: the argument is removed)."""

    key: str
    message: str
    correction: str | None


_S3 = re.compile(r"^s3[an]?://([^/]+)(?:/|$)")
_INDEX_OPTIONS = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links"}
_NEVER_OPTIONS = {"--trusted-host", "--proxy", "--cert", "--client-cert", "-r", "--requirement", "-c", "--constraint"}


def _bucket(path: str) -> str | None:
    match = _S3.match(path.strip())
    return match.group(1) if match else None


def _allowed_buckets(rule: ArgumentRule, buckets: Mapping[str, str]) -> set[str]:
    return {buckets[p] for p in rule.buckets if buckets.get(p)}


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _confine(value: str, rule: ArgumentRule, buckets: Mapping[str, str]) -> tuple[list[str], list[str]]:
    allowed = _allowed_buckets(rule, buckets)
    items = _split(value)
    return [i for i in items if _bucket(i) in allowed], [i for i in items if _bucket(i) not in allowed]


def _packages(value: str, rule: ArgumentRule, buckets: Mapping[str, str]) -> tuple[list[str], list[str]]:
    allowed = _allowed_buckets(rule, buckets)
    kept, outside = [], []
    for item in _split(value):
        located = "://" in item or item.startswith(("git+", "-")) or "@" in item
        ok = not located or _bucket(item) in allowed
        (kept if ok else outside).append(item)
    return kept, outside


def _installer(value: str, policy: ArgumentPolicy) -> tuple[list[str], list[str]]:
    tokens = [part for token in value.split() for part in (token.split("=", 1) if token.startswith("--") else [token])]
    kept: list[str] = []
    outside: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        argument = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token in _INDEX_OPTIONS:
            ok = any(argument.startswith(allowed) for allowed in policy.package_indexes)
            (kept if ok else outside).extend([token, argument])
            index += 2
        elif token in _NEVER_OPTIONS:
            outside.extend([token, argument])
            index += 2
        elif "://" in token:
            outside.append(token)
            index += 1
        else:
            kept.append(token)
            index += 1
    return kept, outside


def _spark_conf(value: str, policy: ArgumentPolicy) -> tuple[list[str], list[str]]:
    kept, outside = [], []
    for prop in (p.strip() for p in re.split(r"\s*--conf\s+", value.strip())):
        if not prop:
            continue
        name = prop.split("=", 1)[0].strip()
        denied = any(name.startswith(d) for d in policy.spark_conf_denied)
        allowed = any(name.startswith(a) for a in policy.spark_conf_allowed)
        (kept if allowed and not denied else outside).append(prop)
    return kept, outside


def _env(value: str, policy: ArgumentPolicy) -> tuple[list[str], list[str]]:
    kept, outside = [], []
    for item in _split(value):
        name = item.split("=", 1)[0].strip()
        (outside if any(name.startswith(d) for d in policy.env_denied) else kept).append(item)
    return kept, outside


def _judge(
    key: str, value: str, rule: ArgumentRule, buckets: Mapping[str, str], policy: ArgumentPolicy
) -> ArgumentFinding | None:
    action = rule.action
    if action is ArgumentAction.ALLOW:
        return None
    if action is ArgumentAction.DENY:
        return ArgumentFinding(key, f"{key} is not allowed by the policy", None)
    if action is ArgumentAction.REQUIRE:
        wanted = _default(rule, buckets)
        return None if value == wanted else ArgumentFinding(key, f"{key} must be {wanted!r}, not {value!r}", wanted)
    where = " or ".join(f"s3://{buckets.get(p, p)}/" for p in rule.buckets)
    if action is ArgumentAction.CONFINE:
        kept, outside = _confine(value, rule, buckets)
        joined, why = ",".join(kept), f"outside the project's buckets ({where})"
    elif action is ArgumentAction.PACKAGES:
        kept, outside = _packages(value, rule, buckets)
        joined, why = ",".join(kept), f"from outside the project (URLs, pip options, or wheels outside {where})"
    elif action is ArgumentAction.INSTALLER:
        kept, outside = _installer(value, policy)
        joined, why = " ".join(kept), "names a package index, host or file the policy does not allow"
    elif action is ArgumentAction.SPARK_CONF:
        kept, outside = _spark_conf(value, policy)
        joined, why = " --conf ".join(kept), "sets Spark properties the policy does not allow"
    else:
        kept, outside = _env(value, policy)
        joined, why = ",".join(kept), "sets environment variables the policy denies"
    if not outside:
        return None
    correction = _default(rule, buckets) if rule.default is not None else (joined or None)
    return ArgumentFinding(key, f"{key} {why}: {outside}", correction)


def _default(rule: ArgumentRule, buckets: Mapping[str, str]) -> str:
    return (rule.default or "").format(**{p: buckets.get(p, "") for p in ("scripts", "temp", "artifacts")})


def check(
    arguments: Mapping[str, str] | None, buckets: Mapping[str, str], policy: ArgumentPolicy
) -> list[ArgumentFinding]:
    """Every argument of `arguments` that breaks the table (`buckets`: the project's, by purpose)."""
    table = policy.table
    findings = []
    for key, value in (arguments or {}).items():
        if (rule := table.get(key)) is not None and (found := _judge(key, str(value), rule, buckets, policy)):
            findings.append(found)
    return findings


def missing(
    arguments: Mapping[str, str] | None, buckets: Mapping[str, str], policy: ArgumentPolicy
) -> list[ArgumentFinding]:
    """The arguments the table requires that `arguments` (everything a run will see) lack, with their value."""
    return [
        ArgumentFinding(key, f"{key} is required ({_default(rule, buckets)!r})", _default(rule, buckets))
        for key, rule in policy.table.items()
        if rule.action is ArgumentAction.REQUIRE and key not in (arguments or {})
    ]


def pinned_keys(policy: ArgumentPolicy) -> list[str]:
    """The arguments the enforcer pins in NonOverridableArguments."""
    return sorted(key for key, rule in policy.table.items() if rule.pin)
