"""`make demo`: the control plane working end to end in the local sandbox, as a story.

1. Start the sandbox (template.yaml deployed as stack `glueguard`).
2. Provision a project: through the provisioning state machine when the stack has one, else by
   creating what a provisioned project holds directly (roles, buckets, network, connection, registry).
3. A scientist, as an assumed-role session, creates a non-compliant Glue job.
4. Emulated CloudTrail -> the template's EventBridge rule -> the deployed enforcer Lambda corrects it.
5. The decisions are shown.
6-7. Runtime caps: the newest of three 40-worker runs is stopped; an upload starts its bound job once.
8. Across accounts: a project provisioned into a member account; a job there corrected by the central plane
   through the member's role.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from typing import Any

import boto3
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

console = Console()

FIELDS = ("Role", "Connections", "WorkerType", "NumberOfWorkers", "Timeout", "SecurityConfiguration")


def endpoint_client(endpoint: str, service: str, credentials: dict[str, str] | None = None, config: Any = None) -> Any:
    """A boto3 client of the sandbox at `endpoint` (the account's administrator unless `credentials` are given)."""
    creds = credentials or {"AccessKeyId": "testing", "SecretAccessKey": "testing"}
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds.get("SessionToken"),
        config=config,
    )


_client = endpoint_client


def _show(value: Any) -> str:
    if value is None:
        return "[dim]—[/]"
    if isinstance(value, dict):
        return ", ".join(value.get("Connections", [])) or json.dumps(value)
    return str(value).rsplit("/", 1)[-1] if str(value).startswith("arn:") else str(value)


def _diff(before: dict[str, Any], after: dict[str, Any]) -> Table:
    table = Table(title="the job, before and after the enforcer")
    table.add_column("field")
    table.add_column("as the scientist created it")
    table.add_column("after glueguard")
    for field in FIELDS:
        old, new = before.get(field), after.get(field)
        mark = "[bold green]" if old != new else ""
        table.add_row(field, _show(old), f"{mark}{_show(new)}")
    return table


def provision(endpoint: str, outputs: dict[str, str], project_id: str, account_id: str | None = None) -> str:
    """Provision through the state machine when deployed (into `account_id` when given); else seed directly."""
    arn = outputs.get("ProvisionProjectStateMachineArn")
    if arn:
        sfn = _client(endpoint, "stepfunctions")
        request = {"projectId": project_id, "owner": "ml-team-a", "costCenter": "cc-1234", "monthlyBudgetUsd": 500}
        execution = sfn.start_execution(
            stateMachineArn=arn,
            name=project_id,
            input=json.dumps({**request, **({"accountId": account_id} if account_id else {})}),
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            described = sfn.describe_execution(executionArn=execution["executionArn"])
            status = described["status"]
            if status != "RUNNING":
                if status != "SUCCEEDED":
                    why = described.get("cause") or described.get("error") or "no cause given"
                    raise RuntimeError(f"provisioning {status}: {why}")
                return "the provision-project state machine"
            time.sleep(0.2)
        raise RuntimeError("provisioning did not finish in 90 s")
    from glueguard_sandbox.seed import make_project

    os.environ["GLUEGUARD_PROJECTS_TABLE"] = outputs["ProjectsTableName"]
    make_project(project_id)
    return "direct API calls (the provisioning workflow is not in the template yet)"


def scientist(endpoint: str, account: str, name: str, admin: dict[str, str] | None = None) -> dict[str, str]:
    """Credentials of `name`'s session of role ml-scientist in `account` (created by `admin`, that account's
    administrator): IAM is evaluated, and its own (too broad) policy lets it create any Glue job; the plane corrects
    it."""
    trust = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}
    iam = _client(endpoint, "iam", admin)
    role = iam.create_role(
        RoleName="ml-scientist", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust]})
    )["Role"]["Arn"]
    broad = [
        {"Effect": "Allow", "Action": "glue:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
    ]
    iam.put_role_policy(
        RoleName="ml-scientist",
        PolicyName="broad-glue",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": broad}),
    )
    return dict(_client(endpoint, "sts", admin).assume_role(RoleArn=role, RoleSessionName=name)["Credentials"])


def story(endpoint: str, outputs: dict[str, str]) -> None:
    from glueguard.adapters.clients import reset_clients
    from glueguard.adapters.decisions import DecisionLog

    from glueguard_cli.commands.decisions import decisions_table

    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "GLUEGUARD_DECISIONS_TABLE": outputs["DecisionsTableName"],
        }
    )
    reset_clients()
    project_id = str(uuid.uuid4())

    console.rule("[bold]2 · a platform engineer provisions a project")
    how = provision(endpoint, outputs, project_id)
    console.print(
        f"project [bold]{project_id}[/] provisioned by {how}: job role, VPC connection, buckets, registry entry"
    )

    console.rule("[bold]3 · a scientist creates a Glue job, ignoring every guardrail")
    glue = _client(endpoint, "glue", scientist(endpoint, "123456789012", "alice"))
    name = f"project-{project_id}-job-train"
    glue.create_job(
        Name=name,
        Role="arn:aws:iam::123456789012:role/some-admin-role",
        Command={"Name": "glueetl", "ScriptLocation": f"s3://project-{project_id}-glue-scripts/train.py"},
        GlueVersion="4.0",
        WorkerType="G.1X",
        NumberOfWorkers=80,
    )
    created = time.monotonic()
    before = glue.get_job(JobName=name)["Job"]
    console.print(
        f"alice ([dim]assumed-role/ml-scientist/alice[/]) called CreateJob [bold]{name}[/]: "
        "an admin role, no VPC connection, 80 G.1X workers, no timeout (48 h default)"
    )

    console.rule("[bold]4 · CloudTrail → EventBridge → the enforcer Lambda")
    after = before
    while time.monotonic() - created < 15:
        after = glue.get_job(JobName=name)["Job"]
        if after["NumberOfWorkers"] != before["NumberOfWorkers"]:
            break
        time.sleep(0.05)
    else:
        raise RuntimeError("the enforcer did not correct the job within 15 s")
    latency = time.monotonic() - created
    console.print(_diff(before, after))
    console.print(f"corrected [bold]{latency:.2f} s[/] after CreateJob returned")

    console.rule("[bold]5 · the decisions glueguard recorded")
    decisions: list[Any] = []
    while time.monotonic() - created < 15 and not decisions:
        decisions = DecisionLog().list(project_id)
        time.sleep(0.05)
    console.print(decisions_table(decisions, f"glueguard decisions · project {project_id[:8]}", compact=True))
    for decision in decisions:
        for violation in decision.violations:
            console.print(f"  • [yellow]{violation.get('rule')}[/]: {violation.get('message')}")
    console.print("[dim]the same list, any time:[/] glueguard decisions --project " + project_id)

    from glueguard_sandbox.demo_runtime import scenes

    scenes(console, outputs, project_id, glue, lambda service: _client(endpoint, service))

    from glueguard_sandbox.demo_organization import scene

    scene(console, endpoint, outputs)


def main() -> int:
    from glueguard_sandbox.process import SandboxProcess

    started = time.monotonic()
    console.print(
        Panel.fit("[bold]glueguard[/] — a governance control plane for AWS Glue, running offline", border_style="cyan")
    )
    console.rule("[bold]1 · start the sandbox and deploy template.yaml")
    with console.status("moto server + SAM transform + CloudFormation deploy ..."):
        sandbox = SandboxProcess("--accounts", "2").start()  # an organization: central + one member
    try:
        console.print(
            f"sandbox ready at [bold]{sandbox.endpoint}[/], stack [bold]glueguard[/] deployed "
            f"({len(sandbox.outputs)} outputs)"
        )
        story(sandbox.endpoint, sandbox.outputs)
    except Exception as exc:
        console.print(f"[red]demo failed:[/] {exc}")
        return 1
    finally:
        sandbox.stop()
    console.rule(f"[bold green]done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
