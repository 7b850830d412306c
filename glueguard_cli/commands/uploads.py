"""`glueguard uploads add|list|remove`: a project's upload bindings (object under bucket/prefix/suffix -> job).

The projects table is found through the stack output ProjectsTableName (or GLUEGUARD_PROJECTS_TABLE).
`glueguard triggers` is the old name of this group: a hidden alias for one release that says so on stderr (Glue
triggers themselves are `glueguard glue-triggers`).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from glueguard_cli.commands.audit import _environment as stack_environment

UPLOADS_HELP = "Upload bindings: objects landing in a project bucket start a job."
uploads_app = typer.Typer(name="uploads", help=UPLOADS_HELP, no_args_is_help=True)

#: The old name, kept one release: the same commands, with a note on stderr.
DEPRECATED_NAME = "triggers"
DEPRECATION_NOTE = (
    "note: `glueguard triggers` is now `glueguard uploads` (upload bindings); the old name goes in the next release. "
    "Glue triggers are `glueguard glue-triggers`."
)

EndpointUrl = Annotated[str | None, typer.Option(envvar="AWS_ENDPOINT_URL", help="the sandbox endpoint (default: AWS)")]
Region = Annotated[str, typer.Option(envvar="AWS_DEFAULT_REGION")]
Stack = Annotated[str, typer.Option(help="the deployed glueguard stack")]
ProjectArg = Annotated[str, typer.Argument(help="the project id (UUID)")]


def _registry(project: str, endpoint_url: str | None, region: str, stack: str) -> Any:
    from glueguard.naming import require_project_id

    try:
        require_project_id(project)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="PROJECT") from None
    stack_environment(endpoint_url, region, stack)
    from glueguard.adapters.registry import Registry

    return Registry()


def _job_outputs(job: str) -> list[str]:
    """The S3 locations the job writes: its DefaultArguments' s3:// values (none when the job does not exist yet)."""
    import boto3

    glue = boto3.client("glue")
    try:
        arguments = glue.get_job(JobName=job)["Job"].get("DefaultArguments") or {}
    except glue.exceptions.EntityNotFoundException:
        return []
    return [v for v in arguments.values() if isinstance(v, str) and v.startswith("s3://")]


def _arguments(pairs: list[str]) -> dict[str, str]:
    arguments: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--arg")
        arguments[key] = value
    return arguments


def _show(project: str, triggers: list, json_out: bool) -> None:
    if json_out:
        typer.echo(json.dumps([t.model_dump(mode="json", by_alias=True) for t in triggers], indent=2))
        return
    table = Table(title=f"upload triggers · project {project}")
    for column in ("#", "bucket", "prefix", "suffix", "job", "arguments"):
        table.add_column(column, overflow="fold")
    for i, t in enumerate(triggers):
        args = " ".join(f"{k}={v}" for k, v in t.arguments.items())
        table.add_row(str(i), t.bucket, t.prefix or "*", t.suffix or "*", t.job_name, args)
    Console().print(table)


@uploads_app.command("add")
def add(
    project: ProjectArg,
    bucket: Annotated[str, typer.Option(help="a bucket of the project")],
    job: Annotated[str, typer.Option(help="the job to start: project-<uuid>-job-<name>")],
    prefix: Annotated[str, typer.Option(help="only keys starting with this")] = "",
    suffix: Annotated[str, typer.Option(help="only keys ending with this")] = "",
    arg: Annotated[
        list[str] | None, typer.Option("--arg", help="a job argument, KEY=VALUE; {bucket} and {key} are filled in")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="print the bindings as JSON")] = False,
    endpoint_url: EndpointUrl = None,
    region: Region = "us-east-1",
    stack: Stack = "glueguard",
) -> None:
    """Bind objects under bucket/prefix ending in suffix to a job of the project."""
    from glueguard.adapters.registry import InvalidUploadTrigger, ProjectNotFound
    from glueguard.models.project import UploadTrigger

    registry = _registry(project, endpoint_url, region, stack)
    trigger = UploadTrigger(bucket=bucket, prefix=prefix, suffix=suffix, jobName=job, arguments=_arguments(arg or []))
    try:
        triggers = registry.add_upload_trigger(project, trigger, job_outputs=_job_outputs(job))
    except (InvalidUploadTrigger, ProjectNotFound) as exc:
        Console(stderr=True).print(f"[red]not added:[/] {exc}")
        raise typer.Exit(1) from None
    _show(project, triggers, json_out)


@uploads_app.command("list")
def list_(
    project: ProjectArg,
    json_out: Annotated[bool, typer.Option("--json", help="print the bindings as JSON")] = False,
    endpoint_url: EndpointUrl = None,
    region: Region = "us-east-1",
    stack: Stack = "glueguard",
) -> None:
    """List the project's upload bindings."""
    from glueguard.adapters.registry import ProjectNotFound

    registry = _registry(project, endpoint_url, region, stack)
    try:
        triggers = registry.upload_triggers(project)
    except ProjectNotFound as exc:
        Console(stderr=True).print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None
    _show(project, triggers, json_out)


@uploads_app.command("remove")
def remove(
    project: ProjectArg,
    index: Annotated[int, typer.Argument(help="the binding's # in `glueguard uploads list`")],
    endpoint_url: EndpointUrl = None,
    region: Region = "us-east-1",
    stack: Stack = "glueguard",
) -> None:
    """Remove one upload binding."""
    from glueguard.adapters.registry import InvalidUploadTrigger, ProjectNotFound

    registry = _registry(project, endpoint_url, region, stack)
    try:
        removed = registry.remove_upload_trigger(project, index)
    except (InvalidUploadTrigger, ProjectNotFound) as exc:
        Console(stderr=True).print(f"[red]not removed:[/] {exc}")
        raise typer.Exit(1) from None
    Console().print(f"removed {removed.bucket}/{removed.prefix}*{removed.suffix} -> {removed.job_name}")


def _deprecated_alias() -> typer.Typer:
    alias = typer.Typer(name=DEPRECATED_NAME, help=UPLOADS_HELP, no_args_is_help=True, hidden=True)

    @alias.callback()
    def _note() -> None:
        typer.echo(DEPRECATION_NOTE, err=True)

    alias.registered_commands = uploads_app.registered_commands
    return alias


def register(app: typer.Typer) -> None:
    app.add_typer(uploads_app)
    app.add_typer(_deprecated_alias())
