"""Tamper evidence for member accounts: what a member's glueguard rules must look like, judged purely.

The member template (templates/member.yaml) installs the forwarding rules and the heartbeat; a member whose
rule is deleted, disabled, no longer targets the central bus, matches another pattern, sends through another role
or rewrites what it forwards, or whose member role cannot be assumed, has left the plane's sight. `judge()` turns
what the probe saw into critical violations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from glueguard.models.decision import ORGANIZATION as ORGANIZATION  # the decisions' project id, re-exported
from glueguard.models.violation import Severity, Violation

#: The member template's rules (names fixed there) and the event pattern each must keep (None: a schedule);
#: tests/unit/test_organization_rules.py holds them equal to templates/member.yaml's.
PATTERNS: dict[str, dict[str, Any] | None] = {
    "glueguard-forward-glue": {"source": ["aws.glue"]},
    "glueguard-forward-s3": {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": [{"prefix": "project-"}]}},
    },
    "glueguard-heartbeat": None,
}
MEMBER_RULES = tuple(PATTERNS)
#: The member template's role through which every rule puts on the central bus (name fixed there).
FORWARDER_ROLE = "glueguard/glueguard-forwarder"
KIND = "member-account"


@dataclass
class Target:
    arn: str
    role_arn: str | None = None
    rewrites: bool = False  # Input, InputPath or InputTransformer: the event is not forwarded as it is


@dataclass
class RuleState:
    name: str
    exists: bool
    state: str | None = None
    targets: list[Target] = field(default_factory=list)
    pattern: dict[str, Any] | None = None


@dataclass
class MemberState:
    account: str
    role_error: str | None = None  # why the member role could not be used, if it could not
    rules: list[RuleState] = field(default_factory=list)


def judge(member: MemberState, bus_arn: str) -> list[Violation]:
    """Critical violations for a member the plane can no longer see or act in."""
    if member.role_error:
        return [
            Violation(
                "member-role-broken",
                Severity.CRITICAL,
                f"account {member.account}: the glueguard member role cannot be used ({member.role_error})",
            )
        ]
    found: list[Violation] = []
    for rule in member.rules:
        if not rule.exists:
            found.append(
                Violation(
                    "forwarding-rule-deleted", Severity.CRITICAL, f"account {member.account}: {rule.name} is gone"
                )
            )
        elif rule.state != "ENABLED":
            found.append(
                Violation(
                    "forwarding-rule-disabled",
                    Severity.CRITICAL,
                    f"account {member.account}: {rule.name} is {rule.state}",
                )
            )
        elif not (to_bus := [t for t in rule.targets if t.arn == bus_arn]):
            found.append(
                Violation(
                    "forwarding-target-changed",
                    Severity.CRITICAL,
                    f"account {member.account}: {rule.name} no longer sends to {bus_arn}",
                )
            )
        else:
            found += _forwarding(member.account, rule, to_bus, bus_arn)
    return found


def _forwarding(account: str, rule: RuleState, to_bus: list[Target], bus_arn: str) -> list[Violation]:
    """What an enabled rule aimed at the bus must also keep: its pattern, the member template's role, the event
    as it is."""
    found: list[Violation] = []
    expected = PATTERNS.get(rule.name)
    if rule.pattern != expected:
        found.append(
            Violation(
                "forwarding-pattern-changed",
                Severity.CRITICAL,
                f"account {account}: {rule.name} matches {rule.pattern}, not {expected}",
            )
        )
    role = f"arn:{bus_arn.split(':')[1]}:iam::{account}:role/{FORWARDER_ROLE}"
    if any(t.role_arn != role for t in to_bus):
        found.append(
            Violation(
                "forwarding-role-changed",
                Severity.CRITICAL,
                f"account {account}: {rule.name} sends through {[t.role_arn for t in to_bus]}, not {role}",
            )
        )
    if any(t.rewrites for t in to_bus):
        found.append(
            Violation(
                "forwarding-input-changed",
                Severity.CRITICAL,
                f"account {account}: {rule.name} rewrites the events it forwards (Input, InputPath or InputTransformer)",
            )
        )
    return found
