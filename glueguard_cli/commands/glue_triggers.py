"""`glueguard glue-triggers create PROJECT --file trigger.json`: a Glue trigger on the plane's path.

Scientists may not write Glue triggers (their policy denies CreateTrigger/UpdateTrigger: IAM cannot see which jobs a
trigger's actions name). An operator makes the trigger a project asks for here; every action and watched job must
be the project's own (glueguard.glue_triggers), or nothing is created.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from glueguard_cli.commands.uploads import EndpointUrl, ProjectArg, Region, Stack, _registry

glue_triggers_app = typer.Typer(
    name="glue-triggers",
    help="Glue triggers made on the plane's path, checked to start only the project's own jobs and crawlers.",
    no_args_is_help=True,
)


@glue_triggers_app.command("create")
def create(
    project: ProjectArg,
    file: Annotated[Path, typer.Option("--file", help="a CreateTrigger request (JSON)", exists=True, dir_okay=False)],
    endpoint_url: EndpointUrl = None,
    region: Region = "us-east-1",
    stack: Stack = "glueguard",
) -> None:
    """Create the trigger `--file` describes for PROJECT, after checking every action and predicate (action arguments
    by the deployed policy's argument table, with the project's overrides)."""
    from glueguard.adapters.clients import client
    from glueguard.glue_triggers import TriggerRefused
    from glueguard.glue_triggers import create as create_trigger

    from glueguard_cli.commands.plan import policy_parameter
    from glueguard_cli.policy_store import PolicyStore

    try:
        request = json.loads(file.read_text())
    except json.JSONDecodeError as exc:
        raise typer.BadParameter(f"not JSON: {exc}", param_hint="--file") from None
    entry = _registry(project, endpoint_url, region, stack).get(project, cached=False)
    if entry is None:
        Console(stderr=True).print(f"[red]not created:[/] project {project} is not registered")
        raise typer.Exit(1)
    policy = PolicyStore(client("ssm"), policy_parameter(stack)).policy().with_overrides(entry.policy_overrides)
    try:
        created = create_trigger(client("glue"), request, entry, policy.arguments)
    except TriggerRefused as exc:
        Console(stderr=True).print(f"[red]not created:[/] {exc}")
        raise typer.Exit(1) from None
    Console().print(f"created trigger {created['Name']}")


def register(app: typer.Typer) -> None:
    app.add_typer(glue_triggers_app)
