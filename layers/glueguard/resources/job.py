"""Glue jobs: GetJob/GetTags to read, UpdateJob rebuilt from the full definition to correct."""

from __future__ import annotations

import json
import threading
from typing import Any, ClassVar

from glueguard.models.resource import Resource
from glueguard.remediation.plan import Action
from glueguard.resources.base import ResourceKind, register_kind, shape_members

#: Resource.extra key: GetJob members this botocore's model does not know (newer than the SDK).
UNKNOWN_MEMBERS = "unknown_members"

# Read-only fields GetJob returns that JobUpdate/CreateJob do not take.
_READ_ONLY = {"Name", "CreatedOn", "LastModifiedOn", "AllocatedCapacity", "Tags"}


def job_update_members() -> frozenset[str]:
    """The members of Glue's JobUpdate shape, from botocore's service model (so new fields are kept)."""
    return shape_members("JobUpdate")


def job_update(definition: dict[str, Any]) -> dict[str, Any]:
    """A complete JobUpdate from a GetJob definition: UpdateJob resets whatever it leaves out.

    Keeps every JobUpdate field the job has; drops MaxCapacity when WorkerType is set (Glue
    rejects both) and the deprecated AllocatedCapacity.
    """
    members = job_update_members()
    update = {k: v for k, v in definition.items() if k in members and k not in _READ_ONLY and v is not None}
    if update.get("WorkerType"):
        update.pop("MaxCapacity", None)
    return update


_parsed = threading.local()


def _note_unknown_members(response_dict: dict[str, Any] | None = None, **_: Any) -> None:
    """botocore hook before GetJob's response is parsed: remember the Job members its model does not know."""
    try:
        raw = json.loads((response_dict or {}).get("body") or b"{}").get("Job") or {}
    except (ValueError, AttributeError):
        raw = {}
    _parsed.unknown = sorted(set(raw) - shape_members("Job"))


def read_job(glue: Any, name: str) -> tuple[dict[str, Any], list[str]]:
    """GetJob's Job, and the members of the raw response botocore's model does not know (it drops them)."""
    glue.meta.events.register_first("before-parse.glue.GetJob", _note_unknown_members, unique_id="glueguard-unknown")
    _parsed.unknown = []
    job = glue.get_job(JobName=name)["Job"]
    return job, list(_parsed.unknown)


class JobKind(ResourceKind):
    kind: ClassVar[str] = "job"
    arn_type: ClassVar[str] = "job"
    events: ClassVar[dict[str, str]] = {"CreateJob": "name", "UpdateJob": "jobName"}
    # GetJobs returns full definitions (not tags), up to 1000 per page.
    list_operation: ClassVar[str | None] = "get_jobs"
    list_result_key: ClassVar[str] = "Jobs"
    list_page_size: ClassVar[int | None] = 1000

    def read(self, glue: Any, name: str, arn: str) -> Resource | None:
        unknown: list[str] = []

        def fetch() -> dict[str, Any]:
            job, found = read_job(glue, name)
            unknown.extend(found)
            return job

        resource = self._read(glue, name, arn, fetch)
        if resource is not None and unknown:
            resource.extra[UNKNOWN_MEMBERS] = unknown
        return resource

    def refuses_corrections(self, current: Resource) -> bool:
        """UpdateJob (and a saved replay) would reset the members botocore dropped: report instead."""
        return bool(current.extra.get(UNKNOWN_MEMBERS))

    def update_action(self, current: Resource, definition: dict[str, Any]) -> Action:
        """UpdateJob as the job's usage profile: Glue removes the profile of a job a caller without one updates."""
        params = {"JobName": current.name, "JobUpdate": job_update(definition)}
        return Action("glue", "update_job", params, "correct", profile=current.definition.get("ProfileName"))

    def delete_action(self, current: Resource) -> Action:
        return Action("glue", "delete_job", {"JobName": current.name}, "name outside the convention")

    def create_request(self, definition: dict[str, Any], name: str, tags: dict[str, str]) -> dict[str, Any]:
        return {"Name": name, **job_update(definition), "Tags": tags}


register_kind(JobKind())
