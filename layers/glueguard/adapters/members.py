"""Member accounts of the organization and the state of their glueguard rules (Organizations, EventBridge)."""

from __future__ import annotations

import json
from typing import Any

from glueguard.adapters.clients import acting_in, client, forget_member, plane_account, plane_client
from glueguard.organization.heartbeat import MEMBER_RULES, MemberState, RuleState, Target


def member_accounts(stack_set: str) -> list[str]:
    """Accounts holding an instance of the member stack set that Organizations says are ACTIVE, the plane's own
    excepted ([] outside an organization or without the stack set). StackSets deploy only to the target OUs and
    never to the management account, so the stack set's instances, not ListAccounts, are the members to probe;
    `State` is read, `Status` having been retired on 2026-09-09."""
    organizations, cloudformation = plane_client("organizations"), plane_client("cloudformation")
    try:
        pages = organizations.get_paginator("list_accounts").paginate()
        active = {a["Id"] for page in pages for a in page["Accounts"] if a.get("State") == "ACTIVE"}
        pages = cloudformation.get_paginator("list_stack_instances").paginate(
            StackSetName=stack_set, CallAs="DELEGATED_ADMIN"
        )
        instances = {i["Account"] for page in pages for i in page["Summaries"]}
    except (
        organizations.exceptions.AWSOrganizationsNotInUseException,
        cloudformation.exceptions.StackSetNotFoundException,
    ):
        return []
    return sorted((instances & active) - {plane_account()})


def _rule(events: Any, name: str) -> RuleState:
    try:
        described = events.describe_rule(Name=name)
    except events.exceptions.ResourceNotFoundException:
        return RuleState(name, exists=False)
    targets = [
        Target(t["Arn"], t.get("RoleArn"), rewrites=any(k in t for k in ("Input", "InputPath", "InputTransformer")))
        for t in events.list_targets_by_rule(Rule=name).get("Targets", [])
    ]
    pattern = json.loads(described["EventPattern"]) if described.get("EventPattern") else None
    return RuleState(name, exists=True, state=described.get("State"), targets=targets, pattern=pattern)


def probe(account: str) -> MemberState:
    """What the member's glueguard rules look like, seen through its member role (assumed afresh)."""
    from botocore.exceptions import BotoCoreError, ClientError

    forget_member(account)
    with acting_in(account):
        try:
            events = client("events")
            return MemberState(account, rules=[_rule(events, name) for name in MEMBER_RULES])
        except (ClientError, BotoCoreError) as exc:  # AssumeRole refused, or the role lost its permissions
            return MemberState(account, role_error=str(exc)[:300])
