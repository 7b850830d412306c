"""The account's Data Catalog encryption (issue 26 item 3): what the sweep finds wrong, and the key rights a project
principal gets for the catalog (only through Glue)."""

from __future__ import annotations

import pytest
from glueguard.compliance.catalog import differences, expected
from glueguard.provisioning.policies import Scope, catalog_access, scientist

from tests.support.stack import CATALOG_KEY_ARN

OTHER_KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555"


def test_the_planes_settings_have_no_difference():
    assert differences(expected(CATALOG_KEY_ARN), CATALOG_KEY_ARN) == []


@pytest.mark.parametrize(
    ("current", "found"),
    [
        ({}, ["metadata encryption is DISABLED, not SSE-KMS", "connection passwords are returned unencrypted"]),
        (
            {
                "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS", "SseAwsKmsKeyId": OTHER_KEY},
                "ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": True, "AwsKmsKeyId": OTHER_KEY},
            },
            [
                f"metadata is encrypted with {OTHER_KEY}, not the plane's key",
                f"connection passwords are encrypted with {OTHER_KEY}, not the plane's key",
            ],
        ),
        (
            {**expected(CATALOG_KEY_ARN), "ConnectionPasswordEncryption": {"ReturnConnectionPasswordEncrypted": False}},
            ["connection passwords are returned unencrypted"],
        ),
        (
            {**expected(CATALOG_KEY_ARN), "EncryptionAtRest": {"CatalogEncryptionMode": "SSE-KMS-WITH-SERVICE-ROLE"}},
            ["metadata encryption is SSE-KMS-WITH-SERVICE-ROLE, not SSE-KMS"],
        ),
    ],
)
def test_each_difference_is_named(current, found):
    assert differences(current, CATALOG_KEY_ARN) == found


def _key_statements(document: dict) -> list[dict]:
    return [s for s in document["Statement"] if s.get("Sid") == "CatalogKeyThroughGlue"]


def test_job_and_scientist_policies_use_the_catalog_key_only_through_glue():
    scope = Scope("6a1f4c2e-9b3d-4e5f-8a7b-0c1d2e3f4a5b", "123456789012", "us-east-1", catalog_key_arn=CATALOG_KEY_ARN)
    for document in (catalog_access(scope), scientist(scope)):
        assert _key_statements(document) == [
            {
                "Sid": "CatalogKeyThroughGlue",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": [CATALOG_KEY_ARN],
                "Condition": {"StringEquals": {"kms:ViaService": "glue.us-east-1.amazonaws.com"}},
            }
        ]


def test_without_a_catalog_key_no_key_right_is_granted():
    scope = Scope("6a1f4c2e-9b3d-4e5f-8a7b-0c1d2e3f4a5b", "123456789012", "us-east-1")
    assert _key_statements(catalog_access(scope)) == _key_statements(scientist(scope)) == []
