"""`glueguard decisions [--project UUID] [--json]`: what the plane decided, from the decisions table.

The table is found through the stack output DecisionsTableName (or GLUEGUARD_DECISIONS_TABLE).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from glueguard_cli.commands.audit import _environment as stack_environment

OUTCOME_STYLE = {
    "remediated": "green",
    "reported": "yellow",
    "failed": "red",
    "deleted": "magenta",
    "stopped": "magenta",
    "skipped": "dim",
    "refused": "magenta",
    "deferred": "yellow",
    "warned": "yellow",
    "overridden": "red",
}


def decisions_table(decisions: list[Any], title: str = "glueguard decisions", compact: bool = False) -> Table:
    """A rich table of decisions, oldest first (`compact`: without time, project and rules)."""
    table = Table(title=title, show_lines=False)
    columns = ["time", "project", "event", "outcome", "actions", "resource", "by", "rules broken", "policy"]
    hidden = {"time", "project", "rules broken", "policy"} if compact else set()
    for column in columns:
        if column in hidden:
            continue
        wraps = column in ("resource", "by", "rules broken")
        table.add_column(column, no_wrap=not wraps, overflow="fold", ratio=2 if column == "rules broken" else None)
    for d in decisions:
        style = OUTCOME_STYLE.get(d.outcome, "")
        cells = {
            "time": d.created_at[11:19],
            "project": d.project_id[:8],
            "event": d.event_name,
            "outcome": f"[{style}]{d.outcome}[/]" if style else d.outcome,
            "actions": str(len(d.actions)),
            "resource": f"{d.resource_kind} {d.resource_name.replace(f'project-{d.project_id}-', '…')}",
            "by": (d.principal or "").rsplit(":", 1)[-1].removeprefix("assumed-role/"),
            "rules broken": ", ".join(str(v.get("rule", v)).removeprefix(f"{d.resource_kind}-") for v in d.violations),
            "policy": d.policy_version or "",
        }
        table.add_row(*(cells[c] for c in columns if c not in hidden))
    return table


def decisions(
    project: Annotated[str | None, typer.Option("--project", help="only this project's decisions (UUID)")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print the decisions as JSON")] = False,
    endpoint_url: Annotated[
        str | None, typer.Option(envvar="AWS_ENDPOINT_URL", help="the sandbox endpoint (default: AWS)")
    ] = None,
    region: Annotated[str, typer.Option(envvar="AWS_DEFAULT_REGION")] = "us-east-1",
    stack: Annotated[str, typer.Option(help="the deployed glueguard stack")] = "glueguard",
) -> None:
    """List the recorded decisions (oldest first)."""
    from glueguard.naming import require_project_id

    if project:
        try:
            require_project_id(project)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--project") from None
    stack_environment(endpoint_url, region, stack)
    from glueguard.adapters.decisions import DecisionLog

    found = DecisionLog().list(project)
    if json_out:
        typer.echo(json.dumps([d.model_dump(mode="json") for d in found], indent=2))
        return
    Console().print(decisions_table(found, f"glueguard decisions{f' · project {project}' if project else ''}"))


def register(app: typer.Typer) -> None:
    app.command("decisions")(decisions)
