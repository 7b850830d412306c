"""The three project buckets: SSE-KMS with the project key, public access blocked, TLS-only policy,
versioning, lifecycle (temp expires), EventBridge notifications, the four tags."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from glueguard.adapters.clients import client
from glueguard.provisioning.context import Context, ProvisioningError, error_code
from glueguard.provisioning.policies import tls_only_bucket_policy
from glueguard.provisioning.request import BUCKET_PURPOSES

#: Purposes whose bucket survives a removal that retains data.
RETAINED = ("artifacts",)


def _exists(bucket: str) -> bool:
    """True if the bucket exists in this account; a name owned elsewhere is an error."""
    try:
        client("s3").head_bucket(Bucket=bucket)
        return True
    except ClientError as exc:
        code = error_code(exc)
        if code in ("404", "NoSuchBucket", "NotFound"):
            return False
        if code in ("403", "AccessDenied", "Forbidden"):
            raise ProvisioningError(f"bucket {bucket} exists and belongs to another account") from None
        raise


def _project_of(bucket: str) -> str | None:
    try:
        tags = client("s3").get_bucket_tagging(Bucket=bucket)["TagSet"]
    except ClientError as exc:
        if error_code(exc) == "NoSuchTagSet":
            return None
        raise
    return next((t["Value"] for t in tags if t["Key"] == "Project"), None)


def _lifecycle(ctx: Context, purpose: str) -> dict[str, Any]:
    rules: list[dict[str, Any]] = [
        {
            "ID": "abort-incomplete-uploads",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1 if purpose == "temp" else 7},
        }
    ]
    if purpose == "temp":
        days = ctx.request.temp_expiration_days if ctx.request else 7
        rules.append(
            {
                "ID": "expire-temporary-files",
                "Status": "Enabled",
                "Filter": {"Prefix": ""},
                "Expiration": {"Days": days},
                "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
            }
        )
    return {"Rules": rules}


def _configure(ctx: Context, bucket: str, purpose: str, key_arn: str) -> None:
    s3 = client("s3")
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": ctx.tag_list()})
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_arn},
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(tls_only_bucket_policy(ctx.scope(), bucket)))
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration=_lifecycle(ctx, purpose))
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}})


def create(ctx: Context) -> dict[str, Any]:
    s3 = client("s3")
    key_arn = ctx.require_key_arn()
    buckets: dict[str, str] = {}
    for purpose in BUCKET_PURPOSES:
        bucket = ctx.names.bucket(purpose)
        if _exists(bucket):
            owner = _project_of(bucket)
            if owner != ctx.project_tag:
                raise ProvisioningError(f"bucket {bucket} exists but is not tagged Project={ctx.project_tag}")
        else:
            kwargs: dict[str, Any] = {"Bucket": bucket, "ObjectOwnership": "BucketOwnerEnforced"}
            if ctx.region != "us-east-1":
                kwargs["CreateBucketConfiguration"] = {"LocationConstraint": ctx.region}
            s3.create_bucket(**kwargs)
        _configure(ctx, bucket, purpose, key_arn)
        buckets[purpose] = bucket
    return {"buckets": buckets}


def empty(bucket: str) -> None:
    """Delete every object version, delete marker and unfinished upload (a versioned bucket must be empty)."""
    s3 = client("s3")
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        doomed = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        for start in range(0, len(doomed), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed[start : start + 1000], "Quiet": True})
    for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
        for upload in page.get("Uploads", []):
            s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])


def delete(ctx: Context, retain_data: bool) -> list[str]:
    removed: list[str] = []
    for purpose in BUCKET_PURPOSES:
        bucket = ctx.names.bucket(purpose)
        if retain_data and purpose in RETAINED:
            continue
        try:
            if not _exists(bucket) or _project_of(bucket) != ctx.project_tag:
                continue  # never ours (or never created): leave it
        except ProvisioningError:
            continue
        empty(bucket)
        client("s3").delete_bucket(Bucket=bucket)
        removed.append(bucket)
    return removed
