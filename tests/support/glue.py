"""Reading back what the enforcer did in moto: tags, saved definitions, decisions."""

from __future__ import annotations

import json
from typing import Any

import boto3

ACCOUNT = "123456789012"


def arn(arn_type: str, name: str) -> str:
    return f"arn:aws:glue:us-east-1:{ACCOUNT}:{arn_type}/{name}"


def tags(arn_type: str, name: str) -> dict[str, str]:
    return boto3.client("glue").get_tags(ResourceArn=arn(arn_type, name))["Tags"]


def mandatory_tags(project: Any) -> dict[str, str]:
    return project.mandatory_tags()


def saved_definitions(project: Any, kind: str) -> list[dict[str, Any]]:
    """Every definition the enforcer saved for `kind` in the project's artifacts bucket."""
    s3 = boto3.client("s3")
    bucket = project.bucket("artifacts")
    listing = s3.list_objects_v2(Bucket=bucket, Prefix=f"glueguard/quarantine/{kind}/").get("Contents", [])
    return [json.loads(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()) for o in listing]
