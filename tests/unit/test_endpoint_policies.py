"""Exfiltration through the project's S3 endpoint (issue 23): the endpoint policy, decided by the sandbox's IAM
evaluator (differential-tested against an independent engine), lets through this account's principals to the
project's buckets and this account's Glue asset buckets; never an anonymous request, nor a bucket of a matching
name in another account."""

from __future__ import annotations

import pytest
from glueguard.provisioning.policies import Scope, endpoint_policy

from glueguard_sandbox.emulator.iam.policy import Policies, Principal, Request, evaluate

PID = "6a1f4c2e-9b3d-4e5f-8a7b-0c1d2e3f4a5b"
ACCOUNT, OUTSIDER = "123456789012", "210987654321"
SCOPE = Scope(PID, ACCOUNT, "us-east-1")
JOB = Principal(
    f"arn:aws:sts::{ACCOUNT}:assumed-role/project-{PID}-glue-job-role/GLUE-session",
    ACCOUNT,
    "AssumedRole",
    f"arn:aws:iam::{ACCOUNT}:role/project-{PID}-glue-job-role",
)
ANONYMOUS = Principal("*", "", "Anonymous")
STRANGER = Principal(f"arn:aws:sts::{OUTSIDER}:assumed-role/thief/s", OUTSIDER, "AssumedRole", "")
EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
PUBLIC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}],
}


def through_endpoint(principal: Principal, action: str, resource: str, owner: str) -> bool:
    """Whether the project's S3 endpoint lets the request through when everything else allows it: the caller's own
    policies and the bucket's (a public bucket, for an anonymous request). Only the endpoint policy decides."""
    context = {"aws:ResourceAccount": [owner]}
    if principal.kind != "Anonymous":
        context["aws:PrincipalAccount"] = [principal.account]
    # evaluated as within one account, so that neither side's grant is what refuses it
    caller = Principal(principal.arn, owner, principal.kind, principal.issuer)
    request = Request(caller, action, resource, context, owner)
    return evaluate(request, Policies([EVERYTHING], None, PUBLIC, endpoint=endpoint_policy(SCOPE, "s3"))).allowed


@pytest.mark.parametrize(
    ("principal", "action", "resource", "owner"),
    [
        (ANONYMOUS, "s3:GetObject", "arn:aws:s3:::aws-glue-drop/stolen-rows-in-the-key", OUTSIDER),
        (ANONYMOUS, "s3:ListBucket", "arn:aws:s3:::aws-glue-drop", OUTSIDER),
        (JOB, "s3:GetObject", "arn:aws:s3:::aws-glue-drop/stolen-rows-in-the-key", OUTSIDER),
        (ANONYMOUS, "s3:GetObject", f"arn:aws:s3:::project-{PID}-glue-artifacts/out/part-0", ACCOUNT),
        (STRANGER, "s3:PutObject", f"arn:aws:s3:::project-{PID}-glue-artifacts/in", ACCOUNT),
    ],
    ids=["anonymous-get-outside", "anonymous-list-outside", "job-get-outside", "anonymous-project", "stranger"],
)
def test_the_s3_endpoint_refuses_anonymous_and_outside_asset_buckets(principal, action, resource, owner):
    assert not through_endpoint(principal, action, resource, owner)


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:PutObject", f"arn:aws:s3:::project-{PID}-glue-artifacts/out/part-0"),
        ("s3:GetObject", f"arn:aws:s3:::project-{PID}-glue-scripts/etl.py"),
        ("s3:GetObject", f"arn:aws:s3:::aws-glue-assets-{ACCOUNT}-us-east-1/scripts/etl.py"),
    ],
)
def test_the_projects_job_still_reaches_its_buckets_and_this_accounts_glue_assets(action, resource):
    assert through_endpoint(JOB, action, resource, ACCOUNT)


def test_every_endpoint_statement_holds_only_for_this_accounts_principals():
    for service in ("s3", "glue", "dynamodb"):
        for statement in endpoint_policy(SCOPE, service)["Statement"]:
            assert statement["Condition"]["StringEquals"]["aws:PrincipalAccount"] == ACCOUNT
