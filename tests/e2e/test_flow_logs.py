"""VPC Flow Logs of every VPC provisioning creates (issue 26 item 4), through the deployed provisioning workflow with IAM
evaluated: all traffic to a log group encrypted with the project key, kept as long as the policy says, removed with
the project's network; the provisioner may pass the stack's flow-logs role to VPC Flow Logs and no other role."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from tests.e2e.conftest import (
    POLICY_CACHE_SECONDS,
    SandboxHandle,
    provisioned_project,
    run_execution,
)
from tests.support.denials import denied


def _flow_logs_role(sandbox: SandboxHandle) -> str:
    roles = sandbox.client("iam").list_roles(PathPrefix="/glueguard/")["Roles"]
    [arn] = [r["Arn"] for r in roles if "-FlowLogsRole-" in r["RoleName"]]
    return arn


def _provisioner_role(sandbox: SandboxHandle) -> str:
    roles = sandbox.client("iam").list_roles(PathPrefix="/glueguard/")["Roles"]
    [arn] = [r["Arn"] for r in roles if "-ProvisionerRole-" in r["RoleName"]]
    return arn


@pytest.fixture
def retention_30_days(sandbox: SandboxHandle):
    """The deployed policy with flow_logs_retention_days 30 while the test runs (put back after)."""
    ssm, name = sandbox.client("ssm"), sandbox.outputs["PolicyParameterName"]
    original = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    policy = {**json.loads(original), "flow_logs_retention_days": 30}
    ssm.put_parameter(Name=name, Value=json.dumps(policy), Type="String", Overwrite=True)
    time.sleep(POLICY_CACHE_SECONDS + 0.5)
    yield 30
    ssm.put_parameter(Name=name, Value=original, Type="String", Overwrite=True)
    time.sleep(POLICY_CACHE_SECONDS + 0.5)


def test_a_created_vpc_logs_all_traffic_to_an_encrypted_group_removed_with_the_network(
    sandbox: SandboxHandle, retention_30_days: int
):
    pid = str(uuid.uuid4())
    project = provisioned_project(sandbox, pid)
    vpc = project.resources.vpc_id
    ec2, logs = sandbox.client("ec2"), sandbox.client("logs")
    group = f"/glueguard/flow-logs/project-{pid}"

    [flow] = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"]
    assert (flow["TrafficType"], flow["LogDestinationType"], flow["LogGroupName"]) == ("ALL", "cloud-watch-logs", group)
    assert flow["DeliverLogsPermissionArn"] == _flow_logs_role(sandbox)
    assert {"Key": "Project", "Value": f"project-{pid}"} in flow["Tags"]
    [described] = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    key = sandbox.client("kms").describe_key(KeyId=f"alias/project-{pid}")["KeyMetadata"]["Arn"]
    assert described["kmsKeyId"] == key
    assert described["retentionInDays"] == retention_30_days

    done = run_execution(sandbox, "DeprovisionProjectStateMachineArn", {"projectId": pid, "retainData": False})
    assert done["status"] == "SUCCEEDED", done.get("cause")
    assert ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc]}])["FlowLogs"] == []
    assert logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []


def test_the_provisioner_passes_the_flow_logs_role_to_flow_logs_and_no_other_role(sandbox: SandboxHandle):
    """From the provisioner's own credentials (the session Lambda gives its function)."""
    project = provisioned_project(sandbox)
    provisioner = sandbox.service_session(_provisioner_role(sandbox), "lambda.amazonaws.com")
    ec2 = sandbox.client("ec2", provisioner)
    tags = [{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "Project", "Value": project.names.prefix}]}]
    request = {
        "ResourceIds": [project.resources.vpc_id],
        "ResourceType": "VPC",
        "TrafficType": "REJECT",
        "LogDestinationType": "cloud-watch-logs",
        "LogGroupName": f"{project.names.flow_log_group}-rejected",
        "TagSpecifications": tags,
    }
    for other in (project.resources.job_role_arn, _provisioner_role(sandbox), "arn:aws:iam::123456789012:role/admin"):
        denied(ec2.create_flow_logs, DeliverLogsPermissionArn=other, because="iam:PassRole", **request)
    created = ec2.create_flow_logs(DeliverLogsPermissionArn=_flow_logs_role(sandbox), **request)
    assert created["FlowLogIds"] and not created.get("Unsuccessful")
