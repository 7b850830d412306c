"""Removal only: the scientists' own Glue resources (project-{uuid}-job-*, -crawler-*, -trigger-*, -workflow-*).

Their definitions are saved to the artifacts bucket first when it is retained (lose nothing).
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from glueguard.adapters.clients import client
from glueguard.provisioning.context import Context, error_code

#: kind -> (list operation, list key, get operation, get key, delete operation, delete kwarg)
KINDS: dict[str, tuple[str, str, str, str, str, str]] = {
    "trigger": ("list_triggers", "TriggerNames", "get_trigger", "Trigger", "delete_trigger", "Name"),
    "workflow": ("list_workflows", "Workflows", "get_workflow", "Workflow", "delete_workflow", "Name"),
    "crawler": ("list_crawlers", "CrawlerNames", "get_crawler", "Crawler", "delete_crawler", "Name"),
    "job": ("list_jobs", "JobNames", "get_job", "Job", "delete_job", "JobName"),
}


def create(ctx: Context) -> dict[str, Any]:
    """Provisioning creates no workloads: scientists do."""
    return {}


def _names(operation: str, key: str) -> list[str]:
    glue = client("glue")
    names: list[str] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = getattr(glue, operation)(**kwargs)
        names.extend(page.get(key, []))
        if not page.get("NextToken"):
            return names
        kwargs["NextToken"] = page["NextToken"]


def delete(ctx: Context, retain_data: bool) -> list[str]:
    glue, s3 = client("glue"), client("s3")
    removed: list[str] = []
    prefix = f"{ctx.names.prefix}-"
    for kind, (list_op, list_key, get_op, get_key, delete_op, delete_arg) in KINDS.items():
        for name in sorted(n for n in _names(list_op, list_key) if n.startswith(prefix)):
            if retain_data:
                try:
                    definition = getattr(glue, get_op)(**{"JobName" if kind == "job" else "Name": name})[get_key]
                except ClientError as exc:
                    if error_code(exc).endswith("EntityNotFoundException"):
                        continue
                    raise
                s3.put_object(
                    Bucket=ctx.names.artifacts_bucket,
                    Key=f"glueguard/deprovisioned/{kind}/{name}.json",
                    Body=json.dumps(definition, default=str, indent=2).encode(),
                    ContentType="application/json",
                )
            getattr(glue, delete_op)(**{delete_arg: name})
            removed.append(f"{kind}:{name}")
    return removed
