"""Glue crawlers: GetCrawler to read; UpdateCrawler with every field of the current definition to correct."""

from __future__ import annotations

from typing import Any, ClassVar

from glueguard.models.resource import Resource
from glueguard.remediation.plan import Action
from glueguard.resources.base import ResourceKind, register_kind, request_from


def crawler_request(definition: dict[str, Any]) -> dict[str, Any]:
    """Every UpdateCrawler member the crawler has (GetCrawler's Schedule structure becomes its expression)."""
    request = request_from(definition, "UpdateCrawlerRequest", drop=frozenset({"Name", "Schedule"}))
    schedule = definition.get("Schedule")
    expression = schedule.get("ScheduleExpression") if isinstance(schedule, dict) else schedule
    if expression:
        request["Schedule"] = expression
    return request


class CrawlerKind(ResourceKind):
    kind: ClassVar[str] = "crawler"
    arn_type: ClassVar[str] = "crawler"
    events: ClassVar[dict[str, str]] = {"CreateCrawler": "name", "UpdateCrawler": "name"}
    list_operation: ClassVar[str | None] = "get_crawlers"
    list_result_key: ClassVar[str] = "Crawlers"
    list_page_size: ClassVar[int | None] = 1000

    def read(self, glue: Any, name: str, arn: str) -> Resource | None:
        return self._read(glue, name, arn, lambda: glue.get_crawler(Name=name)["Crawler"])

    def update_action(self, current: Resource, definition: dict[str, Any]) -> Action:
        return Action("glue", "update_crawler", {"Name": current.name, **crawler_request(definition)}, "correct")

    def delete_action(self, current: Resource) -> Action:
        return Action("glue", "delete_crawler", {"Name": current.name}, "remove")

    def create_request(self, definition: dict[str, Any], name: str, tags: dict[str, str]) -> dict[str, Any]:
        return {"Name": name, **crawler_request(definition), "Tags": tags}


register_kind(CrawlerKind())
