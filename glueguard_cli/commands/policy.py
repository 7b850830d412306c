"""`glueguard policy schema|validate|show|apply|history|rollback|test|override`: the policy as versioned data.

`apply` and `rollback` validate, show the plan, and write a new version of the SSM parameter the
functions read; each function picks it up within its cache time (PolicyCacheSeconds, at most 60 s).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from glueguard_cli.commands.audit import _environment as stack_environment
from glueguard_cli.commands.plan import (
    EndpointOption,
    RegionOption,
    StackOption,
    compute_plan,
    policy_parameter,
    render_plan,
)

policy_app = typer.Typer(help="The governance policy: validate, apply (versioned), history, rollback, test.")
console = Console()
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="apply without asking")]


def _refuse(exc: Exception) -> typer.Exit:
    typer.echo(f"invalid policy: {exc}", err=True)
    return typer.Exit(1)


def _store(endpoint_url: str | None, region: str, stack: str) -> Any:
    stack_environment(endpoint_url, region, stack)
    from glueguard.adapters.clients import client

    from glueguard_cli.policy_store import PolicyStore

    return PolicyStore(client("ssm"), policy_parameter(stack))


def _write(store: Any, document: dict[str, Any], description: str, region: str, yes: bool, label: str) -> None:
    """Show the plan of `document`, then write it as the next version (after confirmation)."""
    from glueguard.policy.settings import cache_seconds, parse_policy

    policy = parse_policy(document, source=label).versioned(f"{label} (not applied)")
    report = compute_plan(policy, None, region)
    render_plan(report, console)
    if not yes and not typer.confirm(f"Write this policy as the next version of {store.name}?"):
        raise typer.Exit(1)
    version = store.put(document, description)
    console.print(
        f"[green]policy version {version}[/] written to {store.name}; "
        f"functions use it within their cache time (PolicyCacheSeconds, default {cache_seconds({}):g} s)."
    )


@policy_app.command("schema")
def schema() -> None:
    """Print the policy's JSON Schema (for editors and CI validation)."""
    from glueguard.policy.settings import policy_schema

    typer.echo(json.dumps(policy_schema(), indent=2))


@policy_app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a policy (JSON or YAML)")],
) -> None:
    """Validate a policy file; every mistake is named with its rule and field."""
    from glueguard.policy.settings import PolicyError

    from glueguard_cli.policy_store import read_document

    try:
        document = read_document(file)
    except PolicyError as exc:
        raise _refuse(exc) from None
    console.print(f"[green]valid[/]: {file} ({len(document.get('custom_rules', []))} custom rules)")


@policy_app.command("show")
def show(
    endpoint_url: EndpointOption = None, region: RegionOption = "us-east-1", stack: StackOption = "glueguard"
) -> None:
    """Print the deployed policy (the current version of the parameter)."""
    current = _store(endpoint_url, region, stack).current()
    typer.echo(json.dumps({"version": current.version, "policy": current.document()}, indent=2))


@policy_app.command("apply")
def apply(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="the new policy (JSON or YAML)")],
    yes: YesOption = False,
    endpoint_url: EndpointOption = None,
    region: RegionOption = "us-east-1",
    stack: StackOption = "glueguard",
) -> None:
    """Validate FILE, show what it would change, and write it as the next policy version."""
    from glueguard.policy.settings import PolicyError

    from glueguard_cli.policy_store import read_document

    try:
        document = read_document(file)
    except PolicyError as exc:
        raise _refuse(exc) from None
    store = _store(endpoint_url, region, stack)
    _write(store, document, f"glueguard policy apply {file.name}", region, yes, str(file))


@policy_app.command("rollback")
def rollback(
    version: Annotated[int, typer.Argument(min=1, help="the version to restore (see `glueguard policy history`)")],
    yes: YesOption = False,
    endpoint_url: EndpointOption = None,
    region: RegionOption = "us-east-1",
    stack: StackOption = "glueguard",
) -> None:
    """Write version N's policy again as the next version (the history only grows)."""
    from glueguard.policy.settings import PolicyError, parse_policy

    store = _store(endpoint_url, region, stack)
    try:
        earlier = store.version(version)
        document = earlier.document()
        parse_policy(document, source=f"{store.name} version {version}")
    except (PolicyError, ValueError) as exc:
        raise _refuse(exc) from None
    _write(store, document, f"glueguard policy rollback {version}", region, yes, f"version {version}")


@policy_app.command("history")
def history(
    json_out: Annotated[bool, typer.Option("--json", help="print the versions as JSON")] = False,
    endpoint_url: EndpointOption = None,
    region: RegionOption = "us-east-1",
    stack: StackOption = "glueguard",
) -> None:
    """Every kept version of the policy, oldest first (Parameter Store keeps the last 100)."""
    store = _store(endpoint_url, region, stack)
    versions = store.history()
    if json_out:
        typer.echo(
            json.dumps(
                [
                    {
                        "version": v.version,
                        "modified": v.modified.isoformat() if v.modified else None,
                        "modified_by": v.modified_by,
                        "description": v.description,
                        "policy": v.document(),
                    }
                    for v in versions
                ],
                indent=2,
            )
        )
        return
    table = Table(title=f"policy versions · {store.name}")
    for column in ("version", "modified", "by", "description", "changes"):
        table.add_column(column, overflow="fold")
    previous: dict[str, Any] = {}
    for v in versions:
        document = v.document()
        changed = sorted(k for k in set(previous) | set(document) if previous.get(k) != document.get(k))
        current = " (current)" if v is versions[-1] else ""
        table.add_row(
            f"{v.version}{current}",
            v.modified.strftime("%Y-%m-%d %H:%M:%S") if v.modified else "",
            v.modified_by.rsplit(":", 1)[-1],
            v.description,
            ", ".join(changed) or "—",
        )
        previous = document
    console.print(table)


@policy_app.command("test")
def test(
    directory: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="fixtures (and policy.json)")],
    policy_file: Annotated[
        Path | None, typer.Option("--policy", exists=True, dir_okay=False, help="default: DIR/policy.json|yaml")
    ] = None,
) -> None:
    """Run resource fixtures (definitions + expected violations) against a policy, offline."""
    from glueguard.policy.settings import PolicyError

    from glueguard_cli.policy_tests import run_directory

    try:
        _, results = run_directory(directory, policy_file)
    except PolicyError as exc:
        raise _refuse(exc) from None
    if not results:
        typer.echo(f"no fixtures in {directory}", err=True)
        raise typer.Exit(1)
    for result in results:
        mark = "[green]PASS[/]" if result.passed else "[red]FAIL[/]"
        console.print(f"{mark} {result.path.relative_to(directory)}  {result.description}")
        for problem in result.problems:
            console.print(f"     {problem}", markup=False)
    failed = sum(not r.passed for r in results)
    console.print(f"{len(results) - failed} passed, {failed} failed")
    if failed:
        raise typer.Exit(1)


def _setting(text: str) -> tuple[str, Any]:
    """`KEY=VALUE`, VALUE read as JSON when it is JSON (`1`, `true`, `{"job-role": "report"}`), else as text."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise typer.BadParameter(f"{text!r} is not KEY=VALUE", param_hint="--set")
    try:
        return key.strip(), json.loads(raw)
    except ValueError:
        return key.strip(), raw


@policy_app.command("override")
def override(
    project: Annotated[str, typer.Option("--project", help="the project's UUID")],
    settings: Annotated[
        list[str] | None, typer.Option("--set", help="KEY=VALUE, a policy setting for this project only (repeatable)")
    ] = None,
    unset: Annotated[list[str] | None, typer.Option("--unset", help="KEY: back to the deployed policy's")] = None,
    endpoint_url: EndpointOption = None,
    region: RegionOption = "us-east-1",
    stack: StackOption = "glueguard",
) -> None:
    """Set or remove a project's policy overrides (its registry entry's `policy_overrides`, merged over the
    deployed policy). The result is validated against the deployed policy first: an invalid override is refused
    and nothing is written. The functions read it within their registry cache time."""
    store = _store(endpoint_url, region, stack)
    from glueguard.adapters.registry import Registry
    from glueguard.naming import require_project_id

    try:
        require_project_id(project)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--project") from None
    registry = Registry()
    entry = registry.get(project, cached=False)
    if entry is None:
        typer.echo(f"no project {project} in the registry", err=True)
        raise typer.Exit(1)
    overrides = {k: v for k, v in (entry.policy_overrides or {}).items() if k not in set(unset or [])}
    overrides |= dict(_setting(s) for s in settings or [])
    policy = store.policy()
    error = policy.override_error(overrides)
    if error:
        typer.echo(f"invalid override for {project}: {error}", err=True)
        raise typer.Exit(1)
    registry.update(project, policy_overrides=overrides)
    typer.echo(json.dumps({"project": project, "policy_overrides": overrides}, sort_keys=True))


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")
