"""Connections, databases, tables and security configurations on moto."""

from __future__ import annotations

import boto3
import pytest
from glueguard.adapters.decisions import DecisionLog
from glueguard.handlers.enforcer import handler

from tests.support.events import load
from tests.support.glue import arn, saved_definitions, tags
from tests.support.lambda_context import LambdaContext

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
CONNECTION = f"project-{PID}-connection-warehouse"
DATABASE = f"project-{PID}-catalog-db"
TABLE_INPUT = {
    "Name": "events",
    "TableType": "EXTERNAL_TABLE",
    "Parameters": {"classification": "parquet"},
    "StorageDescriptor": {
        "Location": f"s3://project-{PID}-glue-artifacts/events/",
        "Columns": [{"Name": "id", "Type": "string"}],
    },
}


def _connection() -> dict:
    return boto3.client("glue").get_connection(Name=CONNECTION, HidePassword=False)["Connection"]


def test_jdbc_connection_is_moved_into_project_network_keeping_its_properties(project):
    boto3.client("glue").create_connection(
        ConnectionInput={
            "Name": CONNECTION,
            "Description": "warehouse",
            "ConnectionType": "JDBC",
            "ConnectionProperties": {
                "JDBC_CONNECTION_URL": "jdbc:postgresql://warehouse:5432/dw",
                "USERNAME": "etl",
                "PASSWORD": "s3cret",
            },
            "PhysicalConnectionRequirements": {
                "SubnetId": "subnet-0public0000000000",
                "SecurityGroupIdList": ["sg-0open00000000000"],
                "AvailabilityZone": "us-east-1b",
            },
        }
    )

    result = handler(load("enforcer/create_connection_noncompliant.json"), LambdaContext())

    connection = _connection()
    assert result["outcome"] == "remediated"
    assert connection["PhysicalConnectionRequirements"] == {
        "SubnetId": project.resources.subnet_ids[0],
        "SecurityGroupIdList": [project.resources.security_group_id],
        "AvailabilityZone": "us-east-1a",
    }
    assert connection["ConnectionProperties"]["PASSWORD"] == "s3cret"  # kept
    assert connection["Description"] == "warehouse" and connection["ConnectionType"] == "JDBC"
    assert tags("connection", CONNECTION) == project.mandatory_tags()
    [decision] = DecisionLog().list(PID)
    assert "s3cret" not in decision.model_dump_json()  # never recorded


def test_update_connection_event_is_judged_on_current_state(project):
    res = project.resources
    boto3.client("glue").create_connection(
        ConnectionInput={
            "Name": CONNECTION,
            "ConnectionType": "NETWORK",
            "ConnectionProperties": {},
            "PhysicalConnectionRequirements": {
                "SubnetId": res.subnet_ids[0],
                "SecurityGroupIdList": [res.security_group_id, "sg-0open00000000000"],
                "AvailabilityZone": "us-east-1a",
            },
        },
        Tags=project.mandatory_tags(),
    )
    result = handler(load("enforcer/update_connection.json"), LambdaContext())
    assert (result["outcome"], result["violations"]) == ("remediated", ["connection-network"])
    assert _connection()["PhysicalConnectionRequirements"]["SecurityGroupIdList"] == [res.security_group_id]


def test_project_network_connection_is_compliant(project):
    event = load("enforcer/update_connection.json")
    event["detail"]["requestParameters"]["name"] = project.connection_name
    assert handler(event, LambdaContext())["outcome"] == "compliant"


def test_empty_database_outside_the_project_is_saved_then_deleted_when_policy_says_delete(project, monkeypatch):
    monkeypatch.setenv("GLUEGUARD_POLICY", '{"naming_action": "delete"}')
    glue = boto3.client("glue")
    glue.create_database(DatabaseInput={"Name": "scratch", "Description": "my own space"})
    result = handler(load("enforcer/create_database_outside_project.json"), LambdaContext())
    assert result["outcome"] == "deleted"
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_database(Name="scratch")
    [saved] = saved_definitions(project, "database")
    assert saved["definition"]["Description"] == "my own space"


def test_database_outside_the_project_holding_tables_is_only_reported(project, monkeypatch):
    monkeypatch.setenv("GLUEGUARD_POLICY", '{"naming_action": "delete"}')
    glue = boto3.client("glue")
    glue.create_database(DatabaseInput={"Name": "scratch"})
    glue.create_table(DatabaseName="scratch", TableInput=TABLE_INPUT)
    result = handler(load("enforcer/create_database_outside_project.json"), LambdaContext())
    assert result["outcome"] != "deleted"
    assert glue.get_database(Name="scratch")["Database"]["Name"] == "scratch"
    assert glue.get_table(DatabaseName="scratch", Name="events")["Table"]["Name"] == "events"


def test_project_database_update_only_gets_tags(project):
    boto3.client("glue").untag_resource(ResourceArn=arn("database", DATABASE), TagsToRemove=["Owner", "CostCenter"])
    result = handler(load("enforcer/update_database.json"), LambdaContext())
    assert (result["outcome"], result["violations"]) == ("remediated", ["database-tags"])
    assert tags("database", DATABASE) == project.mandatory_tags()


def test_table_outside_the_project_database_is_saved_then_removed(project):
    glue = boto3.client("glue")
    glue.create_database(DatabaseInput={"Name": "default"})
    glue.create_table(DatabaseName="default", TableInput=TABLE_INPUT)
    result = handler(load("enforcer/create_table_outside_project.json"), LambdaContext())
    assert result["outcome"] == "deleted"
    assert result["violations"] == ["table-database"]
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_table(DatabaseName="default", Name="events")
    [saved] = saved_definitions(project, "table")
    replay = saved["replay"]["request"]
    assert replay["DatabaseName"] == DATABASE
    glue.create_table(**replay)  # the saved request recreates it in the project database
    table = glue.get_table(DatabaseName=DATABASE, Name="events")["Table"]
    assert table["StorageDescriptor"]["Location"] == TABLE_INPUT["StorageDescriptor"]["Location"]
    [decision] = DecisionLog().list(PID)
    assert decision.severity == "critical"


def test_table_in_the_project_database_is_compliant(project):
    boto3.client("glue").create_table(DatabaseName=DATABASE, TableInput=TABLE_INPUT)
    assert handler(load("enforcer/update_table.json"), LambdaContext())["outcome"] == "compliant"


def test_weak_security_configuration_is_reported_or_deleted_by_policy(project, monkeypatch):
    glue = boto3.client("glue")
    name = f"project-{PID}-security-config-fast"
    glue.create_security_configuration(
        Name=name,
        EncryptionConfiguration={
            "S3Encryption": [{"S3EncryptionMode": "DISABLED"}],
            "CloudWatchEncryption": {"CloudWatchEncryptionMode": "DISABLED"},
            "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "DISABLED"},
        },
    )
    event = load("enforcer/create_security_configuration_weak.json")
    result = handler(event, LambdaContext())
    assert (result["outcome"], result["violations"]) == ("reported", ["securityconfiguration-encryption"])
    assert glue.get_security_configuration(Name=name)["SecurityConfiguration"]["Name"] == name

    monkeypatch.setenv("GLUEGUARD_POLICY", '{"naming_action": "delete"}')
    from tests.conftest import _reset_caches

    _reset_caches()
    event["id"] = "redelivered-under-a-new-policy"
    event["detail"]["eventID"] = "another-event-id"
    assert handler(event, LambdaContext())["outcome"] == "deleted"
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_security_configuration(Name=name)
    [saved] = saved_definitions(project, "securityconfiguration")
    assert saved["replay"]["operation"] == "CreateSecurityConfiguration"
