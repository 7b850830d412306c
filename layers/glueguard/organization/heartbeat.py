"""Tamper evidence for member accounts: what a member's glueguard rules must look like, judged purely.

The member template (templates/member.yaml) installs the forwarding rules and the heartbeat; a member whose
rule is deleted, disabled or no longer targets the central bus, or whose member role cannot be assumed,
has left the plane's sight. `judge()` turns what the probe saw into critical violations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from glueguard.models.decision import ORGANIZATION as ORGANIZATION  # the decisions' project id, re-exported
from glueguard.models.violation import Severity, Violation

#: The member template's rules (names fixed there) that must stay enabled and aimed at the central bus.
MEMBER_RULES = ("glueguard-forward-glue", "glueguard-forward-s3", "glueguard-heartbeat")
KIND = "member-account"


@dataclass
class RuleState:
    name: str
    exists: bool
    state: str | None = None
    targets: list[str] = field(default_factory=list)


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
        elif bus_arn not in rule.targets:
            found.append(
                Violation(
                    "forwarding-target-changed",
                    Severity.CRITICAL,
                    f"account {member.account}: {rule.name} no longer sends to {bus_arn}",
                )
            )
    return found
