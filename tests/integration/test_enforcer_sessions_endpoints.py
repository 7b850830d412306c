"""Interactive sessions and dev endpoints on moto: neither can be corrected in place, so one that breaks
the policy is stopped (session) or removed (endpoint), after its definition is saved."""

from __future__ import annotations

import boto3
import pytest
from glueguard.adapters.decisions import DecisionLog
from glueguard.handlers.enforcer import handler

from tests.support.events import load
from tests.support.glue import saved_definitions, tags
from tests.support.lambda_context import LambdaContext

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
SESSION = f"project-{PID}-session-explore"
ENDPOINT = f"project-{PID}-devendpoint-alice"
ADMIN = "arn:aws:iam::123456789012:role/some-admin-role"
SESSION_REQUEST = {
    "Id": SESSION,
    "Role": ADMIN,
    "Command": {"Name": "glueetl", "PythonVersion": "3"},
    "IdleTimeout": 600,
    "DefaultArguments": {"--enable-glue-datacatalog": "true"},
    "GlueVersion": "4.0",
    "NumberOfWorkers": 40,
    "WorkerType": "G.2X",
}


def _session() -> dict:
    return boto3.client("glue").get_session(Id=SESSION)["Session"]


def test_breaking_session_is_stopped_after_its_definition_is_saved(project):
    boto3.client("glue").create_session(**SESSION_REQUEST)

    result = handler(load("enforcer/create_session_noncompliant.json"), LambdaContext())

    assert result["outcome"] == "stopped"
    assert set(result["violations"]) >= {"session-role", "session-vpc", "session-dpu-cap", "session-idle-timeout"}
    assert _session()["Status"] in {"STOPPING", "STOPPED"}
    [saved] = saved_definitions(project, "session")
    assert saved["definition"]["Role"] == ADMIN
    replay = saved["replay"]["request"]
    assert replay["Role"] == project.resources.dev_role_arn
    assert replay["NumberOfWorkers"] == 5 and replay["IdleTimeout"] == 60  # 5 x G.2X = the 10 DPU session cap
    assert replay["Connections"] == {"Connections": [project.connection_name]}
    assert replay["DefaultArguments"] == SESSION_REQUEST["DefaultArguments"]
    assert replay["Tags"] == project.mandatory_tags()
    glue = boto3.client("glue")
    glue.create_session(**replay)  # the saved request replays, and the result is compliant
    assert glue.get_session(Id=replay["Id"])["Session"]["NumberOfWorkers"] == 5
    [decision] = DecisionLog().list(PID)
    assert [a["call"] for a in decision.actions] == ["s3:put_object", "glue:tag_resource", "glue:stop_session"]


def test_compliant_session_only_gets_its_tags(project):
    glue = boto3.client("glue")
    glue.create_session(
        **{
            **SESSION_REQUEST,
            "Role": project.resources.dev_role_arn,
            "IdleTimeout": 30,
            "NumberOfWorkers": 4,
            "Connections": {"Connections": [project.connection_name]},
        }
    )
    result = handler(load("enforcer/create_session_noncompliant.json"), LambdaContext())
    assert (result["outcome"], result["violations"]) == ("remediated", ["session-tags"])
    assert _session()["Status"] == "READY"
    assert tags("session", SESSION) == project.mandatory_tags()


def test_dev_endpoint_on_wrong_network_is_saved_then_removed(project):
    glue = boto3.client("glue")
    glue.create_dev_endpoint(
        EndpointName=ENDPOINT,
        RoleArn=ADMIN,
        SubnetId="subnet-0public0000000000",
        SecurityGroupIds=["sg-0open00000000000"],
        NumberOfNodes=2,
        GlueVersion="1.0",
        Arguments={"--enable-glue-datacatalog": "true"},
    )

    result = handler(load("enforcer/create_dev_endpoint_noncompliant.json"), LambdaContext())

    assert result["outcome"] == "deleted"
    assert {"devendpoint-role", "devendpoint-network", "devendpoint-security-configuration", "devendpoint-tags"} <= set(
        result["violations"]
    )
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_dev_endpoint(EndpointName=ENDPOINT)
    [saved] = saved_definitions(project, "devendpoint")
    replay = saved["replay"]["request"]
    assert saved["replay"]["operation"] == "CreateDevEndpoint"
    assert replay["RoleArn"] == project.resources.dev_role_arn
    assert replay["SubnetId"] == project.resources.subnet_ids[0]
    assert replay["SecurityGroupIds"] == [project.resources.security_group_id]
    assert replay["Arguments"] == {"--enable-glue-datacatalog": "true"}
    assert replay["SecurityConfiguration"] == project.security_configuration
    glue.create_dev_endpoint(**replay)
    assert glue.get_dev_endpoint(EndpointName=replay["EndpointName"])["DevEndpoint"]["RoleArn"] == replay["RoleArn"]


def test_compliant_dev_endpoint_is_kept_and_tagged(project):
    res = project.resources
    boto3.client("glue").create_dev_endpoint(
        EndpointName=ENDPOINT,
        RoleArn=res.dev_role_arn,
        SubnetId=res.subnet_ids[0],
        SecurityGroupIds=[res.security_group_id],
        SecurityConfiguration=project.security_configuration,
    )
    result = handler(load("enforcer/create_dev_endpoint_noncompliant.json"), LambdaContext())
    assert (result["outcome"], result["violations"]) == ("remediated", ["devendpoint-tags"])
    assert tags("devEndpoint", ENDPOINT) == project.mandatory_tags()


def test_a_dev_endpoint_without_the_security_configuration_is_saved_then_removed(project):
    """Issue 23 part 3 (Prowler): a dev endpoint in the project's network with its dev role but no security
    configuration (S3, logs and bookmarks unencrypted by the project key) was let live."""
    res, glue = project.resources, boto3.client("glue")
    glue.create_dev_endpoint(
        EndpointName=ENDPOINT,
        RoleArn=res.dev_role_arn,
        SubnetId=res.subnet_ids[0],
        SecurityGroupIds=[res.security_group_id],
    )
    result = handler(load("enforcer/create_dev_endpoint_noncompliant.json"), LambdaContext())
    assert result["outcome"] == "deleted"
    assert "devendpoint-security-configuration" in result["violations"]
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_dev_endpoint(EndpointName=ENDPOINT)
    [saved] = saved_definitions(project, "devendpoint")
    assert saved["replay"]["request"]["SecurityConfiguration"] == project.security_configuration


def test_sessions_are_listed_for_the_sweep_and_one_past_its_lifetime_is_stopped(project):
    from datetime import UTC, datetime, timedelta

    from glueguard.handlers.enforcer import enforcer
    from glueguard.models.resource import Resource
    from glueguard.resources import kinds

    glue = boto3.client("glue")
    res = project.resources
    compliant = {
        **SESSION_REQUEST,
        "Role": res.dev_role_arn,
        "IdleTimeout": 30,
        "NumberOfWorkers": 4,
        "Connections": {"Connections": [project.connection_name]},
        "Tags": project.mandatory_tags(),
    }
    glue.create_session(**compliant)
    kind = kinds()["session"]
    [listed] = kind.list_all(glue, "us-east-1", "123456789012", lambda arn: project.mandatory_tags())
    assert listed.name == SESSION and listed.get("NumberOfWorkers") == 4
    # judged as if created nine hours ago (the default lifetime cap is 8 h)
    started = datetime.now(UTC) - timedelta(hours=9)
    aged = Resource(listed.kind, listed.name, {**listed.definition, "CreatedOn": started}, listed.tags, listed.arn)
    result = enforcer().enforce(kind, SESSION, listed.arn, event_id="sweep-1", resource=aged)
    assert (result.outcome, [v.rule for v in result.violations]) == ("stopped", ["session-lifetime"])
    assert _session()["Status"] in {"STOPPING", "STOPPED"}
