"""One compliance run: sweep, optionally collect the week's costs, build and write the reports.

Shared by the scheduled Lambda (handlers/compliance.py) and `glueguard audit`.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from glueguard import cost
from glueguard.adapters import metrics
from glueguard.adapters.calls import counting_calls
from glueguard.adapters.glue_runs import job_runs_since
from glueguard.adapters.reports import ReportStore
from glueguard.adapters.tags import tag_index
from glueguard.compliance import catalog
from glueguard.compliance.html import render_html
from glueguard.compliance.report import ComplianceReport, build_report
from glueguard.compliance.sweep import sweep
from glueguard.enforcement import Enforcer
from glueguard.metrics import inputs
from glueguard.models.project import ProjectStatus
from glueguard.resources import kinds as registered_kinds

logger = logging.getLogger(__name__)

COST_WINDOW = timedelta(days=7)
#: The dashboard's metric name for each success metric (template.yaml PlaneDashboard: one widget each).
SUCCESS_METRICS = {
    "success_rate": "SuccessRate",
    "startup_p90_seconds": "StartupP90Seconds",
    "utilization": "Utilization",
    "waste": "Waste",
    "flex_share": "FlexShare",
    "flex_savings": "FlexSavings",
    "budget_adherence": "BudgetAdherence",
    "starts_held": "StartsHeld",
}


@dataclass
class RunOutcome:
    report: ComplianceReport
    project_reports: dict[str, ComplianceReport] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    sweep_calls: Counter[str] = field(default_factory=Counter)
    cost_calls: Counter[str] = field(default_factory=Counter)


def _report_underuse(enforcer: Enforcer, section: inputs.SuccessSection, now: datetime) -> None:
    """A low-severity finding per underused job, once a week (the decisions stream notifies its project)."""
    from glueguard.adapters.clients import acting_in
    from glueguard.metrics.utilization import finding

    accounts = {p.project_id: p.account_id for p in enforcer.registry.list()}
    for underuse in section.underused:
        with acting_in(accounts.get(underuse.project_id)):
            enforcer.decisions.record(finding(underuse, now))


def run_compliance(
    enforcer: Enforcer,
    *,
    run_id: str,
    region: str,
    account: str,
    store: ReportStore | None = None,
    collect_costs: bool = False,
    now: datetime | None = None,
    emit_metrics: bool = True,
    only: frozenset[str] | None = None,
) -> RunOutcome:
    """Sweep every kind, then report globally and per project (written to S3 when `store` is given); `only`:
    the project ids to sweep and report (default: every project)."""
    now = now or datetime.now(UTC)
    kinds = registered_kinds()
    projects = [p for p in enforcer.registry.list() if only is None or p.project_id in only]
    glue = enforcer.client_for("glue")
    tagging = enforcer.client_for("resourcegroupstaggingapi")
    with counting_calls([glue, tagging]) as sweep_calls:
        started = time.monotonic()
        tags = tag_index(glue, enforcer.client_for, [k.arn_type for k in kinds.values()])
        result = sweep(enforcer, kinds, run_id=run_id, region=region, account=account, tags_of=tags, projects=only)
        if only is None:  # the account's catalog settings, on a sweep of the whole account
            catalog.restore(glue, enforcer.decisions.record, run_id)
        seconds = round(time.monotonic() - started, 3)

    cost_report: cost.CostReport | None = None
    metrics_section: inputs.SuccessSection | None = None
    with counting_calls([glue]) as cost_calls:
        if collect_costs:
            since = now - COST_WINDOW
            runs: dict[str, list] = {}

            def runs_of(name: str) -> list:
                if name not in runs:
                    runs[name] = job_runs_since(glue, name, since)
                return runs[name]

            cost_report = cost.summarize(result.jobs, runs_of, enforcer.policy, since, now)
            metrics_section = inputs.collect(
                result.jobs, runs_of, projects, enforcer.policy, since, now, enforcer.client_for
            )
            _report_underuse(enforcer, metrics_section, now)
            if store:
                store.save_cost_snapshot(
                    {**cost_report.model_dump(mode="json"), "success": metrics_section.model_dump(mode="json")}
                )
        elif store and (snapshot := store.load_cost_snapshot()):
            saved = snapshot.pop("success", None)
            cost_report = cost.CostReport.model_validate(snapshot)
            metrics_section = inputs.SuccessSection.model_validate(saved) if saved else None

    generated_at = now.isoformat()
    extra = {
        "kinds_swept": result.kinds_swept,
        "kinds_not_swept": result.kinds_not_swept,
        "api_calls": dict(sweep_calls),
        "sweep_seconds": seconds,
        "success": metrics_section,
    }
    report = build_report(
        result.statuses, projects, run_id=run_id, generated_at=generated_at, cost=cost_report, **extra
    )
    outcome = RunOutcome(report, sweep_calls=sweep_calls, cost_calls=cost_calls)
    for project in projects:
        if project.status is ProjectStatus.DELETED:
            continue
        outcome.project_reports[project.project_id] = build_report(
            result.statuses,
            projects,
            run_id=run_id,
            generated_at=generated_at,
            scope=project.project_id,
            cost=cost_report,
            **extra,
        )
    if store:
        outcome.written += _write(store, outcome, projects_by_id={p.project_id: p for p in projects})
    if emit_metrics:
        _emit(report)
    return outcome


def _write(store: ReportStore, outcome: RunOutcome, projects_by_id: dict) -> list[str]:
    written: list[str] = []
    report = outcome.report
    for project_id, project_report in outcome.project_reports.items():
        bucket = projects_by_id[project_id].bucket("artifacts")
        try:
            written += store.put(
                bucket,
                "compliance",
                report.run_id,
                report.generated_at,
                project_report.to_json(),
                render_html(project_report),
            )
        except Exception:  # a project whose bucket is gone must not lose the others' reports
            logger.exception("writing the report of project %s to %s failed", project_id, bucket)
    if store.platform_bucket:
        written += store.put(
            store.platform_bucket,
            "compliance",
            report.run_id,
            report.generated_at,
            report.to_json(),
            render_html(report),
        )
    return written


def _emit(report: ComplianceReport) -> None:
    for summary in report.projects:
        m = summary.metrics
        metrics.count("SweptResources", m.resources, Project=summary.project_id)
        metrics.count("NonCompliantResources", m.resources - m.compliant_after, Project=summary.project_id)
        metrics.count("CrossProjectViolations", m.cross_project_violations_before, Project=summary.project_id)
        if summary.cost_usd is not None:
            metrics.count("WeeklyCostUsd", summary.cost_usd, unit="None", Project=summary.project_id)
    metrics.count("SweepErrors", report.metrics.errors)
    if report.success is not None:
        figures = report.success.metrics
        for scoped in [figures.overall, *figures.projects]:
            dimensions = {} if scoped.scope == "overall" else {"Project": scoped.scope}
            for metric in scoped.metrics:
                if metric.value is not None:
                    metrics.count(SUCCESS_METRICS[metric.key], metric.value, unit="None", **dimensions)
