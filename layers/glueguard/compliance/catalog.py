"""The account's Glue Data Catalog encryption: metadata at rest and connection passwords, with the plane's key.

The template sets it (`AWS::Glue::DataCatalogEncryptionSettings`, key `CatalogKey`); the compliance sweep puts
it back when anyone changed it (Glue API `PutDataCatalogEncryptionSettings`, "Encrypting your Data Catalog",
docs.aws.amazon.com/glue/latest/dg/encrypt-glue-data-catalog.html).
"""

from __future__ import annotations

import os
from typing import Any

from glueguard.models.decision import ORGANIZATION, Decision

RULE = "catalog-encryption"
KEY_SETTING = "GLUEGUARD_CATALOG_KEY_ARN"


def expected(key_arn: str) -> dict[str, Any]:
    """The settings the plane keeps: SSE-KMS at rest and encrypted connection passwords, both with `key_arn`."""
    return {
        "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": key_arn},
        "ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": True, "AwsKmsKeyId": key_arn},
    }


def differences(current: dict[str, Any], key_arn: str) -> list[str]:
    """What in `current` (GetDataCatalogEncryptionSettings' settings) is not the plane's, one line each."""
    at_rest = current.get("EncryptionAtRest") or {}
    passwords = current.get("ConnectionPasswordEncryption") or {}
    found = []
    if at_rest.get("CatalogEncryptionMode") != "SSE-KMS":
        found.append(f"metadata encryption is {at_rest.get('CatalogEncryptionMode') or 'DISABLED'}, not SSE-KMS")
    elif at_rest.get("SseAwsKmsKeyId") != key_arn:
        found.append(f"metadata is encrypted with {at_rest.get('SseAwsKmsKeyId')}, not the plane's key")
    if not passwords.get("ReturnConnectionPasswordEncrypted"):
        found.append("connection passwords are returned unencrypted")
    elif passwords.get("AwsKmsKeyId") != key_arn:
        found.append(f"connection passwords are encrypted with {passwords.get('AwsKmsKeyId')}, not the plane's key")
    return found


def decision(run_id: str, catalog_id: str, before: dict[str, Any], key_arn: str, problems: list[str]) -> Decision:
    """The account-level decision of a restore: what was found and what the catalog holds again."""
    message = "; ".join(problems)
    return Decision(
        project_id=ORGANIZATION,
        event_id=f"sweep-{run_id}",
        event_name="ComplianceSweep",
        function="compliance",
        resource_kind="catalog",
        resource_name=catalog_id,
        outcome="remediated",
        severity="high",
        violations=[{"rule": RULE, "severity": "high", "message": message, "enforced": True}],
        actions=[{"action": "PutDataCatalogEncryptionSettings"}],
        before=before,
        after=expected(key_arn),
        reason=message,
    )


def restore(glue: Any, record: Any, run_id: str, key_arn: str | None = None) -> Decision | None:
    """Put the plane's settings back on this account's catalog when they differ; the decision, or None."""
    key_arn = key_arn or os.environ.get(KEY_SETTING, "")
    if not key_arn:
        return None
    current = glue.get_data_catalog_encryption_settings()["DataCatalogEncryptionSettings"]
    problems = differences(current, key_arn)
    if not problems:
        return None
    glue.put_data_catalog_encryption_settings(DataCatalogEncryptionSettings=expected(key_arn))
    catalog_id = str(key_arn.split(":")[4])
    made = decision(run_id, catalog_id, current, key_arn, problems)
    record(made)
    return made
