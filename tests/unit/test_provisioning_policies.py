"""The generated IAM policies: parliament finds nothing of concern, and no Resource reaches another project."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

import pytest
from glueguard.provisioning.policies import Scope, glue_trust, identity_policies, key_policy, tls_only_bucket_policy
from parliament import analyze_policy_string, config, iam_definition

from tests.support.stack import CATALOG_KEY_ARN, policy_document

PID = "6a1f4c2e-9b3d-4e5f-8a7b-0c1d2e3f4a5b"
SCOPE = Scope(
    PID,
    "123456789012",
    "us-east-1",
    key_arn="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    provisioner_arn="arn:aws:iam::123456789012:role/glueguard/glueguard-ProvisionerRole-ABC",
    vpc_id="vpc-0123456789abcdef0",
    subnet_ids=("subnet-0123456789abcdef0", "subnet-0fedcba9876543210"),
    security_group_id="sg-0123456789abcdef0",
    catalog_key_arn=CATALOG_KEY_ARN,
)
POLICIES = identity_policies(SCOPE)
#: The project's own ids: a Resource must name one of these (or the account's Glue catalog).
PROJECT_MARKERS = (
    f"project-{PID}",
    SCOPE.key_arn,
    CATALOG_KEY_ARN,
    SCOPE.vpc_id,
    SCOPE.security_group_id,
    *SCOPE.subnet_ids,
)


def make_list(value: Any) -> list[Any]:
    """A policy element as a list (parliament's make_list answers [] for plain Python lists)."""
    return value if isinstance(value, list) else [value]


def _resource_types(action: str) -> list[str]:
    """The resource types IAM's reference (parliament's copy) gives an action; [""] means it takes only "*"."""
    prefix, name = action.split(":")
    service = next(s for s in iam_definition if s["prefix"] == prefix)
    privilege = next(p for p in service["privileges"] if p["privilege"].lower() == name.lower())
    return [r["resource_type"] for r in privilege["resource_types"]]


def _concerns(document: dict) -> list[str]:
    """parliament findings of MEDIUM severity or above, except a RESOURCE_MISMATCH whose only complaint is that
    parliament's (2022) database knows no resource type for the action: scoping such an action to the
    project's ARN can only narrow it (AWS's reference scopes Glue bookmarks and crawlers to job/crawler)."""
    concerns = []
    policy = analyze_policy_string(json.dumps(document), include_community_auditors=True)
    for finding in policy.findings:
        severity = config.get(finding.issue, {}).get("severity")
        if finding.issue == "RESOURCE_MISMATCH" and all(d["required_format"] == "*" for d in finding.detail):
            continue
        if finding.issue == "PERMISSIONS_MANAGEMENT_ACTIONS":
            continue  # iam:PassRole, asserted below to name only the project's roles and only for Glue
        if severity in ("MEDIUM", "HIGH", "CRITICAL") or severity is None:
            concerns.append(f"{finding.issue}: {finding.detail}")
    return concerns


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_parliament_finds_nothing_of_concern(name):
    assert _concerns(POLICIES[name]) == []


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_every_resource_is_the_projects(name):
    for statement in POLICIES[name]["Statement"]:
        if statement["Effect"] == "Deny":  # a deny only takes away (the scientist's trigger writes, mandatory tags)
            continue
        assert statement["Effect"] == "Allow"
        for resource in make_list(statement["Resource"]):
            if resource == "*":
                # only actions that take no resource at all (Describe*, PutMetricData): they reach no project
                assert all(_resource_types(a) == [""] for a in make_list(statement["Action"])), statement["Sid"]
            elif resource.endswith(":network-interface/*"):  # a new ENI has no id yet: subnets and SG confine it
                assert statement["Sid"] in ("CreateEniInProjectSubnets", "ManageEnisInProjectSubnets")
            elif resource != "arn:aws:glue:us-east-1:123456789012:catalog":
                assert any(marker in resource for marker in PROJECT_MARKERS), (statement["Sid"], resource)
            # a wildcard may only extend a name that already carries the project id
            if "*" in resource and resource != "*":
                # Glue's log groups carry the project's security configuration after a prefix Glue chooses
                glue_logs = resource.startswith("arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/*project-")
                assert (
                    f"project-{PID}" in resource.split("*")[0] or resource.endswith("network-interface/*") or glue_logs
                )


def test_scientists_may_not_write_triggers_or_change_the_mandatory_tags():
    denied = {s["Sid"]: s for s in POLICIES[f"project-{PID}-glue-scientist"]["Statement"] if s["Effect"] == "Deny"}
    assert denied["NoTriggerWrites"]["Action"] == ["glue:CreateTrigger", "glue:UpdateTrigger"]
    tags = denied["NoMandatoryTagChanges"]
    assert tags["Action"] == ["glue:TagResource", "glue:UntagResource"]
    assert tags["Condition"] == {
        "ForAnyValue:StringEquals": {"aws:TagKeys": ["Project", "Service", "Owner", "CostCenter"]}
    }


def test_scientists_may_not_create_glue_resources_tagged_for_another_project():
    denied = {s["Sid"]: s for s in POLICIES[f"project-{PID}-glue-scientist"]["Statement"] if s["Effect"] == "Deny"}
    forged = denied["NoForeignProjectTagAtCreation"]
    assert forged["Action"] == ["glue:Create*"] and forged["Resource"] == "*"
    assert forged["Condition"] == {
        "StringNotEquals": {"aws:RequestTag/Project": f"project-{PID}"},
        "Null": {"aws:RequestTag/Project": "false"},
    }


def test_network_interfaces_are_scoped_by_subnet_condition_or_creation():
    statements = {s["Sid"]: s for s in POLICIES[f"project-{PID}-glue-network-access"]["Statement"]}
    create = statements["CreateEniInProjectSubnets"]["Resource"]
    assert {r for r in create if ":subnet/" in r} == {
        f"arn:aws:ec2:us-east-1:123456789012:subnet/{s}" for s in SCOPE.subnet_ids
    }
    manage = statements["ManageEnisInProjectSubnets"]
    assert manage["Condition"]["ArnEquals"]["ec2:Subnet"] == [
        f"arn:aws:ec2:us-east-1:123456789012:subnet/{s}" for s in SCOPE.subnet_ids
    ]


def test_scientist_policy_passes_only_project_roles_to_glue_and_pins_the_network():
    statements = {s["Sid"]: s for s in POLICIES[f"project-{PID}-glue-scientist"]["Statement"]}
    passrole = statements["PassOnlyProjectRolesToGlue"]
    assert passrole["Resource"] == [
        f"arn:aws:iam::123456789012:role/project-{PID}-glue-{p}-role" for p in ("job", "crawler", "dev")
    ]
    assert passrole["Condition"] == {"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}}
    placed = statements["JobsAndSessionsInProjectNetwork"]
    assert set(placed["Action"]) == {"glue:CreateJob", "glue:UpdateJob", "glue:CreateSession"}
    assert placed["Condition"]["ForAllValues:StringEquals"] == {
        "glue:VpcIds": [SCOPE.vpc_id],
        "glue:SubnetIds": list(SCOPE.subnet_ids),
        "glue:SecurityGroupIds": [SCOPE.security_group_id],
    }
    assert placed["Condition"]["Null"] == {
        "glue:VpcIds": "false",
        "glue:SubnetIds": "false",
        "glue:SecurityGroupIds": "false",
    }
    # Only the placement statement may create or update jobs and sessions.
    others = [s for sid, s in statements.items() if sid != "JobsAndSessionsInProjectNetwork"]
    assert not any(
        {"glue:CreateJob", "glue:UpdateJob", "glue:CreateSession"} & set(make_list(s["Action"])) for s in others
    )


def test_every_project_role_grant_is_within_the_template_boundary():
    """The per-project role policies the provisioner writes never reach past ProjectRoleBoundary (template.yaml), so
    the boundary, which the provisioner cannot write, caps them; and the boundary names only project resources (and
    the plane's Data Catalog key, through Glue only)."""
    boundary = policy_document("ProjectRoleBoundary")["Statement"]
    for purpose in ("data-access", "catalog-access", "network-access"):
        for statement in POLICIES[f"project-{PID}-glue-{purpose}"]["Statement"]:
            if statement["Effect"] == "Deny":  # a deny grants nothing
                continue
            for action in make_list(statement["Action"]):
                for resource in make_list(statement["Resource"]):
                    assert any(
                        any(fnmatchcase(action, a) for a in make_list(b["Action"]))
                        and any(fnmatchcase(resource, r) for r in make_list(b["Resource"]))
                        for b in boundary
                    ), (purpose, statement["Sid"], action, resource)
    for statement in boundary:
        for resource in make_list(statement["Resource"]):
            assert (
                resource in ("*", CATALOG_KEY_ARN) or "project-*" in resource or resource.endswith(("/*", ":catalog"))
            ), resource
    assert f"project-{PID}-glue-boundary" not in POLICIES


def test_no_project_role_may_write_the_planes_records_or_rewrite_a_job():
    """Issue 23: the boundary denies every project role writes under `glueguard/` in the artifacts bucket (whatever
    policy a role is given), and no project role policy or the boundary grants glue:UpdateJob."""
    boundary = policy_document("ProjectRoleBoundary")["Statement"]
    [deny] = [s for s in boundary if s["Effect"] == "Deny"]
    assert set(deny["Action"]) == {"s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"}
    assert fnmatchcase(f"arn:aws:s3:::project-{PID}-glue-artifacts/glueguard/quarantine/x.json", deny["Resource"])
    assert not fnmatchcase(f"arn:aws:s3:::project-{PID}-glue-artifacts/out/part-0", deny["Resource"])
    roles = [
        POLICIES[f"project-{PID}-glue-{p}"]["Statement"] for p in ("data-access", "catalog-access", "network-access")
    ]
    granted = [a for doc in [boundary, *roles] for s in doc if s["Effect"] == "Allow" for a in make_list(s["Action"])]
    assert "glue:UpdateJob" not in granted and "glue:GetJob" in granted


def test_resource_policies():
    trust = glue_trust(SCOPE)["Statement"][0]
    assert trust["Principal"] == {"Service": "glue.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    tls = tls_only_bucket_policy(SCOPE, f"project-{PID}-glue-temp")["Statement"]
    assert all(s["Effect"] == "Deny" for s in tls)
    assert tls[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    key = {s["Sid"]: s for s in key_policy(SCOPE)["Statement"]}
    logs = key["GlueLogGroupsOfProject"]
    # the project's Glue log groups and its VPC's flow logs (issue 26 item 4), each the project's alone
    groups = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert groups == [
        f"arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/*project-{PID}-*",
        f"arn:aws:logs:us-east-1:123456789012:log-group:/glueguard/flow-logs/project-{PID}",
    ]
    # the provisioner administers the key through the key policy only: a key it did not create gives it nothing
    assert key["ProvisionerAdministersTheKeyItCreated"]["Principal"] == {"AWS": SCOPE.provisioner_arn}
    with pytest.raises(ValueError, match="GLUEGUARD_PROVISIONER_ROLE_ARN"):
        key_policy(Scope(PID, "123456789012", "us-east-1"))
