"""Glue jobs as AWS documents them: CreateJob refuses duplicates, UpdateJob replaces the whole
definition (omitted fields reset to their defaults), both refuse capacity Glue refuses (`capacity.py`),
BatchStopJobRun stops runs.

Backend models first (functions taking the GlueBackend), then the wire responses.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from moto.core.responses import ActionResult
from moto.glue.exceptions import AlreadyExistsException, EntityNotFoundException, InvalidInputException
from moto.glue.models import FakeJob, GlueBackend
from moto.glue.responses import GlueResponse

from glueguard_sandbox.emulator.glue import capacity

_TERMINAL = {"SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR"}

# JobUpdate members (botocore's model) and the FakeJob attribute each one sets.
_JOB_UPDATE_FIELDS: dict[str, str] = {
    "Description": "description",
    "LogUri": "log_uri",
    "Role": "role",
    "ExecutionProperty": "execution_property",
    "Command": "command",
    "DefaultArguments": "default_arguments",
    "NonOverridableArguments": "non_overridable_arguments",
    "Connections": "connections",
    "MaxRetries": "max_retries",
    "AllocatedCapacity": "allocated_capacity",
    "Timeout": "timeout",
    "MaxCapacity": "max_capacity",
    "WorkerType": "worker_type",
    "NumberOfWorkers": "number_of_workers",
    "SecurityConfiguration": "security_configuration",
    "NotificationProperty": "notification_property",
    "GlueVersion": "glue_version",
    "CodeGenConfigurationNodes": "code_gen_configuration_nodes",
    "ExecutionClass": "execution_class",
    "SourceControlDetails": "source_control_details",
}


# JobUpdate/CreateJob members moto's FakeJob does not model; kept verbatim so GetJob returns them.
_EXTRA_FIELDS = ("MaintenanceWindow", "JobMode", "JobRunQueuingEnabled")


# ------------------------------------------------------------------------------- backend models
def default_timeout(glue_version: str | None) -> int:
    """Glue's default Timeout: 2880 min for Glue <= 4.0, 480 for 5.0+ (FACTS.md)."""
    try:
        return 480 if float(glue_version or "0.9") >= 5.0 else 2880
    except ValueError:
        return 2880


def _apply_defaults(job: FakeJob) -> None:
    """What GetJob shows for fields a caller left out."""
    if job.timeout is None and (job.command or {}).get("Name") != "gluestreaming":  # streaming: no timeout
        job.timeout = default_timeout(job.glue_version)
    if job.max_retries is None:
        job.max_retries = 0
    if not job.execution_property:
        job.execution_property = {"MaxConcurrentRuns": 1}
    if not job.execution_class:
        job.execution_class = "STANDARD"


def create_job(backend: GlueBackend, original: Any, name: str, **kwargs: Any) -> None:
    if name in backend.jobs:
        raise AlreadyExistsException(f"Job {name}")
    original(backend, name=name, **kwargs)
    _apply_defaults(backend.jobs[name])


def update_job(backend: GlueBackend, name: str, job_update: dict[str, Any]) -> str:
    """Replace the job's definition with `job_update`: every omitted field is reset."""
    job = backend.get_job(name)
    if not job_update.get("Role") or not job_update.get("Command"):
        raise InvalidInputException("UpdateJob", "JobUpdate must include Role and Command.")
    capacity.validate("UpdateJob", job_update)
    for field, attribute in _JOB_UPDATE_FIELDS.items():
        setattr(job, attribute, job_update.get(field))
    job.extra_fields = {k: job_update[k] for k in _EXTRA_FIELDS if job_update.get(k) is not None}
    job.default_arguments = job.default_arguments or {}
    job.execution_property = job.execution_property or {}
    _apply_defaults(job)
    from moto.core.utils import utcnow

    job.last_modified_on = utcnow()
    return name


def batch_stop_job_run(backend: GlueBackend, job_name: str, run_ids: list[str]) -> dict[str, Any]:
    """Stop each run; a run already finished or unknown is reported in Errors, as Glue does."""
    successful: list[dict[str, str]] = []
    errors: list[dict[str, Any]] = []
    job = backend.jobs.get(job_name)
    for run_id in run_ids:
        run = next((r for r in job.job_runs if r.job_run_id == run_id), None) if job else None
        if run is None:
            errors.append(_stop_error(job_name, run_id, "EntityNotFoundException", f"Job run {run_id} not found"))
            continue
        stop = getattr(run, "stop", None)
        if run.status in _TERMINAL:
            errors.append(_stop_error(job_name, run_id, "InvalidInputException", f"Job run is {run.status}"))
            continue
        if callable(stop):
            stop()
        else:
            run.status = "STOPPED"
        successful.append({"JobName": job_name, "JobRunId": run_id})
    return {"SuccessfulSubmissions": successful, "Errors": errors}


def _stop_error(job_name: str, run_id: str, code: str, message: str) -> dict[str, Any]:
    return {"JobName": job_name, "JobRunId": run_id, "ErrorDetail": {"ErrorCode": code, "ErrorMessage": message}}


# ------------------------------------------------------------------------------- wire responses
def _response_update_job(self: GlueResponse) -> ActionResult:
    name = self._get_param("JobName")
    job_update = self._get_param("JobUpdate") or {}
    return ActionResult({"JobName": self.glue_backend.update_job(name, job_update)})


def _response_batch_stop_job_run(self: GlueResponse) -> ActionResult:
    result = self.glue_backend.batch_stop_job_run(self._get_param("JobName"), self._get_param("JobRunIds") or [])
    return ActionResult(result)


def _job_as_dict(original: Any) -> Any:
    def as_dict(self: FakeJob) -> dict[str, Any]:
        return {**original(self), **getattr(self, "extra_fields", {})}

    return as_dict


def _response_create_job(original: Any) -> Any:
    def create_job(self: GlueResponse) -> ActionResult:
        capacity.validate("CreateJob", {k: self._get_param(k) for k in capacity.FIELDS})
        result = original(self)
        job = self.glue_backend.jobs[self._get_param("Name")]
        job.extra_fields = {k: self._get_param(k) for k in _EXTRA_FIELDS if self._get_param(k) is not None}
        return result

    return create_job


def _response_get_job(original: Any) -> Any:
    """GetJob, plus the members a newer Glue API would return (`job.gg_newer_members`, set by tests): the real
    service sends members the caller's botocore does not know, and botocore drops them when it parses."""

    def get_job(self: GlueResponse) -> Any:
        result = original(self)
        job = self.glue_backend.jobs.get(self._get_param("JobName"))
        newer = getattr(job, "gg_newer_members", None)
        if not newer:
            return result
        body = {"Job": {**result.result["Job"], **newer}}
        return json.dumps(body, default=lambda v: v.timestamp() if isinstance(v, datetime) else str(v))

    return get_job


def install() -> None:
    GlueResponse.get_job = _response_get_job(GlueResponse.get_job)  # type: ignore[method-assign]
    original_create = GlueBackend.create_job
    FakeJob.as_dict = _job_as_dict(FakeJob.as_dict)  # type: ignore[method-assign]
    GlueResponse.create_job = _response_create_job(GlueResponse.create_job)  # type: ignore[method-assign]

    def patched_create(self: GlueBackend, name: str, **kwargs: Any) -> None:
        create_job(self, original_create, name, **kwargs)

    GlueBackend.create_job = patched_create  # type: ignore[method-assign]
    GlueBackend.update_job = update_job  # type: ignore[attr-defined]
    GlueBackend.batch_stop_job_run = batch_stop_job_run  # type: ignore[attr-defined]
    GlueResponse.update_job = _response_update_job  # type: ignore[attr-defined]
    GlueResponse.batch_stop_job_run = _response_batch_stop_job_run  # type: ignore[attr-defined]


__all__ = ["EntityNotFoundException", "batch_stop_job_run", "default_timeout", "install", "update_job"]
