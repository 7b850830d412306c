"""Issue 24 item 4: scientists sign in through IAM Identity Center. Provisioning gives each project a permission
set (the scientist policy as a customer managed policy reference) assigned to the request's `scientistGroups` in
the project's account; `glueguard sandbox credentials` signs a user in; deprovisioning removes both. IAM is
evaluated for every call."""

from __future__ import annotations

import uuid

import pytest
from botocore.exceptions import ClientError

from tests.e2e.conftest import (
    SandboxHandle,
    identity_center_group,
    provisioned_project,
    run_execution,
    scientist_session,
)

pytestmark = pytest.mark.e2e


def _permission_sets(sandbox: SandboxHandle) -> dict[str, str]:
    sso = sandbox.client("sso-admin")
    [instance] = sso.list_instances()["Instances"]
    arns = sso.list_permission_sets(InstanceArn=instance["InstanceArn"])["PermissionSets"]
    described = [sso.describe_permission_set(InstanceArn=instance["InstanceArn"], PermissionSetArn=a) for a in arns]
    return {d["PermissionSet"]["Name"]: d["PermissionSet"]["PermissionSetArn"] for d in described}


def test_a_group_member_signs_in_with_the_projects_permission_set_and_only_that_project(sandbox: SandboxHandle):
    group = identity_center_group(sandbox, f"team-{uuid.uuid4().hex[:6]}")
    project = provisioned_project(sandbox, scientistGroups=[group])
    other = provisioned_project(sandbox)
    sso = sandbox.client("sso-admin")
    [instance] = sso.list_instances()["Instances"]
    arn = project.resources.permission_set_arn
    assert project.resources.scientist_groups == [group]
    references = sso.list_customer_managed_policy_references_in_permission_set(
        InstanceArn=instance["InstanceArn"], PermissionSetArn=arn
    )["CustomerManagedPolicyReferences"]
    assert references == [{"Name": f"{project.names.prefix}-glue-scientist", "Path": "/"}]
    assigned = sso.list_account_assignments(
        InstanceArn=instance["InstanceArn"], AccountId="123456789012", PermissionSetArn=arn
    )["AccountAssignments"]
    assert [(a["PrincipalType"], a["PrincipalId"]) for a in assigned] == [("GROUP", group)]

    creds = scientist_session(sandbox, project, "alice")

    caller = sandbox.client("sts", creds).get_caller_identity()["Arn"]
    role = caller.split(":assumed-role/", 1)[1].split("/")[0]
    assert role.startswith(f"AWSReservedSSO_project-{project.project_id.replace('-', '')[:24]}_")
    assert caller.endswith("/alice")
    iam_role = sandbox.client("iam").get_role(RoleName=role)["Role"]
    assert iam_role["Path"] == "/aws-reserved/sso.amazonaws.com/"
    s3 = sandbox.client("s3", creds)
    s3.put_object(Bucket=project.names.scripts_bucket, Key="ingest.py", Body=b"print(1)")  # the project's: allowed
    with pytest.raises(ClientError) as caught:
        s3.put_object(Bucket=other.names.scripts_bucket, Key="ingest.py", Body=b"print(1)")
    assert caught.value.response["Error"]["Code"] == "AccessDenied"


def test_deprovisioning_removes_the_assignment_the_permission_set_and_the_sign_in(sandbox: SandboxHandle):
    group = identity_center_group(sandbox, f"team-{uuid.uuid4().hex[:6]}")
    project = provisioned_project(sandbox, scientistGroups=[group])
    scientist_session(sandbox, project, "bob")
    name = f"project-{project.project_id.replace('-', '')[:24]}"
    assert name in _permission_sets(sandbox)

    removed = run_execution(
        sandbox, "DeprovisionProjectStateMachineArn", {"projectId": project.project_id, "retainData": False}
    )

    assert removed["status"] == "SUCCEEDED", removed.get("cause")
    assert name not in _permission_sets(sandbox)
    roles = sandbox.client("iam").list_roles(PathPrefix="/aws-reserved/sso.amazonaws.com/")["Roles"]
    assert [r["RoleName"] for r in roles if r["RoleName"].startswith(f"AWSReservedSSO_{name}_")] == []
    with pytest.raises((ValueError, RuntimeError), match=r"no Identity Center permission set|not assigned"):
        scientist_session(sandbox, project, "bob")


def test_a_group_id_that_is_not_one_is_refused_and_changes_nothing(sandbox: SandboxHandle):
    from tests.support.provisioning import request

    pid = str(uuid.uuid4())
    done = run_execution(sandbox, "ProvisionProjectStateMachineArn", request(pid, scientistGroups=["admins; drop"]))
    assert (done["status"], done.get("error")) == ("FAILED", "InvalidRequest")
    assert "scientistGroups" in done.get("cause", "")
    assert f"project-{pid.replace('-', '')[:24]}" not in _permission_sets(sandbox)
