"""Glue interactive sessions: GetSession to read. A session cannot be updated: one that breaks the
policy is stopped (StopSession) after its definition, with a compliant CreateSession, is saved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from glueguard.models.resource import Resource
from glueguard.remediation.plan import Action
from glueguard.resources.base import ResourceKind, TagLookup, register_kind, request_from

#: Statuses in which a session holds capacity (StopSession applies).
LIVE_STATUSES = frozenset({"PROVISIONING", "READY"})


class SessionKind(ResourceKind):
    kind: ClassVar[str] = "session"
    arn_type: ClassVar[str] = "session"
    events: ClassVar[dict[str, str]] = {"CreateSession": "id"}

    def read(self, glue: Any, name: str, arn: str) -> Resource | None:
        return self._read(glue, name, arn, lambda: glue.get_session(Id=name)["Session"])

    def list_all(self, glue: Any, region: str, account: str, tags_of: TagLookup) -> Iterator[Resource]:
        """ListSessions returns full definitions but has no botocore paginator: follow NextToken."""
        request: dict[str, Any] = {"MaxResults": 1000}
        while True:
            page = glue.list_sessions(**request)
            for definition in page.get("Sessions", []):
                arn = self.arn(definition["Id"], region, account)
                yield Resource(self.kind, definition["Id"], definition, tags_of(arn), arn)
            if not page.get("NextToken"):
                return
            request["NextToken"] = page["NextToken"]

    def compliant_name(self, name: str, project_id: str, database: str) -> str:
        # The stopped session keeps its id until deleted: the replay needs a new one.
        return f"{super().compliant_name(name, project_id, database)}-compliant"

    def update_action(self, current: Resource, definition: dict[str, Any]) -> None:
        return None  # Glue has no UpdateSession

    def stop_action(self, current: Resource) -> Action | None:
        if current.get("Status") not in LIVE_STATUSES:
            return None
        return Action("glue", "stop_session", {"Id": current.name}, "stop the session")

    def delete_action(self, current: Resource) -> Action:
        return Action("glue", "delete_session", {"Id": current.name}, "remove")

    def create_request(self, definition: dict[str, Any], name: str, tags: dict[str, str]) -> dict[str, Any]:
        request = request_from(definition, "CreateSessionRequest", drop=frozenset({"Id", "Tags"}))
        if request.get("WorkerType"):
            request.pop("MaxCapacity", None)  # Glue rejects both
        return {"Id": name, **request, "Tags": tags}


register_kind(SessionKind())
