"""The scientists' way in: the project's IAM Identity Center permission set (the scientist policy as a customer
managed policy reference), assigned to the request's `scientistGroups` in the project's account
(docs/provisioning.md, "Identity Center").

Identity Center is administered from the plane's account (the organization's management account or Identity
Center's delegated administrator): these calls use the plane's own clients. Its roles in the project's account
(`AWSReservedSSO_*`) are AWS's: nothing here attaches to or tags them. Without an Identity Center instance and
without groups to assign, there is nothing to do.
"""

from __future__ import annotations

from typing import Any

from glueguard.adapters.clients import plane_client
from glueguard.provisioning.context import Context, ProvisioningError

#: A permission set's name is at most 32 characters ([\w+=,.@-]): `project-` and the first 24 hex of the uuid.
NAME_HEX = 24


def permission_set_name(project_id: str) -> str:
    return "project-" + project_id.replace("-", "")[:NAME_HEX]


def _instance(sso: Any) -> str | None:
    instances = sso.list_instances().get("Instances", [])
    return str(instances[0]["InstanceArn"]) if instances else None


def _find(sso: Any, instance: str, name: str) -> str | None:
    for page in sso.get_paginator("list_permission_sets").paginate(InstanceArn=instance):
        for arn in page.get("PermissionSets", []):
            described = sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=arn)["PermissionSet"]
            if described.get("Name") == name:
                return str(arn)
    return None


def create(ctx: Context) -> dict[str, Any]:
    groups = ctx.request.scientist_groups if ctx.request else []
    sso = plane_client("sso-admin")
    instance = _instance(sso)
    if instance is None:
        if groups:
            raise ProvisioningError("scientistGroups need an IAM Identity Center instance; this organization has none")
        return {}
    name = permission_set_name(ctx.project_id)
    arn = _find(sso, instance, name) or str(
        sso.create_permission_set(
            Name=name,
            Description=f"glueguard: scientists of {ctx.names.prefix}",
            InstanceArn=instance,
            SessionDuration="PT8H",
            Tags=ctx.tag_list(),
        )["PermissionSet"]["PermissionSetArn"]
    )
    reference = {"Name": ctx.names.scientist_policy, "Path": "/"}
    attached = sso.list_customer_managed_policy_references_in_permission_set(InstanceArn=instance, PermissionSetArn=arn)
    if reference not in [
        {"Name": r["Name"], "Path": r.get("Path", "/")} for r in attached.get("CustomerManagedPolicyReferences", [])
    ]:
        sso.attach_customer_managed_policy_reference_to_permission_set(
            InstanceArn=instance, PermissionSetArn=arn, CustomerManagedPolicyReference=reference
        )
    assigned = _assignments(sso, instance, arn, ctx.account)
    for group in groups:
        if ("GROUP", group) not in assigned:
            status = sso.create_account_assignment(
                InstanceArn=instance,
                TargetId=ctx.account,
                TargetType="AWS_ACCOUNT",
                PermissionSetArn=arn,
                PrincipalType="GROUP",
                PrincipalId=group,
            )["AccountAssignmentCreationStatus"]
            if status.get("Status") == "FAILED":
                raise ProvisioningError(f"assigning {name} to group {group}: {status.get('FailureReason')}")
    sso.provision_permission_set(InstanceArn=instance, PermissionSetArn=arn, TargetType="ALL_PROVISIONED_ACCOUNTS")
    return {"permission_set_arn": arn, "scientist_groups": list(groups)}


def _assignments(sso: Any, instance: str, arn: str, account: str) -> set[tuple[str, str]]:
    listed = sso.list_account_assignments(InstanceArn=instance, AccountId=account, PermissionSetArn=arn)
    return {(a["PrincipalType"], a["PrincipalId"]) for a in listed.get("AccountAssignments", [])}


def delete(ctx: Context, retain_data: bool) -> list[str]:
    """Every assignment of the project's permission set in its account, then the permission set."""
    sso = plane_client("sso-admin")
    instance = _instance(sso)
    name = permission_set_name(ctx.project_id)
    arn = _find(sso, instance, name) if instance else None
    if instance is None or arn is None:
        return []
    for principal_type, principal in sorted(_assignments(sso, instance, arn, ctx.account)):
        sso.delete_account_assignment(
            InstanceArn=instance,
            TargetId=ctx.account,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=arn,
            PrincipalType=principal_type,
            PrincipalId=principal,
        )
    sso.delete_permission_set(InstanceArn=instance, PermissionSetArn=arn)
    return [name]
