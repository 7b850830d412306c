"""Catalog lineage (design 11.2, docs/lineage.md) in the sandbox: a project's job run, in the session Glue gives it
(`GlueJobRunnerSession` of the job role), creates a table, updates it and adds a partition; `glueguard audit
--lineage` names the three calls in order, and a later call of the role, once the run has ended, names no run, with the run that made them. Another project's job role cannot write into that table (refused at the
call: nothing recorded), its own table's lineage is its own, and it cannot read the lineage at all."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError
from typer.testing import CliRunner

from tests.e2e.conftest import SandboxHandle, job_definition, provisioned_project

GLUE_SESSION = "GlueJobRunnerSession"  # the role session name Glue gives every job run's session


def _table(name: str, location: str) -> dict[str, Any]:
    return {
        "Name": name,
        "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}], "Location": location},
        "PartitionKeys": [{"Name": "dt", "Type": "string"}],
    }


def _lineage(sandbox: SandboxHandle, table: str, env: dict[str, str] | None = None) -> Any:
    from glueguard_cli.cli import app

    return CliRunner().invoke(app, ["audit", "--lineage", table, "--json", "--endpoint-url", sandbox.endpoint], env=env)


def _changes(sandbox: SandboxHandle, table: str, count: int, timeout: float = 60.0) -> list[dict[str, Any]]:
    """The table's lineage once it holds `count` changes (the enforcer records them as their events arrive)."""
    deadline = time.monotonic() + timeout
    while True:
        result = _lineage(sandbox, table)
        assert result.exit_code == 0, result.output
        changes = json.loads(result.stdout)["changes"]
        if len(changes) >= count or time.monotonic() > deadline:
            return changes
        sandbox.drain()


def test_a_job_runs_table_changes_name_the_run_and_no_other_project(plane_env: SandboxHandle):
    a, b = provisioned_project(plane_env), provisioned_project(plane_env)
    admin = plane_env.client("glue")
    job = admin.create_job(**job_definition(a, "orders"))["Name"]
    run_id = admin.start_job_run(JobName=job)["JobRunId"]  # its Timeout (60 minutes, a second each here) ends it
    idle = admin.create_job(**job_definition(a, "idle"))["Name"]  # same role, never run: not named
    glue_a = plane_env.client("glue", plane_env.service_session(a.resources.job_role_arn, session_name=GLUE_SESSION))
    glue_b = plane_env.client("glue", plane_env.service_session(b.resources.job_role_arn, session_name=GLUE_SESSION))
    location = f"s3://{a.names.bucket('artifacts')}/orders/"

    glue_a.create_table(DatabaseName=a.names.database, TableInput=_table("orders", location))
    plane_env.post("tick", {"seconds": 20})
    glue_a.update_table(
        DatabaseName=a.names.database, TableInput={**_table("orders", location), "Description": "daily orders"}
    )
    plane_env.post("tick", {"seconds": 20})
    partition = {"Values": ["2031-03-12"], "StorageDescriptor": {"Location": f"{location}dt=2031-03-12/"}}
    glue_a.batch_create_partition(DatabaseName=a.names.database, TableName="orders", PartitionInputList=[partition])
    plane_env.post("tick", {"seconds": 60})  # the run has timed out: the role's next call is no run's
    glue_a.update_table(DatabaseName=a.names.database, TableInput={**_table("orders", location), "Description": "x"})
    # The attack: B's job run rewrites A's table (and creates one in A's database). Refused at the call.
    for call in (glue_b.update_table, glue_b.create_table):
        with pytest.raises(ClientError) as refused:
            call(DatabaseName=a.names.database, TableInput=_table("orders", f"s3://{b.names.bucket('artifacts')}/x/"))
        assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    glue_b.create_table(DatabaseName=b.names.database, TableInput=_table("orders", "s3://elsewhere/orders/"))
    plane_env.drain()

    changes = _changes(plane_env, f"{a.names.database}.orders", count=4)
    account = a.resources.job_role_arn.split(":")[4]
    session = f"arn:aws:sts::{account}:assumed-role/{a.names.job_role}/{GLUE_SESSION}"
    assert [(c["call"], c["principal"], c["actor"], c["runs"], c["project"]) for c in changes] == [
        ("CreateTable", session, "job run", [f"{job}/{run_id}"], a.project_id),
        ("UpdateTable", session, "job run", [f"{job}/{run_id}"], a.project_id),
        ("BatchCreatePartition", session, "job run", [f"{job}/{run_id}"], a.project_id),
        ("UpdateTable", session, "job run", [], a.project_id),
    ]
    assert changes[0]["when"] < changes[1]["when"] < changes[2]["when"] < changes[3]["when"]
    assert idle not in json.dumps(changes)

    [theirs] = _changes(plane_env, f"{b.names.database}.orders", count=1)
    assert (theirs["call"], theirs["project"], theirs["runs"]) == ("CreateTable", b.project_id, [])
    assert b.names.job_role in theirs["principal"]

    # B's job role cannot read the platform's lineage at all: refused by IAM, named, nothing printed.
    creds = plane_env.service_session(b.resources.job_role_arn, session_name=GLUE_SESSION)
    env = {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
    }
    denied = _lineage(plane_env, f"{a.names.database}.orders", env)
    assert denied.exit_code == 1
    assert "AccessDenied" in denied.stderr and denied.stdout == ""


def test_lineage_of_a_malformed_table_name_is_refused(plane_env: SandboxHandle):
    result = _lineage(plane_env, "no-table-here")
    assert result.exit_code == 2
    assert "is not DATABASE.TABLE" in result.output
