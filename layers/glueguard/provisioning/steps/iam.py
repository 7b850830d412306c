"""IAM: the three managed policies, the three Glue roles (bounded by the template's ProjectRoleBoundary, trusted by
Glue only), the scientist policy."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import unquote

from botocore.exceptions import ClientError

from glueguard.adapters.clients import client
from glueguard.provisioning.context import Context, ProvisioningError, error_code
from glueguard.provisioning.policies import Scope, glue_trust, identity_policies

logger = logging.getLogger(__name__)
ROLE_PURPOSES = ("job", "crawler", "dev")
PATH = "/"
BOUNDARY_SETTING = "GLUEGUARD_PROJECT_ROLE_BOUNDARY_ARN"


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
    """Create the role with Glue's trust and the boundary; a re-run keeps it only if its trust is still Glue's (the
    provisioner may not rewrite trust policies: docs/security.md, "Provisioner")."""
    iam = client("iam")
    name = ctx.names.role(purpose)
    expected = glue_trust(scope)
    trust = json.dumps(expected)
    try:
        role = iam.get_role(RoleName=name)["Role"]
        arn = role["Arn"]
        if _document(role.get("AssumeRolePolicyDocument")) != expected:
            raise ProvisioningError(
                f"role {name} exists with a trust policy other than Glue's; glueguard does not rewrite trust "
                "policies: remove the role (or restore its trust) and provision again"
            )
        if (role.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn") != boundary:
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
    boundary = ctx.plane_setting(BOUNDARY_SETTING)
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


def _detachable(ctx: Context, role_name: str, named: frozenset[str]) -> bool:
    """The provisioner detaches a project policy only from the project's own roles and the roles the request names."""
    return role_name in {ctx.names.role(p) for p in ROLE_PURPOSES} or role_name in named


def _named_roles(ctx: Context) -> frozenset[str]:
    """Names of the scientist roles the provisioning request (kept in the registry) names, if it names any."""
    from glueguard.adapters.registry import Registry

    project = Registry().get(ctx.project_id, cached=False)
    arns = getattr(project, "scientist_role_arns", None) or []
    return frozenset(str(arn).rsplit("/", 1)[-1] for arn in arns)


def _delete_policy(ctx: Context, arn: str, named: frozenset[str]) -> bool:
    """Detach from the project's roles and the named scientist roles, then delete. A policy someone attached to any
    other principal stays (with that principal) and is reported: the provisioner may not touch it."""
    iam = client("iam")
    try:
        iam.get_policy(PolicyArn=arn)
    except ClientError as exc:
        if error_code(exc) == "NoSuchEntity":
            return False
        raise
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    roles = [r["RoleName"] for r in entities.get("PolicyRoles", [])]
    others = [r for r in roles if not _detachable(ctx, r, named)]
    others += [f"user/{u['UserName']}" for u in entities.get("PolicyUsers", [])]
    others += [f"group/{g['GroupName']}" for g in entities.get("PolicyGroups", [])]
    for role in roles:
        if _detachable(ctx, role, named):
            iam.detach_role_policy(RoleName=role, PolicyArn=arn)
    if others:
        logger.warning("policy %s kept: still attached to %s, which the request does not name", arn, others)
        return False
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
        names.permissions_boundary,  # the per-project boundary of projects provisioned before the template's
    ]
    named = _named_roles(ctx)
    removed += [name for name in policies if _delete_policy(ctx, _policy_arn(ctx, name), named)]
    return removed
