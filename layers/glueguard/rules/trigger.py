"""Rules for Glue triggers (GetTrigger `Trigger` definitions)."""

from __future__ import annotations

from collections.abc import Iterator

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.rules.common import foreign_project, naming_violations, tag_violations
from glueguard.rules.engine import RuleContext, rule

KIND = "trigger"


@rule(KIND, "trigger-naming", "the name is project-{uuid}-trigger-*")
def naming(trigger: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from naming_violations(trigger, ctx, "trigger-naming")


@rule(KIND, "trigger-cross-project", "the trigger starts no job or crawler of another project")
def cross_project(trigger: Resource, ctx: RuleContext) -> Iterator[Violation]:
    actions = trigger.get("Actions") or []
    foreign = [
        a for a in actions if foreign_project(a.get("JobName"), ctx) or foreign_project(a.get("CrawlerName"), ctx)
    ]
    if not foreign:
        return
    targets = [a.get("JobName") or a.get("CrawlerName") for a in foreign]
    own = [a for a in actions if a not in foreign]
    if own:  # deactivated, and stripped of what it must not start
        yield Violation(
            "trigger-cross-project",
            Severity.CRITICAL,
            f"starts resources of another project: {targets}; deactivated and those actions removed",
            patch={"Actions": own},
            stop=True,
        )
    else:  # it can only start another project's work: saved, then removed
        yield Violation(
            "trigger-cross-project",
            Severity.CRITICAL,
            f"starts only resources of another project: {targets}",
            remove=True,
        )


@rule(KIND, "trigger-tags", "the mandatory tags, with the registry's values")
def tags(trigger: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from tag_violations(trigger, ctx, "trigger-tags")
