"""Glue usage profiles as the Glue developer guide documents them (moto 5.2.5 has none; docs/sandbox.md cites):

- CreateUsageProfile / GetUsageProfile / UpdateUsageProfile / DeleteUsageProfile / ListUsageProfiles; a profile
  configures at least one job or session parameter: `numberOfWorkers` (default/min/max), `workerType`
  (default/allowed), `timeout` (default/min/max, minutes) and, for sessions, `idleTimeout`.
- A principal is assigned a profile by its IAM tag `glue:UsageProfile`.
- Authoring (CreateJob, UpdateJob, CreateSession): the caller's profile defaults fill what the request leaves out,
  values given are checked against its limits, and the profile's name is saved on the job (`ProfileName`); a job
  updated by a caller without a profile loses it.
- Running: StartJobRun is checked against the *caller's* profile; a run with no direct caller (triggers,
  workflows) against the profile saved on the job. A run outside the limits is refused.

Backend models first (functions taking the GlueBackend), then the wire responses.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow
from moto.glue.exceptions import AlreadyExistsException, EntityNotFoundException, InvalidInputException
from moto.glue.models import FakeJob, FakeSession, GlueBackend
from moto.glue.responses import GlueResponse

PROFILE_TAG = "glue:UsageProfile"
#: Profile parameter -> the request member it governs (jobs and sessions alike).
PARAMETERS = {"numberOfWorkers": "NumberOfWorkers", "workerType": "WorkerType", "timeout": "Timeout"}
SESSION_PARAMETERS = {**PARAMETERS, "idleTimeout": "IdleTimeout"}
NUMERIC = {"numberOfWorkers", "timeout", "idleTimeout"}

_caller = threading.local()


# ------------------------------------------------------------------------------- backend models
def _profiles(backend: GlueBackend) -> dict[str, dict[str, Any]]:
    if not hasattr(backend, "gg_usage_profiles"):
        backend.gg_usage_profiles = {}  # type: ignore[attr-defined]
    return backend.gg_usage_profiles  # type: ignore[attr-defined]


def _validate_configuration(operation: str, configuration: dict[str, Any]) -> None:
    jobs, sessions = configuration.get("JobConfiguration") or {}, configuration.get("SessionConfiguration") or {}
    if not jobs and not sessions:
        raise InvalidInputException(operation, "Configure at least one job or session parameter.")
    for section, known in (("JobConfiguration", PARAMETERS), ("SessionConfiguration", SESSION_PARAMETERS)):
        for key, value in (configuration.get(section) or {}).items():
            if key not in known:
                raise InvalidInputException(operation, f"{section} parameter {key} is not supported.")
            if key in NUMERIC:
                for bound in ("DefaultValue", "MinValue", "MaxValue"):
                    if bound in value and not str(value[bound]).isdigit():
                        raise InvalidInputException(operation, f"{section}.{key}.{bound} must be a whole number.")


def create_usage_profile(backend: GlueBackend, name: str, configuration: dict[str, Any], **extra: Any) -> str:
    if name in _profiles(backend):
        raise AlreadyExistsException(f"Usage profile {name}")
    _validate_configuration("CreateUsageProfile", configuration)
    now = utcnow()
    _profiles(backend)[name] = {
        "Name": name,
        "Configuration": configuration,
        "CreatedOn": now,
        "LastModifiedOn": now,
        **{k: v for k, v in extra.items() if v is not None},
    }
    return name


def get_usage_profile(backend: GlueBackend, name: str) -> dict[str, Any]:
    profile = _profiles(backend).get(name)
    if profile is None:
        raise EntityNotFoundException(f"Usage profile {name} not found")
    return profile


def update_usage_profile(backend: GlueBackend, name: str, configuration: dict[str, Any], description: Any) -> str:
    profile = get_usage_profile(backend, name)
    _validate_configuration("UpdateUsageProfile", configuration)
    profile.update(Configuration=configuration, LastModifiedOn=utcnow())
    if description is not None:
        profile["Description"] = description
    return name


def delete_usage_profile(backend: GlueBackend, name: str) -> None:
    get_usage_profile(backend, name)
    del _profiles(backend)[name]


def apply_defaults(
    operation: str, section: dict[str, Any], request: dict[str, Any], parameters: dict[str, str]
) -> dict[str, Any]:
    """`request` with the profile's defaults for what it leaves out, after checking what it gives."""
    filled = dict(request)
    sized_by_capacity = request.get("MaxCapacity") is not None
    for key, member in parameters.items():
        rule = section.get(key)
        if not rule:
            continue
        if filled.get(member) is None and rule.get("DefaultValue") is not None and not sized_by_capacity:
            default = rule["DefaultValue"]
            filled[member] = int(default) if key in NUMERIC else default
        problem = violation(key, rule, filled.get(member))
        if problem:
            raise InvalidInputException(operation, problem)
    return filled


def violation(key: str, rule: dict[str, Any], value: Any) -> str | None:
    """Why `value` breaks the profile's rule for `key` (None when it keeps to it, or is not set)."""
    if value is None:
        return None
    allowed = rule.get("AllowedValues")
    if allowed and str(value) not in allowed:
        return f"{key} {value} is not allowed by the usage profile (allowed: {', '.join(allowed)})"
    if key in NUMERIC:
        if rule.get("MaxValue") is not None and int(value) > int(rule["MaxValue"]):
            return f"{key} {value} is above the usage profile's maximum of {rule['MaxValue']}"
        if rule.get("MinValue") is not None and int(value) < int(rule["MinValue"]):
            return f"{key} {value} is below the usage profile's minimum of {rule['MinValue']}"
    return None


def check_run(backend: GlueBackend, job: FakeJob, overrides: dict[str, Any]) -> None:
    """A run is refused when its effective workers, worker type or timeout break the profile that governs it:
    the caller's for StartJobRun, the job's for runs no user started (triggers, workflows)."""
    direct = getattr(_caller, "profile", None)
    name = direct[0] if direct is not None else getattr(job, "gg_profile_name", None)
    if not name:
        return
    try:
        section = get_usage_profile(backend, name)["Configuration"].get("JobConfiguration") or {}
    except EntityNotFoundException:
        return
    effective = {
        "NumberOfWorkers": overrides.get("number_of_workers") or job.number_of_workers,
        "WorkerType": overrides.get("worker_type") or job.worker_type,
        "Timeout": overrides.get("timeout") or job.timeout,
    }
    for key, member in PARAMETERS.items():
        if section.get(key) and (problem := violation(key, section[key], effective[member])):
            raise InvalidInputException("StartJobRun", f"{problem} (usage profile {name})")


# ------------------------------------------------------------------------------- the caller's profile
def principal_profile(access_key_id: str, account: str) -> str | None:
    """The `glue:UsageProfile` tag of the principal behind an access key: an assumed role's session tag, else its
    role's tag, or a user's (a profile passed as a session tag applies as a role tag does: AWS Security blog, "Access
    control with IAM Identity Center session tags")."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    iam = iam_backends[account]["global"]
    tags: Any = {}
    with suppress(Exception):
        assumed = sts_backends[account]["aws"].get_assumed_role_from_access_key(access_key_id)
        if assumed is not None:
            session_tags = getattr(assumed, "gg_session_tags", None) or {}
            if PROFILE_TAG in session_tags:  # a session tag overrides the role's tag of the same key
                return session_tags[PROFILE_TAG] or None
            tags = iam.get_role_by_arn(assumed.role_arn).tags
        elif (user := iam.get_user_from_access_key_id(access_key_id)) is not None:
            tags = user.tags
    if isinstance(tags, list):  # moto keeps a user's tags as a list, a role's as a dict by key
        tags = {t["Key"]: t for t in tags}
    tag = tags.get(PROFILE_TAG)
    return (tag.get("Value") if isinstance(tag, dict) else tag) or None


@contextmanager
def calling(response: GlueResponse) -> Iterator[str | None]:
    """While a user's request is served: the caller's profile name (None: the caller has none)."""
    name = principal_profile(response.get_access_key(), response.current_account)
    _caller.profile = (name,)
    try:
        yield name
    finally:
        _caller.profile = None


def _section(backend: GlueBackend, name: str | None, section: str) -> dict[str, Any]:
    if not name:
        return {}
    with suppress(EntityNotFoundException):
        return get_usage_profile(backend, name)["Configuration"].get(section) or {}
    return {}


# ------------------------------------------------------------------------------- wire responses
def _response_create_usage_profile(self: GlueResponse) -> ActionResult:
    name = create_usage_profile(
        self.glue_backend,
        self._get_param("Name"),
        self._get_param("Configuration") or {},
        Description=self._get_param("Description"),
    )
    return ActionResult({"Name": name})


def _response_get_usage_profile(self: GlueResponse) -> ActionResult:
    return ActionResult(get_usage_profile(self.glue_backend, self._get_param("Name")))


def _response_update_usage_profile(self: GlueResponse) -> ActionResult:
    name = update_usage_profile(
        self.glue_backend,
        self._get_param("Name"),
        self._get_param("Configuration") or {},
        self._get_param("Description"),
    )
    return ActionResult({"Name": name})


def _response_delete_usage_profile(self: GlueResponse) -> ActionResult:
    delete_usage_profile(self.glue_backend, self._get_param("Name"))
    return ActionResult({})


def _response_list_usage_profiles(self: GlueResponse) -> ActionResult:
    keys = ("Name", "Description", "CreatedOn", "LastModifiedOn")
    profiles = [{k: p[k] for k in keys if k in p} for p in _profiles(self.glue_backend).values()]
    return ActionResult({"Profiles": profiles})


def _authoring(original: Any, section: str, parameters: dict[str, str], request_path: str | None) -> Any:
    """Wrap CreateJob/UpdateJob/CreateSession: apply the caller's profile to the request, record it."""

    def respond(self: GlueResponse) -> ActionResult:
        with calling(self) as name:
            rules = _section(self.glue_backend, name, section)
            if rules:
                params = json.loads(self.body or "{}")
                section_of = params if request_path is None else params.setdefault(request_path, {})
                section_of.update(apply_defaults(self._get_action(), rules, section_of, parameters))
                self.body = json.dumps(params)
            result = original(self)
            _record(self, name)
            return result

    return respond


def _record(self: GlueResponse, name: str | None) -> None:
    action, backend = self._get_action(), self.glue_backend
    if action == "CreateJob":
        backend.jobs[self._get_param("Name")].gg_profile_name = name
    elif action == "UpdateJob":
        backend.jobs[self._get_param("JobName")].gg_profile_name = name
    elif action == "CreateSession":
        backend.get_session(self._get_param("Id")).gg_profile_name = name


def _response_start_job_run(original: Any) -> Any:
    def start_job_run(self: GlueResponse) -> ActionResult:
        with calling(self):
            return original(self)

    return start_job_run


def _job_start_run(original: Any) -> Any:
    def start_job_run(self: FakeJob, **kwargs: Any) -> str:
        check_run(self.backend, self, kwargs)
        return original(self, **kwargs)

    return start_job_run


def _with_profile(original: Any) -> Any:
    def as_dict(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        data = original(self, *args, **kwargs)
        if getattr(self, "gg_profile_name", None):
            data["ProfileName"] = self.gg_profile_name
        return data

    return as_dict


def install() -> None:
    GlueResponse.create_usage_profile = _response_create_usage_profile  # type: ignore[attr-defined]
    GlueResponse.get_usage_profile = _response_get_usage_profile  # type: ignore[attr-defined]
    GlueResponse.update_usage_profile = _response_update_usage_profile  # type: ignore[attr-defined]
    GlueResponse.delete_usage_profile = _response_delete_usage_profile  # type: ignore[attr-defined]
    GlueResponse.list_usage_profiles = _response_list_usage_profiles  # type: ignore[attr-defined]
    GlueResponse.create_job = _authoring(GlueResponse.create_job, "JobConfiguration", PARAMETERS, None)  # type: ignore[method-assign]
    GlueResponse.update_job = _authoring(GlueResponse.update_job, "JobConfiguration", PARAMETERS, "JobUpdate")  # type: ignore[method-assign]
    GlueResponse.create_session = _authoring(  # type: ignore[method-assign]
        GlueResponse.create_session, "SessionConfiguration", SESSION_PARAMETERS, None
    )
    GlueResponse.start_job_run = _response_start_job_run(GlueResponse.start_job_run)  # type: ignore[method-assign]
    FakeJob.start_job_run = _job_start_run(FakeJob.start_job_run)  # type: ignore[method-assign]
    FakeJob.as_dict = _with_profile(FakeJob.as_dict)  # type: ignore[method-assign]
    FakeSession.as_dict = _with_profile(FakeSession.as_dict)  # type: ignore[method-assign]
