"""The issue's 'done when', in the sandbox: the deployed provision-project state machine (real ASL, in-process
Lambda tasks) completes, refuses a second identical request, rolls back a failure injected at each step in
turn, and the deprovision-project state machine leaves only the retained data."""

from __future__ import annotations

import json
import uuid

import pytest
from glueguard.adapters.registry import Registry
from glueguard.models.project import ProjectStatus

from tests.e2e.conftest import SandboxHandle, run_execution
from tests.support.provisioning import leftovers, request

#: step -> an AWS call in the middle of it (after it created something); json, query, ec2 and rest-xml errors.
INJECTIONS = {
    "kms": ("kms", "CreateAlias", 1),
    "buckets": ("s3", "PutBucketNotificationConfiguration", 3),
    "network": ("ec2", "AuthorizeSecurityGroupIngress", 1),
    "endpoints": ("ec2", "CreateVpcEndpoint", 3),
    "iam": ("iam", "AttachRolePolicy", 5),
    "glue": ("glue", "CreateConnection", 1),
    "monitoring": ("budgets", "CreateBudget", 1),
    "activate": ("dynamodb", "UpdateItem", 1),
}


def _run(sandbox: SandboxHandle, output: str, payload: dict, timeout: float = 120.0) -> dict:
    return run_execution(sandbox, output, payload, timeout)


def _states_entered(sandbox: SandboxHandle, execution_arn: str) -> list[str]:
    history = sandbox.client("stepfunctions").get_execution_history(executionArn=execution_arn, maxResults=1000)
    return [e["stateEnteredEventDetails"]["name"] for e in history["events"] if "stateEnteredEventDetails" in e]


def test_provisioning_completes_and_a_second_identical_request_is_refused(plane_env: SandboxHandle):
    pid = str(uuid.uuid4())
    done = _run(plane_env, "ProvisionProjectStateMachineArn", request(pid))
    assert done["status"] == "SUCCEEDED", done.get("cause")
    output = json.loads(done["output"])
    assert output["status"] == "ACTIVE" and output["resources"]["job_role_arn"].endswith(f"project-{pid}-glue-job-role")
    assert Registry().get(pid, cached=False).status == ProjectStatus.ACTIVE
    assert len(leftovers(pid)) == 26  # 4 policies: the boundary is the template's
    again = _run(plane_env, "ProvisionProjectStateMachineArn", request(pid))
    assert again["status"] == "FAILED" and again["error"] == "ProjectExists"
    assert _states_entered(plane_env, again["executionArn"]) == [
        "ValidateRequest",
        "Register",
        "RefusedAfterValidation",
    ]
    assert Registry().get(pid, cached=False).status == ProjectStatus.ACTIVE


@pytest.mark.parametrize("step", list(INJECTIONS))
def test_failure_injected_at_each_step_rolls_back(plane_env: SandboxHandle, step: str):
    service, operation, nth = INJECTIONS[step]
    pid = str(uuid.uuid4())
    plane_env.post("faults", {"clear": True})
    fault = {"service": service, "operation": operation, "nth": nth}
    if service == "dynamodb":  # the registry's table only (other functions keep idempotency records)
        fault["bodyContains"] = plane_env.outputs["ProjectsTableName"]
    plane_env.post("faults", fault)
    try:
        done = _run(plane_env, "ProvisionProjectStateMachineArn", request(pid))
    finally:
        plane_env.post("faults", {"clear": True})
    assert done["status"] == "FAILED"
    entered = _states_entered(plane_env, done["executionArn"])
    assert f"Compensate{'Monitoring' if step == 'activate' else step.title()}" in entered
    assert entered[-2:] == ["MarkFailed", "ProvisioningFailed"]
    assert leftovers(pid) == []
    project = Registry().get(pid, cached=False)
    assert project.status == ProjectStatus.FAILED
    assert f"injected at {service}.{operation}" in project.status_reason


def test_deprovisioning_leaves_only_retained_data(plane_env: SandboxHandle):
    pid = str(uuid.uuid4())
    assert _run(plane_env, "ProvisionProjectStateMachineArn", request(pid))["status"] == "SUCCEEDED"
    key_arn = Registry().get(pid, cached=False).resources.kms_key_arn
    done = _run(plane_env, "DeprovisionProjectStateMachineArn", {"projectId": pid})
    assert done["status"] == "SUCCEEDED", done.get("cause")
    prefix = f"project-{pid}"
    assert leftovers(pid) == sorted(
        [
            f"alias:alias/{prefix}",
            f"bucket:{prefix}-glue-artifacts",
            f"database:{prefix}-catalog-db",
            f"key:{key_arn.rsplit('/', 1)[1]}:Enabled",
        ]
    )
    assert Registry().get(pid, cached=False).status == ProjectStatus.DELETED
    purge = _run(plane_env, "DeprovisionProjectStateMachineArn", {"projectId": pid, "retainData": False})
    assert purge["status"] == "SUCCEEDED", purge.get("cause")
    assert leftovers(pid) == []
