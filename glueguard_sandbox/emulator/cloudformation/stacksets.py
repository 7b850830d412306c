"""An `AWS::CloudFormation::StackSet` with SERVICE_MANAGED permissions, deployed as AWS does (moto's
CloudFormation skips the resource type).

For each account of the target OUs (children OUs included, the management account excluded: "StackSets
doesn't deploy stack instances to the organization's management account, even if the management account is
in your organization or in an OU in your organization" - CloudFormation user guide, "Create a stack set with
service-managed permissions") and each region, a stack `StackSet-<name>-<uuid>` is created in that account
from the template at TemplateURL with the StackSet's parameters. AWS acts through its service-linked role in
the member; the sandbox acts through the account's OrganizationAccountAccessRole (assumed from the
administrator's session, trust policy checked). The stack set and its instances are registered in the
administrator's CloudFormation, so ListStackInstances answers exactly the accounts deployed to (moto's own
service-managed instances include the management account and only one level of child OUs).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse

MEMBER_ACCESS_ROLE = "OrganizationAccountAccessRole"


def _accounts_under(organizations: Any, parent: str) -> Iterator[str]:
    for page in organizations.get_paginator("list_accounts_for_parent").paginate(ParentId=parent):
        yield from (a["Id"] for a in page["Accounts"] if a["State"] == "ACTIVE")
    for page in organizations.get_paginator("list_organizational_units_for_parent").paginate(ParentId=parent):
        for ou in page["OrganizationalUnits"]:
            yield from _accounts_under(organizations, ou["Id"])


def target_accounts(organizations: Any, ou_ids: list[str]) -> list[str]:
    """Accounts of the target OUs, management account excluded, in a stable order."""
    management = organizations.describe_organization()["Organization"]["MasterAccountId"]
    found = {a for ou in ou_ids for a in _accounts_under(organizations, ou)}
    return sorted(found - {management})


def _template_body(s3: Any, url: str) -> str:
    parsed = urlparse(url)
    if parsed.netloc.startswith("s3") and parsed.netloc.endswith("amazonaws.com"):
        bucket, key = parsed.path.lstrip("/").split("/", 1)
    else:
        bucket, key = parsed.netloc.split(".", 1)[0], parsed.path.lstrip("/")
    return str(s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode())


class DeployedInstance:
    """A stack instance as ListStackInstances describes it, for a stack created in the member account."""

    def __init__(self, account: str, region: str, stack_id: str, stack_set_id: str) -> None:
        self.account_id, self.region_name, self.stack_id, self.stack_set_id = account, region, stack_id, stack_set_id

    def delete(self) -> None:  # moto's DeleteStackInstances calls it; the member's stack stays (RetainStacks)
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "StackId": self.stack_id,
            "StackSetId": self.stack_set_id,
            "Region": self.region_name,
            "Account": self.account_id,
            "Status": "CURRENT",
            "StackInstanceStatus": {"DetailedStatus": "SUCCEEDED"},
        }


def register(admin: Any, props: dict[str, Any], body: str, stacks: dict[tuple[str, str], str]) -> None:
    """The stack set and its instances in the administrator's CloudFormation (ListStackInstances)."""
    from moto.cloudformation.models import cloudformation_backends

    account = admin.client("sts").get_caller_identity()["Account"]
    backend = cloudformation_backends[account][admin.client("cloudformation").meta.region_name]
    stack_set = backend.create_stack_set(
        name=props.get("StackSetName", "stackset"),
        template=body,
        parameters={},
        tags={},
        permission_model="SERVICE_MANAGED",
        admin_role=None,
        exec_role=None,
        description=props.get("Description"),
    )
    stack_set.instances.stack_instances += [
        DeployedInstance(member, region, stack_id, stack_set.id) for (member, region), stack_id in stacks.items()
    ]


def deploy(admin: Any, props: dict[str, Any], as_account: Callable[[str], Any]) -> dict[str, str]:
    """Create the StackSet's instances; `admin` is the administrator's session, `as_account(id)` a session
    in a member. Returns account -> stack id."""
    if props.get("PermissionModel") != "SERVICE_MANAGED":
        raise ValueError("only SERVICE_MANAGED stack sets are emulated")
    body = _template_body(admin.client("s3"), props["TemplateURL"])
    parameters = props.get("Parameters") or []
    organizations = admin.client("organizations")
    stacks: dict[tuple[str, str], str] = {}
    for group in props.get("StackInstancesGroup") or []:
        ous = group.get("DeploymentTargets", {}).get("OrganizationalUnitIds") or []
        for account in target_accounts(organizations, [o for o in ous if o]):
            member = as_account(account)
            for region in group.get("Regions") or []:
                cfn = member.client("cloudformation", region_name=region)
                stack_id = cfn.create_stack(
                    StackName=f"StackSet-{props.get('StackSetName', 'stackset')}-{uuid.uuid4()}",
                    TemplateBody=body,
                    Parameters=parameters,
                    Capabilities=props.get("Capabilities") or [],
                )["StackId"]
                status = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
                if status["StackStatus"] != "CREATE_COMPLETE":
                    raise RuntimeError(f"stack instance in {account}/{region}: {status['StackStatus']}")
                stacks[(account, region)] = stack_id
    register(admin, props, body, stacks)
    return {account: stack_id for (account, _), stack_id in stacks.items()}
