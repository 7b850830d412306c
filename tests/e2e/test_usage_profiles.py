"""Issue #12 item 9's 'done when', in the sandbox: with the project's usage profile in place, the scientist's own
StartJobRun with 80 workers is refused by Glue at the call (the scientist's team role carries the profile by its
owner's tag; IAM Identity Center roles cannot carry it: issue 24 item 4, docs/security.md), and a CreateSession with defaults gets the profile's
idle timeout and is kept by the enforcer (it was stopped for Glue's 2,880 min default before)."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError
from glueguard.adapters.decisions import DecisionLog
from glueguard.usage_profiles import profile_name

from glueguard_sandbox.seed import make_job
from tests.e2e.conftest import (
    ACCOUNT,
    SandboxHandle,
    enforcer_log,
    poll,
    provisioned_project,
    session_request,
    trust,
)


def test_the_profile_refuses_80_workers_at_the_call_and_keeps_a_default_session(plane_env: SandboxHandle, events):
    sandbox, pid = plane_env, str(uuid.uuid4())
    project = provisioned_project(sandbox, pid)
    iam = sandbox.client("iam")  # a team role the platform manages: the scientist policy, and its owner's profile tag
    team = f"ml-team-{pid[:8]}"
    role = iam.create_role(RoleName=team, Path="/teams/", AssumeRolePolicyDocument=trust(ACCOUNT))["Role"]["Arn"]
    iam.attach_role_policy(RoleName=team, PolicyArn=project.resources.scientist_policy_arn)
    iam.tag_role(RoleName=team, Tags=[{"Key": "glue:UsageProfile", "Value": profile_name(pid)}])
    credentials = sandbox.client("sts").assume_role(RoleArn=role, RoleSessionName="alice")["Credentials"]
    glue = sandbox.client("glue", credentials)

    job = make_job(project, "train", workers=10, glue=sandbox.client("glue"))
    with pytest.raises(ClientError) as refused:
        glue.start_job_run(JobName=job, WorkerType="G.1X", NumberOfWorkers=80)
    assert refused.value.response["Error"]["Code"] == "InvalidInputException"
    assert profile_name(pid) in refused.value.response["Error"]["Message"]
    assert sandbox.client("glue").get_job_runs(JobName=job)["JobRuns"] == []

    session_id = project.names.resource("session", "notebook")
    created = events.capture(
        {"source": ["aws.glue"], "detail": {"eventName": ["CreateSession"], "requestParameters": {"id": [session_id]}}}
    )
    glue.create_session(**session_request(project, "notebook"))
    assert glue.get_session(Id=session_id)["Session"]["IdleTimeout"] == 60
    [event] = events.receive(created)
    [handled] = poll(lambda: enforcer_log(sandbox, event["body"]["id"], "enforced"), timeout=30)
    assert handled and handled["event_name"] == "CreateSession", handled  # the enforcer judged this very call
    assert (handled["outcome"], handled["violations"]) == ("compliant", []), handled
    assert [d for d in DecisionLog().list(pid) if d.resource_name == session_id] == []
    assert glue.get_session(Id=session_id)["Session"]["Status"] in {"PROVISIONING", "READY"}


def test_a_job_the_enforcer_corrects_keeps_its_usage_profile(plane_env: SandboxHandle):
    """Glue removes a job's usage profile when a caller without one updates it ("Usage profiles and jobs"), and the
    enforcer corrects nearly every new job (job-notify-delay): it updates the job as the job's own profile (a
    `glue:UsageProfile` session tag on the job editor role), so the profile stays, and with it Glue's own check of
    the runs no user starts (triggers, workflows)."""
    sandbox, pid = plane_env, str(uuid.uuid4())
    project = provisioned_project(sandbox, pid)
    team = f"team-{pid[:8]}"  # a team role the platform manages: its owner attaches the policy and tags it
    sandbox.assume(team, "setup", path="/teams/", policy=None)
    iam = sandbox.client("iam")
    iam.attach_role_policy(RoleName=team, PolicyArn=f"arn:aws:iam::{ACCOUNT}:policy/{project.names.scientist_policy}")
    iam.tag_role(RoleName=team, Tags=[{"Key": "glue:UsageProfile", "Value": profile_name(pid)}])
    glue = sandbox.client("glue", sandbox.assume(team, "bob"))
    # as the console creates it: no NotificationProperty, so the enforcer corrects it
    name = make_job(project, "console", glue=glue, NotificationProperty={})
    admin = sandbox.client("glue")
    notified = lambda: (admin.get_job(JobName=name)["Job"].get("NotificationProperty") or {}).get("NotifyDelayAfter")  # noqa: E731
    assert poll(lambda: notified() == 1, timeout=10), "the enforcer did not correct the job"
    assert admin.get_job(JobName=name)["Job"].get("ProfileName") == profile_name(pid)
    [decision] = [d for d in DecisionLog().list(pid) if d.resource_name == name and d.outcome == "remediated"]
    assert [a["as_profile"] for a in decision.actions if a["call"] == "glue:update_job"] == [profile_name(pid)]
