"""A Glue resource as rules see it: its kind, name, current definition (from the API) and tags."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Resource:
    """The current state of one Glue resource, read from the API (never from the event)."""

    kind: str  # job | crawler | trigger | workflow | session | devendpoint | connection | database | table | ...
    name: str
    definition: dict[str, Any]
    tags: dict[str, str] = field(default_factory=dict)
    arn: str | None = None
    #: Facts read beside the definition that are not part of it (e.g. a database's table names).
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.definition.get(key, default)
