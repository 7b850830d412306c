"""Issue 23 part 2, "ways around it": each attack from the attacker's own credentials, IAM evaluated, beside the
legitimate use that must keep working (docs/security.md, rows 10-19)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.e2e.conftest import (
    ACCOUNT,
    POLICY_CACHE_SECONDS,
    SandboxHandle,
    job_definition,
    poll,
    provisioned_project,
    scientist_session,
    session_request,
    trust,
)
from tests.support.denials import denied

PROJECT_ROLES = ("job", "crawler", "dev")


@pytest.fixture(scope="module")
def project(sandbox: SandboxHandle) -> Any:
    project = provisioned_project(sandbox)
    sandbox.client("glue").create_job(**job_definition(project, "etl"))
    return project


def role_session(sandbox: SandboxHandle, project: Any, purpose: str) -> dict[str, str]:
    """The session Glue gets for one of the project's roles (a job run, a crawler, a dev endpoint)."""
    return sandbox.service_session(f"arn:aws:iam::123456789012:role/{project.names.role(purpose)}")


@pytest.mark.parametrize("purpose", PROJECT_ROLES)
def test_no_project_role_forges_or_erases_the_planes_records(sandbox: SandboxHandle, project: Any, purpose: str):
    """The plane saves definitions (and the provisioner what it removed) under `glueguard/` in the artifacts bucket:
    job code, a crawler or a dev endpoint may write the project's own outputs there, never the plane's records."""
    bucket = project.names.bucket("artifacts")
    record = f"glueguard/quarantine/job/{project.names.resource('job', 'etl')}/saved.json"
    sandbox.client("s3").put_object(Bucket=bucket, Key=record, Body=b'{"savedBy": "glueguard"}')
    s3 = sandbox.client("s3", role_session(sandbox, project, purpose))
    s3.put_object(Bucket=bucket, Key=f"out/{purpose}/part-0", Body=b"x")  # its own output: allowed
    assert s3.get_object(Bucket=bucket, Key=record)["Body"].read() == b'{"savedBy": "glueguard"}'  # readable
    denied(s3.put_object, Bucket=bucket, Key=record, Body=b'{"forged": true}', because="s3:PutObject")
    denied(s3.put_object, Bucket=bucket, Key="glueguard/reports/fake.json", Body=b"{}", because="s3:PutObject")
    denied(s3.delete_object, Bucket=bucket, Key=record, because="s3:DeleteObject")
    admin = sandbox.client("s3")
    assert admin.get_object(Bucket=bucket, Key=record)["Body"].read() == b'{"savedBy": "glueguard"}'


def test_job_code_cannot_rewrite_its_own_job(sandbox: SandboxHandle, project: Any):
    """Job code runs as the job role: it reads its job and its runs, never rewrites the definition (e.g. out of the
    project's network). glue:UpdateJob is no longer granted to any project role (nor allowed by their boundary),
    so the call is refused on the action itself, not only for want of iam:PassRole."""
    glue = sandbox.client("glue", role_session(sandbox, project, "job"))
    name = project.names.resource("job", "etl")
    job = glue.get_job(JobName=name)["Job"]  # what a job reads about itself: allowed
    assert job["Name"] == name
    outside = {
        "Role": job["Role"],
        "Command": job["Command"],
        "GlueVersion": "4.0",
        "WorkerType": "G.1X",
        "NumberOfWorkers": 2,
        "Timeout": 60,
    }  # the same job, without the project's network connection
    denied(glue.update_job, JobName=name, JobUpdate=outside, because="glue:UpdateJob")
    connections = sandbox.client("glue").get_job(JobName=name)["Job"]["Connections"]["Connections"]
    assert connections == [project.connection_name]


KAFKA_SECRETS = {
    "KAFKA_SASL_SCRAM_PASSWORD": "scram-s3cr3t",
    "KAFKA_SASL_PLAIN_PASSWORD": "plain-s3cr3t",
    "KAFKA_CLIENT_KEYSTORE_PASSWORD": "keystore-s3cr3t",
    "KAFKA_CLIENT_KEY_PASSWORD": "key-s3cr3t",
    "ENCRYPTED_KAFKA_SASL_SCRAM_PASSWORD": "encrypted-s3cr3t",
}


def test_a_saved_connection_keeps_no_secret_for_the_projects_principals(sandbox: SandboxHandle, project: Any):
    """A principal of another project creates a Kafka connection in this project (its passwords set): the enforcer
    saves the definition into this project's artifacts bucket, then removes it. Job code of the project (the
    attacker, its job role's own session) reads the saved definition: every password is `***`, the rest is kept."""
    other = provisioned_project(sandbox)
    creator = sandbox.assume(f"{other.names.prefix}-glue-admin", "creator")
    name = project.names.resource("connection", "kafka")
    properties = {
        "KAFKA_BOOTSTRAP_SERVERS": "b-1.example.com:9096",
        "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
        **KAFKA_SECRETS,
    }
    sandbox.client("glue", creator).create_connection(
        ConnectionInput={"Name": name, "ConnectionType": "KAFKA", "ConnectionProperties": properties}
    )
    bucket = project.names.bucket("artifacts")
    s3 = sandbox.client("s3", role_session(sandbox, project, "job"))
    prefix = f"glueguard/quarantine/connection/{name}/"
    saved = poll(lambda: s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents"), timeout=20)
    assert saved, "the connection was not saved"
    text = s3.get_object(Bucket=bucket, Key=saved[0]["Key"])["Body"].read().decode()
    assert not [secret for secret in KAFKA_SECRETS.values() if secret in text]
    kept = json.loads(text)["definition"]["ConnectionProperties"]
    assert kept == {**properties, **dict.fromkeys(KAFKA_SECRETS, "***")}
    assert poll(lambda: name not in [c["Name"] for c in sandbox.client("glue").get_connections()["ConnectionList"]])


def scientist(sandbox: SandboxHandle, project: Any, name: str) -> dict[str, str]:
    """A team role of the project's scientists (the scientist policy attached), assumed by `name`."""
    iam, role = sandbox.client("iam"), f"scientists-{project.project_id[:8]}"
    try:
        arn = iam.get_role(RoleName=role)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        arn = iam.create_role(RoleName=role, Path="/teams/", AssumeRolePolicyDocument=trust(ACCOUNT))["Role"]["Arn"]
        iam.attach_role_policy(RoleName=role, PolicyArn=project.resources.scientist_policy_arn)
    return sandbox.client("sts").assume_role(RoleArn=arn, RoleSessionName=name)["Credentials"]


def open_session(glue: Any, project: Any, stem: str) -> str:
    """An interactive session of `project` within the caps (a 60 min idle timeout)."""
    glue.create_session(**session_request(project, stem, IdleTimeout=60))
    return project.names.resource("session", stem)


def test_a_session_deleted_mid_sweep_does_not_blind_the_sweep_for_other_projects(sandbox: SandboxHandle, project):
    """A's scientist deletes its own session between the run guard's ListSessions and its GetSession (the listing's
    answer is held at a barrier until A's DeleteSession has run): the sweep still stops B's session, idle past the
    cap. On main the EntityNotFoundException aborted the sweep for every project (and the dev-endpoint sweep)."""
    attacker = sandbox.client("glue", scientist(sandbox, project, "mallory"))
    decoy = open_session(attacker, project, "decoy")
    other = provisioned_project(sandbox)
    admin = sandbox.client("glue")
    victim = open_session(admin, other, "notebook")  # B's own session, legitimately open, soon idle too long
    listed = admin.list_sessions()["Ids"]
    assert listed.index(decoy) < listed.index(victim)  # the sweep meets the attacker's session first
    sandbox.drain()
    assert admin.get_session(Id=victim)["Session"]["Status"] == "READY"
    sandbox.post("faults", {"service": "glue", "operation": "ListSessions", "barrier": 2, "waitSeconds": 15})
    try:
        sandbox.post("tick", {"seconds": 61 * 60})  # an hour and a minute idle: over the 60 min idle cap
        held = poll(lambda: any(f["arrived"] for f in sandbox.get("faults")["faults"]), timeout=60)
        assert held, "the run guard's schedule never listed the sessions"
        attacker.delete_session(Id=decoy)  # inside the window: listed, then gone
        sandbox.drain()
    finally:
        sandbox.post("faults", {"clear": True})
    assert admin.get_session(Id=victim)["Session"]["Status"] in ("STOPPING", "STOPPED")


ADMIN_DOCUMENT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)


def test_the_provisioner_attaches_nothing_to_sso_roles(sandbox: SandboxHandle, project):
    """A compromised provisioner (its own role's session) writes an administrator document under a name that looks
    like a scientist policy and attaches it, or even a project's scientist policy, to an Identity Center role:
    refused. Identity Center gives its roles their policies (the project's permission set, issue 24 item 4); the
    provisioner has no grant on `role/aws-reserved/*` at all, and IAM itself refuses writes to those roles."""
    awslambda, iam = sandbox.client("lambda"), sandbox.client("iam")
    role_arn = awslambda.get_function_configuration(FunctionName=sandbox.physical("ProvisionerFunction"))["Role"]
    provisioner = sandbox.client("iam", sandbox.service_session(role_arn, "lambda.amazonaws.com"))
    scientist = scientist_session(sandbox, project, "carol")  # its permission set's role, as Identity Center made it
    sso = sandbox.client("sts", scientist).get_caller_identity()["Arn"].split(":assumed-role/", 1)[1].split("/")[0]
    forged = provisioner.create_policy(PolicyName="project-admin-glue-scientist", PolicyDocument=ADMIN_DOCUMENT)
    for policy_arn in (forged["Policy"]["Arn"], project.resources.scientist_policy_arn):
        denied(provisioner.attach_role_policy, RoleName=sso, PolicyArn=policy_arn, because="iam:AttachRolePolicy")
    with pytest.raises(ClientError) as caught:  # not even the account's administrator may
        iam.attach_role_policy(RoleName=sso, PolicyArn=forged["Policy"]["Arn"])
    assert caught.value.response["Error"]["Code"] == "UnmodifiableEntity"


def ledger_names(sandbox: SandboxHandle, project: Any) -> set[str]:
    """What the project's DPU ledger holds (entry ids), read from the deployed table."""
    from glueguard.adapters.clients import reset_clients
    from glueguard.adapters.ledger import Ledger

    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ENDPOINT_URL", sandbox.endpoint)
        reset_clients()
        entries = Ledger(sandbox.outputs["RunLedgerTableName"]).entries(project.project_id)
    reset_clients()
    return {e.entry_id for e in entries}


def test_a_session_whose_request_cloudtrail_omits_enters_the_ledger_on_the_schedule(sandbox: SandboxHandle, project):
    """A's scientist pads CreateSession past 100 KB (default arguments): CloudTrail records neither its request nor
    its response, so the event names no session and the run guard cannot admit it then. The schedule lists the
    sessions and admits it: its DPU counts against the project's cap like any session's."""
    glue = sandbox.client("glue", scientist(sandbox, project, "mallory"))
    padding = {f"--note-{i}": "x" * 4000 for i in range(30)}  # ~120 KB of arguments
    glue.create_session(**session_request(project, "padded", IdleTimeout=60, DefaultArguments=padding))
    plain = open_session(glue, project, "plain")  # the legitimate use: admitted from its CreateSession event
    padded = project.names.resource("session", "padded")
    sandbox.drain()
    assert plain in ledger_names(sandbox, project)
    sandbox.post("tick", {"seconds": 300})  # the run guard's schedule (rate(5 minutes))
    sandbox.drain()
    assert {plain, padded} <= ledger_names(sandbox, project)


def test_one_project_cannot_exhaust_the_accounts_glue_quotas(plane_env: SandboxHandle):
    """Glue's job quota is the account's: a project's scientist creating job after job would leave none for the other
    projects. With the project's quota at 2 (a per-project policy override), its third job is saved and removed by
    the enforcer; the first two stay. A creation that brings the account near Glue's quota is reported."""
    from glueguard.adapters.decisions import DecisionLog
    from typer.testing import CliRunner

    from glueguard_cli.cli import app

    project = provisioned_project(plane_env)
    settings = ["max_jobs_per_project=2", "account_jobs_quota=1"]  # any creation is near a quota of one job
    override = ["policy", "override", "--project", project.project_id, *(a for s in settings for a in ("--set", s))]
    result = CliRunner().invoke(app, [*override, "--endpoint-url", plane_env.endpoint])
    assert result.exit_code == 0, result.output
    time.sleep(POLICY_CACHE_SECONDS + 1)  # the functions read the registry afresh
    glue = plane_env.client("glue", scientist(plane_env, project, "quentin"))
    names = [glue.create_job(**job_definition(project, stem))["Name"] for stem in ("one", "two", "three")]
    plane_env.drain()
    admin = plane_env.client("glue")

    def standing() -> list[str]:  # GetJob each (ListJobs pages: the worker's sandbox holds earlier tests' jobs)
        return [n for n in names if _job_exists(admin, n)]

    kept = poll(lambda: standing() == names[:2], timeout=20)
    assert kept, standing()
    decisions = {d.resource_name: d for d in DecisionLog().list(project.project_id)}
    assert decisions[names[2]].outcome == "deleted"
    assert {v["rule"] for v in decisions[names[2]].violations} >= {"project-quota", "account-quota-near"}
    first = {v["rule"] for v in decisions[names[0]].violations}
    assert "account-quota-near" in first and "project-quota" not in first
    saved = plane_env.client("s3").list_objects_v2(
        Bucket=project.names.bucket("artifacts"), Prefix=f"glueguard/quarantine/job/{names[2]}/"
    )
    assert saved.get("KeyCount") == 1


def _job_exists(glue: Any, name: str) -> bool:
    try:
        glue.get_job(JobName=name)
    except glue.exceptions.EntityNotFoundException:
        return False
    return True
