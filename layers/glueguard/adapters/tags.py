"""Tags of every Glue resource in bulk, from the Resource Groups Tagging API.

GetJobs/GetCrawlers/... return definitions without tags; a GetTags call per resource would double
the sweep's calls. GetResources returns up to 100 resources with their tags per call instead.
Falls back to GetTags per resource where the Tagging API is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

logger = logging.getLogger(__name__)

RESOURCES_PER_PAGE = 100  # the Tagging API's maximum


class TagIndex:
    """`index(arn)` -> tags. Resources the Tagging API does not return have no tags."""

    def __init__(self, glue: Any, tagging: Any | None) -> None:
        self._glue = glue
        self._tagging = tagging
        self._tags: dict[str, dict[str, str]] | None = None

    def load(self, arn_types: Iterable[str]) -> TagIndex:
        """Index the tags of every Glue resource of `arn_types` (job, crawler, ...); on refusal, fall back."""
        types = sorted({f"glue:{t}" for t in arn_types})
        if self._tagging is None or not types:
            return self
        from botocore.exceptions import BotoCoreError, ClientError

        tags: dict[str, dict[str, str]] = {}
        try:
            paginator = self._tagging.get_paginator("get_resources")
            pages = paginator.paginate(ResourceTypeFilters=types, PaginationConfig={"PageSize": RESOURCES_PER_PAGE})
            for page in pages:
                for mapping in page.get("ResourceTagMappingList", []):
                    tags[mapping["ResourceARN"]] = {t["Key"]: t["Value"] for t in mapping.get("Tags", [])}
        except (ClientError, BotoCoreError) as exc:
            logger.warning("Tagging API unavailable (%s); reading tags with GetTags per resource", exc)
            return self
        self._tags = tags
        return self

    @property
    def bulk(self) -> bool:
        """True when tags come from the bulk index (no call per resource)."""
        return self._tags is not None

    def __call__(self, arn: str) -> dict[str, str]:
        if self._tags is not None:
            return dict(self._tags.get(arn, {}))
        return self._glue.get_tags(ResourceArn=arn).get("Tags", {})


def tag_index(glue: Any, client_for: Callable[[str], Any], arn_types: Iterable[str]) -> TagIndex:
    """A loaded TagIndex for the given Glue ARN types."""
    return TagIndex(glue, client_for("resourcegroupstaggingapi")).load(arn_types)
