"""One run against its caps: the per-run caps and the run-time cap, then admission; and a run's end."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from glueguard.adapters import metrics
from glueguard.naming import project_of
from glueguard.runs.caps import (
    argument_breaches,
    run_breaches,
    stop_figures,
    streaming_time_breach,
    time_cap_breach,
)
from glueguard.runs.guard_admission import Admission
from glueguard.runs.guard_budget import RunBudget
from glueguard.runs.guard_context import GuardContext, Outcome, Trigger
from glueguard.runs.guard_failures import FailureAlerts
from glueguard.runs.guard_stops import RunStopper
from glueguard.runs.job_run import TERMINAL_STATES, JobRun

logger = logging.getLogger(__name__)


@dataclass
class RunCaps:
    ctx: GuardContext
    stopper: RunStopper
    admission: Admission
    budget: RunBudget
    alerts: FailureAlerts | None = None  # failed runs to the project's team (None: not told)

    def check(
        self, job_name: str, run_id: str, trigger: Trigger, run: JobRun | None = None, *, admit: bool = True
    ) -> Outcome:
        """Per-run caps, the run-time cap, then admission into the project's ledger (unless `admit` is False: a
        run the plane started itself, whose capacity its reservation already holds)."""
        ctx = self.ctx
        project, why = ctx.project(job_name)
        if project is None:
            logger.info("skipping run %s of %s: %s", run_id, job_name, why)
            return Outcome("skipped", why)
        if run is None and (run := self.stopper.read(job_name, run_id)) is None:
            return Outcome("skipped", f"run {run_id} of {job_name} does not exist")
        if run.state in TERMINAL_STATES:
            self.finished(job_name, run_id, run.state)
            return Outcome("skipped", f"run {run_id} already {run.state}")
        if run.stopping:
            return Outcome("skipped", f"run {run_id} is already stopping")
        policy = ctx.policy_for(project)
        pid = project.project_id
        now = ctx.now()
        job = self._job(job_name)
        buckets = {purpose: project.bucket(purpose) for purpose in ("scripts", "temp", "artifacts")}
        breaches = run_breaches(run, policy, project.security_configuration)
        breaches += argument_breaches(run, job, buckets, policy)
        late = time_cap_breach(run, policy, now)
        streaming = (job or {}).get("Command", {}).get("Name") == "gluestreaming"
        if (late or any(b.rule == "run-timeout-cap" for b in breaches)) and streaming:
            # Streaming runs go on until stopped: only streaming_max_run_hours, when set, limits them.
            breaches = [b for b in breaches if b.rule != "run-timeout-cap"]
            late = streaming_time_breach(run, policy, now)
        if not breaches and not late:
            if not admit:
                return Outcome("known", "the plane's own start, within the per-run caps (its reservation counts it)")
            refused = self.budget.admit(project, run, policy, trigger)
            return refused or self.admission.admit(pid, run, policy, trigger)
        in_use = ctx.ledger.in_use(pid)
        released = ctx.ledger.settle(pid, run.run_id, reason="stopped over a per-run cap")
        if released is None:  # another event's judgement of this run settled it first: it stops the run
            return Outcome("skipped", f"run {run_id} settled meanwhile (another event's judgement)")
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
        decision = self.stopper.stop(pid, run, found, figures, trigger)
        return Outcome("stopped", found[0].message, [d for d in [decision] if d])

    def _job(self, job_name: str) -> dict[str, Any] | None:
        """GetJob's definition (its arguments and command judge the run), None when the job is gone."""
        glue = self.ctx.glue
        try:
            return glue.get_job(JobName=job_name)["Job"]
        except glue.exceptions.EntityNotFoundException:
            return None

    def finished(self, job_name: str, run_id: str, state: str) -> Outcome:
        """A terminal run gives its capacity back (once), is charged to its project's month (once) and, if it failed,
        told to the project's team (grouped: glueguard.runs.failures)."""
        project_id = project_of(job_name)
        if project_id is None:
            return Outcome("skipped", f"job {job_name} carries no project prefix")
        registered = self.ctx.registry.get(project_id)
        if registered is not None and (elsewhere := self.ctx.elsewhere(registered, job_name)):
            return Outcome("skipped", elsewhere)
        released = self.ctx.ledger.release(project_id, run_id, reason=f"run {state}")
        project, _ = self.ctx.project(job_name)
        if project is not None and (run := self.stopper.read_raw(job_name, run_id)) is not None:
            priced = self.budget.keeper.settle_run(project, self.ctx.policy_for(project), run)
            if self.alerts is not None:
                self.alerts.ended(project, run)
            if released:
                metrics.run_cost(project_id, job_name, priced.cost_usd, priced.dpu_hours)
        if released:
            return Outcome("released", f"{released:g} DPU back to project {project_id}")
        return Outcome("skipped", f"run {run_id} held no capacity (not admitted, or already released)")
