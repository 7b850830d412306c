"""What Prowler found on the plane's own resources and the template now holds (issue 23 part 3): cheap checks in
`make test`, since Prowler itself runs only in `make scan`."""

from __future__ import annotations

from tests.support.stack import template


def _resources() -> dict:
    return template()["Resources"]


def test_the_alarms_topic_is_encrypted_with_a_key_cloudwatch_alarms_of_this_account_may_use():
    resources = _resources()
    assert resources["AlarmsTopic"]["Properties"]["KmsMasterKeyId"] == {"Ref": "AlarmsKey"}
    key = resources["AlarmsKey"]["Properties"]
    assert key["EnableKeyRotation"] is True
    [alarms] = [
        s for s in key["KeyPolicy"]["Statement"] if s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert sorted(alarms["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    assert alarms["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


def test_every_table_keeps_point_in_time_recovery():
    tables = {k: r for k, r in _resources().items() if r["Type"] == "AWS::DynamoDB::Table"}
    assert tables
    for name, table in tables.items():
        assert table["Properties"]["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, name


def test_the_reports_bucket_is_versioned_private_owner_enforced_and_tls_only():
    resources = _resources()
    bucket = resources["ReportsBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    policy = resources["ReportsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert {"Bool": {"aws:SecureTransport": "false"}} in [s.get("Condition") for s in policy if s["Effect"] == "Deny"]
