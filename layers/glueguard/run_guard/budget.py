"""The monthly budget in the run guard: refuse a start that would pass it, settle what ended, hold the limit.

A scientist's run has started by the time the guard hears of it, so a start the budget cannot take (deferred
or refused, see `glueguard.budget`) is stopped at once and recorded as `refused`. Each ended run is charged
at its real cost (DPUSeconds when Glue reports them). On the schedule, a project whose month-to-date spend
plus what its running work has cost so far reaches the hard limit (budget + tolerance) has its running work
stopped, newest first; interactive sessions and dev endpoints are charged as they accrue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from glueguard import budget as arithmetic
from glueguard.budgeting import RULE, BudgetKeeper, Start
from glueguard.dpu import cost_usd, job_capacity
from glueguard.dpu import dpu_hours as to_dpu_hours
from glueguard.models.decision import Decision
from glueguard.models.project import Project
from glueguard.policy import Policy
from glueguard.run_guard.context import GuardContext, Outcome, Trigger
from glueguard.run_guard.sessions import SESSION_DPU
from glueguard.run_guard.stops import RunStopper
from glueguard.runtime.admission import LedgerEntry, newest_first
from glueguard.runtime.caps import Breach, stop_figures
from glueguard.runtime.runs import JobRun, as_utc

LIMIT_RULE = "project-budget-limit"


@dataclass
class RunBudget:
    ctx: GuardContext
    stopper: RunStopper
    keeper: BudgetKeeper

    def admit(self, project: Project, run: JobRun, policy: Policy, trigger: Trigger) -> Outcome | None:
        """None when the budget takes the run; else stop it and return the `refused` outcome."""
        start = Start(f"run#{run.run_id}", run.job_name, run.dpu, run.timeout_minutes, run.execution_class)
        verdict = self.keeper.admit(project, policy, start, when=run.started_on)
        if verdict is None:
            return None
        pid = project.project_id
        self.ctx.ledger.release(pid, run.run_id, reason="refused: monthly budget")
        breach = Breach(RULE, verdict.reason, verdict.actual_usd + verdict.committed_usd, verdict.limit_usd)
        figures = {
            **stop_figures(run, policy, self.ctx.now(), project_dpu_before=0.0, project_dpu_after=0.0),
            **verdict.figures(),
            "budget_verdict": str(verdict.action),
        }
        decision = self.stopper.stop(pid, run, [breach], figures, trigger, outcome="refused")
        if decision:
            self.keeper.spend.count(pid, arithmetic.month_of(run.started_on or self.ctx.now()), "refused")
        return Outcome("refused", verdict.reason, [decision] if decision else [])

    def settle(self, project: Project, run: dict[str, Any]) -> None:
        """Charge an ended run to its project's month (once; a duplicate event changes nothing)."""
        self.keeper.settle_run(project, self.ctx.policy_for(project), run)

    def settle_unseen(self, project: Project, ended: dict[str, dict[str, Any]], now: datetime) -> int:
        """Settle committed runs that ended without their terminal event reaching the guard; how many."""
        if not project.monthly_budget_usd:
            return 0
        policy, settled = self.ctx.policy_for(project), 0
        previous = arithmetic.month_of(now.replace(day=1) - timedelta(days=1))
        for month in (previous, arithmetic.month_of(now)):
            for charge_id in self.keeper.spend.committed(project.project_id, month):
                kind, _, run_id = charge_id.partition("#")
                if kind == "run" and run_id in ended:
                    self.keeper.settle_run(project, policy, ended[run_id])
                    settled += 1
        return settled

    def withdraw_reservation(self, project: Project, entry: LedgerEntry) -> None:
        """A stale reservation's commitment goes back (the upload trigger never started its run)."""
        month = arithmetic.month_of(entry.started_on or self.ctx.now())
        self.keeper.spend.withdraw(project.project_id, month, f"reservation#{entry.entry_id}")

    def hold(self, project: Project, active: list[JobRun], trigger: Trigger) -> list[Decision]:
        """At the hard limit, stop the project's running work newest first."""
        budget = project.monthly_budget_usd
        pid = project.project_id
        if not budget or self.keeper.overridden(pid):
            return []
        policy, now = self.ctx.policy_for(project), self.ctx.now()
        month = arithmetic.month_of(now)
        running = [r for r in active if r.active and not r.stopping]
        spent = self.keeper.spend.month(pid, month).actual_usd
        accrued = sum(accrued_usd(r, policy, now) for r in running)
        limit = arithmetic.limit_usd(budget, policy)
        if not running or spent + accrued < limit - arithmetic.EPSILON:
            return []
        by_id = {r.run_id: r for r in running}
        order = newest_first(LedgerEntry(r.run_id, r.job_name, r.dpu, r.started_on) for r in running)
        decisions: list[Decision] = []
        for entry in order:
            run = by_id[entry.entry_id]
            message = (
                f"project has spent ${spent:,.2f} this month and its running work ${accrued:,.2f} so far: "
                f"at its hard limit of ${limit:,.2f} (budget ${budget:,.2f} + {policy.budget_tolerance:.0%}); "
                "running work is stopped newest first"
            )
            self.ctx.ledger.release(pid, run.run_id, reason="stopped at the monthly budget limit")
            figures = {
                **stop_figures(run, policy, now, project_dpu_before=0.0, project_dpu_after=0.0),
                "month_actual_usd": round(spent, 4),
                "running_accrued_usd": round(accrued, 4),
                "budget_usd": budget,
                "budget_limit_usd": limit,
            }
            breach = Breach(LIMIT_RULE, message, spent + accrued, limit)
            if decision := self.stopper.stop(pid, run, [breach], figures, trigger):
                decisions.append(decision)
        return decisions

    def limit_breach(self, project: Project, now: datetime) -> Breach | None:
        """The hard limit, when the project's month has reached it (interactive work is stopped then too)."""
        budget = project.monthly_budget_usd
        if not budget or self.keeper.overridden(project.project_id):
            return None
        policy = self.ctx.policy_for(project)
        spent = self.keeper.spend.month(project.project_id, arithmetic.month_of(now)).actual_usd
        limit = arithmetic.limit_usd(budget, policy)
        if spent < limit - arithmetic.EPSILON:
            return None
        message = (
            f"project has spent ${spent:,.2f} this month: at its hard limit of ${limit:,.2f} "
            f"(budget ${budget:,.2f} + {policy.budget_tolerance:.0%}); running work is stopped"
        )
        return Breach(LIMIT_RULE, message, spent, limit)

    def accrue_session(self, project: Project, session: dict[str, Any], now: datetime) -> None:
        """Charge an interactive session what it has cost so far (DPUSeconds when reported), to its creation month."""
        policy = self.ctx.policy_for(project)
        created = as_utc(session.get("CreatedOn"))
        if created is None:
            return
        ended = as_utc(session.get("CompletedOn"))
        if session.get("DPUSeconds") is not None:
            hours = float(session["DPUSeconds"]) / 3600.0
        else:
            dpu = job_capacity(session) if session.get("WorkerType") or session.get("MaxCapacity") else SESSION_DPU
            hours = to_dpu_hours(dpu, max(0.0, ((ended or now) - created).total_seconds()))
        final = session.get("Status") in ("STOPPED", "FAILED", "TIMEOUT")
        charge = cost_usd(hours, policy.price_per_dpu_hour)
        self.keeper.charge(
            project,
            policy,
            arithmetic.month_of(created),
            f"session#{session['Id']}",
            charge,
            final=final,
            kind="session",
        )

    def accrue_dev_endpoint(self, project: Project, endpoint: dict[str, Any], now: datetime) -> None:
        """Charge a dev endpoint what it has cost since it was created (nodes x DPU x hours), to its creation month."""
        policy = self.ctx.policy_for(project)
        created = as_utc(endpoint.get("CreatedTimestamp"))
        if created is None:
            return
        dpu = endpoint_dpu(endpoint)
        charge = cost_usd(to_dpu_hours(dpu, max(0.0, (now - created).total_seconds())), policy.price_per_dpu_hour)
        charge_id = f"devendpoint#{endpoint['EndpointName']}#{created:%Y%m%dT%H%M%S}"
        self.keeper.charge(
            project, policy, arithmetic.month_of(created), charge_id, charge, final=False, kind="devendpoint"
        )


def endpoint_dpu(endpoint: dict[str, Any]) -> float:
    if endpoint.get("WorkerType") and endpoint.get("NumberOfWorkers"):
        return job_capacity(endpoint)
    return float(endpoint.get("NumberOfNodes") or 0)


def accrued_usd(run: JobRun, policy: Policy, now: datetime) -> float:
    """What a running run has cost so far: its capacity x elapsed time at its class's price."""
    return cost_usd(to_dpu_hours(run.dpu, run.elapsed_seconds(now)), arithmetic.price(policy, run.execution_class))
