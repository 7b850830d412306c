"""Rules for Glue workflows (GetWorkflow `Workflow` definitions)."""

from __future__ import annotations

from collections.abc import Iterator

from glueguard.models.resource import Resource
from glueguard.models.violation import Violation
from glueguard.rules.common import naming_violations, tag_violations
from glueguard.rules.engine import RuleContext, rule

KIND = "workflow"


@rule(KIND, "workflow-naming", "the name is project-{uuid}-workflow-*")
def naming(workflow: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from naming_violations(workflow, ctx, "workflow-naming")


@rule(KIND, "workflow-tags", "the mandatory tags, with the registry's values")
def tags(workflow: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from tag_violations(workflow, ctx, "workflow-tags")
