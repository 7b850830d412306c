"""The project KMS key: key policy, rotation, alias/project-{uuid}, the four tags."""

from __future__ import annotations

import json
from typing import Any

from glueguard.adapters.clients import client
from glueguard.provisioning.context import Context
from glueguard.provisioning.policies import key_policy

#: Days a compensated (never used) key waits before deletion: KMS's minimum.
ROLLBACK_DELETION_DAYS = 7


def _orphan(ctx: Context) -> str | None:
    """A key tagged for the project but without its alias (a crash between CreateKey and CreateAlias)."""
    kms = client("kms")
    for arn in ctx.tagged("kms:key"):
        if kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] in ("Enabled", "Disabled"):
            return arn
    return None


def create(ctx: Context) -> dict[str, Any]:
    kms = client("kms")
    policy = json.dumps(key_policy(ctx.scope()))
    arn = ctx.key_arn() or _orphan(ctx)
    if arn is None:
        arn = kms.create_key(
            Description=f"glueguard {ctx.names.prefix}: buckets, Glue security configuration, notifications",
            KeyUsage="ENCRYPT_DECRYPT",
            KeySpec="SYMMETRIC_DEFAULT",
            Policy=policy,
            Tags=ctx.tag_list("TagKey", "TagValue"),
        )["KeyMetadata"]["Arn"]
    state = kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"]
    if state == "PendingDeletion":  # retained by an earlier removal, or a rollback of a previous attempt
        kms.cancel_key_deletion(KeyId=arn)
        state = "Disabled"
    if state == "Disabled":
        kms.enable_key(KeyId=arn)
    kms.put_key_policy(KeyId=arn, PolicyName="default", Policy=policy)
    kms.enable_key_rotation(KeyId=arn)
    kms.tag_resource(KeyId=arn, Tags=ctx.tag_list("TagKey", "TagValue"))
    if ctx.key_arn() != arn:
        kms.create_alias(AliasName=ctx.names.kms_alias, TargetKeyId=arn)
    return {"kms_key_arn": arn, "kms_key_alias": ctx.names.kms_alias}


def delete(ctx: Context, retain_data: bool, deletion_days: int = ROLLBACK_DELETION_DAYS) -> list[str]:
    """Keep key and alias when data is retained (the artifacts stay readable); else schedule the key's deletion."""
    if retain_data:
        return []
    kms = client("kms")
    removed: list[str] = []
    if ctx.key_arn():
        kms.delete_alias(AliasName=ctx.names.kms_alias)
        removed.append(ctx.names.kms_alias)
    for arn in ctx.tagged("kms:key"):
        if kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyState"] != "PendingDeletion":
            kms.schedule_key_deletion(KeyId=arn.rsplit("/", 1)[-1], PendingWindowInDays=deletion_days)
            removed.append(arn)
    return removed
