"""What the plane could change in AWS, captured whole so two snapshots can be compared."""

from __future__ import annotations

import os
from typing import Any

import boto3


def glue_state() -> dict[str, Any]:
    """Every Glue job (full definition) with its tags."""
    glue = boto3.client("glue")
    jobs = [job for page in glue.get_paginator("get_jobs").paginate() for job in page["Jobs"]]
    region = glue.meta.region_name
    account = os.environ.get("MOTO_ACCOUNT_ID", "123456789012")
    return {
        job["Name"]: {
            "definition": job,
            "tags": glue.get_tags(ResourceArn=f"arn:aws:glue:{region}:{account}:job/{job['Name']}").get("Tags", {}),
        }
        for job in jobs
    }


def table_items(table_name: str) -> list[dict[str, Any]]:
    dynamodb = boto3.client("dynamodb")
    items = [item for page in dynamodb.get_paginator("scan").paginate(TableName=table_name) for item in page["Items"]]
    return sorted(items, key=repr)


def snapshot() -> dict[str, Any]:
    """Glue jobs and tags, and the decisions table (the idempotency table is the plane's own scratch)."""
    return {"glue": glue_state(), "decisions": table_items(os.environ["GLUEGUARD_DECISIONS_TABLE"])}
