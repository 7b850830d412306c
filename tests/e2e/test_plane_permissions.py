"""The plane under IAM, on a project the deployed state machine provisioned (its buckets are SSE-KMS with the
project key): a save-then-delete remediation writes the saved definition encrypted with that key, which
needs kms:GenerateDataKey on it (S3 user guide, "Specifying server-side encryption with AWS KMS")."""

from __future__ import annotations

import uuid

from tests.e2e.conftest import SandboxHandle, poll, provisioned_project
from tests.support.glue import saved_definitions

ADMIN = "arn:aws:iam::123456789012:role/some-admin-role"


def _gone(call) -> bool:
    try:
        call()
    except Exception as exc:  # EntityNotFoundException
        return "EntityNotFound" in type(exc).__name__
    return False


def test_a_removed_dev_endpoint_is_saved_encrypted_with_the_project_key(plane_env: SandboxHandle):
    pid = str(uuid.uuid4())
    project = provisioned_project(plane_env, pid)
    glue = plane_env.client("glue", plane_env.assume("ml-scientist", "alice"))
    name = f"project-{pid}-devendpoint-alice"
    glue.create_dev_endpoint(EndpointName=name, RoleArn=ADMIN, SubnetId="subnet-0public", SecurityGroupIds=["sg-open"])
    assert poll(lambda: _gone(lambda: glue.get_dev_endpoint(EndpointName=name)), timeout=20), "not removed"
    [saved] = saved_definitions(project, "devendpoint")
    assert saved["replay"]["request"]["EndpointName"] == name
    s3 = plane_env.client("s3")
    bucket = project.bucket("artifacts")
    [listed] = s3.list_objects_v2(Bucket=bucket, Prefix="glueguard/quarantine/devendpoint/")["Contents"]
    head = s3.head_object(Bucket=bucket, Key=listed["Key"])
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == project.resources.kms_key_arn
