"""Rule helpers shared by every resource kind: names, roles, tags, buckets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from glueguard.arguments import ArgumentFinding, check, missing
from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.naming import UUID_PATTERN, claimed_project, follows_convention, project_of
from glueguard.rules.engine import RuleContext


def role_name(role: str | None) -> str | None:
    """The role name of a role ARN or name (`arn:aws:iam::1:role/path/NAME` -> NAME)."""
    if not role:
        return None
    return role.rsplit("/", 1)[-1] if role.startswith("arn:") else role


def same_role(current: str | None, wanted: str) -> bool:
    """True when `current` (as a job/crawler/session names it) is the role `wanted` (an ARN, or a name).

    Roles are compared by full ARN: a role elsewhere with the same name (another account, or a path under which
    someone else may create roles) is another role. A bare name is resolved by Glue in the caller's account, where
    role names are unique, so it is the role whose ARN ends in that name.
    """
    if not current:
        return False
    if current.startswith("arn:") and wanted.startswith("arn:"):
        return current == wanted
    return role_name(current) == role_name(wanted) and (
        not current.startswith("arn:") or current.split(":")[5] == f"role/{wanted}"
    )


def naming_violations(resource: Resource, ctx: RuleContext, rule_id: str) -> Iterator[Violation]:
    """A name outside `project-{uuid}-{kind}-*` cannot be fixed in place (Glue has no rename)."""
    if follows_convention(resource.kind, resource.name, ctx.project.project_id):
        return
    other = project_of(resource.name) or claimed_project(resource.name)
    cross = other is not None and other != ctx.project.project_id
    yield Violation(
        rule=rule_id,
        severity=Severity.CRITICAL if cross else Severity.HIGH,
        message=(
            f"{resource.kind} name {resource.name!r} does not follow "
            f"project-{ctx.project.project_id}-{resource.kind}-*" + (f" (it claims project {other})" if cross else "")
        ),
        unfixable=True,
    )


def tag_violations(resource: Resource, ctx: RuleContext, rule_id: str) -> Iterator[Violation]:
    """The mandatory tags, with the registry's values."""
    wanted = {
        key: value
        for key, value in ctx.project.mandatory_tags(ctx.policy.service_tag_value).items()
        if key in ctx.policy.mandatory_tags
    }
    wrong = {key: value for key, value in wanted.items() if resource.tags.get(key) != value}
    if wrong:
        detail = ", ".join(f"{k}={resource.tags.get(k)!r}->{v!r}" for k, v in sorted(wrong.items()))
        yield Violation(rule_id, Severity.LOW, f"mandatory tags missing or wrong: {detail}", tags=wrong)


def s3_bucket(uri: str | None) -> str | None:
    """The bucket of an s3:// URI (None for anything else)."""
    if not uri or not uri.startswith("s3://"):
        return None
    return uri[5:].split("/", 1)[0] or None


def bucket_severity(bucket: str | None, ctx: RuleContext) -> Severity:
    """Critical when the bucket belongs to another project, high otherwise."""
    owner = project_of(bucket)
    return Severity.CRITICAL if owner and owner != ctx.project.project_id else Severity.HIGH


def foreign_project(name: str | None, ctx: RuleContext) -> str | None:
    """The other project a name (role, bucket, connection, job, ...) belongs to, if any."""
    other = project_of(name)
    return other if other and other != ctx.project.project_id else None


def in_project_bucket(uri: str | None, ctx: RuleContext) -> bool:
    """True when an s3:// URI is in one of the project's buckets (`project-{uuid}-*` or a registered one)."""
    bucket = s3_bucket(uri)
    return bool(bucket) and (
        bucket in ctx.project.resources.buckets.values() or project_of(bucket) == ctx.project.project_id
    )


def role_violations(
    current: str | None, allowed: list[str], field: str, what: str, rule_id: str, ctx: RuleContext, **flags: Any
) -> Iterator[Violation]:
    """`current` must be one of the `allowed` roles (ARNs or names); the patch sets the first."""
    if not ctx.policy.lock_role or any(same_role(current, a) for a in allowed):
        return
    other = foreign_project(role_name(current), ctx)
    yield Violation(
        rule_id,
        Severity.CRITICAL if other else Severity.HIGH,
        f"{what} {current!r} is not the project's {role_name(allowed[0])!r}"
        + (f" (a role of project {other})" if other else ""),
        patch={field: allowed[0]},
        **flags,
    )


def connections_violations(resource: Resource, ctx: RuleContext, rule_id: str, **flags: Any) -> Iterator[Violation]:
    """The project's network connection is attached (`Connections.Connections`), and none of another project."""
    if not ctx.policy.lock_vpc:
        return
    current = list((resource.get("Connections") or {}).get("Connections") or [])
    wanted_name = ctx.project.connection_name
    foreign = [c for c in current if foreign_project(c, ctx)]
    kept = [c for c in current if c not in foreign]
    if wanted_name not in kept:
        kept.insert(0, wanted_name)
    if kept == current:
        return
    problems = []
    if wanted_name not in current:
        problems.append(f"project connection {wanted_name!r} missing")
    if foreign:
        problems.append(f"connections of other projects attached: {foreign}")
    yield Violation(
        rule_id,
        Severity.CRITICAL if foreign else Severity.HIGH,
        "; ".join(problems),
        patch={"Connections": {"Connections": kept}},
        **flags,
    )


def security_configuration_violations(
    resource: Resource, ctx: RuleContext, field: str, rule_id: str
) -> Iterator[Violation]:
    """`field` names the project's security configuration."""
    wanted, current = ctx.project.security_configuration, resource.get(field)
    if current != wanted:
        yield Violation(
            rule_id, Severity.HIGH, f"security configuration {current!r} is not {wanted!r}", patch={field: wanted}
        )


def lifetime_violations(
    created: Any, cap: timedelta, ctx: RuleContext, rule_id: str, **flags: Any
) -> Iterator[Violation]:
    """A resource created at `created` that has lived longer than `cap` (judged at ctx.now)."""
    if isinstance(created, datetime) and ctx.now - created > cap:
        yield Violation(rule_id, Severity.MEDIUM, f"running for {ctx.now - created} (cap {cap})", **flags)


_PROJECT_NAME = re.compile(rf"project-({UUID_PATTERN})")
#: The purposes of a project's buckets, as the argument table names them.
BUCKET_PURPOSES = ("scripts", "temp", "artifacts")


def project_buckets(ctx: RuleContext) -> dict[str, str]:
    """The project's buckets by purpose (what argument paths may name)."""
    return {purpose: ctx.project.bucket(purpose) for purpose in BUCKET_PURPOSES}


def names_other_project(text: str, ctx: RuleContext) -> bool:
    """True when `text` names a resource of another project (an argument pointing into its buckets)."""
    return any(other != ctx.project.project_id for other in _PROJECT_NAME.findall(text))


def argument_findings(
    arguments: dict[str, str] | None, ctx: RuleContext, seen: dict[str, str] | None = None
) -> list[ArgumentFinding]:
    """What of `arguments` breaks the policy's argument table; with `seen` (everything the runs see), also what the
    table requires and `seen` lacks (to be added to `arguments`)."""
    buckets, table = project_buckets(ctx), ctx.policy.arguments
    found = check(arguments, buckets, table)
    return found + (missing(seen, buckets, table) if seen is not None else [])


def argument_violation(
    rule_id: str, where: str, findings: list[ArgumentFinding], ctx: RuleContext, **fields: Any
) -> Violation:
    """One violation for the `findings` of `where` (the arguments' owner, e.g. DefaultArguments)."""
    messages = "; ".join(f.message for f in findings)
    cross = names_other_project(messages, ctx)
    return Violation(rule_id, Severity.CRITICAL if cross else Severity.HIGH, f"{where}: {messages}", **fields)
