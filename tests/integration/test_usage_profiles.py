"""Issue #12 item 9: a Glue usage profile per project, applied by Glue at the call (emulator: glue/profiles.py).

Provisioning creates the profile from the policy; a team role the platform manages carries it by its owner's tag
(IAM Identity Center roles cannot be tagged: issue 24 item 4); the scientist's own calls then meet it: defaults at CreateSession/CreateJob (ProfileName saved on the job), StartJobRun refused outside its
limits, and runs no user started (a trigger's) judged against the job's profile.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from glueguard.adapters.registry import Registry
from glueguard.policy.settings import Policy
from glueguard.usage_profiles import configuration, profile_name

from tests.support.provisioning import provision, request

PID = "0c0c0c0c-1111-4222-8333-cccccccccccc"
ACCOUNT = "123456789012"
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
)


def _client(service: str, credentials: dict) -> object:
    return boto3.client(
        service,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


@pytest.fixture
def scientist(aws):
    result = provision(request(project_id=PID), execution_id="exec-profiles")
    assert result["status"] == "SUCCEEDED", result
    project = Registry().get(PID, cached=False)
    iam = boto3.client("iam")  # a team role the platform manages: the policy attached, the profile tagged by its owner
    role = iam.create_role(RoleName="ml-scientists-team-a", Path="/teams/", AssumeRolePolicyDocument=TRUST)["Role"]
    iam.attach_role_policy(RoleName=role["RoleName"], PolicyArn=project.resources.scientist_policy_arn)
    iam.tag_role(RoleName=role["RoleName"], Tags=[{"Key": "glue:UsageProfile", "Value": profile_name(PID)}])
    credentials = boto3.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="alice")["Credentials"]
    return project, _client("glue", credentials)


def _job(project, stem: str, **fields) -> dict:
    return {
        "Name": project.names.resource("job", stem),
        "Role": project.resources.job_role_arn,
        "Command": {"Name": "glueetl", "ScriptLocation": f"s3://{project.names.scripts_bucket}/{stem}.py"},
        "Connections": {"Connections": [project.connection_name]},
        "GlueVersion": "4.0",
        **fields,
    }


@pytest.mark.usefixtures("scientist")
def test_provisioning_creates_the_profile_from_the_policy_and_tags_no_role():
    profile = boto3.client("glue").get_usage_profile(Name=profile_name(PID))
    assert profile["Configuration"] == configuration(Policy())
    roles = boto3.client("iam").list_roles()["Roles"]
    tagged = [
        r["RoleName"]
        for r in roles
        if "glue:UsageProfile" in str(boto3.client("iam").list_role_tags(RoleName=r["RoleName"]))
    ]
    assert tagged == ["ml-scientists-team-a"]  # its owner's tag only


def test_a_session_with_defaults_gets_the_profiles_idle_timeout(scientist):
    project, glue = scientist
    session_id = project.names.resource("session", "notebook")
    glue.create_session(
        Id=session_id,
        Role=project.resources.dev_role_arn,
        Command={"Name": "glueetl", "PythonVersion": "3"},
        Connections={"Connections": [project.connection_name]},
    )
    session = glue.get_session(Id=session_id)["Session"]
    assert session["IdleTimeout"] == Policy().session_idle_timeout_max_minutes  # 60, not Glue's 2880
    assert (session["WorkerType"], session["NumberOfWorkers"]) == ("G.1X", 5)
    assert session["ProfileName"] == profile_name(PID)


def test_start_job_run_outside_the_profile_is_refused_at_the_call(scientist):
    project, glue = scientist
    glue.create_job(**_job(project, "ingest"))
    job = boto3.client("glue").get_job(JobName=project.names.resource("job", "ingest"))["Job"]
    assert (job["WorkerType"], job["NumberOfWorkers"], job["Timeout"]) == ("G.1X", 2, 120)  # the profile's defaults
    assert job["ProfileName"] == profile_name(PID)

    with pytest.raises(ClientError) as refused:
        glue.start_job_run(JobName=job["Name"], WorkerType="G.1X", NumberOfWorkers=80)
    assert refused.value.response["Error"]["Code"] == "InvalidInputException"
    assert "numberOfWorkers 80 is above the usage profile's maximum of 50" in refused.value.response["Error"]["Message"]
    assert boto3.client("glue").get_job_runs(JobName=job["Name"])["JobRuns"] == []
    assert glue.start_job_run(JobName=job["Name"], NumberOfWorkers=50)["JobRunId"]  # within the profile: runs


def test_a_job_created_outside_the_profile_is_refused(scientist):
    project, glue = scientist
    with pytest.raises(ClientError) as refused:
        glue.create_job(**_job(project, "huge", WorkerType="G.1X", NumberOfWorkers=80))
    assert refused.value.response["Error"]["Code"] == "InvalidInputException"


def test_a_run_no_user_started_is_judged_against_the_jobs_profile(scientist):
    """Runs triggers and workflows start have no caller: the profile saved on the job governs them."""
    from moto.glue.models import glue_backends

    from glueguard_sandbox.emulator.glue.profiles import check_run

    project, glue = scientist
    glue.create_job(**_job(project, "nightly"))
    backend = glue_backends[ACCOUNT]["us-east-1"]
    job = backend.jobs[project.names.resource("job", "nightly")]
    check_run(backend, job, {"number_of_workers": 50})  # within: nothing raised
    with pytest.raises(Exception, match="above the usage profile's maximum of 50"):
        check_run(backend, job, {"number_of_workers": 80})


def test_an_update_by_a_caller_without_a_profile_removes_the_jobs_profile_a_session_tag_keeps_it(scientist):
    """Glue developer guide, "Usage profiles and jobs": "If the author isn't assigned a usage profile, any profile
    previously attached to the job will be removed from it"; a `glue:UsageProfile` session tag assigns a profile as
    a role tag does (and overrides the role's: IAM user guide, "Pass session tags in AWS STS")."""
    project, glue = scientist
    job = _job(project, "corrected", NumberOfWorkers=10, WorkerType="G.1X")
    glue.create_job(**job)
    admin = boto3.client("glue")  # the account's root: no profile
    update = {k: v for k, v in job.items() if k != "Name"}
    assert admin.get_job(JobName=job["Name"])["Job"]["ProfileName"] == profile_name(PID)

    admin.update_job(JobName=job["Name"], JobUpdate=update)
    assert "ProfileName" not in admin.get_job(JobName=job["Name"])["Job"]

    iam = boto3.client("iam")
    editor = iam.create_role(
        RoleName="editor",
        AssumeRolePolicyDocument=TRUST,
        Tags=[{"Key": "glue:UsageProfile", "Value": "another-profile"}],
    )["Role"]["Arn"]
    tagged = boto3.client("sts").assume_role(
        RoleArn=editor, RoleSessionName="fix", Tags=[{"Key": "glue:UsageProfile", "Value": profile_name(PID)}]
    )["Credentials"]
    _client("glue", tagged).update_job(JobName=job["Name"], JobUpdate=update)
    assert admin.get_job(JobName=job["Name"])["Job"]["ProfileName"] == profile_name(
        PID
    )  # the session's, not the role's
