"""A Glue usage profile per project, from the policy: what Glue itself can prevent, it does at the call.

Glue applies a profile's defaults at CreateJob/CreateSession, saves its name on the job, and refuses a run outside
its limits (the caller's profile for StartJobRun, the job's for runs triggers and workflows start). A principal
gets a profile from its IAM tag `glue:UsageProfile` (or a session tag of that key). IAM Identity Center roles
(`AWSReservedSSO_*`) cannot be tagged (IAM answers UnmodifiableEntity): their sessions carry no profile, and Glue
refuses nothing at the call for them; a team role the platform manages is tagged by its owner (docs/security.md,
"Usage profiles and Identity Center"). The detective rules and the run guard stay as defence in depth, and are the
only layer for Identity Center sessions: a profile knows workers, worker type and timeouts, not DPU or a project's
total.
"""

from __future__ import annotations

from typing import Any

from glueguard.dpu import WORKER_DPU, max_workers_within
from glueguard.naming import ProjectNames
from glueguard.policy.settings import Policy

PROFILE_TAG = "glue:UsageProfile"
DEFAULT_WORKER_TYPE = "G.1X"
DEFAULT_JOB_WORKERS = 2
DEFAULT_SESSION_WORKERS = 5  # Glue's default for sessions (5 DPU of G.1X)
#: Worker types a profile may allow (Spark job and session types; Ray's Z.2X is for Ray jobs only).
SPARK_TYPES = ("G.025X", "G.1X", "G.2X", "G.4X", "G.8X")


def profile_name(project_id: str) -> str:
    return f"{ProjectNames(project_id).prefix}-usage-profile"


def _range(default: int, low: int, high: int) -> dict[str, Any]:
    high = max(high, low)
    return {"DefaultValue": str(min(max(default, low), high)), "MinValue": str(low), "MaxValue": str(high)}


def fitting_types(max_workers: int, dpu_cap: float) -> list[str]:
    """The Spark worker types whose `max_workers` workers stay within `dpu_cap`."""
    return [t for t in SPARK_TYPES if WORKER_DPU[t] * max_workers <= dpu_cap]


def configuration(policy: Policy) -> dict[str, Any]:
    """The profile a policy asks for: jobs within the worker cap, timeouts within the maximum, sessions whose
    workers fit the per-session DPU cap and whose idle timeout defaults to (and stops at) the idle cap."""
    session_workers = max(1, max_workers_within(DEFAULT_WORKER_TYPE, policy.session_max_dpu))
    # A profile caps workers and worker types apart, so a type is offered only when its most workers fit the DPU
    # cap (G.8X x 50 = 400 DPU would pass a 100 DPU cap at the call and be stopped only later).
    job_types = fitting_types(policy.max_workers_per_job, policy.max_dpu_per_job)
    session_types = fitting_types(session_workers, policy.session_max_dpu)
    return {
        "JobConfiguration": {
            "numberOfWorkers": _range(DEFAULT_JOB_WORKERS, 1, policy.max_workers_per_job),
            "workerType": {"DefaultValue": DEFAULT_WORKER_TYPE, "AllowedValues": job_types or [DEFAULT_WORKER_TYPE]},
            "timeout": _range(policy.default_timeout_minutes, 1, policy.max_timeout_minutes),
        },
        "SessionConfiguration": {
            "numberOfWorkers": _range(DEFAULT_SESSION_WORKERS, 1, session_workers),
            "workerType": {
                "DefaultValue": DEFAULT_WORKER_TYPE,
                "AllowedValues": session_types or [DEFAULT_WORKER_TYPE],
            },
            "timeout": _range(policy.session_lifetime_max_minutes, 1, policy.session_lifetime_max_minutes),
            "idleTimeout": _range(policy.session_idle_timeout_max_minutes, 1, policy.session_idle_timeout_max_minutes),
        },
    }


def ensure(glue: Any, project_id: str, policy: Policy, tags: dict[str, str]) -> str:
    """Create the project's profile or bring it in step with `policy`; its name."""
    name = profile_name(project_id)
    wanted = configuration(policy)
    description = f"glueguard {ProjectNames(project_id).prefix}: limits from the governance policy"
    try:
        current = glue.get_usage_profile(Name=name)
    except glue.exceptions.EntityNotFoundException:
        glue.create_usage_profile(Name=name, Description=description, Configuration=wanted, Tags=tags)
    else:
        if current.get("Configuration") != wanted:
            glue.update_usage_profile(Name=name, Description=description, Configuration=wanted)
    return name
