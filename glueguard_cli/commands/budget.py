"""`glueguard budget show|override`: a project's month against its budget, and the platform's time-boxed override.

An override lets a deadline through: until it expires, starts of that project pass the budget (they are still
charged, and the hard limit is not enforced). It is recorded as a decision (who, why, until when).
"""

from __future__ import annotations

import getpass
import json
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from glueguard_cli.commands.audit import _environment as stack_environment

MAX_OVERRIDE_HOURS = 7 * 24

budget_app = typer.Typer(help="monthly budgets: month-to-date spend, platform overrides", no_args_is_help=True)

Endpoint = Annotated[str | None, typer.Option(envvar="AWS_ENDPOINT_URL", help="the sandbox endpoint (default: AWS)")]
Region = Annotated[str, typer.Option(envvar="AWS_DEFAULT_REGION")]
Stack = Annotated[str, typer.Option(help="the deployed glueguard stack")]


def _project(project_id: str):
    from glueguard.adapters.registry import Registry
    from glueguard.naming import require_project_id

    try:
        require_project_id(project_id)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--project") from None
    project = Registry().get(project_id, cached=False)
    if project is None:
        raise typer.BadParameter(f"project {project_id} is not registered", param_hint="--project")
    return project


@budget_app.command("show")
def show(
    project_id: Annotated[str, typer.Option("--project", help="the project's UUID")],
    endpoint_url: Endpoint = None,
    region: Region = "us-east-1",
    stack: Stack = "glueguard",
    json_out: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Each month's spend, commitments, and held starts against the project's budget."""
    stack_environment(endpoint_url, region, stack)
    from glueguard.adapters.spend import Spend

    project = _project(project_id)
    spend = Spend()
    months = spend.months(project_id)
    override = spend.override(project_id)
    rows = [
        {
            "month": m.month,
            "actual_usd": round(m.actual_usd, 2),
            "committed_usd": round(m.committed_usd, 2),
            "budget_usd": project.monthly_budget_usd,
            "deferred": m.deferred,
            "refused": m.refused,
        }
        for m in months
    ]
    if json_out:
        typer.echo(json.dumps({"months": rows, "override": override.__dict__ if override else None}, indent=2))
        return
    table = Table(title=f"budget of project {project_id}")
    for column in rows[0] if rows else ("month",):
        table.add_column(column, justify="left" if column == "month" else "right")
    for row in rows:
        table.add_row(*(str(v) for v in row.values()))
    console = Console()
    console.print(table)
    if override:
        console.print(f"override until {override.until} by {override.granted_by}: {override.reason}")


@budget_app.command("override")
def override(
    project_id: Annotated[str, typer.Option("--project", help="the project's UUID")],
    hours: Annotated[float, typer.Option(help=f"how long it lasts (at most {MAX_OVERRIDE_HOURS} h)")],
    reason: Annotated[str, typer.Option(help="why (recorded with the decision)")],
    endpoint_url: Endpoint = None,
    region: Region = "us-east-1",
    stack: Stack = "glueguard",
) -> None:
    """Let a project's starts pass its budget for a while (a deadline), from now on the deployment's clock (the
    Date of an AWS response: AWS's, or the sandbox's); recorded as a decision."""
    if not 0 < hours <= MAX_OVERRIDE_HOURS:
        raise typer.BadParameter(f"must be more than 0 and at most {MAX_OVERRIDE_HOURS}", param_hint="--hours")
    if not reason.strip():
        raise typer.BadParameter("say why the budget is overridden", param_hint="--reason")
    stack_environment(endpoint_url, region, stack)
    from glueguard.adapters.aws_clock import endpoint_now
    from glueguard.adapters.clients import client
    from glueguard.adapters.decisions import DecisionLog
    from glueguard.adapters.spend import Override, Spend
    from glueguard.models.decision import Decision

    _project(project_id)
    identity = client("sts").get_caller_identity()
    now = endpoint_now(identity)  # the deployment's clock: AWS's, or the sandbox's when pointed at one
    who = identity.get("Arn") or getpass.getuser()
    granted = Override(project_id, (now + timedelta(hours=hours)).isoformat(), reason.strip(), who, now.isoformat())
    Spend().set_override(granted)
    DecisionLog().record(
        Decision(
            project_id=project_id,
            event_id=f"budget-override-{now:%Y%m%dT%H%M%S.%fZ}",
            event_name="Budget override",
            function="operator",
            resource_kind="budget",
            resource_name=project_id,
            principal=who,
            outcome="overridden",
            severity="high",
            reason=granted.reason,
            after={"until": granted.until},
        )
    )
    typer.echo(f"project {project_id}: budget overridden until {granted.until} ({granted.reason})")


def register(app: typer.Typer) -> None:
    app.add_typer(budget_app, name="budget")
