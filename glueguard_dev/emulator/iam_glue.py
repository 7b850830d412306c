"""IAM evaluation for Glue as AWS documents it, where moto 5.2.5 checks every Glue call against `*`,
never asks for iam:PassRole, and denies outright when an Allow statement's condition is unmet.

With IAM enforcement on (moto's INITIAL_NO_AUTH_ACTION_COUNT / `set_initial_no_auth_action_count`), a
Glue call is authorised on the ARNs of the resources it names (a table call needs the catalog, the
database and the table), a call that hands Glue a role needs iam:PassRole on that role with
`iam:PassedToService = glue.amazonaws.com`, and CreateJob/UpdateJob/CreateSession carry the
`glue:VpcIds`, `glue:SubnetIds` and `glue:SecurityGroupIds` keys derived from their connections.
An explicit Deny wins, an Allow needs every condition to hold; unsupported condition operators never hold.

Backend model first (the evaluator, pure), then the wire hook on GlueResponse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from contextlib import suppress
from typing import Any

GLUE_SERVICE = "glue.amazonaws.com"

#: operation -> (kind, request path of the name); names are joined as the ARN's resource part.
_NAMED: dict[str, tuple[str, str]] = {
    **{
        op: ("job", "JobName")
        for op in (
            "GetJob",
            "UpdateJob",
            "DeleteJob",
            "StartJobRun",
            "GetJobRun",
            "GetJobRuns",
            "BatchStopJobRun",
            "GetJobBookmark",
            "ResetJobBookmark",
        )
    },
    "CreateJob": ("job", "Name"),
    **{
        op: ("crawler", "Name")
        for op in (
            "CreateCrawler",
            "GetCrawler",
            "UpdateCrawler",
            "DeleteCrawler",
            "StartCrawler",
            "StopCrawler",
        )
    },
    **{
        op: ("trigger", "Name")
        for op in (
            "CreateTrigger",
            "GetTrigger",
            "UpdateTrigger",
            "DeleteTrigger",
            "StartTrigger",
            "StopTrigger",
        )
    },
    **{
        op: ("workflow", "Name")
        for op in (
            "CreateWorkflow",
            "GetWorkflow",
            "UpdateWorkflow",
            "DeleteWorkflow",
            "StartWorkflowRun",
        )
    },
    **{op: ("session", "Id") for op in ("CreateSession", "GetSession", "StopSession", "DeleteSession")},
    **{op: ("session", "SessionId") for op in ("RunStatement", "GetStatement")},
    **{op: ("connection", "Name") for op in ("GetConnection", "DeleteConnection", "UpdateConnection")},
    "CreateConnection": ("connection", "ConnectionInput.Name"),
    "CreateDevEndpoint": ("devEndpoint", "EndpointName"),
}
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
#: operation -> request path of the role it hands to Glue.
_PASSES_ROLE = {
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


# ------------------------------------------------------------------------------- backend model
def _get(params: dict[str, Any], path: str) -> Any:
    value: Any = params
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def resources(operation: str, params: dict[str, Any], region: str, account: str) -> list[str]:
    """The ARNs IAM authorises `operation` on ("*" where the operation names no resource)."""
    arn = f"arn:aws:glue:{region}:{account}"
    if operation in ("TagResource", "UntagResource", "GetTags"):
        return [str(params.get("ResourceArn") or "*")]
    if operation in _NAMED:
        kind, path = _NAMED[operation]
        name = _get(params, path)
        return [f"{arn}:{kind}/{name}"] if isinstance(name, str) and name else ["*"]
    if operation == "CreateDatabase":
        return [f"{arn}:catalog", f"{arn}:database/{_get(params, 'DatabaseInput.Name')}"]
    if operation in _DATABASE_OPS:
        return [f"{arn}:catalog", f"{arn}:database/{_get(params, _DATABASE_OPS[operation])}"]
    if operation in _TABLE_OPS:
        database = params.get("DatabaseName")
        table = _get(params, _TABLE_OPS[operation])
        return [f"{arn}:catalog", f"{arn}:database/{database}", f"{arn}:table/{database}/{table}"]
    return ["*"]


def _values(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _like(pattern: str, value: str) -> bool:
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", "."), value) is not None


_MATCHERS = {
    "StringEquals": lambda expected, actual: actual == expected,
    "StringLike": lambda expected, actual: _like(expected, actual),
    "ArnEquals": lambda expected, actual: actual == expected,
    "ArnLike": lambda expected, actual: _like(expected, actual),
}


def _condition_holds(operator: str, key: str, expected: Any, context: dict[str, list[str]]) -> bool:
    actual = context.get(key)
    if operator == "Null":
        return (actual is None) == (str(expected).lower() == "true")
    qualifier, _, base = operator.rpartition(":")
    match = _MATCHERS.get(base)
    if match is None:
        return False  # an operator this evaluator does not know never grants
    wanted = _values(expected)
    if qualifier == "ForAllValues":
        return all(any(match(w, a) for w in wanted) for a in actual or [])
    if qualifier == "ForAnyValue":
        return any(match(w, a) for w in wanted for a in actual or [])
    return actual is not None and len(actual) == 1 and any(match(w, actual[0]) for w in wanted)


def _document(policy: Any) -> dict[str, Any]:
    """A policy document from what moto's access keys collect: JSON, a managed policy, or a dict."""
    versions = getattr(policy, "versions", None)
    if versions:  # a managed policy: its default version
        policy = next(v for v in versions if v.is_default).document
    elif isinstance(policy, dict) and "policy_document" in policy:
        policy = policy["policy_document"]
    return json.loads(policy) if isinstance(policy, str) else policy


def _statements(policies: Iterable[Any]) -> Iterable[dict[str, Any]]:
    for policy in policies:
        document = _document(policy)
        statements = document.get("Statement", [])
        yield from [statements] if isinstance(statements, dict) else statements


def allowed(policies: Iterable[Any], action: str, resource: str, context: dict[str, list[str]]) -> bool:
    """IAM's identity-policy decision: an applicable Deny wins, else an applicable Allow is needed."""
    granted = False
    for statement in _statements(policies):
        if not any(_like(p, action) for p in _values(statement.get("Action", []))):
            continue
        if not any(_like(p, resource) for p in _values(statement.get("Resource", []))):
            continue
        conditions = statement.get("Condition") or {}
        if not all(
            _condition_holds(op, key, expected, context)
            for op, pairs in conditions.items()
            for key, expected in pairs.items()
        ):
            continue
        if statement.get("Effect") == "Deny":
            return False
        granted = True
    return granted


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


# ------------------------------------------------------------------------------- wire hook
def access_denied(caller: str, action: str, resource: str) -> Exception:
    """Glue's JSON-protocol denial, as AWS words it."""
    from moto.core.exceptions import JsonRESTError

    message = f"User: {caller} is not authorized to perform: {action} on resource: {resource}"
    return JsonRESTError("AccessDeniedException", message)


def _authorize(self: Any, resource: str = "*") -> None:
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin
    from moto.iam.access_control import IAMRequest

    if ActionAuthenticatorMixin.request_count < settings.INITIAL_NO_AUTH_ACTION_COUNT:
        ActionAuthenticatorMixin.request_count += 1
        return
    operation = self._get_action()
    request = IAMRequest(
        account_id=self.current_account,
        method=self.method,
        path=self.raw_path,
        data=self.data,
        body=self.raw_body,
        headers=self.headers,
        action=operation,
    )
    request.check_signature()
    params = json.loads(self.body or "{}") if isinstance(self.body, str | bytes) and self.body else {}
    policies = list(request._access_key.collect_policies())
    account, region = self.current_account, self.region
    context: dict[str, list[str]] = {}
    if operation in _PLACED:
        context.update(placement(_get(params, _PLACED[operation]), account, region))
    caller = getattr(request._access_key, "arn", "")
    for arn in resources(operation, params, region, account):
        if not allowed(policies, f"glue:{operation}", arn, context):
            raise access_denied(caller, f"glue:{operation}", arn)
    role = _get(params, _PASSES_ROLE.get(operation, "")) if operation in _PASSES_ROLE else None
    if isinstance(role, str) and role:
        role_arn = role if role.startswith("arn:") else f"arn:aws:iam::{account}:role/{role}"
        if not allowed(policies, "iam:PassRole", role_arn, {"iam:PassedToService": [GLUE_SERVICE]}):
            raise access_denied(caller, "iam:PassRole", role_arn)


def install() -> None:
    from moto.glue.responses import GlueResponse

    GlueResponse._authenticate_and_authorize_normal_action = _authorize  # type: ignore[method-assign]


__all__ = ["allowed", "install", "placement", "resources"]
