"""`glueguard sandbox up | replay | tick`: the local AWS running the deployed control plane."""

from __future__ import annotations

import json
import signal
import threading
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

sandbox_app = typer.Typer(
    name="sandbox", help="The local sandbox: template.yaml deployed on moto, offline.", no_args_is_help=True
)
console = Console(stderr=True)

EndpointOption = Annotated[
    str, typer.Option("--endpoint", envvar="GLUEGUARD_ENDPOINT", help="The sandbox endpoint URL.")
]
DEFAULT_ENDPOINT = "http://127.0.0.1:5000"


def post(endpoint: str, route: str, body: Any = None, timeout: float = 60.0) -> Any:
    """POST to a sandbox-only route; return the decoded JSON answer."""
    request = urllib.request.Request(
        f"{endpoint.rstrip('/')}/_glueguard/{route}",
        data=json.dumps(body if body is not None else {}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise RuntimeError(json.loads(exc.read() or b"{}").get("error", str(exc))) from None


def parse_instant(text: str) -> datetime:
    """An ISO 8601 instant (`Z` or an offset; none: UTC), or a clear BadParameter."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not an ISO 8601 instant (e.g. 2031-12-31T23:30:00Z)", param_hint="--start"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@sandbox_app.command("up")
def up(
    port: Annotated[int, typer.Option(help="Port to serve on (127.0.0.1).")] = 5000,
    run_seconds: Annotated[float, typer.Option(help="How long a Glue job run stays RUNNING.")] = 300.0,
    minute_seconds: Annotated[float, typer.Option(help="Real seconds per Glue minute (Timeout).")] = 60.0,
    verbose: Annotated[bool, typer.Option(help="Echo the functions' logs.")] = False,
    parameter: Annotated[
        list[str] | None,
        typer.Option(help="A template parameter override KEY=VALUE (repeatable), e.g. PolicyCacheSeconds=2."),
    ] = None,
    manual_schedules: Annotated[
        bool,
        typer.Option(
            "--manual-schedules/--real-schedules",
            help="Scheduled rules follow a clock that moves only with `sandbox tick --seconds` (tests), "
            "instead of their real period and cron times.",
        ),
    ] = False,
    accounts: Annotated[
        int, typer.Option(min=1, help="Accounts: 1 = one account; N = an organization, central + N-1 members.")
    ] = 1,
    iam: Annotated[
        bool, typer.Option("--iam/--no-iam", help="Authorize every call with the caller's IAM policies (default on).")
    ] = True,
    start: Annotated[
        str | None,
        typer.Option(
            help="The instant the sandbox's clock starts at, ISO 8601 (e.g. 2031-12-31T23:30:00Z; no zone: UTC). "
            "Default: now.",
        ),
    ] = None,
    artifact: Annotated[
        Path | None,
        typer.Option(
            file_okay=False,
            help="Run the `sam build` output in this directory (its template, functions and layer; "
            "`make build-sandbox` builds .aws-sam/sandbox) instead of the source tree.",
        ),
    ] = None,
    account_concurrency: Annotated[
        int,
        typer.Option(
            min=1,
            envvar="GLUEGUARD_ACCOUNT_CONCURRENCY",
            help="Lambda's concurrent executions per account (AWS's default quota: 1000).",
        ),
    ] = 1000,
) -> None:
    """Start the sandbox, deploy template.yaml as stack `glueguard`, serve until SIGINT/SIGTERM."""
    overrides = {}
    for item in parameter or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--parameter")
        overrides[key] = value
    start_at = parse_instant(start) if start else None
    from glueguard_sandbox import concurrency, lambda_runtime
    from glueguard_sandbox.emulator.glue import runs as glue_runs
    from glueguard_sandbox.emulator.schedules import schedules
    from glueguard_sandbox.server import Sandbox

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    glue_runs.settings.minute_seconds = minute_seconds
    schedules.clock.set_manual(manual_schedules)
    concurrency.settings.account_concurrency = account_concurrency
    sandbox = Sandbox(
        port=port, run_seconds=run_seconds, accounts=accounts, iam=iam, start_at=start_at, artifact=artifact
    ).start()
    try:
        with console.status(f"deploying template.yaml to {sandbox.endpoint}"):
            outputs = sandbox.deploy(overrides)
        if lambda_runtime._runtime is not None:
            lambda_runtime._runtime.echo_logs = verbose
        for key, value in sorted(outputs.items()):
            console.print(f"  [dim]{key}[/] {value}")
        if sandbox.organization:
            org = sandbox.organization
            console.print(
                f"  [dim]organization[/] {org['id']} central {org['central']} members {', '.join(org['members'])}"
            )
        print(f"glueguard sandbox ready {sandbox.endpoint}{'' if iam else ' (IAM off)'}", flush=True)
        stop.wait()
    finally:
        sandbox.stop()
        console.print("sandbox stopped")


@sandbox_app.command("replay")
def replay(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A recorded EventBridge event (or list).")],
    endpoint: EndpointOption = DEFAULT_ENDPOINT,
) -> None:
    """Send a recorded event (aws.* sources included) to the sandbox's bus, as its service would."""
    try:
        event = json.loads(file.read_text())
    except ValueError as exc:
        raise typer.BadParameter(f"{file} is not JSON: {exc}") from None
    try:
        result = post(endpoint, "replay", event)
    except (RuntimeError, OSError) as exc:
        console.print(f"[red]replay failed:[/] {exc}")
        raise typer.Exit(1) from None
    console.print(f"replayed {result['replayed']} event(s) to {endpoint}")


@sandbox_app.command("tick")
def tick(
    endpoint: EndpointOption = DEFAULT_ENDPOINT,
    seconds: Annotated[
        float | None,
        typer.Option(
            min=0,
            help="Move the sandbox's clock (runs, functions, schedules) this far on and fire the rules then due (default: fire all now).",
        ),
    ] = None,
) -> None:
    """Advance job runs and fire scheduled rules: every enabled one now, or those due `--seconds` later."""
    try:
        result = post(endpoint, "tick", {} if seconds is None else {"seconds": seconds})
    except (RuntimeError, OSError) as exc:
        console.print(f"[red]tick failed:[/] {exc}")
        raise typer.Exit(1) from None
    for arn in result["fired"]:
        console.print(f"fired {arn}")
    console.print(
        f"{len(result['fired'])} scheduled rule(s) fired at {result['clock']}, {result['runs']} job run(s) advanced;"
        f" the sandbox's time is {result['now']}"
    )


@sandbox_app.command("credentials")
def credentials(
    project: Annotated[str, typer.Option(help="The project (its uuid) whose permission set the user signs in with.")],
    user: Annotated[str, typer.Option(help="The Identity Center user name (created if missing).")],
    endpoint: Annotated[
        str, typer.Option("--endpoint-url", "--endpoint", envvar="GLUEGUARD_ENDPOINT", help="The sandbox endpoint URL.")
    ] = DEFAULT_ENDPOINT,
    account: Annotated[str | None, typer.Option(help="The account to sign in to (default: the project's).")] = None,
) -> None:
    """Sign a scientist in through IAM Identity Center: prints the session's AccessKeyId, SecretAccessKey and
    SessionToken as JSON (the user and the project's group are made and assigned as a platform admin would)."""
    from glueguard_sandbox.sign_in import credentials as sign_in

    try:
        creds = sign_in(endpoint, project, user, account)
    except (ValueError, RuntimeError, OSError) as exc:
        console.print(f"[red]credentials failed:[/] {exc}")
        raise typer.Exit(1) from None
    print(json.dumps({k: creds[k] for k in ("AccessKeyId", "SecretAccessKey", "SessionToken")}))


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app)


__all__ = ["DEFAULT_ENDPOINT", "post", "register"]
