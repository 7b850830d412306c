"""A remediation plan: the AWS calls that fix a resource, as data (built without touching AWS)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from glueguard.models.violation import Violation

#: Keys whose values never leave the Lambda: records, notifications and saved definitions keep "***". By pattern, so
#: a property Glue adds is covered: every connection property holding a password (`PASSWORD`,
#: `KAFKA_SASL_SCRAM_PASSWORD`, `KAFKA_CLIENT_KEYSTORE_PASSWORD`, ...) or encrypted (`ENCRYPTED_*`), and the
#: sensitive members of a connection's AuthenticationConfiguration (Password, ClientSecret, tokens, the
#: authorization code, CustomAuthenticationCredentials). Checked against botocore's Glue model
#: (tests/unit/test_redaction.py).
SECRET_KEY = re.compile(
    r"password|^encrypted_|secret$|token$|^authorizationcode$|^customauthenticationcredentials$", re.IGNORECASE
)


def is_secret(key: object) -> bool:
    """True when the value under `key` is a credential."""
    return isinstance(key, str) and SECRET_KEY.search(key) is not None


def redacted(value: Any) -> Any:
    """`value` with the value of every secret key (`is_secret`), at any depth, replaced by "***"."""
    if isinstance(value, dict):
        return {k: "***" if is_secret(k) else redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return value


@dataclass(frozen=True)
class Action:
    """One AWS call: `service` client, botocore `operation` name (snake_case method), its params."""

    service: str
    operation: str
    params: dict[str, Any]
    reason: str
    #: the Glue usage profile the call must carry (an UpdateJob keeps the job's profile only when its caller has it)
    profile: str | None = None

    def to_dict(self) -> dict[str, Any]:
        found = {"service": self.service, "operation": self.operation, "params": self.params, "reason": self.reason}
        return {**found, "profile": self.profile} if self.profile else found


@dataclass
class Plan:
    """Actions in order; `enforced` and `reported` split the violations by what will happen to them."""

    actions: list[Action] = field(default_factory=list)
    enforced: list[Violation] = field(default_factory=list)
    reported: list[Violation] = field(default_factory=list)
    outcome: str = "compliant"  # compliant | remediated | reported | deleted
    #: The state the actions leave (the Update's definition, the tags merged with TagResource's), known
    #: from the calls themselves, so nothing is read back; None when nothing changes or it is deleted.
    after: dict[str, Any] | None = None

    @property
    def empty(self) -> bool:
        return not self.actions


def apply_patches(definition: dict[str, Any], violations: list[Violation]) -> dict[str, Any]:
    """The definition with every violation's patch applied in order.

    A dict-valued patch merges into the current dict (a None value removes that key), so two rules
    that patch DefaultArguments both take effect; any other value replaces the field (None drops it).
    """
    result = copy.deepcopy(definition)
    for violation in violations:
        for key, value in violation.patch.items():
            if isinstance(value, dict) and isinstance(result.get(key), dict):
                merged = dict(result[key])
                for sub_key, sub_value in value.items():
                    if sub_value is None:
                        merged.pop(sub_key, None)
                    else:
                        merged[sub_key] = copy.deepcopy(sub_value)
                result[key] = merged
            elif value is None:
                result.pop(key, None)
            else:
                result[key] = copy.deepcopy(value)
    return result


def merged_tags(violations: list[Violation]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for violation in violations:
        tags.update(violation.tags)
    return tags
