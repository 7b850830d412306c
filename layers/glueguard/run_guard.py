"""The run guard: stop job runs over the per-run and per-project caps, keep the project DPU ledger true.

Reacts to CloudTrail StartJobRun (reads the run: overrides count), `Glue Job State Change` (terminal
states release capacity), `Glue Job Run Status` (checks the run, admits a run whose start was missed)
and a schedule (reconciles the ledger with GetJobRuns, stops runs past the run-time cap, enforces the
interactive session and dev endpoint lifetimes). Every stop is a Decision with its DPU figures.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from glueguard.adapters import metrics
from glueguard.adapters.clients import client
from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.glue_runs import job_runs_since
from glueguard.adapters.ledger import Ledger
from glueguard.adapters.notify import Notifier
from glueguard.adapters.registry import Registry
from glueguard.dpu import cost_usd, job_capacity
from glueguard.dpu import dpu_hours as to_dpu_hours
from glueguard.models.decision import Decision
from glueguard.models.events import CloudTrailEvent, GlueJobEvent, InvalidEventError
from glueguard.models.project import Project, ProjectStatus
from glueguard.naming import project_of
from glueguard.policy import MAX_GLUE_TIMEOUT_MINUTES, Policy
from glueguard.remediation.execute import execute
from glueguard.remediation.plan import Action
from glueguard.remediation.planner import saved_definition_key
from glueguard.runtime.admission import LedgerEntry, plan_admission
from glueguard.runtime.caps import Breach, run_breaches, stop_figures, time_cap_breach
from glueguard.runtime.runs import TERMINAL_STATES, JobRun, as_utc

logger = logging.getLogger(__name__)

FUNCTION = "run_guard"
ADMISSION_ATTEMPTS = 8
#: A reservation the upload trigger did not bind to a run within this long is stale (it crashed in between).
RESERVATION_STALE = timedelta(minutes=15)
LIVE_SESSION_STATES = frozenset({"PROVISIONING", "READY"})
SESSION_DPU = 5.0  # an interactive session's default capacity (FACTS.md)


@dataclass
class Outcome:
    """What the guard did about one run or event."""

    outcome: str  # admitted | known | stopped | released | skipped | swept
    reason: str = ""
    decisions: list[Decision] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "reason": self.reason,
            "decision_ids": [d.decision_id for d in self.decisions],
            **({"counts": self.counts} if self.counts else {}),
        }


@dataclass
class _Trigger:
    """The event behind an action, as a decision records it."""

    event_id: str
    event_name: str
    principal: str | None = None


@dataclass
class RunGuard:
    registry: Registry
    ledger: Ledger
    decisions: DecisionLog
    notifier: Notifier
    policy: Policy
    client_for: Callable[[str], Any] = client
    plane_role_path: str = "/glueguard/"
    plane_arns: frozenset[str] = frozenset()
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    @property
    def glue(self) -> Any:
        return self.client_for("glue")

    # ------------------------------------------------------------------ events
    def on_start(self, event: CloudTrailEvent) -> Outcome:
        """CloudTrail StartJobRun: judge the run as Glue started it (run-time overrides included)."""
        detail = event.detail
        if detail.eventName != "StartJobRun":
            return Outcome("skipped", f"{detail.eventName} is not StartJobRun")
        if detail.errorCode:
            return Outcome("skipped", f"rejected call ({detail.errorCode})")
        if detail.userIdentity.is_plane(self.plane_role_path, self.plane_arns):
            # The upload trigger reserved this run's capacity before starting it and binds it to the run id.
            return Outcome("skipped", "the control plane's own start (counted by the upload trigger's reservation)")
        job_name = (detail.requestParameters or {}).get("jobName")
        run_id = (detail.responseElements or {}).get("jobRunId")
        if not job_name or not run_id:
            raise InvalidEventError(
                "StartJobRun needs requestParameters.jobName and responseElements.jobRunId", event.id
            )
        return self.check(job_name, run_id, _Trigger(detail.eventID, "StartJobRun", detail.userIdentity.arn))

    def on_job_event(self, event: GlueJobEvent) -> Outcome:
        """`Glue Job State Change` (terminal: release) or `Glue Job Run Status` (still going: check)."""
        detail = event.detail
        trigger = _Trigger(event.id, event.detail_type)
        if detail.state in TERMINAL_STATES:
            return self.finished(detail.jobName, detail.jobRunId, detail.state)
        return self.check(detail.jobName, detail.jobRunId, trigger)

    # ------------------------------------------------------------------ one run
    def _project(self, job_name: str) -> tuple[Project | None, str]:
        project_id = project_of(job_name)
        if project_id is None:
            return None, f"job {job_name} carries no project prefix; runs of unowned jobs are the enforcer's to report"
        project = self.registry.get(project_id)
        if project is None:
            return None, f"job {job_name} points at unregistered project {project_id}"
        if project.status is ProjectStatus.DELETED:
            return None, f"project {project_id} is deleted"
        return project, ""

    def check(self, job_name: str, run_id: str, trigger: _Trigger, run: JobRun | None = None) -> Outcome:
        """Per-run caps, the run-time cap, then admission into the project's ledger."""
        project, why = self._project(job_name)
        if project is None:
            logger.info("skipping run %s of %s: %s", run_id, job_name, why)
            return Outcome("skipped", why)
        if run is None:
            try:
                run = JobRun.from_api(self.glue.get_job_run(JobName=job_name, RunId=run_id)["JobRun"])
            except self.glue.exceptions.EntityNotFoundException:
                return Outcome("skipped", f"run {run_id} of {job_name} does not exist")
        if run.state in TERMINAL_STATES:
            self.finished(job_name, run_id, run.state)
            return Outcome("skipped", f"run {run_id} already {run.state}")
        if run.stopping:
            return Outcome("skipped", f"run {run_id} is already stopping")
        policy = self.policy.with_overrides(project.policy_overrides)
        pid = project.project_id
        now = self.now()
        breaches = run_breaches(run, policy)
        late = time_cap_breach(run, policy, now)
        if breaches or late:
            in_use = self.ledger.in_use(pid)
            released = self.ledger.release(pid, run.run_id, reason="stopped over a per-run cap")
            before = in_use + (run.dpu if not released else 0.0)
            figures = stop_figures(
                run,
                policy,
                now,
                project_dpu_before=before,
                project_dpu_after=before - run.dpu,
                past_time_cap=bool(late) and not breaches,
            )
            found = breaches or [late]  # type: ignore[list-item]
            decision = self._stop(pid, run, found, figures, trigger)
            return Outcome("stopped", found[0].message, [d for d in [decision] if d])
        return self._admit(pid, run, policy, trigger)

    def _admit(self, pid: str, run: JobRun, policy: Policy, trigger: _Trigger) -> Outcome:
        """Admit the run, or stop the newest runs (it among them, usually) until the project fits its cap."""
        cap = policy.max_dpu_per_project
        candidate = LedgerEntry(run.run_id, run.job_name, run.dpu, run.started_on)
        decisions: list[Decision] = []
        for _ in range(ADMISSION_ATTEMPTS):
            result = self.ledger.admit(pid, candidate, cap)
            if result.admitted:
                return Outcome("admitted", f"project at {result.in_use:g} of {cap:g} DPU", decisions)
            if result.known:
                return Outcome("known", "run already in the ledger (or finished)", decisions)
            plan = plan_admission(self.ledger.entries(pid), candidate, cap)
            if not plan.admit:
                break
            for victim in plan.stop:  # newer runs than this one: stop them to make room
                if not self.ledger.release(pid, victim.entry_id, reason=f"stopped to fit the {cap:g} DPU cap"):
                    continue  # released by someone else meanwhile
                victim_run = self._read(victim.job_name, victim.entry_id)
                if victim_run is None or victim_run.state in TERMINAL_STATES:
                    continue
                decision = self._stop(
                    pid,
                    victim_run,
                    [_project_breach(victim_run, plan.dpu_before, cap)],
                    stop_figures(
                        victim_run,
                        policy,
                        self.now(),
                        project_dpu_before=plan.dpu_before,
                        project_dpu_after=plan.dpu_after,
                    ),
                    trigger,
                )
                decisions.extend([decision] if decision else [])
        in_use = self.ledger.in_use(pid)
        breach = _project_breach(run, in_use + run.dpu, cap)
        figures = stop_figures(run, policy, self.now(), project_dpu_before=in_use + run.dpu, project_dpu_after=in_use)
        decision = self._stop(pid, run, [breach], figures, trigger)
        return Outcome("stopped", breach.message, decisions + ([decision] if decision else []))

    def _read(self, job_name: str, run_id: str) -> JobRun | None:
        try:
            return JobRun.from_api(self.glue.get_job_run(JobName=job_name, RunId=run_id)["JobRun"])
        except self.glue.exceptions.EntityNotFoundException:
            return None

    def finished(self, job_name: str, run_id: str, state: str) -> Outcome:
        """A terminal run gives its capacity back (once) and reports its cost."""
        project_id = project_of(job_name)
        if project_id is None:
            return Outcome("skipped", f"job {job_name} carries no project prefix")
        released = self.ledger.release(project_id, run_id, reason=f"run {state}")
        if released:
            self._report_cost(project_id, job_name, run_id, released)
            return Outcome("released", f"{released:g} DPU back to project {project_id}")
        return Outcome("skipped", f"run {run_id} held no capacity (not admitted, or already released)")

    def _report_cost(self, project_id: str, job_name: str, run_id: str, dpu: float) -> None:
        run = self.glue.get_job_run(JobName=job_name, RunId=run_id)["JobRun"]
        hours = run["DPUSeconds"] / 3600.0 if run.get("DPUSeconds") else to_dpu_hours(dpu, run.get("ExecutionTime", 0))
        policy = self.policy
        metrics.run_cost(project_id, job_name, cost_usd(hours, policy.price_per_dpu_hour), hours)

    def _stop(
        self, pid: str, run: JobRun, breaches: list[Breach], figures: dict[str, Any], trigger: _Trigger
    ) -> Decision | None:
        """BatchStopJobRun, then record, measure and notify; None when Glue says the run had already ended."""
        response = self.glue.batch_stop_job_run(JobName=run.job_name, JobRunIds=[run.run_id])
        if not response.get("SuccessfulSubmissions"):
            errors = response.get("Errors") or []
            logger.info("run %s could not be stopped: %s", run.run_id, errors)
            return None
        reason = "; ".join(b.message for b in breaches)
        decision = Decision(
            project_id=pid,
            event_id=trigger.event_id,
            event_name=trigger.event_name,
            function=FUNCTION,
            resource_kind="jobrun",
            resource_name=f"{run.job_name}/{run.run_id}",
            principal=trigger.principal,
            outcome="stopped",
            severity="high",
            violations=[b.to_dict() for b in breaches],
            actions=[
                {
                    "call": "glue:BatchStopJobRun",
                    "reason": reason,
                    "params": {"JobName": run.job_name, "JobRunIds": [run.run_id]},
                }
            ],
            before={
                "state": run.state,
                "dpu": run.dpu,
                "worker_type": run.worker_type,
                "workers": run.workers,
                "timeout_minutes": run.timeout_minutes,
                "started_on": run.started_on.isoformat() if run.started_on else None,
            },
            after={"state": "STOPPING"},
            figures=figures,
            reason=reason,
        )
        self._publish(decision, breaches[0].rule)
        return decision

    def _publish(self, decision: Decision, rule: str) -> None:
        if not self.decisions.record(decision):
            logger.info("decision %s already recorded; duplicate delivery", decision.decision_id)
            return
        metrics.count(
            metrics.RUNS_STOPPED if decision.resource_kind == "jobrun" else "InteractiveStopped",
            Project=decision.project_id,
            Rule=rule,
        )
        self.notifier.decision(decision)

    # ------------------------------------------------------------------ schedule
    def sweep(self, event_id: str) -> Outcome:
        """Reconcile every project's ledger with GetJobRuns, stop runs past the time cap, cap sessions/endpoints."""
        trigger = _Trigger(event_id, "Scheduled Event")
        counts: Counter[str] = Counter()
        decisions: list[Decision] = []
        jobs_by_project: dict[str, list[str]] = {}
        for page in self.glue.get_paginator("get_jobs").paginate():
            for job in page.get("Jobs", []):
                if (pid := project_of(job["Name"])) is not None:
                    jobs_by_project.setdefault(pid, []).append(job["Name"])
        projects = {p.project_id: p for p in self.registry.list() if p.status is not ProjectStatus.DELETED}
        for pid, project in projects.items():
            outcome = self._sweep_project(project, jobs_by_project.get(pid, []), trigger)
            counts.update(outcome.counts)
            decisions.extend(outcome.decisions)
        for outcome in (self._sweep_sessions(projects, trigger), self._sweep_dev_endpoints(projects, trigger)):
            counts.update(outcome.counts)
            decisions.extend(outcome.decisions)
        return Outcome("swept", f"{len(projects)} projects", decisions, dict(counts))

    def _sweep_project(self, project: Project, job_names: list[str], trigger: _Trigger) -> Outcome:
        pid = project.project_id
        now = self.now()
        since = now - timedelta(minutes=MAX_GLUE_TIMEOUT_MINUTES + 1)
        active: dict[str, JobRun] = {}
        for name in job_names:
            for raw in job_runs_since(self.glue, name, since):
                run = JobRun.from_api(raw)
                if run.active:
                    active[run.run_id] = run
        counts: Counter[str] = Counter()
        decisions: list[Decision] = []
        known = set()
        for entry in self.ledger.entries(pid):
            if entry.reservation:
                if entry.started_on and now - entry.started_on > RESERVATION_STALE:
                    counts["released"] += bool(
                        self.ledger.release(pid, entry.entry_id, reservation=True, reason="stale reservation")
                    )
                continue
            if entry.entry_id not in active:  # its terminal event was lost
                counts["released"] += bool(self.ledger.release(pid, entry.entry_id, reason="reconciled: run ended"))
            else:
                known.add(entry.entry_id)
        policy = self.policy.with_overrides(project.policy_overrides)
        for run in sorted(active.values(), key=lambda r: r.started_on or now):
            if run.stopping:
                continue
            if run.run_id in known and not time_cap_breach(run, policy, now):
                continue
            outcome = self.check(run.job_name, run.run_id, trigger, run=run)
            counts[outcome.outcome] += 1
            decisions.extend(outcome.decisions)
        if corrected := self.ledger.resync(pid):
            logger.warning("project %s ledger usage corrected from %s to %s DPU", pid, *corrected)
            counts["resynced"] += 1
        return Outcome("swept", pid, decisions, dict(counts))

    def _sweep_sessions(self, projects: dict[str, Project], trigger: _Trigger) -> Outcome:
        """Stop interactive sessions past the lifetime cap, or idle longer than the idle cap."""
        glue, now = self.glue, self.now()
        decisions: list[Decision] = []
        ids: list[str] = []
        token: str | None = None
        while True:
            page = glue.list_sessions(**({"NextToken": token} if token else {}))
            ids.extend(page.get("Ids", []))
            token = page.get("NextToken")
            if not token:
                break
        for session_id in ids:
            project = projects.get(project_of(session_id) or "")
            if project is None:
                continue
            session = glue.get_session(Id=session_id).get("Session") or {}
            if session.get("Status") not in LIVE_SESSION_STATES:
                continue
            policy = self.policy.with_overrides(project.policy_overrides)
            breach = _session_breach(session, policy, now, self._last_activity(session_id, session))
            if breach is None:
                continue
            glue.stop_session(Id=session_id)
            dpu = job_capacity(session) if session.get("WorkerType") or session.get("MaxCapacity") else SESSION_DPU
            lifetime = (now - as_utc(session["CreatedOn"])).total_seconds() if session.get("CreatedOn") else 0.0
            remaining = max(0.0, float(session.get("IdleTimeout") or policy.session_idle_timeout_max_minutes) * 60.0)
            decision = Decision(
                project_id=project.project_id,
                event_id=trigger.event_id,
                event_name=trigger.event_name,
                function=FUNCTION,
                resource_kind="session",
                resource_name=session_id,
                outcome="stopped",
                severity="medium",
                violations=[breach.to_dict()],
                actions=[{"call": "glue:StopSession", "reason": breach.message, "params": {"Id": session_id}}],
                before={"status": session.get("Status"), "created_on": str(session.get("CreatedOn"))},
                after={"status": "STOPPING"},
                reason=breach.message,
                figures={
                    "session_dpu": dpu,
                    "age_minutes": round(lifetime / 60.0, 2),
                    "price_per_dpu_hour": policy.price_per_dpu_hour,
                    "estimated_cost_avoided_usd": cost_usd(to_dpu_hours(dpu, remaining), policy.price_per_dpu_hour),
                },
            )
            self._publish(decision, breach.rule)
            decisions.append(decision)
        return Outcome("swept", "sessions", decisions, {"sessions_stopped": len(decisions)} if decisions else {})

    def _last_activity(self, session_id: str, session: dict[str, Any]) -> datetime | None:
        """When the session last did something: its newest statement's end or start, else its creation."""
        latest = as_utc(session.get("CreatedOn"))
        for statement in self.glue.list_statements(SessionId=session_id).get("Statements", []):
            if statement.get("State") in ("WAITING", "RUNNING"):
                return self.now()
            for key in ("CompletedOn", "StartedOn"):
                value = statement.get(key)
                if value is not None:
                    when = as_utc(datetime.fromtimestamp(value / 1000, UTC) if isinstance(value, int) else value)
                    latest = max(latest, when) if latest else when
        return latest

    def _sweep_dev_endpoints(self, projects: dict[str, Project], trigger: _Trigger) -> Outcome:
        """Dev endpoints cannot be stopped: past their lifetime they are saved to the artifacts bucket, then deleted."""
        glue, now = self.glue, self.now()
        decisions: list[Decision] = []
        token: str | None = None
        endpoints: list[dict[str, Any]] = []
        while True:
            page = glue.get_dev_endpoints(**({"NextToken": token} if token else {}))
            endpoints.extend(page.get("DevEndpoints", []))
            token = page.get("NextToken")
            if not token:
                break
        for endpoint in endpoints:
            name = endpoint.get("EndpointName", "")
            project = projects.get(project_of(name) or "")
            created = as_utc(endpoint.get("CreatedTimestamp"))
            if project is None or created is None:
                continue
            policy = self.policy.with_overrides(project.policy_overrides)
            age_hours = (now - created).total_seconds() / 3600.0
            limit = policy.dev_endpoint_lifetime_max_hours
            if age_hours <= limit:
                continue
            message = f"dev endpoint is {age_hours:.1f} h old, over the lifetime cap of {limit} h"
            document = {
                "savedBy": "glueguard",
                "savedAt": now.isoformat(),
                "eventId": trigger.event_id,
                "project": project.project_id,
                "kind": "devendpoint",
                "name": name,
                "definition": endpoint,
            }
            actions = [
                Action(
                    "s3",
                    "put_object",
                    {
                        "Bucket": project.bucket("artifacts"),
                        "Key": saved_definition_key("devendpoint", name, now),
                        "Body": json.dumps(document, default=str, indent=2, sort_keys=True),
                        "ContentType": "application/json",
                    },
                    "save the full definition before deleting",
                ),
                Action("glue", "delete_dev_endpoint", {"EndpointName": name}, message),
            ]
            dpu = float(endpoint.get("NumberOfNodes") or 0) or float(endpoint.get("NumberOfWorkers") or 0)
            decision = Decision(
                project_id=project.project_id,
                event_id=trigger.event_id,
                event_name=trigger.event_name,
                function=FUNCTION,
                resource_kind="devendpoint",
                resource_name=name,
                outcome="deleted",
                severity="medium",
                reason=message,
                violations=[Breach("devendpoint-lifetime-cap", message, age_hours, limit).to_dict()],
                actions=execute(actions, self.client_for),
                before={"definition": endpoint},
                figures={
                    "age_hours": round(age_hours, 2),
                    "lifetime_cap_hours": limit,
                    "dpu": dpu,
                    "estimated_cost_per_day_avoided_usd": cost_usd(dpu * 24, policy.price_per_dpu_hour),
                },
            )
            self._publish(decision, "devendpoint-lifetime-cap")
            decisions.append(decision)
        return Outcome(
            "swept", "dev endpoints", decisions, {"dev_endpoints_deleted": len(decisions)} if decisions else {}
        )


def _project_breach(run: JobRun, project_dpu: float, cap: float) -> Breach:
    return Breach(
        "project-dpu-cap",
        f"project would run {project_dpu:g} DPU with this run ({run.dpu:g} DPU), over its cap of {cap:g}; "
        "the newest runs are stopped until it fits",
        project_dpu,
        cap,
    )


def _session_breach(
    session: dict[str, Any], policy: Policy, now: datetime, last_activity: datetime | None
) -> Breach | None:
    created = as_utc(session.get("CreatedOn"))
    if created is not None:
        age = (now - created).total_seconds() / 60.0
        if age > policy.session_lifetime_max_minutes:
            return Breach(
                "session-lifetime-cap",
                f"session is {age:.0f} min old, over the lifetime cap of {policy.session_lifetime_max_minutes} min",
                age,
                policy.session_lifetime_max_minutes,
            )
    if last_activity is not None:
        idle = (now - last_activity).total_seconds() / 60.0
        if idle > policy.session_idle_timeout_max_minutes:
            return Breach(
                "session-idle-cap",
                f"session idle for {idle:.0f} min, over the idle cap of {policy.session_idle_timeout_max_minutes} min",
                idle,
                policy.session_idle_timeout_max_minutes,
            )
    return None
