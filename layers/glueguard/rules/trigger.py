"""Rules for Glue triggers (GetTrigger `Trigger` definitions)."""

from __future__ import annotations

from collections.abc import Iterator

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.rules.common import (
    argument_findings,
    argument_violation,
    foreign_project,
    naming_violations,
    tag_violations,
)
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


def _corrected_actions(trigger: Resource, ctx: RuleContext) -> list[dict]:
    """The trigger's own actions with every per-action correction applied (overrides clamped, arguments fixed):
    the rules below patch the whole `Actions` list, so each patch carries all corrections and their order does not
    matter (the project's own actions only, as `trigger-cross-project`'s patch, which comes first)."""
    limit = ctx.policy.max_timeout_minutes
    fixed: list[dict] = []
    for action in trigger.get("Actions") or []:
        if foreign_project(action.get("JobName"), ctx) or foreign_project(action.get("CrawlerName"), ctx):
            continue
        action = dict(action)
        delay = (action.get("NotificationProperty") or {}).get("NotifyDelayAfter")
        if action.get("JobName") and delay is not None and delay > NOTIFY_DELAY_MAX_MINUTES:
            action["NotificationProperty"] = {
                **action["NotificationProperty"],
                "NotifyDelayAfter": NOTIFY_DELAY_MAX_MINUTES,
            }
        if action.get("JobName") and action.get("Timeout") is not None and action["Timeout"] > limit:
            action["Timeout"] = limit
        if findings := argument_findings(action.get("Arguments"), ctx):
            kept = {k: v for k, v in action["Arguments"].items() if k not in {f.key for f in findings}}
            kept.update({f.key: f.correction for f in findings if f.correction is not None})
            action["Arguments"] = kept
        fixed.append(action)
    return fixed


@rule(KIND, "trigger-action-overrides", "its job actions keep NotifyDelayAfter at 1 minute and Timeout within the cap")
def action_overrides(trigger: Resource, ctx: RuleContext) -> Iterator[Violation]:
    """A trigger action's NotificationProperty and Timeout override its job's for the runs it starts (Glue API,
    "Triggers", Action): a NotifyDelayAfter past 1 minute keeps those runs unseen by the run guard, as a job's would."""
    limit = ctx.policy.max_timeout_minutes
    found: list[str] = []
    for action in trigger.get("Actions") or []:
        if foreign_project(action.get("JobName"), ctx) or foreign_project(action.get("CrawlerName"), ctx):
            continue
        delay = (action.get("NotificationProperty") or {}).get("NotifyDelayAfter")
        if action.get("JobName") and delay is not None and delay > NOTIFY_DELAY_MAX_MINUTES:
            found.append(f"{action['JobName']}: NotifyDelayAfter {delay} min")
        if action.get("JobName") and action.get("Timeout") is not None and action["Timeout"] > limit:
            found.append(f"{action['JobName']}: Timeout {action['Timeout']} min")
    if found:
        yield Violation(
            "trigger-action-overrides",
            Severity.MEDIUM,
            f"actions override their job's settings ({'; '.join(found)}): runs no user starts would stay unseen or "
            f"run past the cap; setting NotifyDelayAfter {NOTIFY_DELAY_MAX_MINUTES} min and Timeout at most {limit} min",
            patch={"Actions": _corrected_actions(trigger, ctx)},
        )


@rule(KIND, "trigger-arguments", "the arguments of every action follow the policy's argument table")
def arguments(trigger: Resource, ctx: RuleContext) -> Iterator[Violation]:
    found = [f for action in trigger.get("Actions") or [] for f in argument_findings(action.get("Arguments"), ctx)]
    if found:  # deactivated, and its actions corrected
        yield argument_violation(
            "trigger-arguments",
            "trigger action arguments",
            found,
            ctx,
            patch={"Actions": _corrected_actions(trigger, ctx)},
            stop=True,
        )


@rule(KIND, "trigger-tags", "the mandatory tags, with the registry's values")
def tags(trigger: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from tag_violations(trigger, ctx, "trigger-tags")
