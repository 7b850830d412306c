"""The resource-kind registry and the contract every kind implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from glueguard.models.resource import Resource
from glueguard.remediation.plan import Action

#: arn -> the resource's tags (an index built in bulk, or a GetTags call).
TagLookup = Callable[[str], dict[str, str]]


class ResourceKind(ABC):
    """How one Glue resource kind maps to API calls. `read` and `list_all` are the only methods that call AWS."""

    kind: ClassVar[str]
    arn_type: ClassVar[str]  # the ARN resource type: job, crawler, trigger, ...
    #: CloudTrail eventName -> requestParameters key that names the resource.
    events: ClassVar[dict[str, str]]
    #: The paginated Glue call that lists every resource of the kind *with its full definition*
    #: (botocore method name), its result key, the name field of each item and the largest page
    #: size Glue accepts. Kinds whose list call returns names only override `list_all` instead.
    list_operation: ClassVar[str | None] = None
    list_result_key: ClassVar[str] = ""
    list_name_field: ClassVar[str] = "Name"
    list_page_size: ClassVar[int | None] = None

    def arn(self, name: str, region: str, account: str) -> str:
        return f"arn:aws:glue:{region}:{account}:{self.arn_type}/{name}"

    def name_from_event(self, event_name: str, request: dict[str, Any] | None, response: dict[str, Any] | None) -> str:
        """The resource's name, from the request (or the response when the request lacks it)."""
        key = self.events[event_name]
        for source in (request or {}, response or {}):
            value = source.get(key)
            if isinstance(value, str) and value:
                return value
        raise KeyError(f"{event_name} event has no requestParameters.{key}")

    def list_all(self, glue: Any, region: str, account: str, tags_of: TagLookup) -> Iterator[Resource]:
        """Every resource of the kind, page by page, each with its definition and tags.

        One list call per page and no per-resource Get: the list call returns full definitions,
        and `tags_of(arn)` answers tags from an index built in bulk (see compliance.tags).
        """
        if not self.list_operation:
            raise NotImplementedError(f"resource kind {self.kind!r} does not implement list_all")
        config = {"PageSize": self.list_page_size} if self.list_page_size else {}
        for page in glue.get_paginator(self.list_operation).paginate(PaginationConfig=config):
            for definition in page.get(self.list_result_key, []):
                name = definition[self.list_name_field]
                arn = self.arn(name, region, account)
                tags = tags_of(arn) if getattr(self, "taggable", True) else {}
                yield Resource(self.kind, name, definition, tags, arn)

    @abstractmethod
    def read(self, glue: Any, name: str, arn: str) -> Resource | None:
        """The current definition and tags, or None when the resource no longer exists."""

    @abstractmethod
    def update_action(self, current: Resource, definition: dict[str, Any]) -> Action:
        """The call that makes the resource's definition equal `definition` (keeping every other field)."""

    @abstractmethod
    def delete_action(self, current: Resource) -> Action:
        """The call that deletes the resource."""

    @abstractmethod
    def create_request(self, definition: dict[str, Any], name: str, tags: dict[str, str]) -> dict[str, Any]:
        """A ready-to-replay Create request for `definition` under `name`."""


_KINDS: dict[str, ResourceKind] = {}
_BY_EVENT: dict[str, ResourceKind] = {}


def register_kind(kind: ResourceKind) -> ResourceKind:
    _KINDS[kind.kind] = kind
    for event_name in kind.events:
        _BY_EVENT[event_name] = kind
    return kind


def _load_builtin_kinds() -> None:
    from glueguard.resources import builtin  # noqa: F401


def kinds() -> dict[str, ResourceKind]:
    _load_builtin_kinds()
    return dict(_KINDS)


def kind_for_event(event_name: str) -> ResourceKind | None:
    _load_builtin_kinds()
    return _BY_EVENT.get(event_name)
