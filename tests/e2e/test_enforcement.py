"""The issue's 'done when': a non-compliant job created against the sandbox is corrected by the deployed
enforcer, reached only through emulated CloudTrail -> the template's EventBridge rule -> Lambda."""

from __future__ import annotations

import uuid

from glueguard.adapters.decisions import DecisionLog

from tests.e2e.conftest import SandboxHandle, poll, provisioned_project


def _noncompliant(pid: str) -> dict:
    return {
        "Role": "arn:aws:iam::123456789012:role/some-admin-role",
        "Command": {"Name": "glueetl", "ScriptLocation": f"s3://project-{pid}-glue-scripts/ingest.py"},
        "GlueVersion": "4.0",
        "WorkerType": "G.1X",
        "NumberOfWorkers": 80,
    }


def test_noncompliant_job_is_corrected_by_the_deployed_enforcer(plane_env: SandboxHandle):
    """Corrected through CloudTrail -> EventBridge -> Lambda (the latency figure, p50/p99 over many events, is
    `make bench`'s: a real-second deadline here would measure the CI machine, not the plane)."""
    pid = str(uuid.uuid4())
    project = provisioned_project(plane_env, pid)
    glue = plane_env.client("glue", plane_env.assume("ml-scientist", "alice"))
    name = f"project-{pid}-job-ingest"

    glue.create_job(Name=name, **_noncompliant(pid))

    def corrected():
        job = glue.get_job(JobName=name)["Job"]
        return job if job["NumberOfWorkers"] != 80 else None

    job = poll(corrected, timeout=30.0, interval=0.02)
    assert job is not None, "not corrected"
    assert job["Role"] == project.resources.job_role_arn
    assert job["Connections"]["Connections"] == [project.connection_name]
    assert job["NumberOfWorkers"] == 50
    assert job["Timeout"] == 120
    # the security configuration provisioning made: everything the job writes is encrypted with the project key
    assert job["SecurityConfiguration"] == project.security_configuration
    config = glue.get_security_configuration(Name=project.security_configuration)["SecurityConfiguration"]
    key = project.resources.kms_key_arn
    assert config["EncryptionConfiguration"]["S3Encryption"] == [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key}]
    decisions = poll(lambda: DecisionLog().list(pid))
    assert [d.outcome for d in decisions] == ["remediated"]
    assert decisions[0].principal and "assumed-role/ml-scientist/alice" in decisions[0].principal


def test_plane_calls_are_logged_as_the_function_role_and_skipped(plane_env: SandboxHandle):
    """The enforcer's own UpdateJob comes back as a CloudTrail event from assumed-role/<EnforcerRole>/<fn>,
    with the /glueguard/ role as session issuer; it is skipped (no second decision, no loop)."""
    pid = str(uuid.uuid4())
    provisioned_project(plane_env, pid)
    name = f"project-{pid}-job-loop"
    glue = plane_env.client("glue", plane_env.assume("ml-scientist", "bob"))
    glue.create_job(Name=name, **_noncompliant(pid))
    assert poll(lambda: glue.get_job(JobName=name)["Job"]["NumberOfWorkers"] == 50)
    plane_env.drain()
    assert [d.outcome for d in DecisionLog().list(pid)] == ["remediated"]


def test_decisions_cli_lists_the_recorded_decision(plane_env: SandboxHandle, monkeypatch):
    """`glueguard decisions --project UUID --json` finds the table through the stack output."""
    import json

    from typer.testing import CliRunner

    from glueguard_cli.cli import app

    pid = str(uuid.uuid4())
    provisioned_project(plane_env, pid)
    glue = plane_env.client("glue", plane_env.assume("ml-scientist", "carol"))
    glue.create_job(Name=f"project-{pid}-job-cli", **_noncompliant(pid))
    assert poll(lambda: DecisionLog().list(pid))
    monkeypatch.delenv("GLUEGUARD_DECISIONS_TABLE")
    monkeypatch.delenv("GLUEGUARD_PROJECTS_TABLE")
    result = CliRunner().invoke(app, ["decisions", "--project", pid, "--json", "--endpoint-url", plane_env.endpoint])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.output)
    assert [(d["resource_name"], d["outcome"]) for d in listed] == [(f"project-{pid}-job-cli", "remediated")]
