"""Rules for Glue interactive sessions (GetSession `Session`). Sessions cannot be updated: a session that
breaks a rule is stopped (`stop`), and the patch shapes the compliant CreateSession saved for its owner."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from glueguard.dpu import max_workers_within, session_dpu
from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.rules.common import (
    argument_findings,
    argument_violation,
    connections_violations,
    lifetime_violations,
    role_violations,
    tag_violations,
)
from glueguard.rules.engine import RuleContext, rule

KIND = "session"


@rule(KIND, "session-role", "the role is the project's dev role (or its job role)")
def role(session: Resource, ctx: RuleContext) -> Iterator[Violation]:
    names, resources = ctx.project.names, ctx.project.resources
    allowed = [resources.dev_role_arn or names.dev_role, resources.job_role_arn or names.job_role]
    yield from role_violations(session.get("Role"), allowed, "Role", "session role", "session-role", ctx, stop=True)


@rule(KIND, "session-vpc", "the project network connection is attached, and no connection of another project")
def vpc(session: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from connections_violations(session, ctx, "session-vpc", stop=True)


@rule(KIND, "session-dpu-cap", "capacity within the per-session DPU cap")
def dpu_cap(session: Resource, ctx: RuleContext) -> Iterator[Violation]:
    cap = ctx.policy.session_max_dpu
    dpu = session_dpu(session.definition)
    if dpu <= cap:
        return
    worker_type = session.get("WorkerType")
    if worker_type and session.get("NumberOfWorkers"):
        workers = max(1, max_workers_within(worker_type, cap))
        message = (
            f"{session.get('NumberOfWorkers')} {worker_type} workers ({dpu:g} DPU) exceed the session cap of {cap:g}"
        )
        yield Violation("session-dpu-cap", Severity.HIGH, message, patch={"NumberOfWorkers": workers}, stop=True)
    else:
        message = f"MaxCapacity {dpu:g} DPU exceeds the session cap of {cap:g} DPU"
        yield Violation("session-dpu-cap", Severity.HIGH, message, patch={"MaxCapacity": float(cap)}, stop=True)


@rule(KIND, "session-idle-timeout", "an idle timeout is set, within the cap")
def idle_timeout(session: Resource, ctx: RuleContext) -> Iterator[Violation]:
    cap, current = ctx.policy.session_idle_timeout_max_minutes, session.get("IdleTimeout")
    if current is None or current > cap:
        yield Violation(
            "session-idle-timeout",
            Severity.MEDIUM,
            f"idle timeout {current!r} min exceeds the cap of {cap} min",
            patch={"IdleTimeout": cap},
            stop=True,
        )


@rule(KIND, "session-lifetime", "a live session is stopped once it outlives the lifetime cap")
def lifetime(session: Resource, ctx: RuleContext) -> Iterator[Violation]:
    cap = timedelta(minutes=ctx.policy.session_lifetime_max_minutes)
    yield from lifetime_violations(session.get("CreatedOn"), cap, ctx, "session-lifetime", stop=True)


@rule(KIND, "session-arguments", "Glue's special arguments follow the policy's table (else the session is stopped)")
def arguments(session: Resource, ctx: RuleContext) -> Iterator[Violation]:
    arguments = session.get("DefaultArguments") or {}
    if findings := argument_findings(arguments, ctx, seen=arguments):
        patch = {"DefaultArguments": {f.key: f.correction for f in findings}}
        yield argument_violation("session-arguments", "session arguments", findings, ctx, patch=patch, stop=True)


@rule(KIND, "session-tags", "the mandatory tags, with the registry's values")
def tags(session: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from tag_violations(session, ctx, "session-tags")
