"""Per-run caps (DPU, workers, Timeout, run time) and the figures every stop decision records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from glueguard.arguments import check, missing
from glueguard.dpu import cost_usd, dpu_hours
from glueguard.policy.settings import Policy
from glueguard.runs.job_run import JobRun


@dataclass(frozen=True)
class Breach:
    """One cap a run breaks: `rule` id, what it is, and the limit it breaks."""

    rule: str
    message: str
    value: float
    limit: float

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "message": self.message, "value": self.value, "limit": self.limit}


def run_breaches(run: JobRun, policy: Policy, security_configuration: str | None = None) -> list[Breach]:
    """The per-run caps `run` breaks as started (overrides included): DPU, worker count, Timeout, and a
    SecurityConfiguration override other than the project's (`security_configuration`, when given)."""
    breaches: list[Breach] = []
    if security_configuration and run.security_configuration not in (None, security_configuration):
        breaches.append(
            Breach(
                "run-security-configuration",
                f"run overrides SecurityConfiguration with {run.security_configuration!r}, "
                f"not the project's {security_configuration!r} (its encryption would not apply)",
                1,
                0,
            )
        )
    if run.dpu > policy.max_dpu_per_job:
        breaches.append(
            Breach(
                "run-dpu-cap",
                f"run uses {run.dpu:g} DPU, over the per-job cap of {policy.max_dpu_per_job:g}",
                run.dpu,
                policy.max_dpu_per_job,
            )
        )
    if run.workers and run.workers > policy.max_workers_per_job:
        breaches.append(
            Breach(
                "run-workers-cap",
                f"run asks for {run.workers} workers, over the cap of {policy.max_workers_per_job}",
                run.workers,
                policy.max_workers_per_job,
            )
        )
    if run.timeout_minutes and run.timeout_minutes > policy.max_timeout_minutes:
        breaches.append(
            Breach(
                "run-timeout-cap",
                f"run Timeout is {run.timeout_minutes} min, over the maximum of {policy.max_timeout_minutes}",
                run.timeout_minutes,
                policy.max_timeout_minutes,
            )
        )
    return breaches


def argument_breaches(
    run: JobRun, job: Mapping[str, Any] | None, buckets: Mapping[str, str], policy: Policy
) -> list[Breach]:
    """The special arguments the run holds that break the policy's table: the job's DefaultArguments with the run's
    overrides (StartJobRun, or the trigger action that started it), except what the job pins (Glue keeps
    NonOverridableArguments whatever the run says; the enforcer judges those on the job)."""
    job = job or {}
    pins = job.get("NonOverridableArguments") or {}
    effective = {**(job.get("DefaultArguments") or {}), **run.arguments}
    findings = check({k: v for k, v in effective.items() if k not in pins}, buckets, policy.arguments)
    findings += missing({**effective, **pins}, buckets, policy.arguments)
    if not findings:
        return []
    message = "run arguments break the policy: " + "; ".join(f.message for f in findings)
    return [Breach("run-arguments", message, len(findings), 0)]


def time_cap_breach(run: JobRun, policy: Policy, now: datetime) -> Breach | None:
    """The run-time cap, when an active run has been going longer than it."""
    cap = policy.effective_run_time_cap_minutes
    elapsed = run.elapsed_seconds(now) / 60.0
    if run.active and not run.stopping and elapsed > cap:
        return Breach("run-time-cap", f"run has been going {elapsed:.1f} min, over the cap of {cap} min", elapsed, cap)
    return None


def streaming_time_breach(run: JobRun, policy: Policy, now: datetime) -> Breach | None:
    """A streaming run's only time limit: `streaming_max_run_hours`, when the policy sets it."""
    if policy.streaming_max_run_hours is None or not run.active or run.stopping:
        return None
    hours = run.elapsed_seconds(now) / 3600.0
    if hours > policy.streaming_max_run_hours:
        return Breach(
            "streaming-run-time-cap",
            f"streaming run has been going {hours:.1f} h, over the cap of {policy.streaming_max_run_hours} h",
            hours * 60.0,
            policy.streaming_max_run_hours * 60.0,
        )
    return None


def remaining_allowed_seconds(run: JobRun, policy: Policy, now: datetime, *, past_time_cap: bool = False) -> float:
    """How much longer the run could have gone on: to its Timeout, and, unless it is past it, the run-time cap."""
    horizon = run.timeout_minutes or policy.max_timeout_minutes
    if not past_time_cap:
        horizon = min(horizon, policy.effective_run_time_cap_minutes)
    return max(0.0, horizon * 60.0 - run.elapsed_seconds(now))


def stop_figures(
    run: JobRun,
    policy: Policy,
    now: datetime,
    *,
    project_dpu_before: float,
    project_dpu_after: float,
    past_time_cap: bool = False,
) -> dict[str, Any]:
    """The DPU figures of a stop and the cost it avoids at the policy's price per DPU-hour."""
    remaining = remaining_allowed_seconds(run, policy, now, past_time_cap=past_time_cap)
    return {
        "run_dpu": run.dpu,
        "worker_type": run.worker_type,
        "workers": run.workers,
        "timeout_minutes": run.timeout_minutes,
        "elapsed_minutes": round(run.elapsed_seconds(now) / 60.0, 2),
        "project_dpu_before": round(project_dpu_before, 4),
        "project_dpu_after": round(project_dpu_after, 4),
        "project_dpu_cap": policy.max_dpu_per_project,
        "job_dpu_cap": policy.max_dpu_per_job,
        "run_time_cap_minutes": policy.effective_run_time_cap_minutes,
        "remaining_allowed_minutes": round(remaining / 60.0, 2),
        "price_per_dpu_hour": policy.price_per_dpu_hour,
        "estimated_cost_avoided_usd": cost_usd(dpu_hours(run.dpu, remaining), policy.price_per_dpu_hour),
    }
