"""Hand cases for the differential IAM test, each from the AWS page named in its family's comment (IAM user
guide unless said otherwise). Each is a request both evaluators decide; `EXPECTED` holds what the page says
where it is stated outright."""

from __future__ import annotations

from typing import Any

from glueguard_sandbox.emulator.iam.policy import Policies, Principal, Request
from tests.support.iam_oracle import Case

ACCOUNT, OTHER = "111122223333", "444455556666"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/analyst"
SESSION = Principal(f"arn:aws:sts::{ACCOUNT}:assumed-role/analyst/alice", ACCOUNT, "AssumedRole", ROLE)
USER = Principal(f"arn:aws:iam::{ACCOUNT}:user/carlos", ACCOUNT, "IAMUser")
PARTNER = Principal(
    f"arn:aws:sts::{OTHER}:assumed-role/partner/bob", OTHER, "AssumedRole", f"arn:aws:iam::{OTHER}:role/partner"
)
BUCKET = "arn:aws:s3:::amzn-s3-demo-bucket"
OBJECT = f"{BUCKET}/carlos/notes.txt"
JOB = f"arn:aws:glue:us-east-1:{ACCOUNT}:job/project-a-etl"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:decisions"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:corrections"
TARGET_ROLE = f"arn:aws:iam::{ACCOUNT}:role/deployer"

CONDITION_OPERATORS = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
)
MULTIVALUED = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html"
VARIABLES = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"
VERSION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html"
NOT_PRINCIPAL = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"
BOUNDARIES = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"
SESSION_POLICIES = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session"
EVALUATION = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-basics.html"
)
CROSS_ACCOUNT = (
    "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html"
)
SCPS = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html"
RCPS = "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html"
ENDPOINTS = "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html"
KEY_POLICIES = "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html"
NOT_ACTION = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"
NOT_RESOURCE = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html"


def doc(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    return {"Statement": list(statements), **({"Version": version} if version else {})}


def allow(action: Any = "*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = "*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


CASES: list[Case] = []
EXPECTED: dict[str, bool] = {}


def add(source: str, name: str, request: Request, policies: Policies, expected: bool | None = None) -> None:
    CASES.append(Case(name, request, policies, source))
    if expected is not None:
        EXPECTED[name] = expected


def when(condition: dict[str, Any], context: dict[str, list[str]], expected: bool, name: str) -> None:
    """A condition on an Allow of s3:GetObject by the user."""
    request = Request(USER, "s3:GetObject", OBJECT, {"aws:PrincipalArn": [USER.arn], **context}, ACCOUNT)
    add(CONDITION_OPERATORS, name, request, Policies([doc(allow("s3:GetObject", Condition=condition))]), expected)


# --- Condition operators (IAM user guide, "IAM JSON policy elements: Condition operators")
when(
    {"StringEquals": {"aws:PrincipalTag/job": "iamuser-admin"}},
    {"aws:PrincipalTag/job": ["iamuser-admin"]},
    True,
    "StringEquals matches",
)
when(
    {"StringEquals": {"aws:PrincipalTag/job": "IAMUSER-ADMIN"}},
    {"aws:PrincipalTag/job": ["iamuser-admin"]},
    False,
    "StringEquals is case-sensitive",
)
when(
    {"StringEqualsIgnoreCase": {"aws:PrincipalTag/job": "IAMUSER-ADMIN"}},
    {"aws:PrincipalTag/job": ["iamuser-admin"]},
    True,
    "StringEqualsIgnoreCase",
)
when({"StringNotEquals": {"aws:PrincipalTag/job": "admin"}}, {}, True, "StringNotEquals true on a missing key")
when(
    {"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/job": "ADMIN"}},
    {"aws:PrincipalTag/job": ["admin"]},
    False,
    "StringNotEqualsIgnoreCase",
)
when(
    {"StringLike": {"aws:PrincipalTag/job": "iam*-adm?n"}},
    {"aws:PrincipalTag/job": ["iamuser-admin"]},
    True,
    "StringLike wildcards",
)
when(
    {"StringNotLike": {"aws:PrincipalTag/job": "iam*"}},
    {"aws:PrincipalTag/job": ["iamuser-admin"]},
    False,
    "StringNotLike",
)
when(
    {"StringEquals": {"aws:PrincipalTag/job": ["a", "iamuser-admin"]}},
    {"aws:PrincipalTag/job": ["iamuser-admin"]},
    True,
    "values of one key are ORed",
)
when(
    {"StringNotEquals": {"aws:PrincipalTag/job": ["a", "b"]}},
    {"aws:PrincipalTag/job": ["a"]},
    False,
    "negated values are NORed",
)
when(
    {"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}},
    {"aws:MultiFactorAuthAge": ["600"]},
    True,
    "NumericLessThanEquals",
)
when(
    {"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}},
    {"aws:MultiFactorAuthAge": ["600"]},
    False,
    "NumericGreaterThan",
)
when({"NumericEquals": {"aws:MultiFactorAuthAge": "600"}}, {"aws:MultiFactorAuthAge": ["600"]}, True, "NumericEquals")
when(
    {"NumericNotEquals": {"aws:MultiFactorAuthAge": "600"}},
    {"aws:MultiFactorAuthAge": ["601"]},
    True,
    "NumericNotEquals",
)
when({"NumericLessThan": {"aws:MultiFactorAuthAge": "600"}}, {}, False, "a numeric operator is false on a missing key")
when({"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "600"}}, {}, True, "IfExists is true on a missing key")
when(
    {"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "600"}},
    {"aws:MultiFactorAuthAge": ["900"]},
    False,
    "IfExists still compares a present key",
)
when(
    {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
    {"aws:CurrentTime": ["2026-06-01T12:00:00Z"]},
    True,
    "DateGreaterThan",
)
when(
    {"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
    {"aws:CurrentTime": ["2026-06-01T12:00:00Z"]},
    False,
    "DateLessThan",
)
when(
    {"DateEquals": {"aws:CurrentTime": "2026-06-01T12:00:00Z"}},
    {"aws:CurrentTime": ["2026-06-01T12:00:00Z"]},
    True,
    "DateEquals",
)
when(
    {"DateNotEquals": {"aws:CurrentTime": "2026-06-01T12:00:00Z"}},
    {"aws:CurrentTime": ["2026-06-01T12:00:01Z"]},
    True,
    "DateNotEquals",
)
when(
    {"DateLessThanEquals": {"aws:EpochTime": "1780000000"}},
    {"aws:EpochTime": ["1780000000"]},
    True,
    "DateLessThanEquals with epoch",
)
when(
    {"DateGreaterThanEquals": {"aws:CurrentTime": "2026-06-01"}},
    {"aws:CurrentTime": ["2026-06-01T00:00:00Z"]},
    True,
    "a date without a time",
)
when(
    {"DateEquals": {"aws:CurrentTime": "1780315200"}},
    {"aws:CurrentTime": ["2026-06-01T12:00:00Z"]},
    True,
    "epoch seconds equal an ISO 8601 time",
)
when({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": ["true"]}, True, "Bool true")
when({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": ["true"]}, False, "Bool false")
when({"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}, {}, True, "BoolIfExists on a missing key")
when(
    {"BinaryEquals": {"aws:PrincipalTag/key": "QmluYXJ5VmFsdWU="}},
    {"aws:PrincipalTag/key": ["QmluYXJ5VmFsdWU="]},
    True,
    "BinaryEquals compares base64",
)
when({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": ["203.0.113.7"]}, True, "IpAddress in range")
when(
    {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    {"aws:SourceIp": ["198.51.100.7"]},
    False,
    "IpAddress out of range",
)
when(
    {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}},
    {"aws:SourceIp": ["2001:db8:1234:5678::1"]},
    False,
    "NotIpAddress with IPv6",
)
when(
    {"IpAddress": {"aws:SourceIp": "203.0.113.7"}},
    {"aws:SourceIp": ["203.0.113.7"]},
    True,
    "IpAddress with a single address",
)
when(
    {"ArnEquals": {"aws:SourceArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:decisions"}},
    {"aws:SourceArn": [TOPIC]},
    True,
    "ArnEquals",
)
when({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:*:dec*"}}, {"aws:SourceArn": [TOPIC]}, True, "ArnLike")
when({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin-*"}}, {}, True, "ArnNotLike true on a missing key")
when(
    {"ArnLike": {"aws:SourceArn": "arn:aws:sns:us-east-1:*"}},
    {"aws:SourceArn": [TOPIC]},
    False,
    "ArnLike compares all six parts",
)
when({"ArnLike": {"aws:SourceArn": "*"}}, {"aws:SourceArn": [TOPIC]}, False, "ArnLike * has one part, not six")
when({"Null": {"aws:TokenIssueTime": "true"}}, {}, True, "Null true: the key is absent")
when(
    {"Null": {"aws:TokenIssueTime": "false"}},
    {"aws:TokenIssueTime": ["2026-01-01T00:00:00Z"]},
    True,
    "Null false: the key is present",
)
when(
    {"Null": {"aws:TokenIssueTime": "true"}},
    {"aws:TokenIssueTime": ["2026-01-01T00:00:00Z"]},
    False,
    "Null true on a present key",
)
when(
    {"StringEquals": {"aws:PrincipalTag/job": "a"}, "Bool": {"aws:SecureTransport": "true"}},
    {"aws:PrincipalTag/job": ["a"], "aws:SecureTransport": ["false"]},
    False,
    "operators of a block are ANDed",
)


def multi(condition: dict[str, Any], tags: list[str] | None, expected: bool, name: str) -> None:
    context = {"aws:TagKeys": tags} if tags is not None else {}
    request = Request(USER, "glue:TagResource", JOB, context, ACCOUNT)
    add(MULTIVALUED, name, request, Policies([doc(allow("glue:TagResource", Condition=condition))]), expected)


# --- Single-valued vs. multivalued context keys; set operators
multi({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}, ["env"], True, "ForAllValues subset")
multi(
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}},
    ["env", "owner"],
    False,
    "ForAllValues outside the set",
)
multi({"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}}, None, True, "ForAllValues true on a missing key")
multi({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, ["env", "owner"], True, "ForAnyValue one in the set")
multi({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env"]}}, None, False, "ForAnyValue false on a missing key")
multi({"ForAnyValue:StringLike": {"aws:TagKeys": ["cost-*"]}}, ["cost-center"], True, "ForAnyValue:StringLike")
multi({"ForAllValues:StringNotEquals": {"aws:TagKeys": ["owner"]}}, ["env", "team"], True, "ForAllValues negated")
multi({"StringEquals": {"aws:TagKeys": "env"}}, ["env"], False, "a multivalued key needs a set operator")
multi(
    {"ForAllValues:StringEquals": {"aws:TagKeys": ["env"]}, "Null": {"aws:TagKeys": "false"}},
    None,
    False,
    "ForAllValues with Null false refuses a request without tags",
)


def variable(resource: Any, context: dict[str, list[str]], expected: bool, name: str, **kw: Any) -> None:
    request = Request(USER, "s3:GetObject", OBJECT, {"aws:username": ["carlos"], **context}, ACCOUNT)
    statement = {"Effect": "Allow", "Action": "s3:GetObject", **resource, **kw}
    add(VARIABLES, name, request, Policies([doc(statement)]), expected)


# --- Policy variables ("IAM policy elements: Variables and tags")
variable({"Resource": f"{BUCKET}/${{aws:username}}/*"}, {}, True, "a variable in Resource")
variable(
    {"Resource": f"{BUCKET}/${{aws:PrincipalTag/team}}/*"},
    {},
    False,
    "an unresolvable variable in Resource matches nothing",
)
variable({"Resource": f"{BUCKET}/${{aws:PrincipalTag/team, 'carlos'}}/*"}, {}, True, "a default value")
variable({"Resource": f"{BUCKET}/carlos/notes.txt${{*}}"}, {}, False, "${*} is a literal asterisk")
variable({"Resource": f"{BUCKET}/carlos/note${{?}}.txt"}, {}, False, "${?} is a literal question mark")
variable({"Resource": f"{BUCKET}/carlos/notes${{$}}"}, {}, False, "${$} is a literal dollar")
variable(
    {"NotResource": f"{BUCKET}/${{aws:PrincipalTag/team}}/*"}, {}, False, "an unresolvable variable in NotResource"
)
variable({"NotResource": f"{BUCKET}/${{aws:username}}/*"}, {}, False, "a resolved NotResource excludes the resource")
variable(
    {"Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/project}"}}},
    {"aws:PrincipalTag/team": ["alpha"]},
    False,
    "an unresolvable variable in a Condition value",
)
variable(
    {"Resource": "*", "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/project}"}}},
    {"aws:PrincipalTag/team": ["alpha"]},
    False,
    "an unresolvable variable in a negated Condition value",
)
variable(
    {"Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:PrincipalTag/project}"}}},
    {"aws:PrincipalTag/team": ["alpha"], "aws:PrincipalTag/project": ["alpha"]},
    True,
    "a variable in a Condition value",
)
variable(
    {"Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:TagKeys}"}}},
    {"aws:PrincipalTag/team": ["env"], "aws:TagKeys": ["env"]},
    False,
    "a multivalued key cannot be a variable",
)
variable({"Resource": "arn:aws:s3:::${aws:username}-bucket/*"}, {}, False, "a variable before the fifth colon")
variable(
    {"Resource": "arn:aws:glue:us-east-1:${aws:PrincipalAccount}:job/*"},
    {"aws:PrincipalAccount": [ACCOUNT]},
    False,
    "a variable in the account part",
)
resource_case_args = (USER, "sqs:SendMessage", QUEUE)
add(
    VARIABLES,
    "an unresolvable variable in NotResource of a queue",
    Request(*resource_case_args, {"aws:username": ["carlos"]}, ACCOUNT),
    Policies(
        [doc({"Effect": "Allow", "Action": "sqs:*", "NotResource": f"{QUEUE[:-11]}project-${{aws:PrincipalTag/team}}"})]
    ),
    False,
)


def versioned(version: str | None, expected: bool, name: str) -> None:
    request = Request(USER, "s3:GetObject", OBJECT, {"aws:username": ["carlos"]}, ACCOUNT)
    policy = doc(allow("s3:GetObject", f"{BUCKET}/${{aws:username}}/*"), version=version)
    add(VERSION, name, request, Policies([policy]), expected)


# --- Version: variables exist only in 2012-10-17 policies ("IAM JSON policy elements: Version")
versioned("2012-10-17", True, "2012-10-17 substitutes variables")
versioned("2008-10-17", False, "2008-10-17 takes ${...} literally")
versioned(None, False, "no Version is 2008-10-17")


def resource_case(
    source: str,
    name: str,
    principal: Principal,
    action: str,
    resource: str,
    policies: Policies,
    expected: bool,
    context: dict[str, list[str]] | None = None,
) -> None:
    found = {"aws:PrincipalArn": [principal.issuer or principal.arn], **(context or {})}
    add(source, name, Request(principal, action, resource, found, ACCOUNT), policies, expected)


BOUNDARY_EC2 = doc(allow("ec2:*"))
BOUNDARY_S3 = doc(allow("s3:*"))
BUCKET_TO = {  # a bucket policy granting GetObject to one principal element
    name: doc({"Effect": "Allow", "Principal": element, "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"})
    for name, element in {
        "user": {"AWS": USER.arn},
        "role": {"AWS": ROLE},
        "session": {"AWS": SESSION.arn},
        "account": {"AWS": ACCOUNT},
        "anyone": "*",
    }.items()
}

# --- Permissions boundaries ("Permissions boundaries for IAM entities": resource-based policies)
resource_case(
    BOUNDARIES,
    "boundary: identity allow within the boundary",
    USER,
    "s3:GetObject",
    OBJECT,
    Policies([doc(allow("s3:*"))], BOUNDARY_S3),
    True,
)
resource_case(
    BOUNDARIES,
    "boundary: identity allow outside the boundary",
    USER,
    "s3:GetObject",
    OBJECT,
    Policies([doc(allow("s3:*"))], BOUNDARY_EC2),
    False,
)
resource_case(
    BOUNDARIES, "boundary grants nothing alone", USER, "s3:GetObject", OBJECT, Policies([], BOUNDARY_S3), False
)
resource_case(
    BOUNDARIES,
    "bucket policy naming the user ignores its boundary",
    USER,
    "s3:GetObject",
    OBJECT,
    Policies([], BOUNDARY_EC2, BUCKET_TO["user"]),
    True,
)
resource_case(
    BOUNDARIES,
    "bucket policy naming the role is limited by the boundary",
    SESSION,
    "s3:GetObject",
    OBJECT,
    Policies([], BOUNDARY_EC2, BUCKET_TO["role"]),
    False,
)
resource_case(
    BOUNDARIES,
    "bucket policy naming the role within the boundary",
    SESSION,
    "s3:GetObject",
    OBJECT,
    Policies([], BOUNDARY_S3, BUCKET_TO["role"]),
    True,
)
resource_case(
    BOUNDARIES,
    "bucket policy naming the session ignores the boundary",
    SESSION,
    "s3:GetObject",
    OBJECT,
    Policies([], BOUNDARY_EC2, BUCKET_TO["session"]),
    True,
)
resource_case(
    BOUNDARIES,
    "bucket policy naming the account delegates to IAM",
    USER,
    "s3:GetObject",
    OBJECT,
    Policies([], None, BUCKET_TO["account"]),
    False,
)
resource_case(
    BOUNDARIES,
    "boundary explicit deny wins over a resource grant",
    USER,
    "s3:GetObject",
    OBJECT,
    Policies([], doc(allow(), deny("s3:GetObject")), BUCKET_TO["user"]),
    False,
)
resource_case(
    BOUNDARIES,
    "a Principal * grant in a bucket policy",
    SESSION,
    "s3:GetObject",
    OBJECT,
    Policies([], None, BUCKET_TO["anyone"]),
    True,
)

KEY_POLICY_ROLE = doc({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Decrypt", "Resource": "*"})
KEY_POLICY_ROOT = doc(
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
)
TRUST_ROLE = doc({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "sts:AssumeRole"})
TRUST_ANYONE = doc(
    {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg"}},
    }
)

# --- KMS key policies ("Default key policy") and role trust policies, with a boundary
resource_case(
    KEY_POLICIES,
    "key policy naming the role allows alone",
    SESSION,
    "kms:Decrypt",
    KEY,
    Policies([], None, KEY_POLICY_ROLE, True),
    True,
)
resource_case(
    KEY_POLICIES,
    "key policy naming the role is limited by the boundary",
    SESSION,
    "kms:Decrypt",
    KEY,
    Policies([], BOUNDARY_S3, KEY_POLICY_ROLE, True),
    False,
)
resource_case(
    KEY_POLICIES,
    "key policy delegating to the account needs IAM",
    SESSION,
    "kms:Decrypt",
    KEY,
    Policies([], None, KEY_POLICY_ROOT, True),
    False,
)
resource_case(
    KEY_POLICIES,
    "key policy delegating plus an IAM grant",
    SESSION,
    "kms:Decrypt",
    KEY,
    Policies([doc(allow("kms:Decrypt", KEY))], None, KEY_POLICY_ROOT, True),
    True,
)
resource_case(
    KEY_POLICIES,
    "IAM alone without the key policy's allow",
    SESSION,
    "kms:Decrypt",
    KEY,
    Policies([doc(allow("kms:*"))], None, doc(), True),
    False,
)
resource_case(
    EVALUATION,
    "trust policy naming the role",
    SESSION,
    "sts:AssumeRole",
    TARGET_ROLE,
    Policies([], None, TRUST_ROLE, True),
    True,
)
resource_case(
    EVALUATION,
    "trust policy naming the role is limited by the boundary",
    SESSION,
    "sts:AssumeRole",
    TARGET_ROLE,
    Policies([], BOUNDARY_S3, TRUST_ROLE, True),
    False,
)
resource_case(
    EVALUATION,
    "trust policy with Principal * (HTTP 500 before)",
    SESSION,
    "sts:AssumeRole",
    TARGET_ROLE,
    Policies([], None, TRUST_ANYONE, True),
    True,
    {"aws:PrincipalOrgID": ["o-exampleorg"]},
)
resource_case(
    EVALUATION,
    "trust policy with Principal * and its condition false",
    SESSION,
    "sts:AssumeRole",
    TARGET_ROLE,
    Policies([], None, TRUST_ANYONE, True),
    False,
    {"aws:PrincipalOrgID": ["o-other"]},
)
resource_case(
    EVALUATION,
    "queue policy with Principal * (HTTP 500 before)",
    USER,
    "sqs:SendMessage",
    QUEUE,
    Policies([], None, doc({"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": QUEUE})),
    True,
)
resource_case(
    EVALUATION,
    "topic policy Deny to Principal *",
    USER,
    "sns:Publish",
    TOPIC,
    Policies(
        [doc(allow("sns:*"))],
        None,
        doc({"Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": TOPIC}),
    ),
    False,
)

NOT_ME = doc({"Effect": "Deny", "NotPrincipal": {"AWS": USER.arn}, "Action": "s3:*", "Resource": f"{BUCKET}/*"})
# --- NotPrincipal ("IAM JSON policy elements: NotPrincipal"; "Permissions boundaries": NotPrincipal + Deny)
resource_case(
    NOT_PRINCIPAL,
    "NotPrincipal deny spares the named user",
    USER,
    "s3:GetObject",
    OBJECT,
    Policies([doc(allow("s3:*"))], None, NOT_ME),
    True,
)
resource_case(
    NOT_PRINCIPAL,
    "NotPrincipal deny denies everyone else",
    SESSION,
    "s3:GetObject",
    OBJECT,
    Policies([doc(allow("s3:*"))], None, NOT_ME),
    False,
)
resource_case(
    NOT_PRINCIPAL,
    "NotPrincipal deny denies the named user with a boundary",
    USER,
    "s3:GetObject",
    OBJECT,
    Policies([doc(allow("s3:*"))], BOUNDARY_S3, NOT_ME),
    False,
)
resource_case(
    NOT_ACTION,
    "NotAction allow everything but IAM",
    USER,
    "sqs:SendMessage",
    QUEUE,
    Policies([doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]),
    True,
)
resource_case(
    NOT_ACTION,
    "NotAction deny everything but IAM",
    USER,
    "iam:GetRole",
    TARGET_ROLE,
    Policies([doc(allow(), {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"})]),
    True,
)
resource_case(
    NOT_RESOURCE,
    "NotResource deny all but one bucket",
    USER,
    "s3:GetObject",
    OBJECT,
    Policies([doc(allow("s3:*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": [BUCKET, f"{BUCKET}/*"]})]),
    True,
)
resource_case(
    NOT_RESOURCE,
    "NotResource deny hits another bucket",
    USER,
    "s3:GetObject",
    "arn:aws:s3:::other/x",
    Policies([doc(allow("s3:*"), {"Effect": "Deny", "Action": "s3:*", "NotResource": [BUCKET, f"{BUCKET}/*"]})]),
    False,
)

SESSION_S3 = [doc(allow("s3:GetObject"))]
# --- Session policies ("Policies and permissions in IAM": session policies)
resource_case(
    SESSION_POLICIES,
    "session policy and identity both allow",
    SESSION,
    "s3:GetObject",
    OBJECT,
    Policies([doc(allow("s3:*"))], session=SESSION_S3),
    True,
)
resource_case(
    SESSION_POLICIES,
    "session policy limits the identity policy",
    SESSION,
    "s3:PutObject",
    OBJECT,
    Policies([doc(allow("s3:*"))], session=SESSION_S3),
    False,
)
resource_case(
    SESSION_POLICIES,
    "session policy grants nothing alone",
    SESSION,
    "s3:GetObject",
    OBJECT,
    Policies([], session=SESSION_S3),
    False,
)
resource_case(
    SESSION_POLICIES,
    "session policy deny",
    SESSION,
    "s3:GetObject",
    OBJECT,
    Policies([doc(allow())], session=[doc(allow(), deny("s3:GetObject"))]),
    False,
)
resource_case(
    SESSION_POLICIES,
    "bucket policy naming the role is limited by the session policy",
    SESSION,
    "s3:GetObject",
    OBJECT,
    Policies([], None, BUCKET_TO["role"], session=[doc(allow("ec2:*"))]),
    False,
)
resource_case(
    SESSION_POLICIES,
    "bucket policy naming the session is not limited by the session policy",
    SESSION,
    "s3:GetObject",
    OBJECT,
    Policies([], None, BUCKET_TO["session"], session=[doc(allow("ec2:*"))]),
    True,
)
resource_case(
    SESSION_POLICIES,
    "managed and inline session policies together",
    SESSION,
    "s3:GetObject",
    OBJECT,
    Policies([doc(allow())], session=[doc(allow("ec2:*")), doc(allow("s3:Get*"))]),
    True,
)

MEMBER_SCP = doc(
    {
        "Effect": "Deny",
        "Action": ["iam:PutRolePolicy", "iam:DeleteRole"],
        "Resource": ["arn:aws:iam::*:role/glueguard/*"],
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/stacksets-exec-*"]}},
    }
)
FULL = doc(allow())
PROTECTED = f"arn:aws:iam::{ACCOUNT}:role/glueguard/glueguard-member"
# --- SCPs ("SCP evaluation"): every level must allow; a deny anywhere wins; SCPs grant nothing
resource_case(
    SCPS,
    "SCP deny list: the protected role",
    SESSION,
    "iam:PutRolePolicy",
    PROTECTED,
    Policies([FULL], scps=[[FULL, MEMBER_SCP], [FULL]]),
    False,
)
resource_case(
    SCPS,
    "SCP deny list: the StackSets role is exempt",
    Principal(
        f"arn:aws:sts::{ACCOUNT}:assumed-role/stacksets-exec-1/s",
        ACCOUNT,
        "AssumedRole",
        f"arn:aws:iam::{ACCOUNT}:role/stacksets-exec-1",
    ),
    "iam:PutRolePolicy",
    PROTECTED,
    Policies([FULL], scps=[[FULL, MEMBER_SCP], [FULL]]),
    True,
    {"aws:PrincipalArn": [f"arn:aws:iam::{ACCOUNT}:role/stacksets-exec-1"]},
)
resource_case(
    SCPS,
    "SCP deny list: another role",
    SESSION,
    "iam:PutRolePolicy",
    TARGET_ROLE,
    Policies([FULL], scps=[[FULL, MEMBER_SCP], [FULL]]),
    True,
)
resource_case(
    SCPS,
    "SCP allow list without the action",
    SESSION,
    "sqs:SendMessage",
    QUEUE,
    Policies([FULL], scps=[[FULL], [doc(allow("s3:*"))]]),
    False,
)
resource_case(
    SCPS,
    "SCP allow at the root only",
    SESSION,
    "s3:GetObject",
    OBJECT,
    Policies([FULL], scps=[[FULL], [doc(allow("ec2:*"))]]),
    False,
)
resource_case(SCPS, "SCPs grant nothing", SESSION, "s3:GetObject", OBJECT, Policies([], scps=[[FULL], [FULL]]), False)
resource_case(
    SCPS,
    "SCP limits a resource policy grant",
    SESSION,
    "s3:GetObject",
    OBJECT,
    Policies([], None, BUCKET_TO["session"], scps=[[FULL], [doc(allow("ec2:*"))]]),
    False,
)

RCP_TLS = doc(
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*", "sqs:*"],
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}},
    }
)
# --- RCPs ("RCP evaluation"): RCPFullAWSAccess at every level; a deny wins
resource_case(
    RCPS,
    "RCP deny without TLS",
    USER,
    "s3:GetObject",
    OBJECT,
    Policies([FULL], rcps=[[RCP_TLS]]),
    False,
    {"aws:SecureTransport": ["false"]},
)
resource_case(
    RCPS,
    "RCP deny spares TLS",
    USER,
    "s3:GetObject",
    OBJECT,
    Policies([FULL], rcps=[[RCP_TLS]]),
    True,
    {"aws:SecureTransport": ["true"]},
)
resource_case(
    RCPS,
    "RCP of another service",
    USER,
    "sns:Publish",
    TOPIC,
    Policies([FULL], rcps=[[RCP_TLS]]),
    True,
    {"aws:SecureTransport": ["false"]},
)
resource_case(
    RCPS,
    "RCPs grant nothing",
    USER,
    "s3:GetObject",
    OBJECT,
    Policies([], rcps=[[RCP_TLS]]),
    False,
    {"aws:SecureTransport": ["true"]},
)

ENDPOINT = doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"})
# --- VPC endpoint policies ("Control access to VPC endpoints using endpoint policies")
resource_case(
    ENDPOINTS, "endpoint policy allows", USER, "s3:GetObject", OBJECT, Policies([FULL], endpoint=ENDPOINT), True
)
resource_case(
    ENDPOINTS,
    "endpoint policy does not allow the action",
    USER,
    "s3:PutObject",
    OBJECT,
    Policies([FULL], endpoint=ENDPOINT),
    False,
)
resource_case(
    ENDPOINTS, "endpoint policy grants nothing", USER, "s3:GetObject", OBJECT, Policies([], endpoint=ENDPOINT), False
)
resource_case(
    ENDPOINTS,
    "endpoint policy deny",
    USER,
    "s3:GetObject",
    OBJECT,
    Policies(
        [FULL],
        endpoint=doc(ENDPOINT["Statement"][0], {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}),
    ),
    False,
)

BUCKET_TO_PARTNER = doc(
    {"Effect": "Allow", "Principal": {"AWS": PARTNER.issuer}, "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}
)
# --- Cross-account ("Cross-account policy evaluation logic"): both sides must allow
resource_case(
    CROSS_ACCOUNT,
    "cross account: both allow",
    PARTNER,
    "s3:GetObject",
    OBJECT,
    Policies([doc(allow("s3:GetObject"))], None, BUCKET_TO_PARTNER),
    True,
)
resource_case(
    CROSS_ACCOUNT,
    "cross account: resource policy alone",
    PARTNER,
    "s3:GetObject",
    OBJECT,
    Policies([], None, BUCKET_TO_PARTNER),
    False,
)
resource_case(
    CROSS_ACCOUNT,
    "cross account: identity policy alone",
    PARTNER,
    "s3:GetObject",
    OBJECT,
    Policies([doc(allow("s3:GetObject"))]),
    False,
)
resource_case(
    CROSS_ACCOUNT,
    "cross account: the boundary limits",
    PARTNER,
    "s3:GetObject",
    OBJECT,
    Policies([doc(allow("s3:GetObject"))], BOUNDARY_EC2, BUCKET_TO_PARTNER),
    False,
)
resource_case(
    CROSS_ACCOUNT,
    "cross account: account-level grant",
    PARTNER,
    "s3:GetObject",
    OBJECT,
    Policies(
        [doc(allow("s3:GetObject"))],
        None,
        doc({"Effect": "Allow", "Principal": {"AWS": OTHER}, "Action": "s3:GetObject", "Resource": f"{BUCKET}/*"}),
    ),
    True,
)
resource_case(
    CROSS_ACCOUNT,
    "cross account: key policy naming the partner role",
    PARTNER,
    "kms:Decrypt",
    KEY,
    Policies(
        [doc(allow("kms:Decrypt", KEY))],
        None,
        doc({"Effect": "Allow", "Principal": {"AWS": PARTNER.issuer}, "Action": "kms:Decrypt", "Resource": "*"}),
        True,
    ),
    True,
)
