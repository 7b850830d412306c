"""Issue #12 item 9's 'done when', in the sandbox: with the project's usage profile in place, the scientist's own
StartJobRun with 80 workers is refused by Glue at the call, and a CreateSession with defaults gets the profile's
idle timeout and is kept by the enforcer (it was stopped for Glue's 2,880 min default before)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from botocore.exceptions import ClientError
from glueguard.adapters.decisions import DecisionLog
from glueguard.usage_profiles import profile_name

from glueguard_sandbox.seed import make_job
from tests.e2e.conftest import SandboxHandle, poll, provisioned_project


def test_the_profile_refuses_80_workers_at_the_call_and_keeps_a_default_session(plane_env: SandboxHandle):
    sandbox, pid = plane_env, str(uuid.uuid4())
    iam = sandbox.client("iam")
    role = iam.create_role(
        RoleName=f"AWSReservedSSO_Scientist_{pid[:8]}",
        Path="/aws-reserved/sso.amazonaws.com/",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {
                            "AWS": sandbox.client("sts").get_caller_identity()["Arn"].split(":root")[0] + ":root"
                        },
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    project = provisioned_project(sandbox, pid, scientistRoles=[role])
    credentials = sandbox.client("sts").assume_role(RoleArn=role, RoleSessionName="alice")["Credentials"]
    glue = sandbox.client("glue", credentials)

    job = make_job(project, "train", workers=10, glue=sandbox.client("glue"))
    with pytest.raises(ClientError) as refused:
        glue.start_job_run(JobName=job, WorkerType="G.1X", NumberOfWorkers=80)
    assert refused.value.response["Error"]["Code"] == "InvalidInputException"
    assert profile_name(pid) in refused.value.response["Error"]["Message"]
    assert sandbox.client("glue").get_job_runs(JobName=job)["JobRuns"] == []

    session_id = project.names.resource("session", "notebook")
    glue.create_session(
        Id=session_id,
        Role=project.resources.dev_role_arn,
        Command={"Name": "glueetl", "PythonVersion": "3"},
        Connections={"Connections": [project.connection_name]},
        SecurityConfiguration=project.security_configuration,
        Tags=project.mandatory_tags(),
    )
    assert glue.get_session(Id=session_id)["Session"]["IdleTimeout"] == 60
    sandbox.drain()
    time.sleep(0.5)
    decided = poll(lambda: [d for d in DecisionLog().list(pid) if d.resource_name == session_id], timeout=2)
    assert not any(d.outcome == "stopped" for d in decided or []), decided
    assert glue.get_session(Id=session_id)["Session"]["Status"] in {"PROVISIONING", "READY"}
