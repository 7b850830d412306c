"""The scheduled reconcile: each project's ledger against the runs Glue reports, and runs past the time cap."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from glueguard.models.decision import Decision
from glueguard.models.project import Project
from glueguard.runs.caps import time_cap_breach
from glueguard.runs.guard_caps import RunCaps
from glueguard.runs.guard_context import GuardContext, Outcome, Trigger
from glueguard.runs.job_run import JobRun

logger = logging.getLogger(__name__)

#: A reservation the upload trigger did not bind to a run within this long is stale (it crashed in between).
RESERVATION_STALE = timedelta(minutes=15)


@dataclass
class Reconciler:
    """Costs one GetJobRun per run the ledger holds, whatever the number of jobs: every run announces itself
    (a user's StartJobRun through CloudTrail; every run, trigger-started ones included, through `Glue Job Run
    Status` once it passes NotifyDelayAfter, which `job-notify-delay` keeps at 1 minute)."""

    ctx: GuardContext
    caps: RunCaps

    def project(self, project: Project, trigger: Trigger) -> Outcome:
        """Release runs that ended unseen (lost events, ERROR/EXPIRED; failures told) and stale reservations; re-check
        the rest; send the failure digests of windows that closed."""
        ctx, pid = self.ctx, project.project_id
        now = ctx.now()
        counts: Counter[str] = Counter()
        decisions: list[Decision] = []
        active: list[JobRun] = []
        ended: dict[str, dict] = {}  # GetJobRun's JobRun of each ledger run that ended unseen
        for entry in ctx.ledger.entries(pid):
            if entry.reservation:
                if entry.started_on and now - entry.started_on > RESERVATION_STALE:
                    counts["released"] += bool(
                        ctx.ledger.release(pid, entry.entry_id, reservation=True, reason="stale reservation")
                    )
                    self.caps.budget.withdraw_reservation(project, entry)
                continue
            if entry.holder != "run":  # sessions and dev endpoints: the session and endpoint sweeps release them
                continue
            raw = self.caps.stopper.read_raw(entry.job_name, entry.entry_id)
            run = JobRun.from_api(raw) if raw is not None else None
            if run is None or not run.active:  # its terminal event was lost, or Glue sends none
                state = run.state if run else "gone"
                counts["released"] += bool(ctx.ledger.release(pid, entry.entry_id, reason=f"reconciled: run {state}"))
                if raw is not None:
                    ended[entry.entry_id] = raw
                    # ERROR sends no event: the schedule is where its failure is seen and told
                    if self.caps.alerts is not None and self.caps.alerts.ended(project, raw):
                        counts["failures"] += 1
            else:
                active.append(run)
        policy = ctx.policy_for(project)
        for run in sorted(active, key=lambda r: r.started_on or now):
            if run.stopping or not time_cap_breach(run, policy, now):
                continue
            outcome = self.caps.check(run.job_name, run.run_id, trigger, run=run)
            counts[outcome.outcome] += 1
            decisions.extend(outcome.decisions)
        if settled := self.caps.budget.settle_unseen(project, ended, now):
            counts["settled"] += settled
        stopped = {d.resource_name for d in decisions}
        going = [r for r in active if f"{r.job_name}/{r.run_id}" not in stopped]
        if held := self.caps.budget.hold(project, going, trigger):
            decisions.extend(held)
            counts["stopped_at_budget_limit"] += len(held)
        if self.caps.alerts is not None and (told := self.caps.alerts.digest(project)):
            counts["failure_digests"] += told
        if corrected := ctx.ledger.resync(pid):
            logger.warning("project %s ledger usage corrected from %s to %s DPU", pid, *corrected)
            counts["resynced"] += 1
        return Outcome("swept", pid, decisions, dict(counts))
