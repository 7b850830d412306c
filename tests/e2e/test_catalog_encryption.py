"""The account's Data Catalog encryption (issue 26 item 3), IAM evaluated: the deployed stack encrypts metadata and
connection passwords with the plane's key; a principal who turns it off finds it restored by the compliance sweep;
a scientist may neither change it nor use the catalog key outside Glue."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.e2e.conftest import ACCOUNT, SandboxHandle, provisioned_project, trust
from tests.support.denials import denied

OFF = {
    "EncryptionAtRest": {"CatalogEncryptionMode": "DISABLED"},
    "ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": False},
}


def _settings(sandbox: SandboxHandle) -> dict:
    return sandbox.client("glue").get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"]


def _plane_settings(key: str) -> dict:
    return {
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": key},
        "ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": True, "AwsKmsKeyId": key},
    }


@pytest.fixture(scope="module")
def project(sandbox: SandboxHandle):
    return provisioned_project(sandbox)


def _team_scientist(sandbox: SandboxHandle, project) -> dict[str, str]:
    """A team role (not an Identity Center one) with the project's scientist policy: its session's credentials."""
    role = f"catalog-scientist-{project.project_id[:8]}"
    iam = sandbox.client("iam")
    iam.create_role(RoleName=role, Path="/teams/", AssumeRolePolicyDocument=trust(ACCOUNT))
    iam.attach_role_policy(RoleName=role, PolicyArn=project.resources.scientist_policy_arn)
    arn = f"arn:aws:iam::{ACCOUNT}:role/teams/{role}"
    return sandbox.client("sts").assume_role(RoleArn=arn, RoleSessionName="carol")["Credentials"]


def test_the_deployed_stack_encrypts_the_catalog_with_the_planes_key(sandbox: SandboxHandle):
    key = sandbox.outputs["CatalogKeyArn"]
    assert _settings(sandbox) == _plane_settings(key)
    metadata = sandbox.client("kms").describe_key(KeyId=key)["KeyMetadata"]
    assert metadata["KeyManager"] == "CUSTOMER" and metadata["Enabled"]
    assert sandbox.client("kms").get_key_rotation_status(KeyId=key)["KeyRotationEnabled"]


def test_catalog_encryption_turned_off_is_restored_by_the_sweep(sandbox: SandboxHandle, project):
    key = sandbox.outputs["CatalogKeyArn"]
    admin = sandbox.assume("catalog-admin", "mallory")  # glue:* (GLUE_POWER_USER): IAM lets it turn encryption off
    sandbox.client("glue", admin).put_data_catalog_encryption_settings(DataCatalogEncryptionSettings=OFF)
    assert _settings(sandbox)["EncryptionAtRest"]["CatalogEncryptionMode"] == "DISABLED"

    run = f"e2e-{uuid.uuid4()}"
    response = sandbox.sweep({"id": run, "source": "aws.events", "detail-type": "Scheduled Event"})
    summary = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, summary

    assert _settings(sandbox) == _plane_settings(key)
    decisions = sandbox.client("dynamodb").scan(TableName=sandbox.outputs["DecisionsTableName"])["Items"]
    [made] = [
        d
        for d in decisions
        if d.get("event_id", {}).get("S") == f"sweep-{run}" and d["resource_kind"]["S"] == "catalog"
    ]
    assert made["resource_name"]["S"] == ACCOUNT and made["outcome"]["S"] == "remediated"
    assert "metadata encryption is DISABLED" in made["reason"]["S"]
    assert "connection passwords are returned unencrypted" in made["reason"]["S"]

    # a second sweep finds nothing to restore, and records nothing
    again = f"e2e-{uuid.uuid4()}"
    sandbox.sweep({"id": again, "source": "aws.events", "detail-type": "Scheduled Event"})
    decisions = sandbox.client("dynamodb").scan(TableName=sandbox.outputs["DecisionsTableName"])["Items"]
    assert not [
        d
        for d in decisions
        if d.get("event_id", {}).get("S") == f"sweep-{again}" and d["resource_kind"]["S"] == "catalog"
    ]


def test_a_scientist_cannot_change_catalog_encryption_nor_use_its_key_outside_glue(sandbox: SandboxHandle, project):
    key = sandbox.outputs["CatalogKeyArn"]
    scientist = _team_scientist(sandbox, project)
    glue = sandbox.client("glue", scientist)
    denied(
        glue.put_data_catalog_encryption_settings,
        DataCatalogEncryptionSettings=OFF,
        because="glue:PutDataCatalogEncryptionSettings",
    )
    kms = sandbox.client("kms", scientist)
    denied(kms.generate_data_key, KeyId=key, KeySpec="AES_256", because="kms:GenerateDataKey")
    denied(kms.decrypt, CiphertextBlob=b"x" * 64, KeyId=key, because="kms:Decrypt")
    # what it needs keeps working: its own catalog database, and the key only through Glue (its policy says so)
    assert glue.get_database(Name=project.names.database)["Database"]["Name"] == project.names.database
    policy = sandbox.client("iam").get_policy(PolicyArn=project.resources.scientist_policy_arn)["Policy"]
    document = sandbox.client("iam").get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])[
        "PolicyVersion"
    ]["Document"]
    document = json.loads(document) if isinstance(document, str) else document
    [grant] = [s for s in document["Statement"] if s.get("Sid") == "CatalogKeyThroughGlue"]
    assert grant["Resource"] == [key] and sorted(grant["Action"]) == [
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:GenerateDataKey",
    ]
    assert grant["Condition"] == {"StringEquals": {"kms:ViaService": "glue.us-east-1.amazonaws.com"}}


def test_a_job_role_gets_the_catalog_key_only_through_glue(sandbox: SandboxHandle, project):
    key = sandbox.outputs["CatalogKeyArn"]
    job_role = sandbox.service_session(project.resources.job_role_arn)
    denied(
        sandbox.client("kms", job_role).generate_data_key, KeyId=key, KeySpec="AES_256", because="kms:GenerateDataKey"
    )
    assert sandbox.client("glue", job_role).get_database(Name=project.names.database)["Database"]
