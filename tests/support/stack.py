"""Create the template's own tables and topic in moto, from template.yaml (the one wiring source)."""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"

#: env var each logical table/topic feeds (as template.yaml's Globals wire them).
ENV_OF = {
    "ProjectsTable": "GLUEGUARD_PROJECTS_TABLE",
    "DecisionsTable": "GLUEGUARD_DECISIONS_TABLE",
    "IdempotencyTable": "GLUEGUARD_IDEMPOTENCY_TABLE",
    "RunLedgerTable": "GLUEGUARD_LEDGER_TABLE",
    "LineageTable": "GLUEGUARD_LINEAGE_TABLE",
}


@functools.cache
def _parsed_template() -> dict[str, Any]:
    from glueguard_sandbox.deploy import parse_template

    return parse_template(TEMPLATE.read_text())


def template() -> dict[str, Any]:
    """template.yaml as data (parsed once per process; each caller gets its own copy to change)."""
    return copy.deepcopy(_parsed_template())


def create_tables(prefix: str = "glueguard-test") -> dict[str, str]:
    """Create every AWS::DynamoDB::Table of the template; return {env var: table name}."""
    dynamodb = boto3.client("dynamodb")
    env: dict[str, str] = {}
    for logical_id, resource in template()["Resources"].items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        props = resource["Properties"]
        name = f"{prefix}-{logical_id}"
        spec = props.get("StreamSpecification")
        stream = {"StreamSpecification": {"StreamEnabled": True, **spec}} if spec else {}
        dynamodb.create_table(
            TableName=name,
            KeySchema=props["KeySchema"],
            AttributeDefinitions=props["AttributeDefinitions"],
            BillingMode=props.get("BillingMode", "PAY_PER_REQUEST"),
            **stream,
        )
        if logical_id in ENV_OF:
            env[ENV_OF[logical_id]] = name
    return env


#: The stack's function roles as the sample events name them (events/*/…_by_plane.json).
PLANE_ROLE_ARNS = (
    "arn:aws:iam::123456789012:role/glueguard/glueguard-EnforcerRole-AbC123",
    "arn:aws:iam::123456789012:role/glueguard/glueguard-UploadTriggerRole-ABC123",
)
#: The pseudo parameters moto's default account answers with.
PSEUDO = {"AWS::Partition": "aws", "AWS::Region": "us-east-1", "AWS::AccountId": "123456789012"}
#: Refs of the template's own resources that its policies name (a KMS key's Ref is its key id).
RESOURCE_REFS = {
    "CatalogKey": "0c0a7a10-9c0d-4e5f-8a7b-ca7a10c0ffee",
    "FlowLogsRole.Arn": "arn:aws:iam::123456789012:role/glueguard/glueguard-FlowLogsRole-TEST",
}
#: The catalog key's ARN as RESOURCE_REFS resolves it (the CatalogKeyArn output).
CATALOG_KEY_ARN = f"arn:aws:kms:us-east-1:123456789012:key/{RESOURCE_REFS['CatalogKey']}"


def resolve(value: Any, refs: dict[str, str] | None = None) -> Any:
    """A template value with `Fn::Sub` of pseudo parameters and `Ref`s to `refs` resolved (enough for policies)."""
    refs = {**PSEUDO, **RESOURCE_REFS, **(refs or {})}
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        return re.sub(r"\$\{([^}]+)\}", lambda m: refs[m.group(1)], value["Fn::Sub"])
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return refs[value["Ref"]]
    if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
        attribute = value["Fn::GetAtt"]
        return refs[".".join(attribute) if isinstance(attribute, list) else attribute]
    if isinstance(value, dict):
        return {k: resolve(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, refs) for v in value]
    return value


def policy_document(logical_id: str, refs: dict[str, str] | None = None) -> dict[str, Any]:
    """The resolved PolicyDocument of one AWS::IAM::ManagedPolicy of the template."""
    return resolve(template()["Resources"][logical_id]["Properties"]["PolicyDocument"], refs)


def create_plane_iam(
    provisioner_arn: str = "arn:aws:iam::123456789012:role/glueguard/ProvisionerRole",
) -> dict[str, str]:
    """Create the template's ProjectRoleBoundary; return the env vars the template gives the provisioner."""
    import boto3

    boundary = boto3.client("iam").create_policy(
        PolicyName="glueguard-ProjectRoleBoundary",
        Path="/glueguard/",
        PolicyDocument=json.dumps(policy_document("ProjectRoleBoundary")),
    )["Policy"]["Arn"]
    return {
        "GLUEGUARD_PROJECT_ROLE_BOUNDARY_ARN": boundary,
        "GLUEGUARD_PROVISIONER_ROLE_ARN": provisioner_arn,
        "GLUEGUARD_FLOW_LOGS_ROLE_ARN": RESOURCE_REFS["FlowLogsRole.Arn"],
        "GLUEGUARD_PLANE_PRINCIPALS": ",".join([provisioner_arn, *PLANE_ROLE_ARNS]),
    }


def decision_stream_records() -> list[dict[str, Any]]:
    """The decisions table's stream records as Lambda hands them to a mapped function (moto's shard, read as
    the sandbox's poller reads it: moto 5.2.5's DynamoDB Streams API answers 404 to this botocore)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from glueguard_sandbox.emulator.dynamodbstreams.models import lambda_record

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].get_table(os.environ["GLUEGUARD_DECISIONS_TABLE"])
    arn = table.describe()["TableDescription"]["LatestStreamArn"]
    return [lambda_record(r, "us-east-1", arn) for r in table.stream_shard.items]


def deliver_decision_stream(start: str | None = None) -> tuple[dict[str, Any], str | None]:
    """Hand the notifier every record of the decisions table's stream after sequence number `start` (all when
    None): INSERT, MODIFY and REMOVE alike, unfiltered, so the handler's own filter is what is tested (the
    template's FilterCriteria is the deployed sandbox's, tests/e2e). Returns the notifier's answer and the last
    sequence number it was given."""
    from glueguard.handlers import notifier

    from tests.support.lambda_context import LambdaContext

    records = decision_stream_records()
    if start is not None:
        records = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) > int(start)]
    last = records[-1]["dynamodb"]["SequenceNumber"] if records else start
    return notifier.handler({"Records": records}, LambdaContext()), last
