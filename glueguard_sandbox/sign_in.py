"""A scientist's sign-in through IAM Identity Center in the sandbox (`glueguard sandbox credentials`).

As a platform administrator would: the user and, when the project names no group of its own, a group
`<project prefix>-scientists` are made in the identity store if missing; the user joins the group; the group is
assigned the project's permission set in the project's account (or `account`). The credentials are those of the
user's session in the permission set's `AWSReservedSSO_*` role there (the sandbox's sign-in route stands in for
the AWS access portal).
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import boto3

from glueguard_sandbox.commands import post


def _status(endpoint: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{endpoint}/_glueguard/status", timeout=10) as response:
        return dict(json.loads(response.read()))


def _client(endpoint: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _user(store: Any, store_id: str, name: str) -> str:
    try:
        return str(
            store.get_user_id(
                IdentityStoreId=store_id,
                AlternateIdentifier={"UniqueAttribute": {"AttributePath": "userName", "AttributeValue": name}},
            )["UserId"]
        )
    except store.exceptions.ResourceNotFoundException:
        return str(
            store.create_user(
                IdentityStoreId=store_id, UserName=name, DisplayName=name, Name={"GivenName": name, "FamilyName": "-"}
            )["UserId"]
        )


def _group(store: Any, store_id: str, name: str) -> str:
    for page in store.get_paginator("list_groups").paginate(IdentityStoreId=store_id):
        for group in page.get("Groups", []):
            if group.get("DisplayName") == name:
                return str(group["GroupId"])
    return str(store.create_group(IdentityStoreId=store_id, DisplayName=name)["GroupId"])


def credentials(endpoint: str, project_id: str, user: str, account: str | None = None) -> dict[str, str]:
    """The user's session credentials in the project's permission set role (ValueError for an unknown project or
    one without a permission set)."""
    from glueguard.naming import ProjectNames

    status = _status(endpoint)
    table = _client(endpoint, "dynamodb")
    item = table.get_item(TableName=status["outputs"]["ProjectsTableName"], Key={"project_id": {"S": project_id}})
    if "Item" not in item:
        raise ValueError(f"project {project_id} is not registered")
    resources = item["Item"].get("resources", {}).get("M", {})
    permission_set = resources.get("permission_set_arn", {}).get("S")
    if not permission_set:
        raise ValueError(f"project {project_id} has no Identity Center permission set (provisioned before it?)")
    groups = [g["S"] for g in resources.get("scientist_groups", {}).get("L", [])]
    home = status["organization"]["central"] if status.get("organization") else None
    identity_account = home or _client(endpoint, "sts").get_caller_identity()["Account"]
    account = account or item["Item"].get("account_id", {}).get("S") or identity_account
    sso, store = _client(endpoint, "sso-admin"), _client(endpoint, "identitystore")
    [instance] = sso.list_instances()["Instances"]
    store_id = instance["IdentityStoreId"]
    user_id = _user(store, store_id, user)
    group_id = groups[0] if groups else _group(store, store_id, f"{ProjectNames(project_id).prefix}-scientists")
    member = store.is_member_in_groups(IdentityStoreId=store_id, MemberId={"UserId": user_id}, GroupIds=[group_id])
    if not member["Results"][0]["MembershipExists"]:
        store.create_group_membership(IdentityStoreId=store_id, GroupId=group_id, MemberId={"UserId": user_id})
    assigned = sso.list_account_assignments(
        InstanceArn=instance["InstanceArn"], AccountId=account, PermissionSetArn=permission_set
    )["AccountAssignments"]
    if ("GROUP", group_id) not in {(a["PrincipalType"], a["PrincipalId"]) for a in assigned}:
        sso.create_account_assignment(
            InstanceArn=instance["InstanceArn"],
            TargetId=account,
            TargetType="AWS_ACCOUNT",
            PermissionSetArn=permission_set,
            PrincipalType="GROUP",
            PrincipalId=group_id,
        )
    request = {"identityAccount": identity_account, "userName": user, "permissionSetArn": permission_set}
    return dict(post(endpoint, "sso-session", {**request, "account": account}))
