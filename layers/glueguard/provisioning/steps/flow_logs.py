"""VPC Flow Logs of the VPC provisioning creates (design 11.2): all traffic to the log group
/glueguard/flow-logs/project-{uuid}, encrypted with the project key, kept `flow_logs_retention_days` (the policy);
removed with the project's network. The logs are delivered by the stack's one flow-logs role (template
FlowLogsRole), the only role the provisioner may pass, and only to vpc-flow-logs.amazonaws.com (docs/security.md)."""

from __future__ import annotations

import os
from typing import Any

from botocore.exceptions import ClientError

from glueguard.adapters.clients import client
from glueguard.provisioning.context import Context, ProvisioningError, error_code

ROLE_SETTING = "GLUEGUARD_FLOW_LOGS_ROLE_ARN"


def available() -> bool:
    """Flow logs need the stack's FlowLogsRole, which only the central account holds: a project provisioned into a
    member account gets none yet (the member template has no delivery role; docs/security.md says so)."""
    from glueguard.adapters.clients import acting_account, plane_account

    return acting_account() == plane_account()


def _role_arn() -> str:
    value = os.environ.get(ROLE_SETTING, "")
    if not value.startswith("arn:"):
        raise ProvisioningError(f"{ROLE_SETTING} is not set to an ARN (template.yaml gives it to the provisioner)")
    return value


def ensure(ctx: Context, vpc_id: str) -> str:
    """The encrypted log group with the policy's retention, and the VPC's flow log to it; the flow log's id."""
    from glueguard.policy.settings import load_policy

    logs, ec2, group = client("logs"), client("ec2"), ctx.names.flow_log_group
    try:
        logs.create_log_group(logGroupName=group, kmsKeyId=ctx.require_key_arn(), tags=ctx.tags())
    except ClientError as exc:
        if error_code(exc) != "ResourceAlreadyExistsException":
            raise
    logs.put_retention_policy(logGroupName=group, retentionInDays=load_policy().flow_logs_retention_days)
    for existing in _flow_logs(ec2, vpc_id):
        if existing.get("LogGroupName") == group:
            return str(existing["FlowLogId"])
    created = ec2.create_flow_logs(
        ResourceIds=[vpc_id],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName=group,
        DeliverLogsPermissionArn=_role_arn(),
        TagSpecifications=[
            {"ResourceType": "vpc-flow-log", "Tags": [*ctx.tag_list(), {"Key": "Name", "Value": f"{group}"}]}
        ],
    )
    if created.get("Unsuccessful"):
        raise ProvisioningError(f"flow logs of {vpc_id}: {created['Unsuccessful'][0]['Error']['Message']}")
    return str(created["FlowLogIds"][0])


def remove(ctx: Context, vpc_id: str) -> list[str]:
    """The VPC's flow logs, then their log group (the network they recorded goes with them)."""
    ec2, removed = client("ec2"), []
    ids = [str(f["FlowLogId"]) for f in _flow_logs(ec2, vpc_id)]
    if ids:
        ec2.delete_flow_logs(FlowLogIds=ids)
        removed += ids
    try:
        client("logs").delete_log_group(logGroupName=ctx.names.flow_log_group)
        removed.append(ctx.names.flow_log_group)
    except ClientError as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise
    return removed


def _flow_logs(ec2: Any, vpc_id: str) -> list[dict[str, Any]]:
    return list(ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"])
