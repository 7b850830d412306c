"""The provisioning request contract: what is accepted, and the precise error for what is not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from glueguard.provisioning.request import DeprovisionRequest, InvalidRequest, ProvisionRequest, parse

PID = "6a1f4c2e-9b3d-4e5f-8a7b-0c1d2e3f4a5b"
EVENTS = Path(__file__).resolve().parents[2] / "events" / "provisioner"


def base(**extra):
    return {"projectId": PID, "owner": "ml-team-a", "costCenter": "cc-1234", "monthlyBudgetUsd": 500, **extra}


def test_minimal_request_creates_a_private_vpc():
    request = parse(ProvisionRequest, base())
    assert request.network.creates_vpc and request.network.vpc_cidr == "10.0.0.0/16"
    assert request.tags() == {
        "Project": f"project-{PID}",
        "Service": "glue",
        "Owner": "ml-team-a",
        "CostCenter": "cc-1234",
    }


def test_sample_event_is_valid_and_round_trips():
    raw = json.loads((EVENTS / "provision_request.json").read_text())
    request = parse(ProvisionRequest, raw)
    again = parse(ProvisionRequest, request.model_dump(mode="json", by_alias=True))
    assert again == request
    assert request.upload_triggers[0].job_name == f"project-{PID}-job-ingest"


def test_bad_sample_event_names_every_problem():
    raw = json.loads((EVENTS / "provision_request_bad.json").read_text())
    with pytest.raises(InvalidRequest) as err:
        parse(ProvisionRequest, raw)
    message = str(err.value)
    for fragment in ("projectId", "monthlyBudgetUsd", "network", "unknown field"):
        assert fragment in message


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"projectId": PID.upper()}, "upper-case hex is not canonical"),
        ({"projectId": "not-a-uuid"}, "not a canonical lower-case UUID"),
        ({"monthlyBudgetUsd": 0}, "monthlyBudgetUsd: Input should be greater than 0"),
        ({"owner": ""}, "owner"),
        ({"costCenter": "cc#1"}, "not a valid AWS tag value"),
        ({"network": {"vpcId": "vpc-0123456789abcdef0"}}, "vpcId needs subnetIds"),
        ({"network": {"subnetIds": ["subnet-0123456789abcdef0"]}}, "need the vpcId"),
        ({"network": {"vpcId": "vpc-1"}}, "is not a VPC id"),
        ({"network": {"cidr": "8.8.0.0/16"}}, "private IPv4 block"),
        ({"network": {"cidr": "10.0.0.0/8"}}, "between /16 and /24"),
        ({"network": {"azCount": 9}}, "azCount"),
        ({"colour": "blue"}, "colour: unknown field"),
        (
            {"scientistRoles": ["arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_A_1"]},
            "scientistRoles is no longer accepted: IAM refuses to attach policies to or tag IAM Identity Center roles",
        ),
        ({"scientistGroups": ["admins"]}, "scientistGroups must be IAM Identity Center group ids; not: ['admins']"),
    ],
)
def test_invalid_requests_get_precise_errors(change, fragment):
    with pytest.raises(InvalidRequest) as err:
        parse(ProvisionRequest, base(**change))
    assert fragment in str(err.value)


def test_upload_triggers_must_name_project_buckets_jobs_and_known_placeholders():
    trigger = {
        "bucket": "someone-elses-bucket",
        "prefix": "incoming/",
        "jobName": "project-00000000-0000-4000-8000-000000000000-job-x",
        "arguments": {"input": "s3://{bucket}/{key}/{date}"},
    }
    with pytest.raises(InvalidRequest) as err:
        parse(ProvisionRequest, base(uploadTriggers=[trigger]))
    message = str(err.value)
    assert "uploadTriggers[0].bucket 'someone-elses-bucket' is not a project bucket" in message
    assert "uploadTriggers[0].jobName" in message
    assert "must start with '--'" in message
    assert "unknown placeholders ['date']" in message


def test_not_an_object():
    with pytest.raises(InvalidRequest, match="must be a JSON object"):
        parse(ProvisionRequest, ["projectId"])


def test_removal_request_defaults_to_retaining_data():
    request = parse(DeprovisionRequest, {"projectId": PID})
    assert request.retain_data is True and request.key_deletion_days == 30
    with pytest.raises(InvalidRequest, match="keyDeletionDays"):
        parse(DeprovisionRequest, {"projectId": PID, "keyDeletionDays": 3})
