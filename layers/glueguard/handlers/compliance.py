"""Compliance Lambda, on a schedule: sweep every Glue resource, repair drift, write the reports.

Input: the EventBridge scheduled event, or `{"collectCosts": true}` (the weekly schedule) which also
reads the week's job runs for the cost report; `"projects": ["<uuid>", ...]` sweeps and reports only those
projects (an operator's sweep of one project now). The run id is the event id (else the request id, which
Lambda keeps across retries of one invocation), so a retried run records each decision once.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from aws_lambda_powertools import Logger

from glueguard.handlers import scaffold
from glueguard.naming import is_project_id

logger = Logger(service="glueguard-compliance")


class InvalidComplianceInput(ValueError):
    """An input that is neither a scheduled event nor `{"collectCosts": bool, "projects": [uuid, ...]}`."""


@scaffold.Component
def compliance_enforcer() -> Any:
    """The enforcer's own pipeline, recording decisions as the compliance function."""
    from glueguard.handlers.enforcer import build_enforcer

    return dataclasses.replace(build_enforcer(lineage=False), function="compliance", reports_by_finding=True)


reset = scaffold.reset


def _account(context: Any) -> str:
    arn = getattr(context, "invoked_function_arn", "") or ""
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else os.environ.get("AWS_ACCOUNT_ID", "000000000000")


def parse_input(event: Any) -> tuple[bool, frozenset[str] | None]:
    """(whether to collect costs, the projects to sweep or None for all); InvalidComplianceInput if malformed."""
    if not isinstance(event, dict):
        raise InvalidComplianceInput(f"expected a JSON object, got {type(event).__name__}")
    value = event.get("collectCosts", False)
    if not isinstance(value, bool):
        raise InvalidComplianceInput(f"collectCosts must be true or false, got {value!r}")
    projects = event.get("projects")
    if projects is None:
        return value, None
    if (
        not isinstance(projects, list)
        or not projects
        or not all(isinstance(p, str) and is_project_id(p) for p in projects)
    ):
        raise InvalidComplianceInput(f"projects must be a non-empty list of project ids (UUIDs), got {projects!r}")
    return value, frozenset(projects)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from glueguard.adapters.reports import ReportStore
    from glueguard.compliance.run import run_compliance

    collect_costs, only = parse_input(event)
    run_id = str(event.get("id") or context.aws_request_id)
    outcome = run_compliance(
        compliance_enforcer(),
        run_id=run_id,
        region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        account=_account(context),
        store=ReportStore(),
        collect_costs=collect_costs,
        only=only,
    )
    m = outcome.report.metrics
    summary = {
        "run_id": run_id,
        "resources": m.resources,
        "compliant_before": m.compliant_before,
        "compliant_after": m.compliant_after,
        "remediations": m.remediations,
        "errors": m.errors,
        "api_calls": dict(outcome.sweep_calls),
        "cost_calls": dict(outcome.cost_calls),
        "sweep_seconds": outcome.report.sweep_seconds,
        "reports": len(outcome.written),
    }
    logger.info("compliance sweep done", extra=summary)
    return summary
