"""`make demo`, scene 8: one plane, two accounts (the sandbox runs `--accounts 2`)."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from typing import Any

from rich.console import Console


def _status(endpoint: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{endpoint}/_glueguard/status", timeout=5) as response:
        return dict(json.loads(response.read()))


def scene(console: Console, endpoint: str, outputs: dict[str, str]) -> None:
    from glueguard.adapters.decisions import DecisionLog

    from glueguard_sandbox.demo import _client, _diff, provision, scientist

    organization = _status(endpoint).get("organization") or {}
    if not organization.get("members"):
        return
    member = organization["members"][0]
    console.rule(f"[bold]8 · one plane, two accounts: member {member}")
    project_id = str(uuid.uuid4())
    how = provision(endpoint, outputs, project_id, account_id=member)
    console.print(f"project [bold]{project_id[:8]}[/] provisioned into account [bold]{member}[/] by {how}")

    role = f"arn:aws:iam::{member}:role/OrganizationAccountAccessRole"
    admin = _client(endpoint, "sts").assume_role(RoleArn=role, RoleSessionName="platform")["Credentials"]
    glue = _client(endpoint, "glue", scientist(endpoint, member, "dana", admin))
    name = f"project-{project_id}-job-features"
    glue.create_job(
        Name=name,
        Role=f"arn:aws:iam::{member}:role/some-admin-role",
        Command={"Name": "glueetl", "ScriptLocation": f"s3://project-{project_id}-glue-scripts/features.py"},
        GlueVersion="4.0",
        WorkerType="G.1X",
        NumberOfWorkers=80,
    )
    created = time.monotonic()
    before = after = glue.get_job(JobName=name)["Job"]
    console.print(f"dana (account {member}) called CreateJob {name[:20]}…: admin role, 80 workers, no VPC")
    while time.monotonic() - created < 15 and after["NumberOfWorkers"] == before["NumberOfWorkers"]:
        time.sleep(0.05)
        after = glue.get_job(JobName=name)["Job"]
    if after["NumberOfWorkers"] == before["NumberOfWorkers"]:
        raise RuntimeError("the central enforcer did not correct the member's job within 15 s")
    console.print(_diff(before, after))
    console.print(
        f"the member's CloudTrail event → its forwarding rule → the central glueguard bus → the enforcer, acting "
        f"as [bold]assumed-role/glueguard-member[/] in {member}: {time.monotonic() - created:.2f} s"
    )
    decisions: list[Any] = []
    while time.monotonic() - created < 15 and not decisions:
        decisions = DecisionLog().list(project_id)
        time.sleep(0.05)
    for decision in decisions:
        console.print(f"  decision [bold]{decision.outcome}[/] · account {decision.account} · project {project_id[:8]}")
