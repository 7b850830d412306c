"""What a rule finds, and what would fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


_ORDER = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


def highest(severities: list[Severity]) -> Severity | None:
    return max(severities, key=_ORDER.__getitem__) if severities else None


@dataclass(frozen=True)
class Violation:
    """One broken rule on one resource.

    `patch` maps top-level definition fields to their compliant values (None removes the field);
    `tags` are tags to set. A violation with neither is `unfixable` in place (e.g. a bad name) and
    gets the policy's action for it. `stop`: the resource must stop acting (StopSession, StopTrigger;
    kinds without a stop are removed); `remove`: it must go (a cross-project creation, a dev endpoint
    on the wrong network). Both save the full definition first; `patch` then shapes the saved replay.
    """

    rule: str
    severity: Severity
    message: str
    patch: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    unfixable: bool = False
    enforce: bool = True  # False when the rule's mode is `report`
    stop: bool = False
    remove: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": str(self.severity),
            "message": self.message,
            "patch": self.patch,
            "tags": self.tags,
            "unfixable": self.unfixable,
            "stop": self.stop,
            "remove": self.remove,
            "enforced": self.enforce,
        }
