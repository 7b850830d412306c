"""Requests and policies drawn at random (a fixed seed) for the differential IAM test: Glue, S3, KMS, IAM,
STS, SNS and SQS actions; every condition operator with `IfExists` and the set qualifiers; policy variables;
NotAction/NotResource/NotPrincipal; permissions boundaries, resource policies, session policies, SCPs, RCPs
and VPC endpoint policies; same-account and cross-account callers."""

from __future__ import annotations

import random
from typing import Any

from glueguard_sandbox.emulator.iam.policy import Policies, Principal, Request
from tests.support.iam_oracle import Case

ACCOUNT, OTHER = "111122223333", "444455556666"
REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/analyst"
SESSION = Principal(f"arn:aws:sts::{ACCOUNT}:assumed-role/analyst/alice", ACCOUNT, "AssumedRole", ROLE)
USER = Principal(f"arn:aws:iam::{ACCOUNT}:user/carlos", ACCOUNT, "IAMUser")
PARTNER_ROLE = f"arn:aws:iam::{OTHER}:role/partner"
PARTNER = Principal(f"arn:aws:sts::{OTHER}:assumed-role/partner/bob", OTHER, "AssumedRole", PARTNER_ROLE)
GLUE = Principal("glue.amazonaws.com", ACCOUNT, "Service")

#: service -> (actions, resources in ACCOUNT); the KMS key and the role need their resource policy to allow
TARGETS: dict[str, tuple[list[str], list[str]]] = {
    "glue": (
        ["glue:GetJob", "glue:StartJobRun", "glue:UpdateJob", "glue:DeleteJob", "glue:TagResource"],
        [f"arn:aws:glue:{REGION}:{ACCOUNT}:job/project-a-etl", f"arn:aws:glue:{REGION}:{ACCOUNT}:job/project-b-etl"],
    ),
    "s3": (
        ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        ["arn:aws:s3:::data-bucket/carlos/report.csv", "arn:aws:s3:::data-bucket/shared/a.csv"],
    ),
    "kms": (
        ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
        [f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
    ),
    "iam": (
        ["iam:GetRole", "iam:PassRole", "iam:UpdateRole", "iam:TagRole"],
        [f"arn:aws:iam::{ACCOUNT}:role/glue-job-role", f"arn:aws:iam::{ACCOUNT}:role/admin"],
    ),
    "sts": (["sts:AssumeRole", "sts:TagSession"], [f"arn:aws:iam::{ACCOUNT}:role/deployer"]),
    "sns": (["sns:Publish", "sns:Subscribe"], [f"arn:aws:sns:{REGION}:{ACCOUNT}:decisions"]),
    "sqs": (["sqs:SendMessage", "sqs:ReceiveMessage"], [f"arn:aws:sqs:{REGION}:{ACCOUNT}:corrections"]),
}
RESOURCE_POLICY_SERVICES = ("s3", "kms", "sts", "sns", "sqs")


def _context(rng: random.Random, principal: Principal) -> dict[str, list[str]]:
    context = {
        "aws:PrincipalArn": [principal.issuer or principal.arn],
        "aws:PrincipalAccount": [principal.account],
        "aws:SourceIp": [rng.choice(["10.1.2.3", "192.0.2.10", "203.0.113.7"])],
        "aws:SecureTransport": [rng.choice(["true", "false"])],
        "aws:CurrentTime": [rng.choice(["2026-03-01T12:00:00Z", "2027-06-30T00:00:00Z"])],
        "aws:EpochTime": [rng.choice(["1772366400", "1814313600"])],
        "aws:RequestedRegion": [rng.choice(["us-east-1", "eu-west-1"])],
        "aws:MultiFactorAuthAge": [str(rng.choice([30, 600, 7200]))],
        "aws:PrincipalTag/team": [rng.choice(["alpha", "beta"])],
        "aws:ResourceTag/team": [rng.choice(["alpha", "beta", "Alpha"])],
        "aws:PrincipalOrgID": ["o-exampleorg"],
        "aws:SourceArn": [rng.choice([f"arn:aws:glue:{REGION}:{ACCOUNT}:job/x", "arn:aws:s3:::data-bucket"])],
        "aws:userid": ["AIDAEXAMPLE" if principal.kind == "IAMUser" else "AROAEXAMPLE:alice"],
    }
    if principal.kind == "IAMUser":
        context["aws:username"] = ["carlos"]
    if rng.random() < 0.5:
        keys = rng.sample(["env", "team", "cost-center", "owner"], rng.randint(1, 3))
        context["aws:TagKeys"] = sorted(keys)
        context.update({f"aws:RequestTag/{k}": [rng.choice(["prod", "dev", "alpha"])] for k in keys})
    if rng.random() < 0.4:
        context["aws:CalledVia"] = rng.sample(["athena.amazonaws.com", "glue.amazonaws.com"], rng.randint(1, 2))
    if principal.kind == "Service":
        context = {"aws:SourceAccount": [ACCOUNT], "aws:SourceArn": [f"arn:aws:glue:{REGION}:{ACCOUNT}:job/x"]}
    for key in rng.sample(sorted(context), k=min(2, len(context))):  # some keys missing
        if rng.random() < 0.3 and key not in ("aws:PrincipalArn", "aws:PrincipalAccount"):
            del context[key]
    return context


# ------------------------------------------------------------------------------- conditions
_STRING_KEYS = ["aws:PrincipalTag/team", "aws:ResourceTag/team", "aws:RequestedRegion", "aws:username", "aws:userid"]
_STRING_OPS = ["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"]
_LIKE_OPS = ["StringLike", "StringNotLike"]
_NUMERIC_OPS = [
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
]
_DATE_OPS = [o.replace("Numeric", "Date") for o in _NUMERIC_OPS]
_ARN_OPS = ["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"]


def _condition(rng: random.Random) -> dict[str, dict[str, Any]]:
    family = rng.choice(["string", "like", "numeric", "date", "bool", "binary", "ip", "arn", "null", "set", "var"])
    suffix = "IfExists" if rng.random() < 0.25 else ""
    if family == "string":
        key = rng.choice(_STRING_KEYS)
        return {
            rng.choice(_STRING_OPS) + suffix: {key: rng.sample(["alpha", "ALPHA", "beta", "us-east-1", "carlos"], 2)}
        }
    if family == "like":
        key = rng.choice([*_STRING_KEYS, "aws:PrincipalArn"])
        value = rng.choice(["al*", "?eta", "arn:aws:iam::*:role/analyst", "*carlos", "us-*-1", "arn:aws:*"])
        return {rng.choice(_LIKE_OPS) + suffix: {key: value}}
    if family == "numeric":
        return {rng.choice(_NUMERIC_OPS) + suffix: {"aws:MultiFactorAuthAge": rng.choice(["600", "3600", "30"])}}
    if family == "date":
        key = rng.choice(["aws:CurrentTime", "aws:EpochTime"])  # each in its own format (see KNOWN in the test)
        values = ["2026-03-01T12:00:00Z", "2027-01-01T00:00:00Z", "2026-12-31"] if key == "aws:CurrentTime" else []
        value = rng.choice(values or ["1772366400", "1814313600", "1800000000"])
        return {rng.choice(_DATE_OPS) + suffix: {key: value}}
    if family == "bool":
        return {"Bool" + suffix: {"aws:SecureTransport": rng.choice(["true", "false"])}}
    if family == "binary":
        return {"BinaryEquals" + suffix: {"aws:PrincipalTag/team": rng.choice(["YWxwaGE=", "alpha"])}}
    if family == "ip":
        op = rng.choice(["IpAddress", "NotIpAddress"])
        return {op + suffix: {"aws:SourceIp": rng.sample(["10.0.0.0/8", "192.0.2.0/24", "198.51.100.0/24"], 2)}}
    if family == "arn":
        key = rng.choice(["aws:PrincipalArn", "aws:SourceArn"])
        value = rng.choice([ROLE, "arn:aws:iam::*:role/*", f"arn:aws:glue:*:{ACCOUNT}:job/*", "arn:aws:s3:::data-*"])
        return {rng.choice(_ARN_OPS) + suffix: {key: value}}
    if family == "null":
        key = rng.choice(["aws:TagKeys", "aws:username", "aws:CalledVia", "aws:MultiFactorAuthAge"])
        return {"Null": {key: rng.choice(["true", "false"])}}
    if family == "set":
        qualifier = rng.choice(["ForAllValues", "ForAnyValue"])
        key = rng.choice(["aws:TagKeys", "aws:CalledVia"])
        values = ["env", "team", "owner"] if key == "aws:TagKeys" else ["athena.amazonaws.com"]
        op = rng.choice(["StringEquals", "StringNotEquals", "StringLike", "StringEqualsIgnoreCase"])
        return {f"{qualifier}:{op}{suffix}": {key: rng.sample(values, rng.randint(1, len(values)))}}
    key = rng.choice(["aws:ResourceTag/team", "aws:RequestTag/team", "aws:PrincipalArn"])
    value = rng.choice(["${aws:PrincipalTag/team}", "${aws:username}", "${aws:PrincipalTag/project, 'alpha'}"])
    return {rng.choice(["StringEquals", "StringLike", "StringNotEquals"]) + suffix: {key: value}}


# ------------------------------------------------------------------------------- statements
def _actions(rng: random.Random, service: str, action: str) -> Any:
    choices = [action, f"{service}:*", "*", f"{service}:{action.split(':')[1][:3]}*", f"{service}:List*"]
    return rng.choice(choices) if rng.random() < 0.8 else rng.sample(choices, 2)


def _resources(rng: random.Random, resource: str) -> Any:
    head, _, tail = resource.rpartition("/") if "/" in resource else resource.rpartition(":")
    sep = "/" if "/" in resource else ":"
    choices = [
        resource,
        "*",
        f"{head}{sep}*",
        f"{head}{sep}{tail[:4]}?{tail[5:]}" if len(tail) > 5 else resource,
        f"{head}{sep}other",
        f"{head}{sep}${{aws:username}}/*"
        if resource.startswith("arn:aws:s3")
        else f"{head}{sep}project-${{aws:PrincipalTag/team}}*",
        f"{head}{sep}${{aws:PrincipalTag/team, 'a'}}*",
    ]
    return rng.choice(choices) if rng.random() < 0.85 else rng.sample(choices, 2)


def _statement(rng: random.Random, service: str, action: str, resource: str, principal: Any = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Deny" if rng.random() < 0.3 else "Allow"}
    if rng.random() < 0.15:
        statement["NotAction"] = rng.choice(["iam:*", f"{service}:Delete*", "kms:*", "sts:*"])
    else:
        statement["Action"] = _actions(rng, service, action)
    if rng.random() < 0.12:
        statement["NotResource"] = _resources(rng, resource)
    else:
        statement["Resource"] = _resources(rng, resource)
    if principal is not None:
        statement.update(principal)
    if rng.random() < 0.5:
        statement["Condition"] = _condition(rng)
        if rng.random() < 0.2:
            statement["Condition"].update(_condition(rng))
    return statement


def _document(rng: random.Random, service: str, action: str, resource: str, n: int = 2, **kw: Any) -> dict[str, Any]:
    found = [_statement(rng, service, action, resource, **kw) for _ in range(rng.randint(1, n))]
    return {"Version": "2012-10-17", "Statement": found}


def _principal_element(rng: random.Random, caller: Principal) -> dict[str, Any]:
    if caller.kind == "Service":
        named = rng.choice(["*", {"Service": caller.arn}, {"Service": "lambda.amazonaws.com"}, {"AWS": ACCOUNT}])
        return {"Principal": named} if rng.random() < 0.9 else {"NotPrincipal": {"Service": "lambda.amazonaws.com"}}
    named = rng.choice(
        [
            "*",
            {"AWS": caller.arn},
            {"AWS": caller.issuer or caller.arn},
            {"AWS": f"arn:aws:iam::{caller.account}:root"},
            {"AWS": caller.account},
            {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            {"AWS": f"arn:aws:iam::{ACCOUNT}:user/someone-else"},
            {"Service": "glue.amazonaws.com"},
            {"AWS": "*"},
        ]
    )
    if rng.random() < 0.1:
        return {"NotPrincipal": named if named != "*" else {"AWS": caller.arn}}
    return {"Principal": named}


def case(rng: random.Random, index: int) -> Case:
    service = rng.choice(sorted(TARGETS))
    actions, resources = TARGETS[service]
    action, resource = rng.choice(actions), rng.choice(resources)
    caller = rng.choices([SESSION, USER, PARTNER, GLUE], weights=[5, 3, 2, 1])[0]
    required = service in ("kms", "sts")
    with_resource_policy = required or (service in RESOURCE_POLICY_SERVICES and rng.random() < 0.6)
    if caller is GLUE and not with_resource_policy:
        caller = SESSION
    context = _context(rng, caller)
    resource_policy = None
    if with_resource_policy:
        resource_policy = {
            "Version": "2012-10-17",
            "Statement": [
                _statement(rng, service, action, resource, _principal_element(rng, caller))
                for _ in range(rng.randint(1, 2))
            ],
        }
        if required and rng.random() < 0.5:  # the key policy / trust policy delegating to the account
            resource_policy["Statement"].append(
                {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{caller.account}:root"}, "Action": action}
                | ({"Resource": "*"} if service == "kms" else {})
            )
    if service == "sts" and resource_policy:
        for statement in resource_policy["Statement"]:
            statement.pop("Resource", None)
            statement.pop("NotResource", None)
    human = caller.kind != "Service"
    policies = Policies(
        identity=[_document(rng, service, action, resource) for _ in range(rng.randint(0, 2))] if human else [],
        boundary=_document(rng, service, action, resource) if human and rng.random() < 0.3 else None,
        resource=resource_policy,
        resource_required=required,
        session=[_document(rng, service, action, resource)]
        if caller.kind == "AssumedRole" and rng.random() < 0.2
        else None,
        scps=[[_document(rng, service, action, resource)], [_scp_allow_all()]] if human and rng.random() < 0.2 else (),
        rcps=[[_rcp(rng, service, action, resource)]] if rng.random() < 0.15 else (),
        endpoint=_document(rng, service, action, resource, principal={"Principal": "*"})
        if rng.random() < 0.1
        else None,
    )
    request = Request(caller, action, resource, context, ACCOUNT)
    return Case(f"generated-{index}", request, policies)


def _scp_allow_all() -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _rcp(rng: random.Random, service: str, action: str, resource: str) -> dict[str, Any]:
    statement = _statement(rng, service, action, resource, {"Principal": "*"})
    statement["Effect"] = "Deny"  # RCPs only restrict: RCPFullAWSAccess allows at every level
    statement.pop("NotAction", None)
    statement["Action"] = f"{service}:*" if service in ("s3", "kms", "sts", "sqs") else "s3:*"
    return {"Version": "2012-10-17", "Statement": [statement]}


def cases(seed: int, count: int) -> list[Case]:
    rng = random.Random(seed)
    return [case(rng, i) for i in range(count)]
