"""Glue's request context: the ARNs each operation is authorized on, the role it passes, and the
`glue:VpcIds` / `glue:SubnetIds` / `glue:SecurityGroupIds` keys derived from a job's connections
(Service Authorization Reference, "Actions defined by AWS Glue"; FACTS.md).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

GLUE_SERVICE = "glue.amazonaws.com"

_JOB_OPS = ("GetJob", "UpdateJob", "DeleteJob", "StartJobRun", "GetJobRun", "GetJobRuns", "BatchStopJobRun")
#: operation -> (resource type, request path of its name); the ARN is `<type>/<name>`.
NAMED: dict[str, tuple[str, str]] = {
    **{op: ("job", "JobName") for op in (*_JOB_OPS, "GetJobBookmark", "ResetJobBookmark")},
    "CreateJob": ("job", "Name"),
    **{
        op: ("crawler", "Name")
        for op in ("CreateCrawler", "GetCrawler", "UpdateCrawler", "DeleteCrawler", "StartCrawler", "StopCrawler")
    },
    **{
        op: ("trigger", "Name")
        for op in ("CreateTrigger", "GetTrigger", "UpdateTrigger", "DeleteTrigger", "StartTrigger", "StopTrigger")
    },
    **{
        op: ("workflow", "Name")
        for op in ("CreateWorkflow", "GetWorkflow", "UpdateWorkflow", "DeleteWorkflow", "StartWorkflowRun")
    },
    **{op: ("session", "Id") for op in ("CreateSession", "GetSession", "StopSession", "DeleteSession")},
    **{op: ("session", "SessionId") for op in ("RunStatement", "GetStatement", "ListStatements")},
    **{op: ("connection", "Name") for op in ("GetConnection", "UpdateConnection")},
    "DeleteConnection": ("connection", "ConnectionName"),
    "CreateConnection": ("connection", "ConnectionInput.Name"),
    **{
        op: ("usageProfile", "Name")
        for op in ("CreateUsageProfile", "GetUsageProfile", "UpdateUsageProfile", "DeleteUsageProfile")
    },
    **{op: ("devEndpoint", "EndpointName") for op in ("GetDevEndpoint", "DeleteDevEndpoint", "UpdateDevEndpoint")},
}
#: Operations on the account's catalog itself (resource type `rootcatalog`).
_ROOT_CATALOG_OPS = ("GetDataCatalogEncryptionSettings", "PutDataCatalogEncryptionSettings")
_DATABASE_OPS = {"GetDatabase": "Name", "UpdateDatabase": "Name", "DeleteDatabase": "Name", "GetTables": "DatabaseName"}
_TABLE_OPS = {
    "GetTable": "Name",
    "UpdateTable": "TableInput.Name",
    "CreateTable": "TableInput.Name",
    "DeleteTable": "Name",
    "GetPartition": "TableName",
    "GetPartitions": "TableName",
    "BatchCreatePartition": "TableName",
}
#: operation -> request path of the role it hands to Glue (needs iam:PassRole).
PASSES_ROLE = {
    "CreateJob": "Role",
    "UpdateJob": "JobUpdate.Role",
    "CreateCrawler": "Role",
    "UpdateCrawler": "Role",
    "CreateSession": "Role",
    "CreateDevEndpoint": "RoleArn",
}
_PLACED = {
    "CreateJob": "Connections.Connections",
    "UpdateJob": "JobUpdate.Connections.Connections",
    "CreateSession": "Connections.Connections",
}


def get(params: dict[str, Any], path: str) -> Any:
    value: Any = params
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def resources(operation: str, params: dict[str, Any], region: str, account: str) -> list[str]:
    """The ARNs IAM authorizes `operation` on ("*" where it names no resource)."""
    arn = f"arn:aws:glue:{region}:{account}"
    if operation in ("TagResource", "UntagResource", "GetTags"):
        return [str(params.get("ResourceArn") or "*")]
    if operation in NAMED:
        kind, path = NAMED[operation]
        name = get(params, path)
        return [f"{arn}:{kind}/{name}"] if isinstance(name, str) and name else ["*"]
    if operation in _ROOT_CATALOG_OPS:
        return [f"{arn}:catalog"]
    if operation == "CreateDatabase":
        return [f"{arn}:catalog", f"{arn}:database/{get(params, 'DatabaseInput.Name')}"]
    if operation in _DATABASE_OPS:
        return [f"{arn}:catalog", f"{arn}:database/{get(params, _DATABASE_OPS[operation])}"]
    if operation in _TABLE_OPS:
        database = params.get("DatabaseName")
        table = get(params, _TABLE_OPS[operation])
        return [f"{arn}:catalog", f"{arn}:database/{database}", f"{arn}:table/{database}/{table}"]
    return ["*"]


def passed_role(operation: str, params: dict[str, Any], account: str) -> str | None:
    role = get(params, PASSES_ROLE[operation]) if operation in PASSES_ROLE else None
    if not isinstance(role, str) or not role:
        return None
    return role if role.startswith("arn:") else _role_arn(role, account)


def _role_arn(name: str, account: str) -> str:
    """A role named without its ARN: Glue resolves it in the caller's account (with its path)."""
    from moto.iam.models import iam_backends

    with suppress(Exception):
        return iam_backends[account]["aws"].get_role(name).arn
    return f"arn:aws:iam::{account}:role/{name}"


def request_context(operation: str, params: dict[str, Any], region: str, account: str) -> dict[str, list[str]]:
    """Glue's own keys for this request: where the job is placed."""
    if operation in _PLACED:
        return placement(get(params, _PLACED[operation]), account, region)
    return {}


def resource_tags(arn: str, account: str, region: str) -> dict[str, str]:
    from moto.glue.models import glue_backends

    with suppress(Exception):
        return dict(glue_backends[account][region].get_tags(arn))
    return {}


def placement(connection_names: Any, account: str, region: str) -> dict[str, list[str]]:
    """glue:VpcIds/SubnetIds/SecurityGroupIds of a job placed through `connection_names` (absent: no keys)."""
    from moto.ec2.models import ec2_backends
    from moto.glue.models import glue_backends

    if not isinstance(connection_names, list) or not connection_names:
        return {}
    glue, ec2 = glue_backends[account][region], ec2_backends[account][region]
    vpcs, subnets, groups = set(), set(), set()
    for name in connection_names:
        connection = glue.connections.get(name)
        if connection is None:
            continue
        physical = connection.as_dict().get("PhysicalConnectionRequirements") or {}
        if physical.get("SubnetId"):
            subnets.add(physical["SubnetId"])
            with suppress(Exception):  # a subnet that no longer exists places the job in no VPC
                vpcs.add(ec2.get_subnet(physical["SubnetId"]).vpc_id)
        groups.update(physical.get("SecurityGroupIdList") or [])
    keys = {"glue:VpcIds": vpcs, "glue:SubnetIds": subnets, "glue:SecurityGroupIds": groups}
    return {k: sorted(v) for k, v in keys.items() if v}
