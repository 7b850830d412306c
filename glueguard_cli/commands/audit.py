"""`glueguard audit`: run the compliance sweep now (against the sandbox endpoint or AWS) and print it."""

from __future__ import annotations

import contextlib
import io
import os
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

STACK_OUTPUTS = {
    "ProjectsTableName": "GLUEGUARD_PROJECTS_TABLE",
    "DecisionsTableName": "GLUEGUARD_DECISIONS_TABLE",
    "NotificationsTopicArn": "GLUEGUARD_TOPIC_ARN",
    "ReportsBucketName": "GLUEGUARD_REPORTS_BUCKET",
    "RunLedgerTableName": "GLUEGUARD_LEDGER_TABLE",
    "LineageTableName": "GLUEGUARD_LINEAGE_TABLE",
}


def _environment(endpoint_url: str | None, region: str, stack: str, needs: tuple[str, ...] = ()) -> None:
    """Point the glueguard adapters at the endpoint and the stack's tables (from its outputs)."""
    from glueguard.adapters.clients import client, reset_clients

    if endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = endpoint_url
    os.environ["AWS_DEFAULT_REGION"] = region
    reset_clients()
    if all(os.environ.get(v) for v in [*list(STACK_OUTPUTS.values())[:2], *needs]):
        return
    try:
        stacks = client("cloudformation").describe_stacks(StackName=stack)["Stacks"]
    except Exception as exc:
        raise typer.BadParameter(
            f"stack {stack!r} not found at {endpoint_url or 'AWS'} ({exc}); deploy it, or set "
            "GLUEGUARD_PROJECTS_TABLE and GLUEGUARD_DECISIONS_TABLE",
            param_hint="--stack",
        ) from None
    for output in stacks[0].get("Outputs", []):
        if output["OutputKey"] in STACK_OUTPUTS:
            os.environ.setdefault(STACK_OUTPUTS[output["OutputKey"]], output["OutputValue"])


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def render_table(report: Any) -> Table:
    m = report.metrics
    table = Table(title=f"glueguard compliance · run {report.run_id}", caption=_caption(report))
    for column in (
        "project",
        "resources",
        "compliant",
        "jobs in VPC",
        "naming",
        "cross-project",
        "remediations",
        "cost",
    ):
        table.add_column(column, justify="left" if column == "project" else "right")
    for p in report.projects:
        pm = p.metrics
        table.add_row(
            p.project_id,
            str(pm.resources),
            f"{_pct(pm.compliance_pct_before)} → {_pct(pm.compliance_pct_after)}",
            _pct(pm.jobs_in_vpc_pct_after),
            _pct(pm.naming_pct_after),
            str(pm.cross_project_violations_after),
            str(pm.remediations),
            "—" if p.cost_usd is None else f"${p.cost_usd:,.2f}",
        )
    table.add_section()
    table.add_row(
        "all",
        str(m.resources),
        f"{_pct(m.compliance_pct_before)} → {_pct(m.compliance_pct_after)}",
        _pct(m.jobs_in_vpc_pct_after),
        _pct(m.naming_pct_after),
        str(m.cross_project_violations_after),
        str(m.remediations),
        "—" if report.cost is None else f"${report.cost.total_cost_usd:,.2f}",
    )
    return table


def render_success(section: Any) -> Table:
    """The design's success metrics: one row each, its target, overall and per project (docs/metrics.md)."""
    from glueguard.metrics.success import table_rows

    figures = section.metrics
    table = Table(title=f"success metrics · {figures.window_start[:10]} to {figures.window_end[:10]} · {figures.month}")
    header, rows = table_rows(figures)
    for column in header:
        table.add_column(column, justify="left" if column in ("metric", "target") else "right")
    for row in rows:
        table.add_row(*row)
    table.caption = " ".join(
        f"{c.project_id[:8]}: plane ${c.plane_usd:,.2f} vs billing "
        + (f"${c.billing_usd:,.2f} (difference ${c.difference_usd:,.2f})" if c.billing_usd is not None else c.note)
        for c in section.billing
    )
    return table


def _caption(report: Any) -> str:
    calls = sum(report.api_calls.values())
    per = calls / report.metrics.resources if report.metrics.resources else 0.0
    return f"{calls} AWS calls ({per:.3f} per resource) in {report.sweep_seconds}s"


def audit(
    endpoint_url: Annotated[
        str | None, typer.Option(envvar="AWS_ENDPOINT_URL", help="the sandbox endpoint (default: AWS)")
    ] = None,
    region: Annotated[str, typer.Option(envvar="AWS_DEFAULT_REGION")] = "us-east-1",
    stack: Annotated[str, typer.Option(help="the deployed glueguard stack")] = "glueguard",
    json_out: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="write the HTML report to this file")] = None,
    costs: Annotated[bool, typer.Option("--costs", help="also read the week's job runs for costs")] = False,
    write: Annotated[bool, typer.Option("--write/--no-write", help="write reports to S3 as the schedule does")] = False,
    lineage: Annotated[
        str | None,
        typer.Option(
            "--lineage",
            metavar="DATABASE.TABLE",
            help="instead of sweeping: which job runs or crawlers created or changed this catalog table, and when",
        ),
    ] = None,
) -> None:
    """Run the compliance sweep now: judge and repair every Glue resource, and print where projects stand."""
    if lineage is not None:
        from glueguard_cli.commands.lineage import print_lineage

        _environment(endpoint_url, region, stack, needs=("GLUEGUARD_LINEAGE_TABLE",))
        print_lineage(lineage, region, json_out)
        return
    _environment(endpoint_url, region, stack)
    from glueguard.adapters.aws_clock import endpoint_now
    from glueguard.adapters.clients import client
    from glueguard.adapters.reports import ReportStore
    from glueguard.compliance.html import render_html
    from glueguard.compliance.run import run_compliance
    from glueguard.handlers.compliance import compliance_enforcer

    identity = client("sts").get_caller_identity()
    account = identity["Account"]
    now = endpoint_now(identity)  # the window ends now on the deployment's clock: AWS's, or the sandbox's
    run_id = f"audit-{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"
    # The pipeline's EMF metric lines mean nothing outside Lambda (and would break --json): drop them.
    with contextlib.redirect_stdout(io.StringIO()):
        outcome = run_compliance(
            compliance_enforcer(),
            run_id=run_id,
            region=region,
            account=account,
            store=ReportStore() if write else None,
            collect_costs=costs,
            emit_metrics=False,
            now=now,
        )
    report = outcome.report
    if html:
        html.write_text(render_html(report), encoding="utf-8")
    if json_out:
        typer.echo(report.to_json())
        return
    console = Console()
    console.print(render_table(report))
    if report.success is not None:
        console.print(render_success(report.success))
    if html:
        console.print(f"HTML report: {html}")
    for location in outcome.written:
        console.print(f"wrote {location}")


def register(app: typer.Typer) -> None:
    app.command("audit")(audit)
