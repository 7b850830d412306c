"""The rule registry: one rule = one small registered pure function (Cloud Custodian style).

A rule is `(resource, ctx) -> iterable of Violation`; it makes no AWS call. Register it with
`@rule("job", "job-role", "what it checks")`; `evaluate` runs every rule of a resource kind and
applies the policy's mode for each (enforce / report / off).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from glueguard.models.project import Project
from glueguard.models.resource import Resource
from glueguard.models.violation import Violation
from glueguard.policy.settings import Mode, Policy


@dataclass(frozen=True)
class RuleContext:
    """What a rule may look at besides the resource: the owning project, its policy, the actor."""

    project: Project
    policy: Policy
    principal_project: str | None = None  # project of the caller's role/session, when it has one
    event_name: str = ""  # the CloudTrail call being judged ("" in a sweep)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))  # for lifetime caps
    #: at a creation of a counted kind (jobs, crawlers): the project's resources of the kind created up to this one
    #: (this one included), and the account's; None when not counted (sweeps, plans)
    project_count: int | None = None
    account_count: int | None = None


RuleFunc = Callable[[Resource, RuleContext], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    description: str
    func: RuleFunc


_RULES: dict[str, dict[str, Rule]] = {}


def rule(kind: str, rule_id: str, description: str) -> Callable[[RuleFunc], RuleFunc]:
    """Register `func` as rule `rule_id` for resources of `kind`."""

    def decorator(func: RuleFunc) -> RuleFunc:
        by_id = _RULES.setdefault(kind, {})
        if rule_id in by_id and by_id[rule_id].func is not func:
            raise ValueError(f"rule {rule_id!r} is already registered for {kind!r}")
        by_id[rule_id] = Rule(rule_id, kind, description, func)
        return func

    return decorator


def rules_for(kind: str) -> list[Rule]:
    _load_builtin_rules()
    return list(_RULES.get(kind, {}).values())


def all_rules() -> dict[str, list[Rule]]:
    _load_builtin_rules()
    return {kind: list(by_id.values()) for kind, by_id in _RULES.items()}


def custom_rules_for(policy: Policy, kind: str) -> list[Rule]:
    """The policy's custom rules (written as data) for `kind`, as registered rules."""
    return [
        Rule(custom.id, custom.kind, custom.description or custom.message, lambda r, _ctx, c=custom: c.evaluate(r))
        for custom in policy.custom_rules_for(kind)
    ]


def evaluate(resource: Resource, ctx: RuleContext) -> list[Violation]:
    """Every violation of `resource` (built-in rules, then the policy's custom rules), with `enforce`
    set from the policy's mode for its rule."""
    found: list[Violation] = []
    for registered in [*rules_for(resource.kind), *custom_rules_for(ctx.policy, resource.kind)]:
        mode = ctx.policy.mode(registered.id)
        if mode is Mode.OFF:
            continue
        for violation in registered.func(resource, ctx) or ():
            found.append(dataclasses.replace(violation, enforce=mode is Mode.ENFORCE))
    return found


def _load_builtin_rules() -> None:
    # Importing the modules registers their rules; kept lazy so `registry` has no import cycle.
    from glueguard.rules import builtin  # noqa: F401
