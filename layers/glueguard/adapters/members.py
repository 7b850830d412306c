"""Member accounts of the organization and the state of their glueguard rules (Organizations, EventBridge)."""

from __future__ import annotations

from typing import Any

from glueguard.adapters.clients import acting_in, client, forget_member, plane_account, plane_client
from glueguard.heartbeat import MEMBER_RULES, MemberState, RuleState


def member_accounts() -> list[str]:
    """ACTIVE accounts of the organization other than the plane's own ([] outside an organization)."""
    organizations = plane_client("organizations")
    try:
        pages = organizations.get_paginator("list_accounts").paginate()
        accounts = [a["Id"] for page in pages for a in page["Accounts"] if a.get("Status") == "ACTIVE"]
    except organizations.exceptions.AWSOrganizationsNotInUseException:
        return []
    return sorted(set(accounts) - {plane_account()})


def _rule(events: Any, name: str) -> RuleState:
    try:
        described = events.describe_rule(Name=name)
    except events.exceptions.ResourceNotFoundException:
        return RuleState(name, exists=False)
    targets = [t["Arn"] for t in events.list_targets_by_rule(Rule=name).get("Targets", [])]
    return RuleState(name, exists=True, state=described.get("State"), targets=targets)


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
