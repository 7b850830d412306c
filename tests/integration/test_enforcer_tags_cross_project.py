"""TagResource/UntagResource that alter mandatory tags are undone; a principal of another project is a
critical, reverted, platform-notified violation."""

from __future__ import annotations

import json

import boto3
import pytest
from glueguard.adapters.decisions import DecisionLog
from glueguard.handlers.enforcer import handler

from tests.support.events import load
from tests.support.glue import arn, saved_definitions, tags
from tests.support.lambda_context import LambdaContext
from tests.support.stack import deliver_decision_stream

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
OTHER = "9b8a7c6d-1111-4222-8333-444455556666"
JOB = f"project-{PID}-job-ingest"
CRAWLER = f"project-{PID}-crawler-raw"


def _compliant_job(project, name: str = JOB) -> None:
    boto3.client("glue").create_job(
        Name=name,
        Role=project.resources.job_role_arn,
        Command={"Name": "glueetl", "ScriptLocation": f"s3://project-{PID}-glue-scripts/ingest.py"},
        DefaultArguments={"--TempDir": f"s3://project-{PID}-glue-temp/tmp/"},
        Connections={"Connections": [project.connection_name]},
        SecurityConfiguration=project.security_configuration,
        GlueVersion="4.0",
        WorkerType="G.1X",
        NumberOfWorkers=5,
        Timeout=60,
        ExecutionClass="FLEX",
        NotificationProperty={"NotifyDelayAfter": 1},
        Tags=project.mandatory_tags(),
    )


def test_tag_resource_altering_mandatory_tags_is_undone_and_other_tags_kept(project):
    _compliant_job(project)
    glue = boto3.client("glue")
    glue.tag_resource(
        ResourceArn=arn("job", JOB), TagsToAdd={"Owner": "someone-else", "CostCenter": "cc-9999", "team": "ml"}
    )

    result = handler(load("enforcer/tag_resource_alters_mandatory.json"), LambdaContext())

    assert (result["outcome"], result["violations"]) == ("remediated", ["job-tags"])
    assert tags("job", JOB) == {**project.mandatory_tags(), "team": "ml"}


def test_untag_resource_removing_mandatory_tags_is_undone(project):
    glue = boto3.client("glue")
    glue.create_crawler(
        Name=CRAWLER,
        Role=project.resources.crawler_role_arn,
        DatabaseName=project.database_name,
        Targets={"S3Targets": [{"Path": f"s3://project-{PID}-glue-artifacts/raw/"}]},
        CrawlerSecurityConfiguration=project.security_configuration,
        Tags=project.mandatory_tags(),
    )
    glue.untag_resource(ResourceArn=arn("crawler", CRAWLER), TagsToRemove=["CostCenter", "Owner"])

    result = handler(load("enforcer/untag_resource_removes_mandatory.json"), LambdaContext())

    assert (result["outcome"], result["violations"]) == ("remediated", ["crawler-tags"])
    assert tags("crawler", CRAWLER) == project.mandatory_tags()


def test_tagging_an_ungoverned_resource_type_is_skipped(project):
    result = handler(load("enforcer/tag_resource_ml_transform.json"), LambdaContext())
    assert result["outcome"] == "skipped"


def test_job_created_in_a_project_by_another_projects_principal_is_reverted(aws, project):
    glue = boto3.client("glue")
    name = f"project-{PID}-job-exfiltrate"
    glue.create_job(
        Name=name,
        Role=f"arn:aws:iam::123456789012:role/project-{OTHER}-glue-job-role",
        Command={"Name": "pythonshell", "ScriptLocation": f"s3://project-{OTHER}-glue-scripts/copy.py"},
    )
    sqs = boto3.client("sqs")
    queue = sqs.create_queue(QueueName="platform")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns").subscribe(
        TopicArn=aws["GLUEGUARD_TOPIC_ARN"],
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"FilterPolicy": json.dumps({"audience": ["platform"]}), "RawMessageDelivery": "true"},
    )

    result = handler(load("enforcer/create_job_cross_project.json"), LambdaContext())
    deliver_decision_stream()  # the notifier, off the event path

    assert result["outcome"] == "deleted"
    assert "cross-project" in result["violations"]
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_job(JobName=name)
    [saved] = saved_definitions(project, "job")
    assert saved["definition"]["Role"].endswith(f"project-{OTHER}-glue-job-role")
    [decision] = DecisionLog().list(PID)
    assert decision.severity == "critical"
    assert decision.principal.endswith(f"project-{OTHER}-glue-dev-role/mallory")
    [message] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(message["Body"])["resource_name"] == name  # reached the platform team


def test_update_by_another_projects_principal_is_critical_and_corrected(project):
    _compliant_job(project)
    glue = boto3.client("glue")
    job = glue.get_job(JobName=JOB)["Job"]
    update = {k: job[k] for k in ("Command", "DefaultArguments", "Connections", "GlueVersion", "WorkerType", "Timeout")}
    glue.update_job(
        JobName=JOB,
        JobUpdate={
            **update,
            "Role": f"arn:aws:iam::123456789012:role/project-{OTHER}-glue-job-role",
            "NumberOfWorkers": 5,
        },
    )

    result = handler(load("enforcer/update_job_cross_project.json"), LambdaContext())

    assert result["outcome"] == "remediated"  # the job stays; what breaks its project's policy is reverted
    assert {"cross-project", "job-role"} <= set(result["violations"])
    assert glue.get_job(JobName=JOB)["Job"]["Role"] == project.resources.job_role_arn
    [decision] = DecisionLog().list(PID)
    assert decision.severity == "critical"


def test_table_created_in_a_project_database_by_another_project_is_reverted(project):
    glue = boto3.client("glue")
    glue.create_table(
        DatabaseName=f"project-{PID}-catalog-db",
        TableInput={"Name": "injected", "StorageDescriptor": {"Location": f"s3://project-{OTHER}-glue-artifacts/x/"}},
    )
    result = handler(load("enforcer/create_table_cross_project.json"), LambdaContext())
    assert (result["outcome"], result["violations"]) == ("deleted", ["cross-project"])
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_table(DatabaseName=f"project-{PID}-catalog-db", Name="injected")
    assert len(saved_definitions(project, "table")) == 1
