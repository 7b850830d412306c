"""Rules for Glue security configurations (GetSecurityConfiguration). They are immutable: what violates
gets the configured action for unfixable resources (report, or delete after saving)."""

from __future__ import annotations

from collections.abc import Iterator

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.rules.common import naming_violations
from glueguard.rules.engine import RuleContext, rule

KIND = "securityconfiguration"


@rule(KIND, "securityconfiguration-naming", "the name is the project's, or project-{uuid}-security-config-*")
def naming(configuration: Resource, ctx: RuleContext) -> Iterator[Violation]:
    if configuration.name != ctx.project.security_configuration:
        yield from naming_violations(configuration, ctx, "securityconfiguration-naming")


@rule(KIND, "securityconfiguration-encryption", "S3 SSE-KMS, CloudWatch SSE-KMS and job bookmarks CSE-KMS")
def encryption(configuration: Resource, ctx: RuleContext) -> Iterator[Violation]:
    settings = configuration.get("EncryptionConfiguration") or {}
    s3 = (settings.get("S3Encryption") or [{}])[0]
    modes = {
        "S3Encryption": (s3.get("S3EncryptionMode"), "SSE-KMS"),
        "CloudWatchEncryption": (
            (settings.get("CloudWatchEncryption") or {}).get("CloudWatchEncryptionMode"),
            "SSE-KMS",
        ),
        "JobBookmarksEncryption": (
            (settings.get("JobBookmarksEncryption") or {}).get("JobBookmarksEncryptionMode"),
            "CSE-KMS",
        ),
    }
    weak = [
        f"{field} is {current or 'DISABLED'}, not {wanted}"
        for field, (current, wanted) in modes.items()
        if current != wanted
    ]
    key = ctx.project.resources.kms_key_arn
    if key and s3.get("S3EncryptionMode") == "SSE-KMS" and s3.get("KmsKeyArn") != key:
        weak.append(f"S3 encryption uses key {s3.get('KmsKeyArn')!r}, not the project key")
    if weak:
        yield Violation("securityconfiguration-encryption", Severity.HIGH, "; ".join(weak), unfixable=True)
