"""Rules for Glue crawlers (GetCrawler `Crawler` definitions)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from glueguard.models.resource import Resource
from glueguard.models.violation import Severity, Violation
from glueguard.naming import project_of
from glueguard.rules.common import (
    foreign_project,
    in_project_bucket,
    naming_violations,
    role_violations,
    security_configuration_violations,
    tag_violations,
)
from glueguard.rules.engine import RuleContext, rule

KIND = "crawler"

#: Target lists whose entries read S3 paths, and the fields holding them.
_PATH_TARGETS = {"S3Targets": "Path", "DeltaTargets": "DeltaTables", "IcebergTargets": "Paths", "HudiTargets": "Paths"}


@rule(KIND, "crawler-naming", "the name is project-{uuid}-crawler-*")
def naming(crawler: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from naming_violations(crawler, ctx, "crawler-naming")


@rule(KIND, "crawler-role", "the role is the project's locked crawler role")
def crawler_role(crawler: Resource, ctx: RuleContext) -> Iterator[Violation]:
    wanted = ctx.project.resources.crawler_role_arn or ctx.project.names.crawler_role
    yield from role_violations(crawler.get("Role"), [wanted], "Role", "crawler role", "crawler-role", ctx)


def _outside(key: str, target: dict[str, Any], ctx: RuleContext) -> list[str]:
    """What of one target entry lies outside the project (paths, connection, catalog database)."""
    outside: list[str] = []
    if key in _PATH_TARGETS:
        paths = target.get(_PATH_TARGETS[key])
        for path in [paths] if isinstance(paths, str) else paths or []:
            if not in_project_bucket(path, ctx):
                outside.append(path)
    if key == "CatalogTargets" and target.get("DatabaseName") != ctx.project.database_name:
        outside.append(f"database {target.get('DatabaseName')}")
    connection = target.get("ConnectionName")
    if connection and project_of(connection) != ctx.project.project_id:
        outside.append(f"connection {connection}")
    return outside


@rule(KIND, "crawler-targets", "every target is in the project's buckets, database and connections (else removed)")
def targets(crawler: Resource, ctx: RuleContext) -> Iterator[Violation]:
    current: dict[str, Any] = crawler.get("Targets") or {}
    kept: dict[str, list[Any]] = {}
    outside: list[str] = []
    for key, entries in current.items():
        if not isinstance(entries, list):
            continue
        kept[key] = []
        for entry in entries:
            found = _outside(key, entry, ctx)
            outside.extend(found)
            if not found:
                kept[key].append(entry)
    if not outside:
        return
    cross = any(foreign_project(_bucket_or_name(item), ctx) for item in outside)
    severity = Severity.CRITICAL if cross else Severity.HIGH
    message = f"targets outside the project: {outside}"
    if any(kept.values()):
        yield Violation("crawler-targets", severity, message + " (removed)", patch={"Targets": kept})
    else:  # nothing of the project's left to crawl (a crawler needs a target): saved, then removed
        yield Violation(
            "crawler-targets", severity, message + " (no project target left: saved, then removed)", remove=True
        )


def _bucket_or_name(item: str) -> str:
    return item[5:].split("/", 1)[0] if item.startswith("s3://") else item.rsplit(" ", 1)[-1]


@rule(KIND, "crawler-database", "tables are written to the project's catalog database")
def database(crawler: Resource, ctx: RuleContext) -> Iterator[Violation]:
    wanted, current = ctx.project.database_name, crawler.get("DatabaseName")
    if ctx.policy.lock_database and current != wanted:
        other = foreign_project(current, ctx)
        yield Violation(
            "crawler-database",
            Severity.CRITICAL if other else Severity.HIGH,
            f"DatabaseName {current!r} is not the project database {wanted!r}",
            patch={"DatabaseName": wanted},
        )


@rule(KIND, "crawler-security-configuration", "the project's security configuration is set")
def security_configuration(crawler: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from security_configuration_violations(
        crawler, ctx, "CrawlerSecurityConfiguration", "crawler-security-configuration"
    )


@rule(KIND, "crawler-tags", "the mandatory tags, with the registry's values")
def tags(crawler: Resource, ctx: RuleContext) -> Iterator[Violation]:
    yield from tag_violations(crawler, ctx, "crawler-tags")
