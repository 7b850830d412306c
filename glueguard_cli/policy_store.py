"""The deployed policy: versions of the SSM parameter the functions read (stack output PolicyParameterName).

`apply` writes a validated document as a new version; `rollback` writes an earlier version's
document again as a new version, so the history only grows and says who changed what, when.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from glueguard.policy.settings import Policy, PolicyError, parse_policy

#: Parameter Store's limit for an advanced parameter (Intelligent-Tiering promotes above 4 KB).
MAX_VALUE_CHARS = 8192


@dataclass(frozen=True)
class PolicyVersion:
    version: int
    value: str
    modified: datetime | None
    modified_by: str
    description: str

    def document(self) -> dict[str, Any]:
        return json.loads(self.value)


def read_document(path: Path) -> dict[str, Any]:
    """A policy file (JSON, or YAML when the name ends in .yaml/.yml); PolicyError when unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"{path}: {exc.strerror}") from None
    if path.suffix in (".yaml", ".yml"):
        import yaml

        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise PolicyError(f"{path}: not valid YAML ({exc})") from None
    else:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise PolicyError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    parse_policy(document, source=str(path))  # raises PolicyError naming every mistake
    return document


def serialize(document: dict[str, Any]) -> str:
    """The parameter value: compact JSON, refused when Parameter Store could not hold it."""
    value = json.dumps(document, separators=(",", ":"), sort_keys=True)
    if len(value) > MAX_VALUE_CHARS:
        raise PolicyError(
            f"the policy is {len(value)} characters as JSON; Parameter Store holds at most {MAX_VALUE_CHARS}"
        )
    return value


class PolicyStore:
    """Versions of the policy parameter."""

    def __init__(self, ssm: Any, name: str) -> None:
        self.ssm, self.name = ssm, name

    def current(self) -> PolicyVersion:
        parameter = self.ssm.get_parameter(Name=self.name)["Parameter"]
        return self.version(int(parameter["Version"]))

    def policy(self) -> Policy:
        current = self.current()
        return parse_policy(current.value, source=f"{self.name} version {current.version}").versioned(
            str(current.version)
        )

    def history(self) -> list[PolicyVersion]:
        """Every kept version, oldest first."""
        versions: list[PolicyVersion] = []
        for page in self.ssm.get_paginator("get_parameter_history").paginate(Name=self.name):
            versions.extend(_version(p) for p in page.get("Parameters", []))
        return sorted(versions, key=lambda v: v.version)

    def version(self, number: int) -> PolicyVersion:
        try:
            return next(v for v in self.history() if v.version == number)
        except StopIteration:
            raise PolicyError(f"{self.name} has no version {number}") from None

    def put(self, document: dict[str, Any], description: str) -> int:
        """Write `document` as the next version; return its number."""
        response = self.ssm.put_parameter(
            Name=self.name,
            Value=serialize(document),
            Type="String",
            Overwrite=True,
            Tier="Intelligent-Tiering",
            Description=description[:1024],
        )
        return int(response["Version"])


def _version(parameter: dict[str, Any]) -> PolicyVersion:
    return PolicyVersion(
        version=int(parameter["Version"]),
        value=parameter["Value"],
        modified=parameter.get("LastModifiedDate"),
        modified_by=parameter.get("LastModifiedUser", ""),
        description=parameter.get("Description", ""),
    )
