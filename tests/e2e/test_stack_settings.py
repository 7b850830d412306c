"""What template.yaml sets on its buckets and tables is what the deployed sandbox holds (issue 23 part 3): moto's
CloudFormation dropped the reports bucket's versioning, Block Public Access, ownership, lifecycle and bucket policy and
the tables' point-in-time recovery, so Prowler reported the plane for settings its template does make."""

from __future__ import annotations

import json

from tests.e2e.conftest import SandboxHandle


def test_the_reports_bucket_is_deployed_versioned_private_owner_enforced_expiring_and_tls_only(sandbox: SandboxHandle):
    s3, bucket = sandbox.client("s3"), sandbox.outputs["ReportsBucketName"]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        k: True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]
    assert ownership == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    [rule] = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert (rule["Expiration"]["Days"], rule["Status"]) == (400, "Enabled")
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    denials = [s["Condition"] for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert {"Bool": {"aws:SecureTransport": "false"}} in denials


def test_every_table_is_deployed_with_point_in_time_recovery(sandbox: SandboxHandle):
    dynamodb = sandbox.client("dynamodb")
    tables = [t for t in dynamodb.list_tables()["TableNames"] if t.startswith("glueguard-")]
    assert len(tables) >= 4
    for table in tables:
        backups = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
        assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED", table
