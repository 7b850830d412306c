"""Each rule of every non-job kind alone: what it finds, the patch it proposes, and what it does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from glueguard.models.project import Project, ProjectResources
from glueguard.models.resource import Resource
from glueguard.models.violation import Severity
from glueguard.policy.settings import parse_policy
from glueguard.rules import RuleContext, evaluate

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"
OTHER = "9b8a7c6d-1111-4222-8333-444455556666"
P = f"project-{PID}"
ROLES = {p: f"arn:aws:iam::123456789012:role/{P}-glue-{p}-role" for p in ("job", "crawler", "dev")}
PROJECT = Project(
    project_id=PID,
    owner="ml-team-a",
    cost_center="cc-1",
    resources=ProjectResources(
        job_role_arn=ROLES["job"],
        crawler_role_arn=ROLES["crawler"],
        dev_role_arn=ROLES["dev"],
        subnet_ids=["subnet-1"],
        subnet_availability_zones={"subnet-1": "us-east-1a"},
        security_group_id="sg-1",
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
    ),
)
TAGS = PROJECT.mandatory_tags()
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def check(kind, name, definition, tags=None, policy=None, principal=None, event="", extra=None):
    resource = Resource(kind, name, definition, TAGS if tags is None else tags, "arn", extra or {})
    ctx = RuleContext(PROJECT, parse_policy(policy or {}), principal_project=principal, event_name=event, now=NOW)
    return {v.rule: v for v in evaluate(resource, ctx)}


# ---------------------------------------------------------------- crawlers
CRAWLER = {
    "Name": f"{P}-crawler-raw",
    "Role": ROLES["crawler"],
    "DatabaseName": f"{P}-catalog-db",
    "Targets": {"S3Targets": [{"Path": f"s3://{P}-glue-artifacts/raw/"}]},
    "CrawlerSecurityConfiguration": f"{P}-security-config",
}


def crawler(**changes):
    return check("crawler", changes.pop("name", CRAWLER["Name"]), {**CRAWLER, **changes})


def test_compliant_crawler():
    assert crawler() == {}


def test_crawler_role_database_security_configuration_patches():
    found = crawler(Role=ROLES["job"], DatabaseName="default", CrawlerSecurityConfiguration=None)
    assert found["crawler-role"].patch == {"Role": ROLES["crawler"]}
    assert found["crawler-database"].patch == {"DatabaseName": f"{P}-catalog-db"}
    assert found["crawler-security-configuration"].patch == {"CrawlerSecurityConfiguration": f"{P}-security-config"}


def test_crawler_role_of_another_project_is_critical():
    found = crawler(Role=f"arn:aws:iam::1:role/project-{OTHER}-glue-crawler-role")
    assert found["crawler-role"].severity is Severity.CRITICAL


def test_crawler_targets_outside_the_project_are_removed():
    targets = {
        "S3Targets": [{"Path": f"s3://{P}-glue-temp/x/"}, {"Path": f"s3://project-{OTHER}-glue-artifacts/y/"}],
        "CatalogTargets": [{"DatabaseName": "default", "Tables": ["t"]}],
        "JdbcTargets": [{"ConnectionName": f"{P}-network", "Path": "db/%"}, {"ConnectionName": "shared", "Path": "x"}],
        "DeltaTargets": [{"DeltaTables": [f"s3://{P}-glue-artifacts/d/"]}],
    }
    violation = crawler(Targets=targets)["crawler-targets"]
    assert violation.severity is Severity.CRITICAL  # a bucket of another project
    assert violation.patch == {
        "Targets": {
            "S3Targets": [{"Path": f"s3://{P}-glue-temp/x/"}],
            "CatalogTargets": [],
            "JdbcTargets": [{"ConnectionName": f"{P}-network", "Path": "db/%"}],
            "DeltaTargets": [{"DeltaTables": [f"s3://{P}-glue-artifacts/d/"]}],
        }
    }


def test_crawler_with_no_project_target_left_is_removed():
    violation = crawler(Targets={"S3Targets": [{"Path": "s3://public-data/"}]})["crawler-targets"]
    assert violation.remove and not violation.unfixable and not violation.patch and violation.severity is Severity.HIGH


def test_crawler_naming_and_tags():
    found = check("crawler", "raw", {**CRAWLER, "Name": "raw"}, tags={})
    assert found["crawler-naming"].unfixable
    assert found["crawler-tags"].tags == TAGS


# ---------------------------------------------------------------- triggers and workflows
def trigger(actions, **extra):
    definition = {"Name": f"{P}-trigger-t", "Type": "SCHEDULED", "State": "ACTIVATED", "Actions": actions, **extra}
    return check("trigger", definition["Name"], definition)


def test_trigger_of_own_jobs_is_compliant():
    assert trigger([{"JobName": f"{P}-job-a"}, {"CrawlerName": f"{P}-crawler-b"}]) == {}


def test_trigger_starting_another_projects_job_is_stopped_and_stripped():
    violation = trigger([{"JobName": f"{P}-job-a"}, {"JobName": f"project-{OTHER}-job-b"}])["trigger-cross-project"]
    assert violation.severity is Severity.CRITICAL and violation.stop and not violation.remove
    assert violation.patch == {"Actions": [{"JobName": f"{P}-job-a"}]}


def test_trigger_starting_only_foreign_work_is_removed():
    violation = trigger([{"CrawlerName": f"project-{OTHER}-crawler-b"}])["trigger-cross-project"]
    assert violation.remove and not violation.patch


def test_trigger_actions_may_not_override_the_notify_delay_or_the_timeout_cap():
    """An action's NotificationProperty and Timeout replace the job's for the runs it starts (Glue API, Action)."""
    within = {"JobName": f"{P}-job-a", "Timeout": 480, "NotificationProperty": {"NotifyDelayAfter": 1}}
    assert "trigger-action-overrides" not in trigger([within, {"JobName": f"{P}-job-b"}])  # inherits the job's
    late = {
        "JobName": f"{P}-job-a",
        "Timeout": 481,
        "NotificationProperty": {"NotifyDelayAfter": 2},
        "Arguments": {"--x": "1"},
    }
    foreign = {"JobName": f"project-{OTHER}-job-b", "NotificationProperty": {"NotifyDelayAfter": 60}}
    found = trigger([late, {"CrawlerName": f"{P}-crawler-b"}, foreign])
    violation = found["trigger-action-overrides"]
    assert "NotifyDelayAfter 2 min" in violation.message and "Timeout 481 min" in violation.message
    assert violation.patch == {  # 480 min is the default policy's maximum; the foreign action stays out
        "Actions": [
            {
                "JobName": f"{P}-job-a",
                "Timeout": 480,
                "NotificationProperty": {"NotifyDelayAfter": 1},
                "Arguments": {"--x": "1"},
            },
            {"CrawlerName": f"{P}-crawler-b"},
        ]
    }
    assert found["trigger-cross-project"].patch["Actions"] == [late, {"CrawlerName": f"{P}-crawler-b"}]


def test_trigger_and_workflow_naming_and_tags():
    found = check("trigger", "nightly", {"Name": "nightly", "Actions": []}, tags={"Owner": "x"})
    assert found["trigger-naming"].unfixable and found["trigger-tags"].tags["Owner"] == "ml-team-a"
    found = check("workflow", "flow", {"Name": "flow"}, tags={})
    assert set(found) == {"workflow-naming", "workflow-tags"}
    assert check("workflow", f"{P}-workflow-flow", {"Name": f"{P}-workflow-flow"}) == {}


# ---------------------------------------------------------------- sessions
SESSION = {
    "Id": f"{P}-session-s",
    "Status": "READY",
    "Role": ROLES["dev"],
    "Connections": {"Connections": [f"{P}-network"]},
    "WorkerType": "G.1X",
    "NumberOfWorkers": 5,
    "IdleTimeout": 30,
    "CreatedOn": NOW - timedelta(minutes=10),
}


def session(**changes):
    return check("session", SESSION["Id"], {**SESSION, **changes})


def test_compliant_session_with_dev_or_job_role():
    assert session() == {}
    assert session(Role=ROLES["job"]) == {}


def test_every_session_rule_stops_with_a_replay_patch():
    found = session(
        Role="arn:aws:iam::1:role/admin",
        Connections=None,
        NumberOfWorkers=40,
        IdleTimeout=None,
        CreatedOn=NOW - timedelta(hours=9),
    )
    assert all(found[r].stop for r in found)
    assert found["session-role"].patch == {"Role": ROLES["dev"]}
    assert found["session-vpc"].patch == {"Connections": {"Connections": [f"{P}-network"]}}
    assert found["session-dpu-cap"].patch == {"NumberOfWorkers": 10}
    assert found["session-idle-timeout"].patch == {"IdleTimeout": 60}
    assert "session-lifetime" in found


def test_session_capacity_without_worker_type_is_capped_in_dpu():
    found = session(WorkerType=None, NumberOfWorkers=None, MaxCapacity=20.0)
    assert found["session-dpu-cap"].patch == {"MaxCapacity": 10.0}


def test_session_cap_is_in_dpu_not_workers():
    """Issue #12 item 3: the cap was 10 *workers*, so 10 x G.8X = 80 DPU passed."""
    found = session(WorkerType="G.8X", NumberOfWorkers=10)
    assert found["session-dpu-cap"].patch == {"NumberOfWorkers": 1}  # 8 DPU within the 10 DPU cap
    assert "session-dpu-cap" not in session(WorkerType="G.2X", NumberOfWorkers=5)  # 10 DPU: at the cap


def test_session_caps_follow_the_policy():
    assert session(NumberOfWorkers=40, IdleTimeout=600) != {}
    found = check(
        "session",
        SESSION["Id"],
        {**SESSION, "NumberOfWorkers": 40, "IdleTimeout": 600},
        policy={"session_max_dpu": 50, "session_idle_timeout_max_minutes": 900},
    )
    assert found == {}


# ---------------------------------------------------------------- dev endpoints
ENDPOINT = {
    "EndpointName": f"{P}-devendpoint-e",
    "RoleArn": ROLES["dev"],
    "SubnetId": "subnet-1",
    "SecurityGroupIds": ["sg-1"],
    "SecurityConfiguration": f"{P}-security-config",
    "CreatedTimestamp": NOW - timedelta(hours=1),
}


def endpoint(**changes):
    return check("devendpoint", ENDPOINT["EndpointName"], {**ENDPOINT, **changes})


def test_compliant_dev_endpoint():
    assert endpoint() == {}


def test_dev_endpoint_role_network_and_lifetime_remove_it():
    found = endpoint(
        RoleArn=ROLES["job"],
        SubnetId="subnet-x",
        SecurityGroupIds=["sg-x", "sg-1"],
        SecurityConfiguration=None,
        CreatedTimestamp=NOW - timedelta(days=2),
    )
    assert {r: found[r].remove for r in found} == {
        "devendpoint-role": True,
        "devendpoint-network": True,
        "devendpoint-security-configuration": True,
        "devendpoint-lifetime": True,
    }
    assert found["devendpoint-security-configuration"].patch == {"SecurityConfiguration": f"{P}-security-config"}
    assert found["devendpoint-network"].patch == {"SubnetId": "subnet-1", "SecurityGroupIds": ["sg-1"]}
    assert found["devendpoint-role"].patch == {"RoleArn": ROLES["dev"]}


def test_dev_endpoint_naming_follows_the_policy_action():
    found = check("devendpoint", "alice", {**ENDPOINT, "EndpointName": "alice"})
    assert found["devendpoint-naming"].unfixable and not found["devendpoint-naming"].remove


# ---------------------------------------------------------------- connections
def connection(name=f"{P}-connection-dw", **changes):
    definition = {
        "Name": name,
        "ConnectionType": "JDBC",
        "PhysicalConnectionRequirements": {
            "SubnetId": "subnet-1",
            "SecurityGroupIdList": ["sg-1"],
            "AvailabilityZone": "us-east-1a",
        },
        **changes,
    }
    return check("connection", name, definition)


def test_compliant_connections_including_the_project_network():
    assert connection() == {}
    assert connection(name=f"{P}-network", ConnectionType="NETWORK") == {}


def test_connection_moved_to_project_subnet_and_sg_with_its_zone():
    found = connection(
        PhysicalConnectionRequirements={
            "SubnetId": "subnet-x",
            "SecurityGroupIdList": ["sg-x"],
            "AvailabilityZone": "b",
        }
    )
    assert found["connection-network"].patch == {
        "PhysicalConnectionRequirements": {
            "SubnetId": "subnet-1",
            "SecurityGroupIdList": ["sg-1"],
            "AvailabilityZone": "us-east-1a",
        }
    }


def test_connection_types_outside_a_vpc_are_not_placed():
    assert connection(ConnectionType="CUSTOM", PhysicalConnectionRequirements=None) == {}


def test_connection_naming():
    assert connection(name="warehouse")["connection-naming"].unfixable


# ---------------------------------------------------------------- databases and tables
def test_only_the_project_database():
    assert check("database", f"{P}-catalog-db", {"Name": f"{P}-catalog-db"}) == {}
    empty = check("database", "scratch", {"Name": "scratch"}, extra={"tables": []})["database-project-only"]
    assert empty.unfixable and empty.severity is Severity.HIGH
    full = check("database", "scratch", {"Name": "scratch"}, extra={"tables": ["t"]})["database-project-only"]
    assert not full.unfixable  # a database holding tables is never deleted
    foreign = check("database", f"project-{OTHER}-catalog-db-x", {}, extra={"tables": []})["database-project-only"]
    assert foreign.severity is Severity.CRITICAL
    assert (
        check("database", "scratch", {"Name": "scratch"}, policy={"lock_database": False}, extra={"tables": []}) == {}
    )


def test_table_elsewhere_is_a_critical_removal():
    assert check("table", f"{P}-catalog-db/t", {"Name": "t"}, tags={}) == {}
    violation = check("table", "default/t", {"Name": "t"}, tags={})["table-database"]
    assert violation.severity is Severity.CRITICAL and violation.remove


# ---------------------------------------------------------------- security configurations
STRONG = {
    "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k"}],
    "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS"},
    "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "CSE-KMS"},
}


def test_security_configuration_rules():
    assert check("securityconfiguration", f"{P}-security-config", {"EncryptionConfiguration": STRONG}) == {}
    weak = {
        **STRONG,
        "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": "other"}],
        "CloudWatchEncryption": {},
    }
    found = check("securityconfiguration", "fast", {"EncryptionConfiguration": weak})
    assert found["securityconfiguration-naming"].unfixable
    message = found["securityconfiguration-encryption"].message
    assert "CloudWatchEncryption is DISABLED" in message and "not the project key" in message


# ---------------------------------------------------------------- cross-project
def test_cross_project_creation_is_reverted_and_other_calls_reported():
    created = check("table", f"{P}-catalog-db/t", {}, tags={}, principal=OTHER, event="CreateTable")["cross-project"]
    assert created.severity is Severity.CRITICAL and created.remove
    updated = check("workflow", f"{P}-workflow-w", {}, principal=OTHER, event="UpdateWorkflow")["cross-project"]
    assert updated.severity is Severity.CRITICAL and not updated.remove and OTHER in updated.message
    assert check("workflow", f"{P}-workflow-w", {}, principal=PID, event="UpdateWorkflow") == {}
    assert check("workflow", f"{P}-workflow-w", {}, principal=None, event="UpdateWorkflow") == {}
