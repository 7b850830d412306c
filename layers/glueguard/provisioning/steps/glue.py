"""Glue: the catalog database, the security configuration (S3, CloudWatch and bookmark encryption with the
project key) and the NETWORK connection in the project's subnet and SG."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from glueguard import usage_profiles
from glueguard.adapters.clients import client
from glueguard.provisioning.context import Context, error_code


def _missing(exc: ClientError) -> bool:
    return error_code(exc).lower().endswith("entitynotfoundexception")


def _get(call: Any, **kwargs: Any) -> dict[str, Any] | None:
    try:
        return dict(call(**kwargs))
    except ClientError as exc:
        if _missing(exc):
            return None
        raise


def encryption(key_arn: str) -> dict[str, Any]:
    return {
        "S3Encryption": [{"S3EncryptionMode": "SSE-KMS", "KmsKeyArn": key_arn}],
        "CloudWatchEncryption": {"CloudWatchEncryptionMode": "SSE-KMS", "KmsKeyArn": key_arn},
        "JobBookmarksEncryption": {"JobBookmarksEncryptionMode": "CSE-KMS", "KmsKeyArn": key_arn},
    }


def _arn(ctx: Context, resource: str) -> str:
    return f"arn:{ctx.partition}:glue:{ctx.region}:{ctx.account}:{resource}"


def create(ctx: Context) -> dict[str, Any]:
    glue = client("glue")
    names = ctx.names
    key_arn = ctx.require_key_arn()
    net = ctx.network().require()
    tags = ctx.tags()

    if _get(glue.get_database, Name=names.database) is None:
        glue.create_database(
            DatabaseInput={
                "Name": names.database,
                "Description": f"glueguard {names.prefix}: the project's catalog namespace",
                "LocationUri": f"s3://{names.artifacts_bucket}/catalog/",
            },
            Tags=tags,
        )
    glue.tag_resource(ResourceArn=_arn(ctx, f"database/{names.database}"), TagsToAdd=tags)

    wanted = encryption(key_arn)
    existing = _get(glue.get_security_configuration, Name=names.security_configuration)
    if existing is None:
        glue.create_security_configuration(Name=names.security_configuration, EncryptionConfiguration=wanted)
    elif existing["SecurityConfiguration"]["EncryptionConfiguration"] != wanted:
        # Security configurations are immutable: replace one that names another key.
        glue.delete_security_configuration(Name=names.security_configuration)
        glue.create_security_configuration(Name=names.security_configuration, EncryptionConfiguration=wanted)

    subnet = client("ec2").describe_subnets(SubnetIds=[net.subnet_ids[0]])["Subnets"][0]
    physical = {
        "SubnetId": subnet["SubnetId"],
        "SecurityGroupIdList": [net.security_group_id],
        "AvailabilityZone": subnet["AvailabilityZone"],
    }
    connection = _get(glue.get_connection, Name=names.connection)
    if connection is not None and connection["Connection"].get("PhysicalConnectionRequirements") != physical:
        glue.delete_connection(ConnectionName=names.connection)
        connection = None
    if connection is None:
        glue.create_connection(
            ConnectionInput={
                "Name": names.connection,
                "Description": f"glueguard {names.prefix}: places jobs in the project subnet and SG",
                "ConnectionType": "NETWORK",
                "ConnectionProperties": {},
                "PhysicalConnectionRequirements": physical,
            },
            Tags=tags,
        )
    glue.tag_resource(ResourceArn=_arn(ctx, f"connection/{names.connection}"), TagsToAdd=tags)
    return {
        "database_name": names.database,
        "security_configuration": names.security_configuration,
        "connection_name": names.connection,
        "usage_profile": _usage_profile(ctx, tags),
    }


def _usage_profile(ctx: Context, tags: dict[str, str]) -> str:
    """The project's usage profile from the policy (no role is tagged: Identity Center roles cannot be)."""
    from glueguard.policy.settings import load_policy

    return usage_profiles.ensure(client("glue"), ctx.project_id, load_policy(), tags)


def _policy_arn(ctx: Context) -> str:
    return f"arn:{ctx.partition}:iam::{ctx.account}:policy/{ctx.names.scientist_policy}"


def delete(ctx: Context, retain_data: bool) -> list[str]:
    """The database (and its tables) is data: it stays when data is retained."""
    glue = client("glue")
    names = ctx.names
    removed: list[str] = []
    if _get(glue.get_connection, Name=names.connection) is not None:
        glue.delete_connection(ConnectionName=names.connection)
        removed.append(names.connection)
    if _get(glue.get_security_configuration, Name=names.security_configuration) is not None:
        glue.delete_security_configuration(Name=names.security_configuration)
        removed.append(names.security_configuration)
    if _get(glue.get_usage_profile, Name=usage_profiles.profile_name(ctx.project_id)) is not None:
        glue.delete_usage_profile(Name=usage_profiles.profile_name(ctx.project_id))
        removed.append(usage_profiles.profile_name(ctx.project_id))
    if not retain_data and _get(glue.get_database, Name=names.database) is not None:
        glue.delete_database(Name=names.database)
        removed.append(names.database)
    return removed
