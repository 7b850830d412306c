"""`glueguard audit --lineage DATABASE.TABLE`: which job runs or crawlers created or changed a catalog table, and when
(docs/lineage.md). Reads the lineage table the enforcer writes and the runs Glue reports; changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

#: How far before a table's first record a run may have started (Glue's Timeout is under 7 days).
LONGEST_RUN = timedelta(days=7)


def lineage_rows(value: str, region: str) -> list[dict[str, Any]]:
    """The table's lineage, oldest first: one row per recorded call, with the job runs or crawlers that made it."""
    from glueguard.adapters.clients import client
    from glueguard.adapters.lineage import LineageLog
    from glueguard.lineage.record import as_row, parse_table, table_arn

    try:
        database, table = parse_table(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--lineage") from None
    identity = client("sts").get_caller_identity()
    partition = identity["Arn"].split(":", 2)[1]
    records = LineageLog().history(table_arn(partition, region, identity["Account"], database, table))
    made_by = _made_by(records, client("glue"))
    return [as_row(record, made_by(record)) for record in records]


def _made_by(records: list[Any], glue: Any) -> Any:
    """A function naming each record's job runs (`job/run-id`) or crawlers, from what Glue reports now."""
    from glueguard.adapters.glue_runs import job_runs_since
    from glueguard.lineage.attribution import crawlers_for, job_runs_for, role_name
    from glueguard.runs.job_run import as_utc

    roles = {r.role for r in records if r.actor == "job"}
    jobs = [j for page in glue.get_paginator("get_jobs").paginate() for j in page.get("Jobs", [])]
    jobs = [j for j in jobs if role_name(j.get("Role")) in roles]
    times = [t for t in (as_utc(r.event_time) for r in records if r.actor == "job" and r.event_time) if t]
    since = min(times) - LONGEST_RUN if times else None
    runs = {j["Name"]: job_runs_since(glue, j["Name"], since) for j in jobs} if since else {}
    crawlers: list[dict[str, Any]] = []
    if any(r.actor == "crawler" for r in records):
        crawlers = [c for page in glue.get_paginator("get_crawlers").paginate() for c in page.get("Crawlers", [])]
    return lambda record: job_runs_for(record, jobs, runs) or crawlers_for(record, crawlers)


def render_lineage(value: str, rows: list[dict[str, Any]]) -> Table:
    table = Table(title=f"lineage of {value}", caption=f"{len(rows)} recorded catalog changes")
    for column in ("when", "call", "principal", "made by", "project"):
        table.add_column(column)
    for row in rows:
        made_by = ", ".join(row["runs"]) or ("no run found" if row["actor"] in ("job run", "crawler") else "")
        table.add_row(
            row["when"], row["call"], row["principal"], f"{row['actor']}: {made_by}".rstrip(": "), row["project"] or "—"
        )
    return table


def print_lineage(value: str, region: str, json_out: bool) -> None:
    from botocore.exceptions import ClientError

    try:
        rows = lineage_rows(value, region)
    except ClientError as exc:  # e.g. a project's principal: the lineage table is the platform's (AccessDenied)
        error = exc.response.get("Error", {})
        typer.echo(f"cannot read the lineage of {value}: {error.get('Code')}: {error.get('Message')}", err=True)
        raise typer.Exit(1) from None
    if json_out:
        typer.echo(json.dumps({"table": value, "changes": rows}, indent=2))
        return
    Console().print(render_lineage(value, rows))
