"""The sandbox's IAM evaluator against the cases AWS documents (IAM user guide: "Policy evaluation logic",
"Condition operators", "Set operators for multivalued context keys", "Policy variables", "Permissions
boundaries for IAM entities", KMS developer guide "Default key policy"). Each case says allow or deny and why.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from glueguard_sandbox.emulator.iam.policy import (
    Policies,
    Principal,
    Request,
    UnknownOperatorError,
    condition_holds,
    evaluate,
)

ACCOUNT, OTHER = "111122223333", "444455556666"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/team/analyst"
SESSION = Principal(f"arn:aws:sts::{ACCOUNT}:assumed-role/analyst/alice", ACCOUNT, "AssumedRole", ROLE)
USER = Principal(f"arn:aws:iam::{ACCOUNT}:user/carlos", ACCOUNT, "IAMUser")
OUTSIDER = Principal(
    f"arn:aws:sts::{OTHER}:assumed-role/partner/bob", OTHER, "AssumedRole", f"arn:aws:iam::{OTHER}:role/partner"
)
BUCKET, OBJECT = "arn:aws:s3:::doc-example-bucket", "arn:aws:s3:::doc-example-bucket/reports/q1.csv"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


ROOT_DELEGATION = {
    "Sid": "Enable IAM User Permissions",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}

CASES: list[tuple[str, Request, Policies, bool, str]] = [
    # --- the decision flow ("Policy evaluation logic")
    (
        "nothing applies: implicit deny",
        Request(USER, "s3:GetObject", OBJECT),
        Policies(),
        False,
        "no identity-based policy",
    ),
    (
        "identity allow",
        Request(USER, "s3:GetObject", OBJECT),
        Policies([doc(allow("s3:GetObject", f"{BUCKET}/*"))]),
        True,
        "identity-based",
    ),
    (
        "explicit deny beats allow",
        Request(USER, "s3:GetObject", OBJECT),
        Policies([doc(allow("s3:*", "*"), deny("s3:GetObject", f"{BUCKET}/*"))]),
        False,
        "explicit deny",
    ),
    (
        "deny in another policy beats allow",
        Request(USER, "s3:GetObject", OBJECT),
        Policies([doc(allow("s3:*")), doc({"Sid": "NoReports", **deny("s3:*", f"{BUCKET}/reports/*")})]),
        False,
        "'NoReports'",
    ),
    (
        "action wildcard is case-insensitive",
        Request(USER, "s3:GetObject", OBJECT),
        Policies([doc(allow("S3:get*", OBJECT))]),
        True,
        "identity-based",
    ),
    (
        "resource is case-sensitive",
        Request(USER, "s3:GetObject", OBJECT),
        Policies([doc(allow("s3:GetObject", OBJECT.upper()))]),
        False,
        "no identity-based",
    ),
    (
        "resource wildcard inside the ARN",
        Request(SESSION, "glue:GetJob", f"arn:aws:glue:us-east-1:{ACCOUNT}:job/project-a-job-x"),
        Policies([doc(allow("glue:GetJob", "arn:aws:glue:*:*:job/project-a-*"))]),
        True,
        "identity-based",
    ),
    (
        "resource wildcard of another project",
        Request(SESSION, "glue:GetJob", f"arn:aws:glue:us-east-1:{ACCOUNT}:job/project-b-job-x"),
        Policies([doc(allow("glue:GetJob", "arn:aws:glue:*:*:job/project-a-*"))]),
        False,
        "no identity-based",
    ),
    (
        "NotAction allow: everything but IAM",
        Request(USER, "s3:ListBucket", BUCKET),
        Policies([doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]),
        True,
        "identity-based",
    ),
    (
        "NotAction allow does not grant the excluded action",
        Request(USER, "iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/x"),
        Policies([doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]),
        False,
        "no identity-based",
    ),
    (
        "NotResource deny: everything outside the bucket",
        Request(USER, "s3:PutObject", "arn:aws:s3:::other/x"),
        Policies([doc(allow("s3:*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": [BUCKET, f"{BUCKET}/*"]})]),
        False,
        "explicit deny",
    ),
    (
        "NotResource deny spares the bucket",
        Request(USER, "s3:PutObject", OBJECT),
        Policies([doc(allow("s3:*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": [BUCKET, f"{BUCKET}/*"]})]),
        True,
        "identity-based",
    ),
    # --- permissions boundaries
    (
        "boundary and identity both allow",
        Request(USER, "s3:GetObject", OBJECT),
        Policies([doc(allow("s3:*"))], boundary=doc(allow("s3:GetObject"))),
        True,
        "identity-based",
    ),
    (
        "identity allows, boundary does not",
        Request(USER, "iam:CreateUser", "*"),
        Policies([doc(allow("*"))], boundary=doc(allow("s3:*"))),
        False,
        "boundary",
    ),
    (
        "boundary allows, identity does not",
        Request(USER, "s3:GetObject", OBJECT),
        Policies([], boundary=doc(allow("s3:*"))),
        False,
        "no identity-based",
    ),
    (
        "explicit deny in the boundary",
        Request(USER, "s3:DeleteObject", OBJECT),
        Policies([doc(allow("s3:*"))], boundary=doc(allow("s3:*"), deny("s3:Delete*"))),
        False,
        "explicit deny in a permissions boundary",
    ),
    # --- resource-based policies, same account
    (
        "bucket policy naming the user allows alone",
        Request(USER, "s3:GetObject", OBJECT),
        Policies([], resource=doc(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": USER.arn}))),
        True,
        "resource-based",
    ),
    (
        "bucket policy naming the user ignores the boundary's implicit deny",
        Request(USER, "s3:GetObject", OBJECT),
        Policies(
            [],
            boundary=doc(allow("ec2:*")),
            resource=doc(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": USER.arn})),
        ),
        True,
        "resource-based",
    ),
    (
        "bucket policy naming the role is limited by the session's boundary",
        Request(SESSION, "s3:GetObject", OBJECT),
        Policies(
            [],
            boundary=doc(allow("ec2:*")),
            resource=doc(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": ROLE})),
        ),
        False,
        "no permissions boundary allows",
    ),
    (
        "bucket policy naming the role session",
        Request(SESSION, "s3:GetObject", OBJECT),
        Policies(
            [],
            boundary=doc(allow("ec2:*")),
            resource=doc(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": SESSION.arn})),
        ),
        True,
        "resource-based",
    ),
    (
        "bucket policy naming the account delegates to IAM",
        Request(USER, "s3:GetObject", OBJECT),
        Policies(
            [], resource=doc(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
        ),
        False,
        "no identity-based",
    ),
    (
        "bucket policy deny beats identity allow",
        Request(SESSION, "s3:PutObject", OBJECT),
        Policies(
            [doc(allow("s3:*"))],
            resource=doc(
                deny("s3:PutObject", f"{BUCKET}/*", Principal="*", Condition={"Bool": {"aws:SecureTransport": "false"}})
            ),
        ),
        True,
        "identity-based",
    ),
    (
        "bucket policy deny for plain HTTP",
        Request(SESSION, "s3:PutObject", OBJECT, {"aws:SecureTransport": ["false"]}),
        Policies(
            [doc(allow("s3:*"))],
            resource=doc(
                deny("s3:PutObject", f"{BUCKET}/*", Principal="*", Condition={"Bool": {"aws:SecureTransport": "false"}})
            ),
        ),
        False,
        "explicit deny in a resource-based",
    ),
    (
        "NotPrincipal deny spares the named role",
        Request(SESSION, "s3:GetObject", OBJECT),
        Policies(
            [doc(allow("s3:*"))],
            resource=doc(
                {"Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "s3:*", "Resource": f"{BUCKET}/*"}
            ),
        ),
        True,
        "identity-based",
    ),
    (
        "NotPrincipal deny hits everyone else",
        Request(USER, "s3:GetObject", OBJECT),
        Policies(
            [doc(allow("s3:*"))],
            resource=doc(
                {"Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "s3:*", "Resource": f"{BUCKET}/*"}
            ),
        ),
        False,
        "explicit deny",
    ),
    # --- cross account
    (
        "cross account: identity alone is not enough",
        Request(OUTSIDER, "s3:GetObject", OBJECT, resource_account=ACCOUNT),
        Policies([doc(allow("s3:*"))]),
        False,
        "cross-account: no resource-based",
    ),
    (
        "cross account: resource alone is not enough",
        Request(OUTSIDER, "s3:GetObject", OBJECT, resource_account=ACCOUNT),
        Policies([], resource=doc(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": OTHER}))),
        False,
        "cross-account: no identity-based",
    ),
    (
        "cross account: both allow",
        Request(OUTSIDER, "s3:GetObject", OBJECT, resource_account=ACCOUNT),
        Policies(
            [doc(allow("s3:GetObject"))], resource=doc(allow("s3:GetObject", f"{BUCKET}/*", Principal={"AWS": OTHER}))
        ),
        True,
        "both",
    ),
    # --- KMS key policies ("Default key policy": the root statement delegates to IAM)
    (
        "key policy delegating to IAM plus an IAM grant",
        Request(SESSION, "kms:Decrypt", KEY, resource_account=ACCOUNT),
        Policies([doc(allow("kms:Decrypt", KEY))], resource=doc(ROOT_DELEGATION), resource_required=True),
        True,
        "delegates",
    ),
    (
        "key policy delegating to IAM, no IAM grant",
        Request(SESSION, "kms:Decrypt", KEY, resource_account=ACCOUNT),
        Policies([doc(allow("s3:*"))], resource=doc(ROOT_DELEGATION), resource_required=True),
        False,
        "delegates to IAM, and no identity-based",
    ),
    (
        "key policy without the root statement: IAM grant is not enough",
        Request(SESSION, "kms:Decrypt", KEY, resource_account=ACCOUNT),
        Policies(
            [doc(allow("kms:*"))],
            resource=doc(allow("kms:Encrypt", "*", Principal={"AWS": ROLE})),
            resource_required=True,
        ),
        False,
        "required",
    ),
    (
        "key policy naming the role allows alone",
        Request(SESSION, "kms:GenerateDataKey", KEY, resource_account=ACCOUNT),
        Policies(
            [],
            resource=doc(allow(["kms:GenerateDataKey*", "kms:Decrypt"], "*", Principal={"AWS": ROLE})),
            resource_required=True,
        ),
        True,
        "naming the principal",
    ),
    # --- condition operators
    (
        "StringEquals on a resource tag",
        Request(SESSION, "glue:StartJobRun", "arn:aws:glue:us-east-1:1:job/j", {"aws:ResourceTag/project": ["a"]}),
        Policies([doc(allow("glue:StartJobRun", Condition={"StringEquals": {"aws:ResourceTag/project": "a"}}))]),
        True,
        "identity-based",
    ),
    (
        "StringEquals with a missing key is false",
        Request(SESSION, "glue:StartJobRun", "arn:aws:glue:us-east-1:1:job/j"),
        Policies([doc(allow("glue:StartJobRun", Condition={"StringEquals": {"aws:ResourceTag/project": "a"}}))]),
        False,
        "no identity-based",
    ),
    (
        "StringNotEquals with a missing key is true (deny applies)",
        Request(SESSION, "glue:CreateJob", "*"),
        Policies(
            [
                doc(
                    allow("glue:*"),
                    deny("glue:CreateJob", Condition={"StringNotEquals": {"aws:RequestTag/project": "a"}}),
                )
            ]
        ),
        False,
        "explicit deny",
    ),
    (
        "StringNotEquals lists are ANDed",
        Request(SESSION, "glue:CreateJob", "*", {"aws:RequestTag/project": ["b"]}),
        Policies(
            [
                doc(
                    allow("glue:*"),
                    deny("glue:CreateJob", Condition={"StringNotEquals": {"aws:RequestTag/project": ["a", "b"]}}),
                )
            ]
        ),
        True,
        "identity-based",
    ),
    (
        "...IfExists with the key missing holds",
        Request(SESSION, "glue:UpdateJob", "*"),
        Policies([doc(allow("glue:UpdateJob", Condition={"StringEqualsIfExists": {"glue:VpcIds": "vpc-1"}}))]),
        True,
        "identity-based",
    ),
    (
        "...IfExists with a present, wrong key fails",
        Request(SESSION, "glue:UpdateJob", "*", {"glue:VpcIds": ["vpc-2"]}),
        Policies([doc(allow("glue:UpdateJob", Condition={"StringEqualsIfExists": {"glue:VpcIds": "vpc-1"}}))]),
        False,
        "no identity-based",
    ),
    (
        "ForAllValues with an empty key holds (the documented pitfall)",
        Request(SESSION, "glue:CreateJob", "*"),
        Policies([doc(allow("glue:CreateJob", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["project"]}}))]),
        True,
        "identity-based",
    ),
    (
        "ForAllValues rejects an extra tag key",
        Request(SESSION, "glue:CreateJob", "*", {"aws:TagKeys": ["project", "owner"]}),
        Policies([doc(allow("glue:CreateJob", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["project"]}}))]),
        False,
        "no identity-based",
    ),
    (
        "ForAnyValue with an empty key is false",
        Request(SESSION, "glue:CreateJob", "*"),
        Policies([doc(allow("glue:CreateJob", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["project"]}}))]),
        False,
        "no identity-based",
    ),
    (
        "ForAnyValue matches one of several",
        Request(SESSION, "glue:CreateJob", "*", {"aws:TagKeys": ["owner", "project"]}),
        Policies([doc(allow("glue:CreateJob", Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["project"]}}))]),
        True,
        "identity-based",
    ),
    (
        "Null true: key absent",
        Request(SESSION, "glue:CreateJob", "*"),
        Policies(
            [doc(allow("glue:*"), deny("glue:CreateJob", Condition={"Null": {"aws:RequestTag/project": "true"}}))]
        ),
        False,
        "explicit deny",
    ),
    (
        "conditions in one block are ANDed",
        Request(SESSION, "iam:PassRole", ROLE, {"iam:PassedToService": ["lambda.amazonaws.com"]}),
        Policies(
            [
                doc(
                    allow(
                        "iam:PassRole",
                        ROLE,
                        Condition={
                            "StringEquals": {"iam:PassedToService": "glue.amazonaws.com"},
                            "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"},
                        },
                    )
                )
            ]
        ),
        False,
        "no identity-based",
    ),
    (
        "iam:PassedToService lets Glue have the role",
        Request(
            SESSION, "iam:PassRole", ROLE, {"iam:PassedToService": ["glue.amazonaws.com"], "aws:PrincipalArn": [ROLE]}
        ),
        Policies(
            [
                doc(
                    allow(
                        "iam:PassRole",
                        ROLE,
                        Condition={
                            "StringEquals": {"iam:PassedToService": "glue.amazonaws.com"},
                            "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"},
                        },
                    )
                )
            ]
        ),
        True,
        "identity-based",
    ),
    (
        "policy variable in the resource",
        Request(USER, "s3:PutObject", "arn:aws:s3:::home/carlos/notes.txt", {"aws:username": ["carlos"]}),
        Policies([doc(allow("s3:PutObject", "arn:aws:s3:::home/${aws:username}/*"))]),
        True,
        "identity-based",
    ),
    (
        "policy variable of a missing key matches nothing",
        Request(SESSION, "s3:PutObject", "arn:aws:s3:::home/alice/notes.txt"),
        Policies([doc(allow("s3:PutObject", "arn:aws:s3:::home/${aws:username}/*"))]),
        False,
        "no identity-based",
    ),
    (
        "NotIpAddress deny outside the range",
        Request(USER, "s3:GetObject", OBJECT, {"aws:SourceIp": ["203.0.113.9"]}),
        Policies([doc(allow("s3:*"), deny("*", Condition={"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}))]),
        False,
        "explicit deny",
    ),
    (
        "DateLessThan before the cutoff",
        Request(USER, "s3:GetObject", OBJECT, {"aws:CurrentTime": ["2020-03-01T00:00:00Z"]}),
        Policies([doc(allow("s3:*", Condition={"DateLessThan": {"aws:CurrentTime": "2020-04-01T00:00:00Z"}}))]),
        True,
        "identity-based",
    ),
    (
        "NumericLessThanEquals on s3:max-keys",
        Request(USER, "s3:ListBucket", BUCKET, {"s3:max-keys": ["50"]}),
        Policies([doc(allow("s3:ListBucket", BUCKET, Condition={"NumericLessThanEquals": {"s3:max-keys": "10"}}))]),
        False,
        "no identity-based",
    ),
    (
        "s3:x-amz-server-side-encryption required by deny",
        Request(SESSION, "s3:PutObject", OBJECT, {"s3:x-amz-server-side-encryption": ["AES256"]}),
        Policies(
            [doc(allow("s3:*"))],
            resource=doc(
                deny(
                    "s3:PutObject",
                    f"{BUCKET}/*",
                    Principal="*",
                    Condition={"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
                )
            ),
        ),
        False,
        "explicit deny",
    ),
]


@pytest.mark.parametrize(("name", "request_", "policies", "allowed", "why"), CASES, ids=[c[0] for c in CASES])
def test_documented_case(name: str, request_: Request, policies: Policies, allowed: bool, why: str) -> None:
    decision = evaluate(request_, policies)
    assert decision.allowed is allowed, decision.reason
    assert why in decision.reason


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 30


def test_an_operator_aws_does_not_define_is_refused() -> None:
    with pytest.raises(UnknownOperatorError):
        condition_holds("StringSortOf", "aws:username", "x", {"aws:username": ["x"]})


# --- issue 22: families the independent engine found wrong (each red before its fix)
TRUSTED = f"arn:aws:iam::{ACCOUNT}:role/deployer"
S3_ONLY = doc(allow("s3:*"))


@pytest.mark.parametrize("resource_required", [False, True], ids=["bucket policy", "trust policy"])
def test_a_resource_policy_with_principal_star_is_evaluated_not_raised(resource_required: bool) -> None:
    anyone = doc({"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "sts:AssumeRole"], "Resource": "*"})
    resource = TRUSTED if resource_required else OBJECT
    action = "sts:AssumeRole" if resource_required else "s3:GetObject"
    decision = evaluate(Request(SESSION, action, resource), Policies([], None, anyone, resource_required))
    assert decision.allowed, decision.reason


@pytest.mark.parametrize(
    ("action", "resource", "policy", "required"),
    [
        (
            "kms:Decrypt",
            KEY,
            doc({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:*", "Resource": "*"}),
            True,
        ),
        (
            "sts:AssumeRole",
            TRUSTED,
            doc({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "sts:AssumeRole"}),
            True,
        ),
        (
            "s3:GetObject",
            OBJECT,
            doc({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "s3:*", "Resource": "*"}),
            False,
        ),
    ],
    ids=["key policy", "trust policy", "bucket policy"],
)
def test_a_grant_to_the_role_arn_is_limited_by_the_boundary(
    action: str, resource: str, policy: dict[str, Any], required: bool
) -> None:
    boundary = doc(allow("ec2:*"))
    decision = evaluate(Request(SESSION, action, resource), Policies([], boundary, policy, required))
    assert (decision.allowed, decision.reason) == (False, "no permissions boundary allows it")


@pytest.mark.parametrize("escape", ["${*}", "${?}", "${$}"])
def test_escaped_wildcards_are_literal_characters(escape: str) -> None:
    literal = escape[2]
    policy = Policies([doc(allow("s3:GetObject", f"{BUCKET}/reports/q1{escape}"))])
    assert not evaluate(Request(USER, "s3:GetObject", f"{BUCKET}/reports/q1x"), policy).allowed
    assert evaluate(Request(USER, "s3:GetObject", f"{BUCKET}/reports/q1{literal}"), policy).allowed


@pytest.mark.parametrize(
    "statement",
    [
        allow("s3:GetObject", Condition={"StringNotEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/project}"}}),
        {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": f"{BUCKET}/${{aws:PrincipalTag/project}}/*"},
        allow("s3:GetObject", f"{BUCKET}/${{aws:PrincipalTag/project}}/*"),
    ],
    ids=["negated condition", "NotResource", "Resource"],
)
def test_a_variable_that_cannot_be_resolved_matches_nothing(statement: dict[str, Any]) -> None:
    context = {"aws:PrincipalTag/team": ["alpha"]}
    decision = evaluate(Request(USER, "s3:GetObject", OBJECT, context), Policies([doc(statement)]))
    assert (decision.allowed, decision.reason) == (False, "no identity-based policy allows it")


def test_a_variable_before_the_fifth_colon_of_an_arn_names_nothing() -> None:
    job = f"arn:aws:glue:us-east-1:{ACCOUNT}:job/etl"
    context = {"aws:PrincipalAccount": [ACCOUNT], "aws:username": ["carlos"]}
    before = doc(allow("glue:GetJob", "arn:aws:glue:us-east-1:${aws:PrincipalAccount}:job/*"))
    after = doc(allow("glue:GetJob", f"arn:aws:glue:us-east-1:{ACCOUNT}:job/${{aws:username, 'etl'}}"))
    assert not evaluate(Request(USER, "glue:GetJob", job, context), Policies([before])).allowed
    assert evaluate(Request(USER, "glue:GetJob", job, {}), Policies([after])).allowed


def test_notprincipal_deny_applies_to_a_principal_with_a_boundary() -> None:
    spare_me = doc({"Effect": "Deny", "NotPrincipal": {"AWS": USER.arn}, "Action": "s3:*", "Resource": "*"})
    assert evaluate(Request(USER, "s3:GetObject", OBJECT), Policies([S3_ONLY], None, spare_me)).allowed
    decision = evaluate(Request(USER, "s3:GetObject", OBJECT), Policies([S3_ONLY], S3_ONLY, spare_me))
    assert (decision.allowed, decision.reason) == (False, "explicit deny in a resource-based statement")


@pytest.mark.parametrize("version", ["2008-10-17", None])
def test_a_policy_before_2012_10_17_takes_variables_literally(version: str | None) -> None:
    policy = {"Statement": [allow("s3:GetObject", f"{BUCKET}/${{aws:username}}/*")]}
    if version:
        policy["Version"] = version
    request = Request(USER, "s3:GetObject", f"{BUCKET}/carlos/x", {"aws:username": ["carlos"]})
    assert not evaluate(request, Policies([policy])).allowed
    assert evaluate(replace(request, resource=f"{BUCKET}/${{aws:username}}/x"), Policies([policy])).allowed
