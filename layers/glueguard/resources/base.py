"""The resource-kind registry and the contract every kind implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any, ClassVar, Protocol

from glueguard.models.resource import Resource
from glueguard.naming import compliant_name
from glueguard.remediation.plan import Action

#: arn -> the resource's tags (an index built in bulk, or a GetTags call).
TagLookup = Callable[[str], dict[str, str]]


@cache
@cache
def partition_of(region: str) -> str:
    """The ARN partition of a region (`aws`, `aws-cn`, `aws-us-gov`, ...), from botocore's partition data."""
    import boto3

    return boto3.session.Session().get_partition_for_region(region)


def shape_members(shape: str) -> frozenset[str]:
    """The members of a Glue request/structure shape, from botocore's model (so new fields are kept): the
    model the plane's Glue client already loaded, not a second botocore session."""
    from glueguard.adapters.clients import client

    return frozenset(client("glue").meta.service_model.shape_for(shape).members)


def request_from(definition: dict[str, Any], shape: str, drop: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The members of `shape` the definition has (None values and `drop` left out)."""
    members = shape_members(shape)
    return {k: v for k, v in definition.items() if k in members and k not in drop and v is not None}


def _lookup(source: dict[str, Any] | None, path: str) -> Any:
    value: Any = source or {}
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


class EventRoute(Protocol):
    """Anything that maps a governed CloudTrail event to the resource kind and name it concerns."""

    events: ClassVar[dict[str, str]]

    def target(
        self, event_name: str, request: dict[str, Any] | None, response: dict[str, Any] | None
    ) -> tuple[ResourceKind, str] | None:
        """The kind and name the event concerns; None when it concerns nothing governed.
        Raise KeyError when the event lacks what names the resource."""


class ResourceKind(ABC):
    """How one Glue resource kind maps to API calls. `read` and `list_all` are the only methods that call AWS."""

    kind: ClassVar[str]
    arn_type: ClassVar[str]  # the ARN resource type: job, crawler, trigger, ...
    #: CloudTrail eventName -> requestParameters key (dotted for nested keys) that names the resource.
    events: ClassVar[dict[str, str]]
    #: The paginated Glue call that lists every resource of the kind *with its full definition*
    #: (botocore method name), its result key, the name field of each item and the largest page
    #: size Glue accepts. Kinds whose list call returns names only override `list_all` instead.
    list_operation: ClassVar[str | None] = None
    list_result_key: ClassVar[str] = ""
    list_name_field: ClassVar[str] = "Name"
    list_page_size: ClassVar[int | None] = None
    #: False for kinds Glue cannot tag (tables, security configurations).
    taggable: ClassVar[bool] = True

    def arn(self, name: str, region: str, account: str) -> str:
        return f"arn:{partition_of(region)}:glue:{region}:{account}:{self.arn_type}/{name}"

    def name_from_event(self, event_name: str, request: dict[str, Any] | None, response: dict[str, Any] | None) -> str:
        """The resource's name, from the request (or the response when the request lacks it)."""
        key = self.events[event_name]
        for source in (request, response):
            value = _lookup(source, key)
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

    def target(
        self, event_name: str, request: dict[str, Any] | None, response: dict[str, Any] | None
    ) -> tuple[ResourceKind, str]:
        """The kind and name an event concerns (this kind, named in the event)."""
        return self, self.name_from_event(event_name, request, response)

    @property
    def create_operation(self) -> str:
        """CreateJob, CreateDevEndpoint, ...: the ARN type, capitalised."""
        return f"Create{self.arn_type[0].upper()}{self.arn_type[1:]}"

    def compliant_name(self, name: str, project_id: str, database: str) -> str:
        """The name a saved definition is replayed under (`database`: the project's catalog database)."""
        return compliant_name(self.kind, name, project_id)

    def redact(self, definition: dict[str, Any]) -> dict[str, Any]:
        """The definition as records may keep it (no secrets)."""
        return definition

    def stop_action(self, current: Resource) -> Action | None:
        """The call that stops the resource acting (StopSession, StopTrigger); None when it has none."""
        return None

    @abstractmethod
    def read(self, glue: Any, name: str, arn: str) -> Resource | None:
        """The current definition and tags, or None when the resource no longer exists."""

    def _read(
        self, glue: Any, name: str, arn: str, fetch: Callable[[], dict[str, Any]], **extra: Any
    ) -> Resource | None:
        """`fetch()` the definition (None when Glue says it does not exist), then its tags."""
        try:
            definition = fetch()
        except glue.exceptions.EntityNotFoundException:
            return None
        tags = glue.get_tags(ResourceArn=arn).get("Tags", {}) if self.taggable else {}
        return Resource(self.kind, name, definition, tags, arn, extra)

    def refuses_corrections(self, current: Resource) -> bool:
        """True when no call may change this resource now (the plane only reports it)."""
        return False

    @abstractmethod
    def update_action(self, current: Resource, definition: dict[str, Any]) -> Action | None:
        """The call that makes the resource's definition equal `definition` (keeping every other field),
        or None when the kind cannot be updated in place (sessions, dev endpoints, security configurations)."""

    @abstractmethod
    def delete_action(self, current: Resource) -> Action:
        """The call that deletes the resource."""

    @abstractmethod
    def create_request(self, definition: dict[str, Any], name: str, tags: dict[str, str]) -> dict[str, Any]:
        """A ready-to-replay Create request for `definition` under `name`."""


_KINDS: dict[str, ResourceKind] = {}
_BY_EVENT: dict[str, EventRoute] = {}


def register_route(route: EventRoute) -> EventRoute:
    """Route each of `route.events` to it (a kind, or a dispatcher such as TagResource's)."""
    for event_name in route.events:
        if event_name in _BY_EVENT and _BY_EVENT[event_name] is not route:
            raise ValueError(f"{event_name} is already routed to {_BY_EVENT[event_name]!r}")
        _BY_EVENT[event_name] = route
    return route


def register_kind(kind: ResourceKind) -> ResourceKind:
    _KINDS[kind.kind] = kind
    register_route(kind)
    return kind


def _load_builtin_kinds() -> None:
    from glueguard.resources import builtin  # noqa: F401


def kinds() -> dict[str, ResourceKind]:
    _load_builtin_kinds()
    return dict(_KINDS)


def kind_for_event(event_name: str) -> EventRoute | None:
    """The route of a governed event (call `.target(...)` for the kind and name), or None."""
    _load_builtin_kinds()
    return _BY_EVENT.get(event_name)


def governed_events() -> frozenset[str]:
    """Every CloudTrail eventName the enforcer acts on (template.yaml's rule must list exactly these)."""
    _load_builtin_kinds()
    return frozenset(_BY_EVENT)


def kind_for_arn_type(arn_type: str) -> ResourceKind | None:
    """The kind whose ARNs have this resource type (job, crawler, devEndpoint, ...)."""
    _load_builtin_kinds()
    return next((k for k in _KINDS.values() if k.arn_type == arn_type), None)
