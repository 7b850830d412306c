"""`glueguard provision` / `glueguard deprovision` against the sandbox: they start the state machines and show
each step; a bad request is refused before anything starts."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from glueguard.adapters.registry import Registry
from glueguard.models.project import ProjectStatus
from typer.testing import CliRunner

from glueguard_cli.cli import app
from tests.e2e.conftest import SandboxHandle

EVENTS = Path(__file__).resolve().parents[2] / "events" / "provisioner"


def test_provision_and_deprovision_show_each_step(plane_env: SandboxHandle):
    pid = str(uuid.uuid4())
    runner = CliRunner(env={"COLUMNS": "250"})
    args = ["--endpoint", plane_env.endpoint, "--project-id", pid, "--owner", "ml-team-b", "--cost-center", "cc-9"]
    result = runner.invoke(app, ["provision", *args, "--budget", "250"])
    assert result.exit_code == 0, result.output
    for state in ("ValidateRequest", "Register", "CreateKms", "CreateIam", "CreateMonitoring", "Activate"):
        assert f"✓ {state}" in result.output
    assert "ACTIVE" in result.output and f"project-{pid}-glue-job-role" in result.output
    assert Registry().get(pid, cached=False).status == ProjectStatus.ACTIVE

    again = runner.invoke(app, ["provision", *args, "--budget", "250"])
    assert again.exit_code == 1 and "ProjectExists" in again.output

    removed = runner.invoke(app, ["deprovision", pid, "--endpoint", plane_env.endpoint, "--json"])
    assert removed.exit_code == 0, removed.output
    assert "✓ RemoveIam" in removed.output
    output = json.loads(removed.output[removed.output.index("{") :])
    assert output["status"] == "DELETED" and output["retained"]["buckets"] == {
        "artifacts": f"project-{pid}-glue-artifacts"
    }


def test_bad_request_is_refused_before_starting(plane_env: SandboxHandle):
    result = CliRunner(env={"COLUMNS": "250"}).invoke(
        app, ["provision", "--endpoint", plane_env.endpoint, "--file", str(EVENTS / "provision_request_bad.json")]
    )
    assert result.exit_code == 2
    assert "monthlyBudgetUsd" in result.output and "unknown field" in result.output
