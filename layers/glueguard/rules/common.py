"""Rule helpers shared by every resource kind: names, roles, tags, buckets."""

from __future__ import annotations

from collections.abc import Iterator

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.naming import claimed_project, follows_convention, project_of
from glueguard.rules.registry import RuleContext


def role_name(role: str | None) -> str | None:
    """The role name of a role ARN or name (`arn:aws:iam::1:role/path/NAME` -> NAME)."""
    if not role:
        return None
    return role.rsplit("/", 1)[-1] if role.startswith("arn:") else role


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
