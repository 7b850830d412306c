"""Rules for Glue triggers (GetTrigger `Trigger` definitions)."""

from __future__ import annotations

from collections.abc import Iterator

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.rules.common import foreign_project, naming_violations, tag_violations
from glueguard.rules.engine import RuleContext, rule
from glueguard.rules.job import NOTIFY_DELAY_MAX_MINUTES

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


@rule(KIND, "trigger-action-overrides", "its job actions keep NotifyDelayAfter at 1 minute and Timeout within the cap")
def action_overrides(trigger: Resource, ctx: RuleContext) -> Iterator[Violation]:
    """A trigger action's NotificationProperty and Timeout override its job's for the runs it starts (Glue API,
    "Triggers", Action): a NotifyDelayAfter past 1 minute keeps those runs unseen by the run guard, as a job's would.
    The patch keeps only the project's own actions, as `trigger-cross-project` does (its patch comes first)."""
    actions = trigger.get("Actions") or []
    limit = ctx.policy.max_timeout_minutes
    found: list[str] = []
    fixed: list[dict] = []
    for action in actions:
        if foreign_project(action.get("JobName"), ctx) or foreign_project(action.get("CrawlerName"), ctx):
            continue
        action = dict(action)
        delay = (action.get("NotificationProperty") or {}).get("NotifyDelayAfter")
        if action.get("JobName") and delay is not None and delay > NOTIFY_DELAY_MAX_MINUTES:
            found.append(f"{action['JobName']}: NotifyDelayAfter {delay} min")
            action["NotificationProperty"] = {
                **action["NotificationProperty"],
                "NotifyDelayAfter": NOTIFY_DELAY_MAX_MINUTES,
            }
        if action.get("JobName") and action.get("Timeout") is not None and action["Timeout"] > limit:
            found.append(f"{action['JobName']}: Timeout {action['Timeout']} min")
            action["Timeout"] = limit
        fixed.append(action)
    if found:
        yield Violation(
            "trigger-action-overrides",
            Severity.MEDIUM,
            f"actions override their job's settings ({'; '.join(found)}): runs no user starts would stay unseen or "
            f"run past the cap; setting NotifyDelayAfter {NOTIFY_DELAY_MAX_MINUTES} min and Timeout at most {limit} min",
            patch={"Actions": fixed},
        )


@rule(KIND, "trigger-tags", "the mandatory tags, with the registry's values")
def tags(trigger: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from tag_violations(trigger, ctx, "trigger-tags")
