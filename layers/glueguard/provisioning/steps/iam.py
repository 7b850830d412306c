"""IAM: the permissions boundary, the three managed policies, the three Glue roles, the scientist policy."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from glueguard.adapters.clients import client
from glueguard.provisioning.context import Context, error_code
from glueguard.provisioning.policies import Scope, glue_trust, identity_policies

ROLE_PURPOSES = ("job", "crawler", "dev")
PATH = "/"


def _scope(ctx: Context) -> Scope:
    net = ctx.network().require()
    return ctx.scope(
        key_arn=ctx.require_key_arn(),
        vpc_id=net.vpc_id,
        subnet_ids=tuple(net.subnet_ids),
        security_group_id=net.security_group_id,
    )


def _policy_arn(ctx: Context, name: str) -> str:
    return f"arn:{ctx.partition}:iam::{ctx.account}:policy/{name}"


def _document(raw: Any) -> Any:
    return json.loads(unquote(raw)) if isinstance(raw, str) else raw


def _ensure_policy(ctx: Context, name: str, document: dict[str, Any]) -> str:
    """Create the managed policy, or make `document` its default version."""
    iam = client("iam")
    arn = _policy_arn(ctx, name)
    try:
        current = iam.get_policy(PolicyArn=arn)["Policy"]
    except ClientError as exc:
        if error_code(exc) != "NoSuchEntity":
            raise
        iam.create_policy(
            PolicyName=name,
            Path=PATH,
            PolicyDocument=json.dumps(document),
            Description=f"glueguard {ctx.names.prefix}",
            Tags=ctx.tag_list(),
        )
        return arn
    live = iam.get_policy_version(PolicyArn=arn, VersionId=current["DefaultVersionId"])["PolicyVersion"]
    if _document(live["Document"]) != document:
        versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
        old = [v for v in versions if not v["IsDefaultVersion"]]
        if len(versions) >= 5 and old:
            iam.delete_policy_version(PolicyArn=arn, VersionId=min(old, key=lambda v: v["CreateDate"])["VersionId"])
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(document), SetAsDefault=True)
    iam.tag_policy(PolicyArn=arn, Tags=ctx.tag_list())
    return arn


def _ensure_role(ctx: Context, purpose: str, boundary: str, policy_arns: list[str], scope: Scope) -> str:
    iam = client("iam")
    name = ctx.names.role(purpose)
    trust = json.dumps(glue_trust(scope))
    try:
        arn = iam.get_role(RoleName=name)["Role"]["Arn"]
        iam.update_assume_role_policy(RoleName=name, PolicyDocument=trust)
        iam.put_role_permissions_boundary(RoleName=name, PermissionsBoundary=boundary)
        iam.tag_role(RoleName=name, Tags=ctx.tag_list())
    except ClientError as exc:
        if error_code(exc) != "NoSuchEntity":
            raise
        arn = iam.create_role(
            RoleName=name,
            Path=PATH,
            AssumeRolePolicyDocument=trust,
            Description=f"glueguard {ctx.names.prefix}: Glue {purpose}",
            PermissionsBoundary=boundary,
            MaxSessionDuration=3600,
            Tags=ctx.tag_list(),
        )["Role"]["Arn"]
    for policy_arn in policy_arns:
        iam.attach_role_policy(RoleName=name, PolicyArn=policy_arn)
    return str(arn)


def create(ctx: Context) -> dict[str, Any]:
    scope = _scope(ctx)
    names = ctx.names
    documents = identity_policies(scope)
    arns = {name: _ensure_policy(ctx, name, document) for name, document in documents.items()}
    role_policies = [arns[names.policy(p)] for p in ("data-access", "catalog-access", "network-access")]
    boundary = arns[names.permissions_boundary]
    roles = {p: _ensure_role(ctx, p, boundary, role_policies, scope) for p in ROLE_PURPOSES}
    return {
        "job_role_arn": roles["job"],
        "crawler_role_arn": roles["crawler"],
        "dev_role_arn": roles["dev"],
        "permissions_boundary_arn": boundary,
        "policy_arns": {p: arns[names.policy(p)] for p in ("data-access", "catalog-access", "network-access")},
        "scientist_policy_arn": arns[names.scientist_policy],
    }


def _delete_role(name: str) -> bool:
    iam = client("iam")
    try:
        attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return False
        raise
    for policy in attached:
        iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
    for inline in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        iam.delete_role_policy(RoleName=name, PolicyName=inline)
    for profile in iam.list_instance_profiles_for_role(RoleName=name)["InstanceProfiles"]:
        iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=name)
    iam.delete_role(RoleName=name)
    return True


def _delete_policy(arn: str) -> bool:
    """Detach from every user, group and role (the platform attaches the scientist policy to SSO roles)."""
    iam = client("iam")
    try:
        iam.get_policy(PolicyArn=arn)
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return False
        raise
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    for role in entities.get("PolicyRoles", []):
        iam.detach_role_policy(RoleName=role["RoleName"], PolicyArn=arn)
    for user in entities.get("PolicyUsers", []):
        iam.detach_user_policy(UserName=user["UserName"], PolicyArn=arn)
    for group in entities.get("PolicyGroups", []):
        iam.detach_group_policy(GroupName=group["GroupName"], PolicyArn=arn)
    for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
        if not version["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    iam.delete_policy(PolicyArn=arn)
    return True


def delete(ctx: Context, retain_data: bool) -> list[str]:
    names = ctx.names
    removed = [names.role(p) for p in ROLE_PURPOSES if _delete_role(names.role(p))]
    policies = [
        *(names.policy(p) for p in ("data-access", "catalog-access", "network-access")),
        names.scientist_policy,
        names.permissions_boundary,
    ]
    removed += [name for name in policies if _delete_policy(_policy_arn(ctx, name))]
    return removed
