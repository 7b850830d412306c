"""Glue crawlers, triggers, connections and sessions as AWS documents them, where moto 5.2.5 falls short:

- UpdateCrawler (missing): updates only the fields given; refused while the crawler runs.
- UpdateTrigger (missing): takes a TriggerUpdate; each field given replaces the trigger's (Name is reserved).
- UpdateConnection (missing): replaces the whole ConnectionInput; tags stay.
- GetConnection: returns ConnectionType, MatchCriteria, PhysicalConnectionRequirements, ... at the top level.
- GetSession / CreateSession: the real Session shape (WorkerType, NumberOfWorkers, IdleTimeout, MaxCapacity
  as DPU; no placeholder Progress/ErrorMessage), and CreateSession returns it.

Backend models first (functions taking the GlueBackend), then the wire responses.
"""

from __future__ import annotations

from typing import Any

from glueguard.dpu import WORKER_DPU
from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.glue.exceptions import CrawlerRunningException, EntityNotFoundException, InvalidInputException
from moto.glue.models import FakeConnection, FakeSession, GlueBackend
from moto.glue.responses import GlueResponse
from moto.glue.utils import Action, Predicate

# UpdateCrawler members and the FakeCrawler attribute each one sets.
_CRAWLER_FIELDS: dict[str, str] = {
    "Role": "role",
    "DatabaseName": "database_name",
    "Description": "description",
    "Targets": "targets",
    "Schedule": "schedule",
    "Classifiers": "classifiers",
    "TablePrefix": "table_prefix",
    "SchemaChangePolicy": "schema_change_policy",
    "RecrawlPolicy": "recrawl_policy",
    "LineageConfiguration": "lineage_configuration",
    "Configuration": "configuration",
    "CrawlerSecurityConfiguration": "crawler_security_configuration",
}
DEFAULT_SESSION_DPU = 5.0  # FACTS.md: interactive sessions default to 5 DPU
DEFAULT_SESSION_TIMEOUT = 2880  # minutes


# ------------------------------------------------------------------------------- backend models
def update_crawler(backend: GlueBackend, name: str, fields: dict[str, Any]) -> None:
    """Set only the fields given (UpdateCrawler semantics); a running crawler cannot be updated."""
    crawler = backend.get_crawler(name)
    if crawler.status in {"RUNNING", "STOPPING"}:
        raise CrawlerRunningException(f"Crawler {name} is running; it cannot be updated.")
    for field, attribute in _CRAWLER_FIELDS.items():
        if field in fields:
            setattr(crawler, attribute, fields[field])
    crawler.version += 1
    crawler.last_updated = utcnow()


def update_trigger(backend: GlueBackend, name: str, update: dict[str, Any]) -> dict[str, Any]:
    trigger = backend.get_trigger(name)
    if "Actions" in update:
        if not update["Actions"]:
            raise InvalidInputException("UpdateTrigger", "Actions cannot be null or empty")
        trigger.actions = [Action(a) for a in update["Actions"]]
    if "Predicate" in update:
        trigger.predicate = Predicate(update["Predicate"]) if update["Predicate"] else None
    for field, attribute in (
        ("Description", "description"),
        ("Schedule", "schedule"),
        ("EventBatchingCondition", "event_batching_condition"),
    ):
        if field in update:
            setattr(trigger, attribute, update[field])
    return trigger.as_dict()


def update_connection(backend: GlueBackend, name: str, connection_input: dict[str, Any]) -> None:
    """Replace the connection's whole input (what UpdateConnection leaves out is gone)."""
    connection = backend.connections.get(name)
    if connection is None:
        raise EntityNotFoundException(f"Connection {name} not found")
    new_name = connection_input.get("Name") or name
    if new_name != name and new_name in backend.connections:
        raise InvalidInputException("UpdateConnection", f"Connection {new_name} already exists")
    connection.connection_input = connection_input
    connection.name = new_name
    connection.description = connection_input.get("Description")
    connection.connection_properties = connection_input.get("ConnectionProperties", {})
    connection.spark_properties = connection_input.get("SparkProperties", {})
    connection.athena_properties = connection_input.get("AthenaProperties", {})
    connection.python_properties = connection_input.get("PythonProperties", {})
    connection.updated_time = utcnow()
    backend.connections[new_name] = backend.connections.pop(name)


def connection_as_dict(original: Any) -> Any:
    def as_dict(self: FakeConnection, hide_password: bool = False) -> dict[str, Any]:
        data = original(self, hide_password)
        data.pop("Connection", None)  # not part of Glue's Connection shape
        for field in ("ConnectionType", "MatchCriteria", "AuthenticationConfiguration"):
            if self.connection_input.get(field) is not None:
                data[field] = self.connection_input[field]
        return {k: v for k, v in data.items() if v is not None}

    return as_dict


def session_as_dict(self: FakeSession) -> dict[str, Any]:
    """GetSession's Session: what was asked for, capacity in DPU, Glue's defaults for what was not."""
    if self.worker_type and self.number_of_workers:
        capacity = WORKER_DPU.get(self.worker_type, 1.0) * self.number_of_workers
    else:
        capacity = self.max_capacity or DEFAULT_SESSION_DPU
    data = {
        "Id": self.session_id,
        "CreatedOn": self.creation_time,
        "Status": self.state,
        "Description": self.description,
        "Role": self.role,
        "Command": self.command,
        "DefaultArguments": self.default_arguments,
        "Connections": self.connections,
        "MaxCapacity": float(capacity),
        "SecurityConfiguration": self.security_configuration,
        "GlueVersion": self.glue_version,
        "NumberOfWorkers": self.number_of_workers,
        "WorkerType": self.worker_type,
        "IdleTimeout": self.idle_timeout or self.timeout or DEFAULT_SESSION_TIMEOUT,
    }
    return {k: v for k, v in data.items() if v is not None}


# ------------------------------------------------------------------------------- wire responses
def _response_update_crawler(self: GlueResponse) -> ActionResult:
    fields = {k: v for k, v in self.parameters.items() if k not in {"Name", "CatalogId"}}
    self.glue_backend.update_crawler(self._get_param("Name"), fields)
    return ActionResult({})


def _response_update_trigger(self: GlueResponse) -> ActionResult:
    trigger = self.glue_backend.update_trigger(self._get_param("Name"), self._get_param("TriggerUpdate") or {})
    return ActionResult({"Trigger": trigger})


def _response_update_connection(self: GlueResponse) -> ActionResult:
    self.glue_backend.update_connection(self._get_param("Name"), self._get_param("ConnectionInput") or {})
    return ActionResult({})


def _response_create_session(original: Any) -> Any:
    def create_session(self: GlueResponse) -> ActionResult:
        original(self)
        return ActionResult({"Session": self.glue_backend.get_session(self._get_param("Id")).as_dict()})

    return create_session


def install() -> None:
    GlueBackend.update_crawler = update_crawler  # type: ignore[attr-defined]
    GlueBackend.update_trigger = update_trigger  # type: ignore[attr-defined]
    GlueBackend.update_connection = update_connection  # type: ignore[attr-defined]
    GlueResponse.update_crawler = _response_update_crawler  # type: ignore[attr-defined]
    GlueResponse.update_trigger = _response_update_trigger  # type: ignore[attr-defined]
    GlueResponse.update_connection = _response_update_connection  # type: ignore[attr-defined]
    FakeConnection.as_dict = connection_as_dict(FakeConnection.as_dict)  # type: ignore[method-assign]
    FakeSession.as_dict = session_as_dict  # type: ignore[method-assign]
    GlueResponse.create_session = _response_create_session(GlueResponse.create_session)  # type: ignore[method-assign]
