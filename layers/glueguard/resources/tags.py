"""TagResource / UntagResource: route the call to the tagged resource's own kind, which is then judged
whole (its tag rule restores a mandatory tag that was removed or altered)."""

from __future__ import annotations

from typing import Any, ClassVar

from glueguard.resources.base import ResourceKind, kind_for_arn_type, register_route


class TaggingRoute:
    events: ClassVar[dict[str, str]] = {"TagResource": "resourceArn", "UntagResource": "resourceArn"}

    def target(
        self, event_name: str, request: dict[str, Any] | None, response: dict[str, Any] | None
    ) -> tuple[ResourceKind, str] | None:
        """The tagged resource's kind and name; None for a Glue resource type that is not governed."""
        arn = (request or {}).get("resourceArn")
        if not isinstance(arn, str) or not arn.startswith("arn:"):
            raise KeyError(f"{event_name} event has no requestParameters.resourceArn")
        # arn:aws:glue:REGION:ACCOUNT:TYPE/NAME (a table's NAME is database/table)
        resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
        arn_type, _, name = resource.partition("/")
        kind = kind_for_arn_type(arn_type)
        return (kind, name) if kind is not None and name else None


register_route(TaggingRoute())
