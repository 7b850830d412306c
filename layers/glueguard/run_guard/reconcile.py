"""The scheduled reconcile: each project's ledger against the runs Glue reports, and runs past the time cap."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from glueguard.adapters.glue_runs import job_runs_since
from glueguard.models.decision import Decision
from glueguard.models.project import Project
from glueguard.naming import project_of
from glueguard.policy import MAX_GLUE_TIMEOUT_MINUTES
from glueguard.run_guard.caps import RunCaps
from glueguard.run_guard.context import GuardContext, Outcome, Trigger
from glueguard.runtime.caps import time_cap_breach
from glueguard.runtime.runs import JobRun

logger = logging.getLogger(__name__)

#: A reservation the upload trigger did not bind to a run within this long is stale (it crashed in between).
RESERVATION_STALE = timedelta(minutes=15)


@dataclass
class Reconciler:
    ctx: GuardContext
    caps: RunCaps

    def jobs_by_project(self) -> dict[str, list[str]]:
        jobs: dict[str, list[str]] = {}
        for page in self.ctx.glue.get_paginator("get_jobs").paginate():
            for job in page.get("Jobs", []):
                if (pid := project_of(job["Name"])) is not None:
                    jobs.setdefault(pid, []).append(job["Name"])
        return jobs

    def project(self, project: Project, job_names: list[str], trigger: Trigger) -> Outcome:
        """Release what ended unseen and stale reservations; check runs the ledger misses or that ran too long."""
        ctx, pid = self.ctx, project.project_id
        now = ctx.now()
        since = now - timedelta(minutes=MAX_GLUE_TIMEOUT_MINUTES + 1)
        active: dict[str, JobRun] = {}
        ended: dict[str, dict] = {}
        for name in job_names:
            for raw in job_runs_since(ctx.glue, name, since):
                run = JobRun.from_api(raw)
                if run.active:
                    active[run.run_id] = run
                else:
                    ended[run.run_id] = raw
        counts: Counter[str] = Counter()
        decisions: list[Decision] = []
        known = set()
        for entry in ctx.ledger.entries(pid):
            if entry.reservation:
                if entry.started_on and now - entry.started_on > RESERVATION_STALE:
                    counts["released"] += bool(
                        ctx.ledger.release(pid, entry.entry_id, reservation=True, reason="stale reservation")
                    )
                    self.caps.budget.withdraw_reservation(project, entry)
                continue
            if entry.entry_id not in active:  # its terminal event was lost
                counts["released"] += bool(ctx.ledger.release(pid, entry.entry_id, reason="reconciled: run ended"))
            else:
                known.add(entry.entry_id)
        policy = ctx.policy_for(project)
        for run in sorted(active.values(), key=lambda r: r.started_on or now):
            if run.stopping:
                continue
            if run.run_id in known and not time_cap_breach(run, policy, now):
                continue
            outcome = self.caps.check(run.job_name, run.run_id, trigger, run=run)
            counts[outcome.outcome] += 1
            decisions.extend(outcome.decisions)
        if settled := self.caps.budget.settle_unseen(project, ended, now):
            counts["settled"] += settled
        stopped = {d.resource_name for d in decisions}
        going = [r for r in active.values() if f"{r.job_name}/{r.run_id}" not in stopped]
        if held := self.caps.budget.hold(project, going, trigger):
            decisions.extend(held)
            counts["stopped_at_budget_limit"] += len(held)
        if corrected := ctx.ledger.resync(pid):
            logger.warning("project %s ledger usage corrected from %s to %s DPU", pid, *corrected)
            counts["resynced"] += 1
        return Outcome("swept", pid, decisions, dict(counts))
