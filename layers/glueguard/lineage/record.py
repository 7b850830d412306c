"""A compact lineage record of one catalog call, from the CloudTrail event the enforcer judged compliant."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from glueguard.models.events import CloudTrailEvent
from glueguard.naming import project_of
from glueguard.resources.table import TableKind

#: Catalog data-change calls: every call the table kind routes to the enforcer (its own and its partitions').
CATALOG_CHANGES = frozenset(TableKind.events)
#: The role names provisioning gives a project's Glue principals: `project-{uuid}-glue-{job|crawler|dev}-role`.
_PROJECT_ROLE = re.compile(r"^project-[0-9a-f-]{36}-glue-(job|crawler|dev)-role$")
#: What made the call, by its role: a job run, a crawler, a dev endpoint or session, or a person (anything else).
ACTORS = {"job": "job run", "crawler": "crawler", "dev": "dev endpoint or session"}


class LineageRecord(BaseModel):
    """One catalog change: the table it touched, when, which call, which principal, which project."""

    model_config = ConfigDict(frozen=True)
    table_arn: str
    database: str
    table: str
    event_time: str
    event_id: str
    event_name: str
    principal: str
    role: str | None = None
    session: str | None = None
    actor: str = "person"
    project_id: str | None = None

    @property
    def entry(self) -> str:
        """The sort key: records of one table read back in the order the calls were made."""
        return f"{self.event_time}#{self.event_id}"


def session_name(principal: str | None) -> str | None:
    """The role session name of an assumed-role ARN (`.../assumed-role/ROLE/SESSION`), else None."""
    if not principal or ":assumed-role/" not in principal:
        return None
    parts = principal.split(":assumed-role/", 1)[1].split("/", 1)
    return parts[1] if len(parts) == 2 else None


def actor_of(role: str | None) -> str:
    """`job`, `crawler` or `dev` for a project's Glue role; `person` for any other principal."""
    match = _PROJECT_ROLE.match(role or "")
    return match.group(1) if match else "person"


def lineage_record(event: CloudTrailEvent, table_arn: str, name: str) -> LineageRecord | None:
    """The record of a catalog data-change call (`name` is `database/table`); None for any other call."""
    detail = event.detail
    if detail.eventName not in CATALOG_CHANGES:
        return None
    database, _, table = name.partition("/")
    identity = detail.userIdentity
    role = identity.role_name
    return LineageRecord(
        table_arn=table_arn,
        database=database,
        table=table,
        event_time=detail.eventTime or event.time or "",
        event_id=detail.eventID,
        event_name=detail.eventName,
        principal=identity.arn or identity.principalId or "unknown",
        role=role,
        session=session_name(identity.arn),
        actor=actor_of(role),
        project_id=project_of(database) or project_of(role),
    )


def table_arn(partition: str, region: str, account: str, database: str, table: str) -> str:
    """A catalog table's ARN (`arn:aws:glue:REGION:ACCOUNT:table/DATABASE/TABLE`)."""
    return f"arn:{partition}:glue:{region}:{account}:table/{database}/{table}"


def parse_table(value: str) -> tuple[str, str]:
    """`DATABASE.TABLE` (or `DATABASE/TABLE`) -> (database, table); a ValueError names what is missing."""
    database, sep, table = value.partition("/") if "/" in value else value.partition(".")
    if not sep or not database or not table:
        raise ValueError(f"{value!r} is not DATABASE.TABLE (e.g. project-<uuid>-catalog-db.orders)")
    return database, table


def as_row(record: LineageRecord, runs: list[str]) -> dict[str, Any]:
    """What `glueguard audit --lineage` prints for a record: when, call, principal, job run or crawler, project."""
    return {
        "when": record.event_time,
        "call": record.event_name,
        "principal": record.principal,
        "actor": ACTORS.get(record.actor, "person"),
        "runs": runs,
        "project": record.project_id,
    }
