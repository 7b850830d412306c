"""Which accounts are members, as AWS documents it (the emulator) and as the heartbeat reads it (the plane).

- Organizations answers `State`, no `Status`, since 2026-09-09 (API reference, "Account").
- Service-managed StackSets deploy only to the target OUs' accounts (nested OUs included) and never to the
  management account (CloudFormation API reference, "DeploymentTargets").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from glueguard.adapters import clients
from glueguard.adapters.members import member_accounts
from moto import mock_aws

from glueguard_sandbox.emulator.cloudformation import stacksets

TEMPLATE = "Resources:\n  Nothing:\n    Type: AWS::SNS::Topic\n"
STACK_SET = "glueguard-member"


@dataclass
class Org:
    management: str
    root: str
    in_ou: str  # an account of the target OU
    in_nested_ou: str  # an account of an OU inside the target OU
    outside: str  # an account of the root, outside the target OU
    target_ou: str


class _Admin:
    def __init__(self, session: Any) -> None:
        self.session = session

    def client(self, service: str, **kwargs: Any) -> Any:
        return self.session.client(service, **{"region_name": "us-east-1", **kwargs})


def _as_account(account: str) -> _Admin:
    role = f"arn:aws:iam::{account}:role/{stacksets.MEMBER_ACCESS_ROLE}"
    creds = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName="stacksets-exec")["Credentials"]
    return _Admin(
        boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
        )
    )


@pytest.fixture
def org(monkeypatch: pytest.MonkeyPatch) -> Iterator[Org]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        organizations = boto3.client("organizations")
        management = organizations.create_organization(FeatureSet="ALL")["Organization"]["MasterAccountId"]
        root = organizations.list_roots()["Roots"][0]["Id"]
        target = organizations.create_organizational_unit(ParentId=root, Name="workloads")["OrganizationalUnit"]["Id"]
        nested = organizations.create_organizational_unit(ParentId=target, Name="ml")["OrganizationalUnit"]["Id"]

        def account(name: str, parent: str) -> str:
            created = organizations.create_account(AccountName=name, Email=f"{name}@glueguard.invalid")
            account_id = created["CreateAccountStatus"]["AccountId"]
            if parent != root:
                organizations.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=parent)
            return account_id

        found = Org(management, root, account("a", target), account("b", nested), account("c", root), target)
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="artifacts")
        s3.put_object(Bucket="artifacts", Key="member.yaml", Body=TEMPLATE.encode())
        monkeypatch.setenv("GLUEGUARD_ACCOUNT_ID", management)
        clients.reset_clients()
        yield found
        clients.reset_clients()


def _deploy(org: Org, *ous: str) -> dict[str, str]:
    props = {
        "StackSetName": STACK_SET,
        "PermissionModel": "SERVICE_MANAGED",
        "TemplateURL": "https://artifacts.s3.amazonaws.com/member.yaml",
        "StackInstancesGroup": [{"DeploymentTargets": {"OrganizationalUnitIds": list(ous)}, "Regions": ["us-east-1"]}],
    }
    return stacksets.deploy(_Admin(boto3.session.Session()), props, _as_account)


def test_organizations_answers_state_and_no_status_since_2026_09_09(org: Org) -> None:
    organizations = boto3.client("organizations")

    described = organizations.describe_account(AccountId=org.in_ou)["Account"]
    listed = organizations.list_accounts()["Accounts"]
    for_parent = organizations.list_accounts_for_parent(ParentId=org.root)["Accounts"]

    assert (described["State"], "Status" in described) == ("ACTIVE", False)
    assert [("Status" in a, a["State"]) for a in listed] == [(False, "ACTIVE")] * 4
    assert sorted(a["Id"] for a in for_parent if "Status" not in a) == sorted([org.management, org.outside])


def test_a_stack_set_deploys_to_its_target_ous_nested_ones_included_never_the_management_account(org: Org) -> None:
    stacks = _deploy(org, org.target_ou)

    summaries = boto3.client("cloudformation").list_stack_instances(StackSetName=STACK_SET)["Summaries"]
    assert sorted(stacks) == sorted([org.in_ou, org.in_nested_ou])
    assert sorted((s["Account"], s["StackId"]) for s in summaries) == sorted(stacks.items())
    for account, stack_id in stacks.items():  # the instance is a stack in the member itself
        [stack] = _as_account(account).client("cloudformation").describe_stacks(StackName=stack_id)["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE"


def test_a_stack_set_over_the_root_skips_the_management_account(org: Org) -> None:
    stacks = _deploy(org, org.root)

    assert sorted(stacks) == sorted([org.in_ou, org.in_nested_ou, org.outside])


def test_the_heartbeat_probes_the_stack_sets_active_instances_not_every_account(org: Org) -> None:
    _deploy(org, org.target_ou)
    boto3.client("organizations").close_account(AccountId=org.in_nested_ou)

    assert member_accounts(STACK_SET) == [org.in_ou]  # not the management account, `outside` nor a closed one


def test_without_the_member_stack_set_the_heartbeat_probes_no_account(org: Org) -> None:
    assert member_accounts(STACK_SET) == []
