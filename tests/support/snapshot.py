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


def account_state() -> dict[str, Any]:
    """What provisioning creates, account-wide: roles, policies, buckets, key aliases, VPCs, security
    groups, Glue connections/databases/security configurations, and the projects table."""
    iam, s3, kms, ec2, glue = (boto3.client(s) for s in ("iam", "s3", "kms", "ec2", "glue"))
    return {
        "roles": sorted(r["Arn"] for r in iam.list_roles()["Roles"]),
        "policies": sorted(p["Arn"] for p in iam.list_policies(Scope="Local")["Policies"]),
        "buckets": sorted(b["Name"] for b in s3.list_buckets()["Buckets"]),
        "aliases": sorted(a["AliasName"] for a in kms.list_aliases()["Aliases"]),
        "vpcs": sorted(v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]),
        "security_groups": sorted(g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"]),
        "connections": sorted(c["Name"] for c in glue.get_connections()["ConnectionList"]),
        "databases": sorted(d["Name"] for d in glue.get_databases()["DatabaseList"]),
        "security_configurations": sorted(
            c["Name"] for c in glue.get_security_configurations()["SecurityConfigurations"]
        ),
        "projects": table_items(os.environ["GLUEGUARD_PROJECTS_TABLE"]),
    }
