"""adapters/clients: acting in a member account through its member role (moto, an organization)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from glueguard.adapters import clients
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID as CENTRAL


@pytest.fixture
def member(monkeypatch: pytest.MonkeyPatch):
    """An organization with one member holding the glueguard member role; we are a central /glueguard/ role."""
    with mock_aws():
        organizations = boto3.client("organizations", region_name="us-east-1")
        org_id = organizations.create_organization(FeatureSet="ALL")["Organization"]["Id"]
        account = organizations.create_account(AccountName="m", Email="m@example.com")["CreateAccountStatus"][
            "AccountId"
        ]
        admin = boto3.client("sts", region_name="us-east-1").assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole", RoleSessionName="admin"
        )["Credentials"]
        iam = boto3.client(
            "iam",
            aws_access_key_id=admin["AccessKeyId"],
            aws_secret_access_key=admin["SecretAccessKey"],
            aws_session_token=admin["SessionToken"],
        )
        trust = {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{CENTRAL}:root"},
                    "Action": "sts:AssumeRole",
                    "Condition": {
                        "ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{CENTRAL}:role/glueguard/*"},
                        "StringEquals": {"aws:PrincipalOrgID": org_id},
                    },
                }
            ]
        }
        iam.create_role(RoleName="glueguard-member", Path="/glueguard/", AssumeRolePolicyDocument=json.dumps(trust))
        central = boto3.client("iam").create_role(
            RoleName="EnforcerRole", Path="/glueguard/", AssumeRolePolicyDocument="{}"
        )["Role"]["Arn"]
        creds = boto3.client("sts").assume_role(RoleArn=central, RoleSessionName="enforcer")["Credentials"]
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["AccessKeyId"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["SecretAccessKey"])
        monkeypatch.setenv("AWS_SESSION_TOKEN", creds["SessionToken"])
        monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "glueguard-enforcer")
        monkeypatch.setenv("GLUEGUARD_ACCOUNT_ID", CENTRAL)
        clients.reset_clients()
        yield account
        clients.reset_clients()


def test_acting_in_a_member_uses_its_member_role_and_the_plane_stays_home(member: str) -> None:
    with clients.acting_in(member):
        identity = clients.client("sts").get_caller_identity()
        plane = clients.plane_client("sts").get_caller_identity()
        assert clients.acting_account() == member
    assert identity["Arn"] == f"arn:aws:sts::{member}:assumed-role/glueguard-member/glueguard-enforcer"
    assert plane["Account"] == CENTRAL
    assert clients.client("sts").get_caller_identity()["Account"] == CENTRAL  # outside: the plane's account
    with clients.acting_in(CENTRAL):
        assert clients.client("sts").get_caller_identity()["Account"] == CENTRAL


def test_one_session_per_account_refreshed_before_it_expires(member: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = clients._assume_member_role

    def counting(account: str) -> dict[str, str]:
        calls.append(account)
        return original(account)

    monkeypatch.setattr(clients, "_assume_member_role", counting)
    with clients.acting_in(member):
        clients.client("glue").get_jobs()
        clients.client("s3").list_buckets()
    assert calls == [member]  # one AssumeRole for two clients of the account
    credentials = clients._member_session(member)._session._credentials
    credentials._expiry_time = datetime.now(UTC) + timedelta(minutes=5)  # inside botocore's refresh window
    with clients.acting_in(member):
        clients.client("glue").get_jobs()
    assert calls == [member, member]


def test_a_member_role_the_plane_may_not_assume_fails_the_call(member: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    with clients.acting_in("444455556666"), pytest.raises(ClientError, match="AccessDenied"):
        clients.client("glue").get_jobs()


def _session_tags(account: str, access_key: str) -> dict[str, str]:
    from moto.sts.models import sts_backends

    session = sts_backends[account]["aws"].get_assumed_role_from_access_key(access_key)
    return getattr(session, "gg_session_tags", {})


def test_a_client_as_a_usage_profile_is_a_session_tagged_with_it(member: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A job's correction carries the job's usage profile: in a member through its member role, at home through the
    job editor role (GLUEGUARD_JOB_EDITOR_ROLE_ARN), each session tagged glue:UsageProfile (adapters/clients.py)."""
    with clients.acting_in(member):
        away = clients.client_as_profile("sts", "project-a-usage-profile")
        identity = away.get_caller_identity()
    assert identity["Arn"] == f"arn:aws:sts::{member}:assumed-role/glueguard-member/glueguard-enforcer"
    key = away._request_signer._credentials.access_key
    assert _session_tags(member, key) == {"glue:UsageProfile": "project-a-usage-profile"}

    assert "EnforcerRole" in clients.client_as_profile("sts", "p").get_caller_identity()["Arn"]  # no editor role
    editor = boto3.client("iam").create_role(
        RoleName="JobEditorRole", Path="/glueguard/", AssumeRolePolicyDocument="{}"
    )["Role"]["Arn"]
    monkeypatch.setenv("GLUEGUARD_JOB_EDITOR_ROLE_ARN", editor)
    home = clients.client_as_profile("sts", "project-b-usage-profile")
    assert ":assumed-role/JobEditorRole/glueguard-enforcer" in home.get_caller_identity()["Arn"]
    assert _session_tags(CENTRAL, home._request_signer._credentials.access_key) == {
        "glue:UsageProfile": "project-b-usage-profile"
    }
