"""Interactive capacity in the project ledger: sessions and dev endpoints take their DPU at creation and give it
back when they end, like runs; one that does not fit the project's cap is stopped (a session) or saved and
deleted (a dev endpoint, which cannot be stopped), with its decision.

CloudTrail CreateSession / CreateDevEndpoint admit; StopSession / DeleteSession / DeleteDevEndpoint release; the
schedule releases what ended unseen (a session that timed out, an endpoint deleted while an event was lost).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from glueguard.dpu import session_dpu
from glueguard.models.decision import Decision
from glueguard.models.project import Project
from glueguard.naming import project_of
from glueguard.runs.admission import LedgerEntry
from glueguard.runs.caps import Breach
from glueguard.runs.guard_context import GuardContext, Outcome, Trigger
from glueguard.runs.job_run import as_utc

SESSION, DEVENDPOINT = "session", "devendpoint"
LIVE = {SESSION: frozenset({"PROVISIONING", "READY"}), DEVENDPOINT: frozenset({"PROVISIONING", "READY"})}
#: CloudTrail event -> (holder, what it does, request parameter naming the resource)
EVENTS: dict[str, tuple[str, str, str]] = {
    "CreateSession": (SESSION, "create", "id"),
    "StopSession": (SESSION, "end", "id"),
    "DeleteSession": (SESSION, "end", "id"),
    "CreateDevEndpoint": (DEVENDPOINT, "create", "endpointName"),
    "DeleteDevEndpoint": (DEVENDPOINT, "end", "endpointName"),
}


@dataclass
class InteractiveCapacity:
    ctx: GuardContext

    def read(self, holder: str, name: str) -> dict[str, Any] | None:
        glue = self.ctx.glue
        try:
            if holder == SESSION:
                return glue.get_session(Id=name).get("Session") or None
            return glue.get_dev_endpoint(EndpointName=name).get("DevEndpoint") or None
        except glue.exceptions.EntityNotFoundException:
            return None

    def admit(self, holder: str, name: str, trigger: Trigger, stop: Any) -> Outcome:
        """Take the DPU of a new session or endpoint from its project's ledger; `stop(project, resource, breach)`
        stops (or saves and deletes) one that does not fit and returns its decision."""
        project, why = self.ctx.project(name)
        if project is None:
            return Outcome("skipped", why)
        resource = self.read(holder, name)
        status = (resource or {}).get("Status")
        if resource is None or (status and status not in LIVE[holder]):
            self.ctx.ledger.release(project.project_id, name, reason=f"{holder} already ended")  # a tombstone
            return Outcome("skipped", f"{holder} {name} no longer runs")
        policy, pid = self.ctx.policy_for(project), project.project_id
        dpu = session_dpu(resource)
        created = as_utc(resource.get("CreatedOn") or resource.get("CreatedTimestamp"))
        entry = LedgerEntry(name, name, dpu, created, holder=holder)
        result = self.ctx.ledger.admit(pid, entry, policy.max_dpu_per_project)
        if result.admitted:
            return Outcome("admitted", f"{holder} holds {dpu:g} DPU; project at {result.in_use:g}")
        if result.known:
            return Outcome("known", f"{holder} {name} already in the ledger (or ended)")
        cap = policy.max_dpu_per_project
        breach = Breach(
            "project-dpu-cap",
            f"{holder} needs {dpu:g} DPU but the project holds {result.in_use:g} of its {cap:g} DPU cap",
            result.in_use + dpu,
            cap,
        )
        self.ctx.ledger.release(pid, name, reason="did not fit the project's DPU cap")  # a tombstone
        decision: Decision = stop(project, resource, breach)
        return Outcome("stopped", breach.message, [decision])

    def release(self, name: str, reason: str) -> Outcome:
        project_id = project_of(name)
        if project_id is None:
            return Outcome("skipped", f"{name} carries no project prefix")
        released = self.ctx.ledger.release(project_id, name, reason=reason)
        if released:
            return Outcome("released", f"{released:g} DPU back to project {project_id}")
        return Outcome("skipped", f"{name} held no capacity")

    def release_ended(self, projects: dict[str, Project], holder: str) -> int:
        """Release the ledger's sessions (or endpoints) that no longer run; how many."""
        released = 0
        for pid in projects:
            for entry in self.ctx.ledger.entries(pid):
                if entry.holder != holder:
                    continue
                resource = self.read(holder, entry.entry_id)
                if resource is None or resource.get("Status", "READY") not in LIVE[holder]:
                    released += bool(self.ctx.ledger.release(pid, entry.entry_id, reason=f"reconciled: {holder} ended"))
        return released


#: Where a creation's response names the resource, for a request CloudTrail did not record (over 100 KB).
RESPONSE_NAMES = {"CreateSession": ("session", "id"), "CreateDevEndpoint": (None, "endpointName")}


def event_target(
    event_name: str, request: dict[str, Any] | None, response: dict[str, Any] | None = None
) -> tuple[str, str, str] | None:
    """(holder, create|end, name) of a CloudTrail session/endpoint event, or None. CloudTrail omits parameters over
    100 KB: a creation is then named by its response, and one named by neither is admitted by the schedule."""
    if event_name not in EVENTS:
        return None
    holder, what, key = EVENTS[event_name]
    name = (request or {}).get(key)
    if not name and event_name in RESPONSE_NAMES:
        member, response_key = RESPONSE_NAMES[event_name]
        named = (response or {}).get(member, {}) if member else response or {}
        name = named.get(response_key) if isinstance(named, dict) else None
    return (holder, what, name) if isinstance(name, str) and name else None
