"""Crawlers on moto: created non-compliant, corrected in place keeping every other field."""

from __future__ import annotations

import boto3
from glueguard.adapters.decisions import DecisionLog
from glueguard.handlers.enforcer import handler

from tests.support.events import load
from tests.support.glue import saved_definitions, tags
from tests.support.lambda_context import LambdaContext

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
OTHER = "9b8a7c6d-1111-4222-8333-444455556666"
NAME = f"project-{PID}-crawler-raw"
ADMIN = "arn:aws:iam::123456789012:role/some-admin-role"
FULL = {
    "Role": ADMIN,
    "DatabaseName": "default",
    "Description": "raw landing zone",
    "Targets": {
        "S3Targets": [
            {"Path": f"s3://project-{PID}-glue-artifacts/raw/", "Exclusions": ["**.tmp"]},
            {"Path": "s3://shared-data-lake/raw/"},
        ]
    },
    "Schedule": "cron(0 2 * * ? *)",
    "Classifiers": ["csv-pipes"],
    "TablePrefix": "raw_",
    "SchemaChangePolicy": {"UpdateBehavior": "UPDATE_IN_DATABASE", "DeleteBehavior": "LOG"},
    "RecrawlPolicy": {"RecrawlBehavior": "CRAWL_EVERYTHING"},
    "LineageConfiguration": {"CrawlerLineageSettings": "DISABLE"},
    "Configuration": '{"Version":1.0}',
}


def _crawler(name: str = NAME) -> dict:
    return boto3.client("glue").get_crawler(Name=name)["Crawler"]


def test_noncompliant_crawler_is_corrected_keeping_every_other_field(project):
    boto3.client("glue").create_crawler(Name=NAME, **FULL)
    before = _crawler()

    result = handler(load("enforcer/create_crawler_noncompliant.json"), LambdaContext())

    after = _crawler()
    assert result["outcome"] == "remediated"
    assert set(result["violations"]) == {
        "crawler-role",
        "crawler-targets",
        "crawler-database",
        "crawler-security-configuration",
        "crawler-tags",
    }
    assert after["Role"] == project.resources.crawler_role_arn
    assert after["DatabaseName"] == project.database_name
    assert after["CrawlerSecurityConfiguration"] == project.security_configuration
    assert after["Targets"]["S3Targets"] == [FULL["Targets"]["S3Targets"][0]]  # the foreign bucket is gone
    changed = {"Role", "DatabaseName", "CrawlerSecurityConfiguration", "Targets", "LastUpdated", "Version"}
    assert {k: v for k, v in after.items() if k not in changed} == {k: v for k, v in before.items() if k not in changed}
    assert after["Schedule"]["ScheduleExpression"] == "cron(0 2 * * ? *)"
    assert tags("crawler", NAME) == project.mandatory_tags()
    [decision] = DecisionLog().list(PID)
    assert decision.before["definition"]["Role"] == ADMIN
    assert decision.after["definition"]["Role"] == project.resources.crawler_role_arn


def test_corrected_crawler_is_compliant_on_the_next_event(project):
    boto3.client("glue").create_crawler(Name=NAME, **FULL)
    handler(load("enforcer/create_crawler_noncompliant.json"), LambdaContext())
    corrected = _crawler()
    result = handler(load("enforcer/update_crawler.json"), LambdaContext())
    assert result["outcome"] == "compliant"
    assert _crawler() == corrected


def test_crawler_of_another_project_bucket_only_is_saved_then_removed(project):
    """Issue 23: a crawler with no target of the project left is corrected (saved, then removed), not only
    reported; the saved definition replays it with the project's settings once given a target of the project."""
    targets = {"S3Targets": [{"Path": f"s3://project-{OTHER}-glue-artifacts/secret/"}]}
    glue = boto3.client("glue")
    glue.create_crawler(Name=NAME, **{**FULL, "Targets": targets})
    handler(load("enforcer/create_crawler_noncompliant.json"), LambdaContext())
    assert NAME not in glue.list_crawlers()["CrawlerNames"]
    [decision] = DecisionLog().list(PID)
    assert decision.outcome == "deleted"
    violation = next(v for v in decision.violations if v["rule"] == "crawler-targets")
    assert violation["severity"] == "critical" and violation["remove"] is True
    [saved] = saved_definitions(project, "crawler")
    assert saved["definition"]["Targets"] == targets  # the full definition, before anything was removed
