"""AWS Config custom rules on moto: the enforcer's evaluator, per check, from Config's invocation shapes."""

from __future__ import annotations

import json

import boto3
import pytest
from glueguard.adapters.calls import counting_calls
from glueguard.adapters.clients import client
from glueguard.handlers import config_rules
from glueguard.handlers.config_rules import InvalidConfigEvent, evaluations, handler

from tests.support.fleet import compliant_job, drifted
from tests.support.lambda_context import LambdaContext

ACCOUNT = "123456789012"


def _change(check: str, resource_type: str, resource_id: str, name: str | None = None, **item) -> dict:
    configuration_item = {
        "resourceType": resource_type,
        "resourceId": resource_id,
        "resourceName": name,
        "configurationItemStatus": "OK",
        "configurationItemCaptureTime": "2026-03-02T10:00:00.000Z",
        **item,
    }
    return {
        "invokingEvent": json.dumps(
            {"messageType": "ConfigurationItemChangeNotification", "configurationItem": configuration_item}
        ),
        "ruleParameters": json.dumps({"check": check}),
        "resultToken": "TESTMODE",
        "eventLeftScope": False,
        "accountId": ACCOUNT,
        "configRuleName": f"glueguard-{check}",
    }


def _scheduled(check: str) -> dict:
    return {
        "invokingEvent": json.dumps({"messageType": "ScheduledNotification", "notificationCreationTime": "x"}),
        "ruleParameters": json.dumps({"check": check}),
        "resultToken": "TESTMODE",
        "accountId": ACCOUNT,
    }


@pytest.fixture
def jobs(project):
    config_rules.reset()
    glue = boto3.client("glue")
    good = compliant_job(project, 1)
    bad_role = drifted(compliant_job(project, 2), "role", project)
    no_vpc = drifted(compliant_job(project, 3), "vpc", project)
    for job in (good, bad_role, no_vpc):
        glue.create_job(**job)
    yield {"good": good["Name"], "role": bad_role["Name"], "vpc": no_vpc["Name"]}
    config_rules.reset()


def _verdict(check: str, name: str) -> tuple[str, str]:
    found, _, test_mode = evaluations(_change(check, "AWS::Glue::Job", name, name))
    assert test_mode and len(found) == 1
    return found[0]["ComplianceType"], found[0]["Annotation"]


def test_each_check_judges_only_its_own_rules(jobs):
    assert _verdict("vpc", jobs["good"])[0] == "COMPLIANT"
    assert _verdict("role", jobs["good"])[0] == "COMPLIANT"
    assert _verdict("naming", jobs["good"])[0] == "COMPLIANT"
    verdict, why = _verdict("role", jobs["role"])
    assert verdict == "NON_COMPLIANT" and "some-admin-role" in why
    assert _verdict("vpc", jobs["role"])[0] == "COMPLIANT"
    verdict, why = _verdict("vpc", jobs["vpc"])
    assert verdict == "NON_COMPLIANT" and "network" in why


def test_an_unowned_badly_named_job_is_non_compliant(jobs):
    boto3.client("glue").create_job(
        Name="adhoc-etl", Role="arn:aws:iam::123456789012:role/x", Command={"Name": "glueetl"}
    )
    verdict, why = _verdict("naming", "adhoc-etl")
    assert verdict == "NON_COMPLIANT" and "no registered project" in why


def test_deleted_or_out_of_scope_resources_are_not_applicable(jobs):
    deleted = _change("vpc", "AWS::Glue::Job", "gone", "gone", configurationItemStatus="ResourceDeleted")
    assert evaluations(deleted)[0][0]["ComplianceType"] == "NOT_APPLICABLE"
    assert _verdict("vpc", "project-never-existed")[0] == "NOT_APPLICABLE"


def test_scheduled_run_evaluates_every_job_and_puts_the_evaluations(jobs):
    with counting_calls([client("config")]) as calls:
        summary = handler(_scheduled("vpc"), LambdaContext())
    assert summary == {"evaluations": 3, "non_compliant": 1, "failed": 0}
    assert calls["Config Service"] == 1


def test_security_group_audit(project):
    config_rules.reset()
    ec2 = boto3.client("ec2")
    group_id = project.resources.security_group_id
    event = _change("security-group", "AWS::EC2::SecurityGroup", group_id, project.names.security_group)
    verdict = evaluations(event)[0][0]
    assert verdict["ComplianceType"] == "NON_COMPLIANT" and "from itself" in verdict["Annotation"]

    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "UserIdGroupPairs": [{"GroupId": group_id}]}
        ],
    )
    assert evaluations(event)[0][0]["ComplianceType"] == "COMPLIANT"

    ec2.authorize_security_group_ingress(
        GroupId=group_id,
        IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
    )
    verdict = evaluations(event)[0][0]
    assert verdict["ComplianceType"] == "NON_COMPLIANT" and "0.0.0.0/0" in verdict["Annotation"]
    other = ec2.create_security_group(GroupName="someone-elses", Description="x")["GroupId"]
    assert (
        evaluations(_change("security-group", "AWS::EC2::SecurityGroup", other, "someone-elses"))[0][0][
            "ComplianceType"
        ]
        == "NOT_APPLICABLE"
    )


def test_malformed_invocations_are_refused(jobs):
    with pytest.raises(InvalidConfigEvent, match=r"ruleParameters\.check must be one of"):
        evaluations({**_scheduled("vpc"), "ruleParameters": json.dumps({"check": "everything"})})
    with pytest.raises(InvalidConfigEvent, match="not a Config rule invocation"):
        evaluations({"invokingEvent": "{not json", "resultToken": "x"})
    with pytest.raises(InvalidConfigEvent, match="evaluates AWS::Glue::Job"):
        evaluations(_change("vpc", "AWS::S3::Bucket", "b", "b"))
