"""A provisioned project, created directly (roles, buckets, network, Glue connection, registry entry).

Used by the in-process tests (moto, no deployed stack), the benchmarks and the demo: it creates what a
provisioned project holds with plain API calls (no KMS key, unencrypted buckets, no permissions boundary),
against whatever endpoint boto3 is configured for. The e2e tests provision through the deployed workflow
instead (`tests/e2e/conftest.py::provisioned_project`).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
from glueguard.adapters.registry import Registry
from glueguard.models.project import Project, ProjectResources
from glueguard.naming import ProjectNames

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


def make_project(
    project_id: str | None = None,
    owner: str = "ml-team-a",
    cost_center: str = "cc-1234",
    session: Any = None,
    account_id: str | None = None,
) -> Project:
    """Create a project's roles, buckets, network and Glue connection in moto and register it ACTIVE.

    `session` (a boto3 session) creates them in another account, `account_id`, registered centrally."""
    project_id = project_id or str(uuid.uuid4())
    names = ProjectNames(project_id)
    iam, s3, ec2, glue = ((session or boto3).client(s) for s in ("iam", "s3", "ec2", "glue"))
    arns = {
        p: iam.create_role(RoleName=names.role(p), AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        for p in ("job", "crawler", "dev")
    }
    buckets = {p: names.bucket(p) for p in ("scripts", "temp", "artifacts")}
    for bucket in buckets.values():
        s3.create_bucket(Bucket=bucket)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.20.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName=names.security_group, Description="glue", VpcId=vpc)["GroupId"]
    # Provisioning tags what it creates (the enforcer would otherwise correct these on their events).
    tags = {"Project": names.prefix, "Service": "glue", "Owner": owner, "CostCenter": cost_center}
    glue.create_connection(
        ConnectionInput={
            "Name": names.connection,
            "ConnectionType": "NETWORK",
            "ConnectionProperties": {},
            "PhysicalConnectionRequirements": {
                "SubnetId": subnet,
                "SecurityGroupIdList": [sg],
                "AvailabilityZone": "us-east-1a",
            },
        },
        Tags=tags,
    )
    glue.create_database(DatabaseInput={"Name": names.database}, Tags=tags)
    project = Project(
        project_id=project_id,
        account_id=account_id,
        owner=owner,
        cost_center=cost_center,
        resources=ProjectResources(
            job_role_arn=arns["job"],
            crawler_role_arn=arns["crawler"],
            dev_role_arn=arns["dev"],
            security_group_id=sg,
            subnet_ids=[subnet],
            subnet_availability_zones={subnet: "us-east-1a"},
            vpc_id=vpc,
            connection_name=names.connection,
            security_configuration=names.security_configuration,
            database_name=names.database,
            buckets=buckets,
        ),
    )
    Registry().create(project)
    return project


def make_job(
    project: Project,
    stem: str = "ingest",
    workers: int = 10,
    concurrency: int = 50,
    timeout: int = 60,
    glue: Any = None,
    **extra: Any,
) -> str:
    """A job of the project within every cap (G.1X, 10 DPU by default, the project's role, network,
    security configuration and tags), so only runtime caps come into play; returns its name."""
    name = project.names.resource("job", stem)
    (glue or boto3.client("glue")).create_job(
        Name=name,
        Role=project.resources.job_role_arn,
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{project.names.scripts_bucket}/{stem}.py"},
        Connections={"Connections": [project.connection_name]},
        SecurityConfiguration=project.security_configuration,
        GlueVersion="4.0",
        WorkerType="G.1X",
        NumberOfWorkers=workers,
        Timeout=timeout,
        ExecutionProperty={"MaxConcurrentRuns": concurrency},
        Tags=project.mandatory_tags(),
        **{"NotificationProperty": {"NotifyDelayAfter": 1}, **extra},
    )
    return name
