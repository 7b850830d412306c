"""`glueguard provision` and `glueguard deprovision`: start the provisioning state machines of a deployed stack
(the sandbox or AWS) and show their progress step by step, from the execution history."""

from __future__ import annotations

import contextlib
import json
import time
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table


def console() -> Console:
    """A console sized when it prints (COLUMNS read then, not when the module was imported)."""
    return Console()


EndpointOption = Annotated[
    str | None,
    typer.Option("--endpoint", envvar="AWS_ENDPOINT_URL", help="AWS endpoint (the sandbox URL); default AWS."),
]
RegionOption = Annotated[str, typer.Option(envvar="AWS_DEFAULT_REGION")]
StackOption = Annotated[str, typer.Option(help="The deployed glueguard stack.")]
WaitOption = Annotated[bool, typer.Option("--wait/--no-wait", help="Follow the execution until it ends.")]


def _clients(endpoint: str | None, region: str) -> tuple[Any, Any]:
    import boto3

    kwargs = {"region_name": region, **({"endpoint_url": endpoint} if endpoint else {})}
    return boto3.client("stepfunctions", **kwargs), boto3.client("cloudformation", **kwargs)


def _state_machine(cloudformation: Any, stack: str, output: str) -> str:
    try:
        outputs = cloudformation.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])
    except Exception as exc:
        raise typer.BadParameter(f"stack {stack!r} not found ({exc})", param_hint="--stack") from None
    for item in outputs:
        if item["OutputKey"] == output:
            return str(item["OutputValue"])
    raise typer.BadParameter(f"stack {stack!r} has no output {output}", param_hint="--stack")


def _describe_event(event: dict[str, Any]) -> str | None:
    """One progress line for a history event, or None for events that add nothing."""
    kind = event["type"]
    if kind.endswith("StateEntered"):
        return f"[cyan]▶[/] {event['stateEnteredEventDetails']['name']}"
    if kind.endswith("StateExited"):
        return f"[green]✓[/] {event['stateExitedEventDetails']['name']}"
    for key in ("lambdaFunctionFailedEventDetails", "taskFailedEventDetails", "executionFailedEventDetails"):
        if key in event:
            details = event[key]
            cause = details.get("cause") or ""
            with contextlib.suppress(ValueError, AttributeError):
                cause = json.loads(cause).get("errorMessage", cause)
            return f"[red]✗[/] {details.get('error', 'Error')}: {str(cause)[:300]}"
    return None


def follow(sfn: Any, execution_arn: str, interval: float = 0.5, timeout: float = 3600.0) -> dict[str, Any]:
    """Print the execution's steps as they happen (GetExecutionHistory); return DescribeExecution at the end."""
    shown = 0
    deadline = time.monotonic() + timeout
    while True:
        execution = sfn.describe_execution(executionArn=execution_arn)
        events: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
        while True:
            page = sfn.get_execution_history(**kwargs)
            events.extend(page["events"])
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        for event in events[shown:]:
            line = _describe_event(event)
            if line:
                console().print(f"  {line}")
        shown = len(events)
        if execution["status"] != "RUNNING" or time.monotonic() > deadline:
            return dict(execution)
        time.sleep(interval)


def _start(sfn: Any, arn: str, payload: dict[str, Any]) -> str:
    name = f"{payload['projectId']}-{uuid.uuid4().hex[:8]}"
    return str(sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(payload))["executionArn"])


def _execute(
    where: tuple[str | None, str, str],
    output_key: str,
    payload: dict[str, Any],
    banner: str,
    wait: bool,
    json_out: bool,
) -> Any:
    """Start the stack's state machine `output_key` with `payload`, follow it, return its output (None: no wait)."""
    endpoint, region, stack = where
    sfn, cloudformation = _clients(endpoint, region)
    arn = _start(sfn, _state_machine(cloudformation, stack, output_key), payload)
    console().print(f"{banner} ({arn.rsplit(':', 1)[-1]})")
    if not wait:
        typer.echo(arn)
        return None
    return _finish(follow(sfn, arn), json_out)


def _finish(execution: dict[str, Any], json_out: bool) -> Any:
    status = execution["status"]
    if status != "SUCCEEDED":
        console().print(f"[red]{status}[/] {execution.get('error', '')}: {execution.get('cause', '')}")
        raise typer.Exit(1)
    output = json.loads(execution.get("output") or "{}")
    if json_out:
        typer.echo(json.dumps(output, indent=2))
    return output


def _request(
    file: Path | None,
    project_id: str | None,
    owner: str | None,
    cost_center: str | None,
    budget: float | None,
    vpc_id: str | None,
    subnet_ids: list[str] | None,
    cidr: str | None,
) -> dict[str, Any]:
    from glueguard.provisioning.request import InvalidRequest, ProvisionRequest, parse

    if file:
        try:
            raw = json.loads(file.read_text())
        except ValueError as exc:
            raise typer.BadParameter(f"{file} is not JSON: {exc}", param_hint="--file") from None
    else:
        raw = {"projectId": project_id or str(uuid.uuid4()), "owner": owner, "costCenter": cost_center,
               "monthlyBudgetUsd": budget}  # fmt: skip
        raw = {k: v for k, v in raw.items() if v is not None}
    network = {k: v for k, v in {"vpcId": vpc_id, "subnetIds": subnet_ids or None, "cidr": cidr}.items() if v}
    if network and isinstance(raw, dict):
        raw["network"] = {**raw.get("network", {}), **network}
    try:
        parse(ProvisionRequest, raw)  # the same model the state machine validates with: refuse early
    except InvalidRequest as exc:
        raise typer.BadParameter(str(exc)) from None
    return dict(raw)


def provision(
    file: Annotated[
        Path | None, typer.Option("--file", "-f", exists=True, dir_okay=False, help="The request as JSON.")
    ] = None,
    project_id: Annotated[str | None, typer.Option("--project-id", help="Project UUID (default: a new one).")] = None,
    owner: Annotated[str | None, typer.Option(help="Owning team or email.")] = None,
    cost_center: Annotated[str | None, typer.Option("--cost-center")] = None,
    budget: Annotated[float | None, typer.Option("--budget", help="Monthly budget in USD.")] = None,
    vpc_id: Annotated[str | None, typer.Option("--vpc-id", help="Use this VPC (with --subnet-id).")] = None,
    subnet_ids: Annotated[list[str] | None, typer.Option("--subnet-id", help="A private subnet of --vpc-id.")] = None,
    cidr: Annotated[str | None, typer.Option(help="CIDR of the private VPC to create.")] = None,
    endpoint: EndpointOption = None,
    region: RegionOption = "us-east-1",
    stack: StackOption = "glueguard",
    wait: WaitOption = True,
    json_out: Annotated[bool, typer.Option("--json", help="Print the execution output as JSON.")] = False,
) -> None:
    """Provision a project: start the provision-project state machine and show each step."""
    payload = _request(file, project_id, owner, cost_center, budget, vpc_id, subnet_ids, cidr)
    banner = f"provisioning project [bold]{payload['projectId']}[/]"
    output = _execute((endpoint, region, stack), "ProvisionProjectStateMachineArn", payload, banner, wait, json_out)
    if output is not None and not json_out:
        table = Table(title=f"project {payload['projectId']} · {output.get('status')}")
        table.add_column("resource")
        table.add_column("value", overflow="fold")
        for key, value in output.get("resources", {}).items():
            if value not in (None, [], {}, False):
                table.add_row(key, json.dumps(value) if not isinstance(value, str) else value)
        console().print(table)


def deprovision(
    project_id: Annotated[str, typer.Argument(help="The project UUID.")],
    retain_data: Annotated[
        bool, typer.Option("--retain-data/--purge", help="Keep the artifacts bucket, KMS key and catalog database.")
    ] = True,
    key_deletion_days: Annotated[int, typer.Option(help="KMS waiting period when purging (7-30).")] = 30,
    endpoint: EndpointOption = None,
    region: RegionOption = "us-east-1",
    stack: StackOption = "glueguard",
    wait: WaitOption = True,
    json_out: Annotated[bool, typer.Option("--json", help="Print the execution output as JSON.")] = False,
) -> None:
    """Remove a project (keeping its data unless --purge): start deprovision-project and show each step."""
    from glueguard.provisioning.request import DeprovisionRequest, InvalidRequest, parse

    payload = {"projectId": project_id, "retainData": retain_data, "keyDeletionDays": key_deletion_days}
    try:
        parse(DeprovisionRequest, payload)
    except InvalidRequest as exc:
        raise typer.BadParameter(str(exc)) from None
    banner = f"deprovisioning project [bold]{project_id}[/] ({'retaining data' if retain_data else 'purging'})"
    output = _execute((endpoint, region, stack), "DeprovisionProjectStateMachineArn", payload, banner, wait, json_out)
    if output is not None and not json_out:
        console().print(f"[green]{output.get('status')}[/]: removed {output.get('removed')} resources; "
                      f"retained {json.dumps(output.get('retained') or {})}")  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("provision")(provision)
    app.command("deprovision")(deprovision)
