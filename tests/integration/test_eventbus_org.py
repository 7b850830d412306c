"""Bus-to-bus and cross-account EventBridge delivery (glueguard_sandbox/emulator/eventbus), under moto."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID as CENTRAL

from glueguard_sandbox.emulator import delivery

MEMBER, OUTSIDER = "222222222222", "333333333333"
EVENTS_TRUST = json.dumps(
    {"Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
)


def _credentials(account: str) -> dict[str, str]:
    """An administrator session in `account`, minted by moto directly (test setup, not an AWS call)."""
    from moto.sts.models import sts_backends

    role = sts_backends[account]["aws"].assume_role(
        region_name="us-east-1",
        role_session_name="admin",
        role_arn=f"arn:aws:iam::{account}:role/admin",
        policy="",
        duration=3600,
        external_id="",
    )
    return {
        "AccessKeyId": role.access_key_id,
        "SecretAccessKey": role.secret_access_key,
        "SessionToken": role.session_token,
    }


def _client(service: str, account: str, credentials: dict[str, str] | None = None):
    if account == CENTRAL and credentials is None:
        return boto3.client(service, region_name="us-east-1")
    creds = credentials or _credentials(account)
    return boto3.client(
        service,
        region_name="us-east-1",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


@pytest.fixture
def org():
    """A central bus (policy: the organization only) with an SQS target; MEMBER is in the organization."""
    with mock_aws():
        from moto.organizations.models import organizations_backends

        organizations = boto3.client("organizations", region_name="us-east-1")
        org_id = organizations.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        backend = organizations_backends[CENTRAL]["aws"]
        member = organizations.create_account(AccountName="member", Email="m@example.com")["CreateAccountStatus"]
        member_id = member["AccountId"]
        events = boto3.client("events", region_name="us-east-1")
        bus_arn = events.create_event_bus(Name="glueguard-bus")["EventBusArn"]
        statement = {
            "Sid": "org",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "events:PutEvents",
            "Resource": bus_arn,
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": org_id}},
        }
        events.put_permission(EventBusName="glueguard-bus", Policy=json.dumps({"Statement": [statement]}))
        sqs = boto3.client("sqs", region_name="us-east-1")
        queue = sqs.create_queue(QueueName="seen")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="all", EventBusName="glueguard-bus", EventPattern=json.dumps({"source": ["aws.glue"]}))
        events.put_targets(Rule="all", EventBusName="glueguard-bus", Targets=[{"Id": "q", "Arn": queue_arn}])
        assert backend.org is not None
        yield {"bus": bus_arn, "queue": queue, "sqs": sqs, "member": member_id}


def _forwarding_rule(account: str, bus_arn: str, role: bool = True) -> None:
    iam, events = _client("iam", account), _client("events", account)
    target = {"Id": "central", "Arn": bus_arn}
    if role:
        role_arn = iam.create_role(RoleName="forwarder", AssumeRolePolicyDocument=EVENTS_TRUST)["Role"]["Arn"]
        target["RoleArn"] = role_arn
    events.put_rule(Name="glueguard-forward-glue", EventPattern=json.dumps({"source": ["aws.glue"]}))
    events.put_targets(Rule="glueguard-forward-glue", Targets=[target])


def _send(account: str, event_id: str) -> None:
    from moto.events.models import events_backends

    event = {
        "version": "0",
        "id": event_id,
        "detail-type": "Glue Job State Change",
        "source": "aws.glue",
        "account": account,
        "time": "2026-11-29T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"jobName": "project-x-job-a", "state": "FAILED"},
    }
    bus = events_backends[account]["us-east-1"].describe_event_bus("default")
    for rule in list(bus.rules.values()):
        rule.send_to_targets(dict(event))


def _received(org) -> list[dict]:
    delivery.worker.drain(10)
    time.sleep(0.05)
    messages = org["sqs"].receive_message(QueueUrl=org["queue"], MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_member_event_reaches_the_central_bus_unchanged(org) -> None:
    _forwarding_rule(org["member"], org["bus"])
    _send(org["member"], "evt-member-1")
    [event] = _received(org)
    assert (event["id"], event["account"], event["detail"]["jobName"]) == (
        "evt-member-1",
        org["member"],
        "project-x-job-a",
    )


def test_an_account_outside_the_organization_is_refused(org) -> None:
    _forwarding_rule(OUTSIDER, org["bus"])
    _send(OUTSIDER, "evt-outsider-1")
    assert _received(org) == []
    with pytest.raises(Exception, match="AccessDeniedException"):
        _client("events", OUTSIDER).put_events(
            Entries=[{"Source": "custom", "DetailType": "x", "Detail": "{}", "EventBusName": org["bus"]}]
        )


def test_put_events_naming_the_central_bus_arrives_from_the_member(org) -> None:
    answer = _client("events", org["member"]).put_events(
        Entries=[{"Source": "aws.glue", "DetailType": "probe", "Detail": '{"a": 1}', "EventBusName": org["bus"]}]
    )
    assert answer["FailedEntryCount"] == 0
    [event] = _received(org)
    assert (event["account"], event["id"]) == (org["member"], answer["Entries"][0]["EventId"])


def test_a_bus_target_without_an_execution_role_is_not_delivered(org) -> None:
    _forwarding_rule(org["member"], org["bus"], role=False)
    _send(org["member"], "evt-norole")
    assert _received(org) == []


def test_same_account_forwarding_needs_no_bus_policy(org) -> None:
    _forwarding_rule(CENTRAL, org["bus"])
    _send(CENTRAL, "evt-central-1")
    [event] = _received(org)
    assert (event["id"], event["account"]) == ("evt-central-1", CENTRAL)


# ------------------------------------------------------------------------------- Organizations and STS
def test_a_new_member_account_carries_organization_account_access_role(org) -> None:
    creds = boto3.client("sts", region_name="us-east-1").assume_role(
        RoleArn=f"arn:aws:iam::{org['member']}:role/OrganizationAccountAccessRole", RoleSessionName="admin"
    )["Credentials"]
    identity = _client("sts", org["member"], creds).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{org['member']}:assumed-role/OrganizationAccountAccessRole/admin"


def test_an_outsider_cannot_assume_a_member_role(org) -> None:
    outsider = _client("sts", OUTSIDER)
    with pytest.raises(Exception, match=r"AccessDenied.*sts:AssumeRole"):
        outsider.assume_role(
            RoleArn=f"arn:aws:iam::{org['member']}:role/OrganizationAccountAccessRole", RoleSessionName="outsider"
        )
    with pytest.raises(Exception, match="AccessDenied"):
        outsider.assume_role(RoleArn=f"arn:aws:iam::{org['member']}:role/does-not-exist", RoleSessionName="outsider")


def _member_role(member: str, external_id: str | None = None) -> str:
    from moto.organizations.models import organizations_backends

    org_id = organizations_backends[CENTRAL]["aws"].org.id
    condition = {
        "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{CENTRAL}:role/glueguard/*"},
        "StringEquals": {"aws:PrincipalOrgID": org_id, **({"sts:ExternalId": external_id} if external_id else {})},
    }
    trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{CENTRAL}:root"},
                "Action": "sts:AssumeRole",
                "Condition": condition,
            }
        ]
    }
    iam = _client("iam", member)
    return iam.create_role(RoleName="glueguard-member", Path="/glueguard/", AssumeRolePolicyDocument=json.dumps(trust))[
        "Role"
    ]["Arn"]


def _central_role_session(name: str, path: str) -> dict[str, str]:
    iam, sts = boto3.client("iam", region_name="us-east-1"), boto3.client("sts", region_name="us-east-1")
    arn = iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    return sts.assume_role(RoleArn=arn, RoleSessionName=name)["Credentials"]


def test_only_central_glueguard_roles_assume_the_member_role(org) -> None:
    member_role = _member_role(org["member"], external_id="s3cret")
    plane = _client("sts", CENTRAL, _central_role_session("enforcer", "/glueguard/"))
    scientist = _client("sts", CENTRAL, _central_role_session("scientist", "/"))
    creds = plane.assume_role(RoleArn=member_role, RoleSessionName="enforcer", ExternalId="s3cret")["Credentials"]
    assert _client("sts", org["member"], creds).get_caller_identity()["Account"] == org["member"]
    with pytest.raises(Exception, match="AccessDenied"):
        scientist.assume_role(RoleArn=member_role, RoleSessionName="scientist", ExternalId="s3cret")
    with pytest.raises(Exception, match="AccessDenied"):
        plane.assume_role(RoleArn=member_role, RoleSessionName="enforcer", ExternalId="wrong")
