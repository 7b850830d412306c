"""Drive the provisioner the way the state machines do, inject failures at the AWS boundary, and list what a
project left behind in AWS."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.exceptions import ClientError
from glueguard.adapters.clients import _session, reset_clients
from glueguard.handlers.provisioner import dispatch
from glueguard.provisioning.steps import ORDER, REMOVAL_ORDER

PROJECT_ID = "6a1f4c2e-9b3d-4e5f-8a7b-0c1d2e3f4a5b"


def request(project_id: str = PROJECT_ID, **extra: Any) -> dict[str, Any]:
    return {
        "projectId": project_id,
        "owner": "ml-team-a@example.com",
        "costCenter": "cc-1234",
        "monthlyBudgetUsd": 500,
        **extra,
    }


def _error(exc: Exception) -> dict[str, str]:
    """What Step Functions' Catch puts in $.error for a failed Lambda task."""
    return {
        "Error": type(exc).__name__,
        "Cause": json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}),
    }


def provision(req: dict[str, Any], execution_id: str = "exec-1") -> dict[str, Any]:
    """Validate, register, create every step, activate; on a failure compensate in reverse and mark FAILED.
    Returns {"status": ..., "result"/"error": ...} like the execution's output."""
    try:
        normalized = dispatch({"action": "validate", "request": req})
        dispatch({"action": "register", "request": normalized, "executionId": execution_id})
    except Exception as exc:
        return {"status": "REFUSED", "error": _error(exc)}
    outputs: dict[str, Any] = {}
    reached = 0
    try:
        for reached, step in enumerate(ORDER):  # noqa: B007 - `reached` is read after the loop
            outputs[step] = dispatch({"action": "create", "step": step, "request": normalized})
        return {
            "status": "SUCCEEDED",
            "result": dispatch({"action": "activate", "request": normalized, "outputs": outputs}),
        }
    except Exception as exc:
        error = _error(exc)
    for step in reversed(ORDER[: reached + 1]):
        dispatch({"action": "compensate", "step": step, "request": normalized})
    failure = dispatch({"action": "fail", "request": normalized, "error": error})
    return {"status": "FAILED", "error": error, "failure": failure}


def deprovision(project_id: str, retain_data: bool = True, execution_id: str = "exec-rm") -> dict[str, Any]:
    normalized = dispatch(
        {"action": "validate_removal", "request": {"projectId": project_id, "retainData": retain_data}}
    )
    dispatch({"action": "begin_removal", "request": normalized, "executionId": execution_id})
    removed = {step: dispatch({"action": "remove", "step": step, "request": normalized}) for step in REMOVAL_ORDER}
    return dispatch({"action": "finish_removal", "request": normalized, "removed": removed})


@contextmanager
def fail_at(service: str, operation: str, nth: int = 1) -> Iterator[list[int]]:
    """Make the nth call of `service`.`operation` (botocore names, e.g. "s3", "PutBucketPolicy") fail with an
    AWS error, through a botocore before-call hook on the clients the plane uses. Yields the call counter."""
    reset_clients()
    calls = [0]

    def hook(**_: Any) -> None:
        calls[0] += 1
        if calls[0] == nth:
            raise ClientError(
                {"Error": {"Code": "InjectedFailure", "Message": f"injected at {service}.{operation} #{nth}"}},
                operation,
            )

    event = f"before-call.{service}.{operation}"
    sessions = [_session()._session, boto3._get_default_session()._session]  # clients and the registry's Table
    for session in sessions:
        session.register(event, hook)
    try:
        yield calls
    finally:
        for session in sessions:
            session.unregister(event, hook)
        reset_clients()


def _safe(call: Callable[[], Any], default: Any) -> Any:
    try:
        return call()
    except ClientError:
        return default


def leftovers(project_id: str = PROJECT_ID, session: Any = None) -> list[str]:
    """Every AWS resource of the project that still exists (KMS keys pending deletion count as gone);
    `session` looks in another account."""
    clients = session or boto3
    prefix = f"project-{project_id}"
    tag = [{"Name": "tag:Project", "Values": [prefix]}]
    found: list[str] = []
    s3, iam, kms, ec2, glue = (clients.client(s) for s in ("s3", "iam", "kms", "ec2", "glue"))
    found += [f"bucket:{b['Name']}" for b in s3.list_buckets()["Buckets"] if b["Name"].startswith(prefix)]
    found += [f"role:{r['RoleName']}" for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(prefix)]
    found += [
        f"policy:{p['PolicyName']}"
        for p in iam.list_policies(Scope="Local")["Policies"]
        if p["PolicyName"].startswith(prefix)
    ]
    found += [f"alias:{a['AliasName']}" for a in kms.list_aliases()["Aliases"] if a["AliasName"] == f"alias/{prefix}"]
    for key in kms.list_keys()["Keys"]:
        tags = kms.list_resource_tags(KeyId=key["KeyId"])["Tags"]
        state = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"]
        if {"TagKey": "Project", "TagValue": prefix} in tags and state != "PendingDeletion":
            found.append(f"key:{key['KeyId']}:{state}")
    found += [f"vpc:{v['VpcId']}" for v in ec2.describe_vpcs(Filters=tag)["Vpcs"]]
    found += [f"subnet:{s['SubnetId']}" for s in ec2.describe_subnets(Filters=tag)["Subnets"]]
    found += [
        f"sg:{g['GroupId']}"
        for g in ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{prefix}-glue-sg"]}])[
            "SecurityGroups"
        ]
    ]
    found += [
        f"endpoint:{e['VpcEndpointId']}"
        for e in ec2.describe_vpc_endpoints(Filters=tag)["VpcEndpoints"]
        if e["State"] not in ("deleted", "deleting")
    ]
    found += [f"database:{d['Name']}" for d in glue.get_databases()["DatabaseList"] if d["Name"].startswith(prefix)]
    found += [
        f"connection:{c['Name']}" for c in glue.get_connections()["ConnectionList"] if c["Name"].startswith(prefix)
    ]
    found += [
        f"security-config:{c['Name']}"
        for c in glue.get_security_configurations()["SecurityConfigurations"]
        if c["Name"].startswith(prefix)
    ]
    found += [
        f"topic:{t['TopicArn']}"
        for t in clients.client("sns").list_topics()["Topics"]
        if f":{prefix}-" in t["TopicArn"]
    ]
    account = clients.client("sts").get_caller_identity()["Account"]
    budgets = _safe(lambda: clients.client("budgets").describe_budgets(AccountId=account)["Budgets"], [])
    found += [f"budget:{b['BudgetName']}" for b in budgets if b["BudgetName"].startswith(prefix)]
    found += [
        f"alarm:{a['AlarmName']}"
        for a in clients.client("cloudwatch").describe_alarms(AlarmNamePrefix=prefix)["MetricAlarms"]
    ]
    found += [f"rule:{r['Name']}" for r in clients.client("events").list_rules(NamePrefix=prefix)["Rules"]]
    return sorted(found)
