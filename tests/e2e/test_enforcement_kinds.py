"""Every governed kind through the deployed plane: created non-compliant in the sandbox, then seen corrected,
or stopped / removed with its definition saved, via emulated CloudTrail -> EventBridge rule -> enforcer."""

from __future__ import annotations

import json
import uuid

from glueguard.adapters.decisions import DecisionLog

from tests.e2e.conftest import GLUE_POWER_USER, SandboxHandle, poll, provisioned_project
from tests.support.denials import denied
from tests.support.glue import saved_definitions

ADMIN = "arn:aws:iam::123456789012:role/some-admin-role"


def _scientist(sandbox: SandboxHandle, role: str = "ml-scientist") -> object:
    return sandbox.client("glue", sandbox.assume(role, "alice"))


def _gone(call) -> bool:
    try:
        call()
    except Exception as exc:  # EntityNotFoundException
        return "EntityNotFound" in type(exc).__name__ or "not found" in str(exc).lower()
    return False


def test_crawler_is_corrected(plane_env: SandboxHandle):
    pid = str(uuid.uuid4())
    project = provisioned_project(plane_env, pid)
    glue = _scientist(plane_env)
    name = f"project-{pid}-crawler-raw"
    glue.create_crawler(
        Name=name,
        Role=ADMIN,
        DatabaseName="default",
        Targets={"S3Targets": [{"Path": f"s3://project-{pid}-glue-artifacts/raw/"}, {"Path": "s3://public-lake/x/"}]},
        TablePrefix="raw_",
    )
    crawler = poll(lambda: (c := glue.get_crawler(Name=name)["Crawler"])["Role"] != ADMIN and c)
    assert crawler, "crawler not corrected"
    assert crawler["Role"] == project.resources.crawler_role_arn
    assert crawler["DatabaseName"] == project.database_name
    assert crawler["Targets"]["S3Targets"] == [{"Path": f"s3://project-{pid}-glue-artifacts/raw/"}]
    assert crawler["TablePrefix"] == "raw_"


def test_trigger_starting_another_projects_job_is_deactivated(plane_env: SandboxHandle):
    pid, other = str(uuid.uuid4()), str(uuid.uuid4())
    provisioned_project(plane_env, pid)
    glue = _scientist(plane_env)
    name = f"project-{pid}-trigger-nightly"
    glue.create_trigger(
        Name=name,
        Type="SCHEDULED",
        Schedule="cron(0 3 * * ? *)",
        Actions=[{"JobName": f"project-{pid}-job-a"}, {"JobName": f"project-{other}-job-b"}],
        StartOnCreation=True,
    )
    trigger = poll(lambda: (t := glue.get_trigger(Name=name)["Trigger"])["State"] == "DEACTIVATED" and t)
    assert trigger, "trigger not deactivated"
    assert trigger["Actions"] == [{"JobName": f"project-{pid}-job-a"}]
    decisions = poll(lambda: DecisionLog().list(pid))
    assert decisions[0].severity == "critical"


def test_breaking_session_is_stopped_with_its_definitionsaved_definitions(plane_env: SandboxHandle):
    pid = str(uuid.uuid4())
    project = provisioned_project(plane_env, pid)
    glue = _scientist(plane_env)
    session = f"project-{pid}-session-explore"
    glue.create_session(
        Id=session, Role=ADMIN, Command={"Name": "glueetl"}, WorkerType="G.2X", NumberOfWorkers=40, IdleTimeout=600
    )
    assert poll(lambda: glue.get_session(Id=session)["Session"]["Status"] in {"STOPPING", "STOPPED"}), "not stopped"
    [saved] = poll(lambda: saved_definitions(project, "session"))
    assert saved["replay"]["request"]["NumberOfWorkers"] == 5  # session_max_dpu 10 at 2 DPU per G.2X worker


def test_dev_endpoint_on_the_wrong_network_is_removed_with_its_definitionsaved_definitions(plane_env: SandboxHandle):
    pid = str(uuid.uuid4())
    project = provisioned_project(plane_env, pid)
    glue = _scientist(plane_env)
    name = f"project-{pid}-devendpoint-alice"
    glue.create_dev_endpoint(EndpointName=name, RoleArn=ADMIN, SubnetId="subnet-0public", SecurityGroupIds=["sg-open"])
    assert poll(lambda: _gone(lambda: glue.get_dev_endpoint(EndpointName=name))), "dev endpoint not removed"
    [saved] = saved_definitions(project, "devendpoint")
    assert saved["replay"]["request"]["RoleArn"] == project.resources.dev_role_arn


def test_a_dev_endpoint_without_the_security_configuration_is_removed_and_one_with_it_kept(plane_env: SandboxHandle):
    """Issue 23 part 3 (Prowler): a dev endpoint in the project's own network, with its dev role, but no security
    configuration (its S3 output, logs and bookmarks not encrypted with the project key) was let live."""
    pid = str(uuid.uuid4())
    project = provisioned_project(plane_env, pid)
    res = project.resources
    glue = _scientist(plane_env, "dev-endpoint-maker")  # its own credentials: glue:*, PassRole to Glue
    placed = {"RoleArn": res.dev_role_arn, "SubnetId": res.subnet_ids[0], "SecurityGroupIds": [res.security_group_id]}
    bare, kept = f"project-{pid}-devendpoint-bare", f"project-{pid}-devendpoint-kept"
    glue.create_dev_endpoint(EndpointName=bare, **placed)
    glue.create_dev_endpoint(EndpointName=kept, SecurityConfiguration=project.security_configuration, **placed)
    assert poll(lambda: _gone(lambda: glue.get_dev_endpoint(EndpointName=bare)), timeout=20), "not removed"
    [saved] = saved_definitions(project, "devendpoint")
    assert saved["replay"]["request"]["SecurityConfiguration"] == project.security_configuration
    plane_env.drain()
    endpoint = glue.get_dev_endpoint(EndpointName=kept)["DevEndpoint"]
    assert endpoint["SecurityConfiguration"] == project.security_configuration


def test_connection_is_moved_into_the_project_network(plane_env: SandboxHandle):
    pid = str(uuid.uuid4())
    project = provisioned_project(plane_env, pid)
    glue = _scientist(plane_env)
    name = f"project-{pid}-connection-dw"
    glue.create_connection(
        ConnectionInput={
            "Name": name,
            "ConnectionType": "JDBC",
            "ConnectionProperties": {"JDBC_CONNECTION_URL": "jdbc:postgresql://dw:5432/dw", "PASSWORD": "pw"},
            "PhysicalConnectionRequirements": {"SubnetId": "subnet-0public", "SecurityGroupIdList": ["sg-open"]},
        }
    )

    def moved():
        connection = glue.get_connection(Name=name, HidePassword=False)["Connection"]
        return connection if connection["PhysicalConnectionRequirements"]["SubnetId"] != "subnet-0public" else None

    connection = poll(moved)
    assert connection, "connection not corrected"
    assert connection["PhysicalConnectionRequirements"]["SecurityGroupIdList"] == [project.resources.security_group_id]
    assert connection["ConnectionProperties"]["PASSWORD"] == "pw"


def test_table_outside_the_project_database_is_removed_and_replayable(plane_env: SandboxHandle):
    """The project roles' boundary keeps their tables in the project database; should an account admin lift it
    (the plane does not own IAM), the enforcer still removes a table written elsewhere, saved to be replayed."""
    pid = str(uuid.uuid4())
    project = provisioned_project(plane_env, pid)
    # the project's dev role as a dev endpoint uses it (Glue's session), with rights to write any table
    role = f"project-{pid}-glue-dev-role"
    iam = plane_env.client("iam")
    iam.put_role_policy(RoleName=role, PolicyName="broad", PolicyDocument=json.dumps(GLUE_POWER_USER))
    glue = plane_env.client("glue", plane_env.service_session(project.resources.dev_role_arn))
    database = f"scratch_{pid[:8]}"
    plane_env.client("glue").create_database(DatabaseInput={"Name": database})
    glue.create_table(DatabaseName=project.database_name, TableInput={"Name": "events"})  # its own: allowed
    denied(glue.create_table, DatabaseName=database, TableInput={"Name": "events"}, because="glue:CreateTable")
    iam.delete_role_permissions_boundary(RoleName=role)
    glue.create_table(DatabaseName=database, TableInput={"Name": "events"})
    assert poll(lambda: _gone(lambda: glue.get_table(DatabaseName=database, Name="events"))), "table not removed"
    [saved] = poll(lambda: saved_definitions(project, "table"))
    assert saved["replay"]["request"]["DatabaseName"] == project.database_name
    assert glue.get_table(DatabaseName=project.database_name, Name="events")["Table"]["Name"] == "events"


def test_untagging_a_mandatory_tag_is_undone(plane_env: SandboxHandle):
    pid = str(uuid.uuid4())
    project = provisioned_project(plane_env, pid)
    glue = _scientist(plane_env)
    name = f"project-{pid}-workflow-nightly"
    arn = f"arn:aws:glue:us-east-1:123456789012:workflow/{name}"
    glue.create_workflow(Name=name, Tags=project.mandatory_tags())
    glue.untag_resource(ResourceArn=arn, TagsToRemove=["CostCenter"])
    assert poll(lambda: glue.get_tags(ResourceArn=arn)["Tags"] == project.mandatory_tags()), "tag not restored"


def test_creation_by_another_projects_principal_is_reverted(plane_env: SandboxHandle):
    pid, other = str(uuid.uuid4()), str(uuid.uuid4())
    project = provisioned_project(plane_env, pid)
    glue = _scientist(plane_env, f"project-{other}-glue-dev-role")
    name = f"project-{pid}-workflow-intruder"
    glue.create_workflow(Name=name)
    assert poll(lambda: _gone(lambda: glue.get_workflow(Name=name))), "not reverted"
    decisions = poll(lambda: DecisionLog().list(pid))
    assert decisions[0].severity == "critical" and decisions[0].outcome == "deleted"
    assert len(saved_definitions(project, "workflow")) == 1
