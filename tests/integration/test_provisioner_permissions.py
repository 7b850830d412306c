"""ProvisionerRole (template.yaml) allows every AWS action the provisioner really calls: the calls of a
provisioning, its idempotent re-run, a compensated failure, a removal and a purge are recorded at the
botocore boundary and mapped to IAM actions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from fnmatch import fnmatchcase
from typing import Any

import boto3
from botocore.client import BaseClient
from glueguard.handlers.provisioner import dispatch
from glueguard.provisioning.policies import PROVISIONER_KEY_ACTIONS
from glueguard.provisioning.steps import ORDER

from tests.support.provisioning import PROJECT_ID, deprovision, fail_at, provision, request
from tests.support.stack import policy_document, template

#: API operations whose IAM action has another name (Service Authorization Reference).
IAM_ACTION = {
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "DeleteObjects"): "s3:DeleteObject",
    ("s3", "ListObjectVersions"): "s3:ListBucketVersions",
    ("s3", "ListMultipartUploads"): "s3:ListBucketMultipartUploads",
    ("s3", "PutBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "PutBucketLifecycleConfiguration"): "s3:PutLifecycleConfiguration",
    ("s3", "PutBucketNotificationConfiguration"): "s3:PutBucketNotification",
    ("s3", "PutPublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("budgets", "CreateBudget"): "budgets:ModifyBudget",
    ("budgets", "UpdateBudget"): "budgets:ModifyBudget",
    ("budgets", "DeleteBudget"): "budgets:ModifyBudget",
    ("budgets", "CreateNotification"): "budgets:ModifyBudget",
    ("budgets", "DescribeBudget"): "budgets:ViewBudget",
    ("budgets", "DescribeNotificationsForBudget"): "budgets:ViewBudget",
    ("resourcegroupstaggingapi", "GetResources"): "tag:GetResources",
}
#: botocore service names whose IAM prefix differs (Service Authorization Reference).
IAM_PREFIX = {"sso-admin": "sso"}
#: Calls IAM does not authorise.
UNAUTHORISED = {("sts", "GetCallerIdentity")}
#: Calls made by the test itself (scientist workloads to remove), not by the provisioner.
TEST_CALLS = {("glue", "CreateJob")}


@contextmanager
def recorded() -> Iterator[set[tuple[str, str]]]:
    """Every (service, operation) any botocore client calls meanwhile, whichever session made it."""
    calls: set[tuple[str, str]] = set()
    original = BaseClient._make_api_call

    def record(self: BaseClient, operation_name: str, api_params: Any) -> Any:
        calls.add((self.meta.service_model.service_name, operation_name))
        return original(self, operation_name, api_params)

    BaseClient._make_api_call = record  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


def _actions(statements: list[dict[str, Any]]) -> set[str]:
    groups = (
        s["Action"] if isinstance(s["Action"], list) else [s["Action"]] for s in statements if s["Effect"] == "Allow"
    )
    return {action for group in groups for action in group}


def _allowed_actions() -> set[str]:
    """The role's own policy, plus what the key policy of a key it created gives it (and nothing in IAM does)."""
    statements = template()["Resources"]["ProvisionerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    return _actions(statements) | set(PROVISIONER_KEY_ACTIONS)


def _within_boundary(action: str) -> bool:
    boundary = policy_document("ProvisionerBoundary", {"ProjectRoleBoundary": "arn:aws:iam::123456789012:policy/b"})
    return any(fnmatchcase(action, pattern) for pattern in _actions(boundary["Statement"]))


def test_provisioner_role_allows_every_call_the_provisioner_makes(aws):
    with recorded() as calls:
        with fail_at("cloudwatch", "PutMetricAlarm"):
            assert provision(request())["status"] == "FAILED"  # every step created, then compensated
        assert provision(request(), execution_id="exec-2")["status"] == "SUCCEEDED"
        normalized = dispatch({"action": "validate", "request": request()})
        for step in ORDER:  # the re-run of every step after a crash
            dispatch({"action": "create", "step": step, "request": normalized})
        boto3.client("glue").create_job(
            Name=f"project-{PROJECT_ID}-job-x", Role="r", Command={"Name": "glueetl", "ScriptLocation": "s3://b/k"}
        )
        deprovision(PROJECT_ID)
        deprovision(PROJECT_ID, retain_data=False)
    needed = {
        IAM_ACTION.get(call, f"{IAM_PREFIX.get(call[0], call[0])}:{call[1]}")
        for call in calls - UNAUTHORISED - TEST_CALLS
    }
    missing = sorted(needed - _allowed_actions())
    assert not missing, f"ProvisionerRole lacks {missing}"
    assert [a for a in sorted(needed) if not _within_boundary(a)] == []
    assert len(needed) > 80
