"""`glueguard plan [--policy FILE] [--project UUID] [--json]`: what a policy would change, changing nothing.

Exit 0 when nothing would change, 2 when something would (1 for an invalid policy or a failure), so
a CI pipeline that reviews a policy change can gate on it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from glueguard_cli.commands.audit import _environment as stack_environment

EXIT_CHANGES = 2
EFFECT_STYLE = {"corrected": "green", "tagged": "cyan", "stopped": "magenta", "removed": "red", "reported": "yellow"}

EndpointOption = Annotated[
    str | None, typer.Option("--endpoint-url", envvar="AWS_ENDPOINT_URL", help="the sandbox endpoint (default: AWS)")
]
RegionOption = Annotated[str, typer.Option(envvar="AWS_DEFAULT_REGION")]
StackOption = Annotated[str, typer.Option(help="the deployed glueguard stack")]


def policy_parameter(stack: str) -> str:
    """The SSM parameter the functions read (GLUEGUARD_POLICY_PARAMETER, else the stack output)."""
    if name := os.environ.get("GLUEGUARD_POLICY_PARAMETER"):
        return name
    from glueguard.adapters.clients import client

    outputs = client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    name = next((o["OutputValue"] for o in outputs if o["OutputKey"] == "PolicyParameterName"), None)
    if not name:
        raise typer.BadParameter(
            f"stack {stack!r} has no PolicyParameterName output; redeploy it", param_hint="--stack"
        )
    return name


def compute_plan(policy: Any, project: str | None, region: str) -> Any:
    """Judge every governed resource under `policy` through the sweep's pipeline; nothing is executed."""
    from glueguard.adapters.clients import client
    from glueguard.adapters.decisions import DecisionLog
    from glueguard.adapters.registry import Registry
    from glueguard.enforcement import Enforcer
    from glueguard.resources import kinds

    from glueguard_cli.planning import plan_account

    enforcer = Enforcer(registry=Registry(), decisions=DecisionLog(), policy=policy)
    account = client("sts").get_caller_identity()["Account"]
    with contextlib.redirect_stdout(io.StringIO()):
        return plan_account(enforcer, kinds(), region=region, account=account, project=project)


def _short(value: Any, width: int = 60) -> str:
    text = "—" if value is None else json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= width else text[: width - 1] + "…"


def render_plan(report: Any, console: Console) -> None:
    """Per rule and per project, then each resource with its field-level diff."""
    from glueguard_cli.planning import EFFECTS

    for kind, reason in sorted(report.kinds_not_listed.items()):
        console.print(f"[yellow]{kind} resources not judged[/]: {reason}", highlight=False)
    if not report.planned:
        console.print(
            f"[green]No changes.[/] {report.resources_judged} resources judged under policy version {report.policy_version}."
        )
        return
    for title, rows in (("rule", report.by_rule()), ("project", report.by_project())):
        table = Table(title=f"by {title} · policy version {report.policy_version}")
        table.add_column(title, no_wrap=True)
        for effect in EFFECTS:
            table.add_column(effect, justify="right", style=EFFECT_STYLE[effect])
        for key, counts in rows.items():
            table.add_row(key, *(str(counts.get(e, 0) or "") for e in EFFECTS))
        console.print(table)
    table = Table(title="resources", show_lines=True)
    for column in ("resource", "project", "rules", "change"):
        table.add_column(column, overflow="fold")
    for planned in report.planned:
        rules = "\n".join(f"{rule}: {', '.join(effects)}" for rule, effects in sorted(planned.effects.items()))
        diff = [f"{c.path}: {_short(c.before)} → {_short(c.after)}" for c in planned.changes]
        diff += [f"tag {c.path}: {_short(c.before)} → {_short(c.after)}" for c in planned.tags]
        if planned.outcome in ("deleted", "stopped"):
            diff.append(f"[red]{planned.outcome}[/] (definition saved first)")
        table.add_row(f"{planned.kind} {planned.name}", planned.project_id[:8], rules, "\n".join(diff) or "—")
    console.print(table)
    console.print(
        f"{len(report.changing)} of {report.resources_judged} resources would change "
        f"({len(report.planned) - len(report.changing)} only reported)."
    )


def plan(
    policy_file: Annotated[
        Path | None,
        typer.Option(
            "--policy", exists=True, dir_okay=False, help="the policy to judge with (default: the deployed one)"
        ),
    ] = None,
    project: Annotated[str | None, typer.Option("--project", help="only this project's resources (UUID)")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print the plan as JSON")] = False,
    endpoint_url: EndpointOption = None,
    region: RegionOption = "us-east-1",
    stack: StackOption = "glueguard",
) -> None:
    """What a policy would correct, tag, stop, remove or report, per rule and project; changes nothing."""
    from glueguard.naming import require_project_id
    from glueguard.policy.settings import PolicyError, parse_policy

    from glueguard_cli.policy_store import PolicyStore, read_document

    if project:
        try:
            project = require_project_id(project)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--project") from None
    stack_environment(endpoint_url, region, stack)
    try:
        if policy_file:
            policy = parse_policy(read_document(policy_file), source=str(policy_file)).versioned(
                f"file:{policy_file.name}"
            )
        else:
            from glueguard.adapters.clients import client

            policy = PolicyStore(client("ssm"), policy_parameter(stack)).policy()
    except PolicyError as exc:
        typer.echo(f"invalid policy: {exc}", err=True)
        raise typer.Exit(1) from None
    report = compute_plan(policy, project, region)
    if json_out:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        render_plan(report, Console())
    if report.changing:
        raise typer.Exit(EXIT_CHANGES)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
