"""Secrets in saved definitions (issue 23): every credential a Glue connection can hold, as botocore's Glue model
lists them, is redacted in what the plane records and saves; nothing else is."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from glueguard.remediation.plan import redacted

MODEL = botocore.session.get_session().get_service_model("glue")
PROPERTY_KEYS: list[str] = MODEL.shape_for("ConnectionPropertyKey").enum


def password_like(key: str) -> bool:
    """What the issue names: every property holding a password, and every encrypted one."""
    return "PASSWORD" in key or key.startswith("ENCRYPTED_")


def sensitive_members(shape: Any, path: tuple[str, ...] = (), seen: frozenset[str] = frozenset()) -> list[tuple]:
    """Paths (member names) under `shape` whose shape the model marks sensitive."""
    if shape.name in seen or shape.type_name != "structure":
        return []
    found = []
    for name, member in shape.members.items():
        here = (*path, name)
        if member.metadata.get("sensitive") or (
            getattr(member, "value", None) is not None and member.value.metadata.get("sensitive")
        ):
            found.append(here)
        found += sensitive_members(member, here, seen | {shape.name})
    return found


SENSITIVE = sensitive_members(MODEL.shape_for("ConnectionInput"))


def test_the_model_holds_what_the_issue_names():
    """The checks below range over the model, not over a list of ours: it must hold the families the issue names."""
    secrets = [k for k in PROPERTY_KEYS if password_like(k)]
    assert {
        "KAFKA_SASL_SCRAM_PASSWORD",
        "KAFKA_SASL_PLAIN_PASSWORD",
        "KAFKA_CLIENT_KEYSTORE_PASSWORD",
        "KAFKA_CLIENT_KEY_PASSWORD",
        "ENCRYPTED_KAFKA_SASL_SCRAM_PASSWORD",
        "PASSWORD",
    } <= set(secrets)
    assert len(SENSITIVE) >= 6  # Password, CustomAuthenticationCredentials, AuthorizationCode, the OAuth2 tokens


@pytest.mark.parametrize("key", PROPERTY_KEYS)
def test_every_password_like_connection_property_is_redacted_and_nothing_else(key: str):
    definition = {"Name": "c", "ConnectionProperties": {key: "s3cr3t-value", "USERNAME": "svc"}}
    properties = redacted(definition)["ConnectionProperties"]
    assert properties == {key: "***" if password_like(key) else "s3cr3t-value", "USERNAME": "svc"}


@pytest.mark.parametrize("path", SENSITIVE, ids=".".join)
def test_every_sensitive_member_of_a_connection_is_redacted(path: tuple[str, ...]):
    definition: dict[str, Any] = {"Name": "c"}
    node = definition
    for name in path[:-1]:
        node = node.setdefault(name, {})
    node[path[-1]] = {"user-key": "s3cr3t-value"} if path[-1] == "CustomAuthenticationCredentials" else "s3cr3t-value"
    assert "s3cr3t-value" not in repr(redacted(definition))
    assert redacted(definition)["Name"] == "c"
