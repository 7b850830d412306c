"""A decision record: what the plane saw, judged and did, with the state before and after."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

UNOWNED = "unowned"
ORGANIZATION = "organization"  # the project id of account-level findings (the heartbeat's member decisions)
#: Project ids that are no project: their decisions go to the platform (the plane topic), no project topic exists.
PLATFORM_OWNED = frozenset({UNOWNED, ORGANIZATION})


class Decision(BaseModel):
    project_id: str = UNOWNED
    event_id: str
    event_name: str = ""
    function: str = "enforcer"
    resource_kind: str
    resource_name: str
    principal: str | None = None
    account: str | None = None  # the account the resource lives in (set when recorded)
    outcome: str  # remediated | reported | deleted | stopped | skipped | failed | ...
    severity: str | None = None
    violations: list[dict[str, Any]] = Field(default_factory=list)
    actions: list[dict[str, Any]] = Field(default_factory=list)
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    figures: dict[str, Any] = Field(default_factory=dict)
    reason: str | None = None
    policy_version: str | None = None  # the policy version the decision was made under (SSM version number)
    #: A report (nothing changed) names its finding: the same finding on the same unchanged state is
    #: the same decision, so a sweep that finds it again records (and notifies) nothing new.
    finding: str | None = None
    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat())

    @property
    def decision_id(self) -> str:
        """Deterministic from the event (or the finding), so a duplicate cannot add a second record."""
        if self.finding:
            return f"finding#{self.resource_kind}#{self.resource_name}#{self.finding}"
        return f"{self.event_id}#{self.resource_kind}#{self.resource_name}"


def finding_of(kind: str, name: str, violations: list[dict[str, Any]], state: dict[str, Any] | None) -> str:
    """A fingerprint of what was found on which state: equal only for the same finding on an unchanged resource."""
    body = json.dumps([kind, name, violations, state], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()[:32]
