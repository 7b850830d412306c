"""Create the template's own tables and topic in moto, from template.yaml (the one wiring source)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"

#: env var each logical table/topic feeds (as template.yaml's Globals wire them).
ENV_OF = {
    "ProjectsTable": "GLUEGUARD_PROJECTS_TABLE",
    "DecisionsTable": "GLUEGUARD_DECISIONS_TABLE",
    "IdempotencyTable": "GLUEGUARD_IDEMPOTENCY_TABLE",
    "RunLedgerTable": "GLUEGUARD_LEDGER_TABLE",
}


def template() -> dict[str, Any]:
    return yaml_parse(TEMPLATE.read_text())


def create_tables(prefix: str = "glueguard-test") -> dict[str, str]:
    """Create every AWS::DynamoDB::Table of the template; return {env var: table name}."""
    dynamodb = boto3.client("dynamodb")
    env: dict[str, str] = {}
    for logical_id, resource in template()["Resources"].items():
        if resource["Type"] != "AWS::DynamoDB::Table":
            continue
        props = resource["Properties"]
        name = f"{prefix}-{logical_id}"
        dynamodb.create_table(
            TableName=name,
            KeySchema=props["KeySchema"],
            AttributeDefinitions=props["AttributeDefinitions"],
            BillingMode=props.get("BillingMode", "PAY_PER_REQUEST"),
        )
        if logical_id in ENV_OF:
            env[ENV_OF[logical_id]] = name
    return env
