"""The monthly budget in the run guard: refuse a start that would pass it, settle what ended, hold the limit.

A scientist's run has started by the time the guard hears of it, so a start the budget cannot take (deferred
or refused, see `glueguard.budget.cap`) is stopped at once and recorded as `refused`. Each ended run is charged
at its real cost (DPUSeconds when Glue reports them), to the months it ran in. On the schedule, the project is
warned when its month's spend plus what running work has cost in it so far crosses 80 % and 100 %, and its
running work is stopped, newest first, once that plus what running work would cost over the lookahead (the
policy's `budget_lookahead_minutes`) reaches the hard limit (budget + tolerance): the limit holds however far
a run outgrows its estimate. Interactive sessions and dev endpoints are charged as they accrue, each month its
part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from glueguard.budget import cap as arithmetic
from glueguard.budget.keeper import RULE, BudgetKeeper, Start
from glueguard.dpu import cost_usd, job_capacity
from glueguard.dpu import dpu_hours as to_dpu_hours
from glueguard.models.decision import Decision
from glueguard.models.project import Project
from glueguard.policy.settings import Policy
from glueguard.runs.admission import LedgerEntry, newest_first
from glueguard.runs.caps import Breach, stop_figures
from glueguard.runs.guard_context import GuardContext, Outcome, Trigger
from glueguard.runs.guard_sessions import SESSION_DPU
from glueguard.runs.guard_stops import RunStopper
from glueguard.runs.job_run import JobRun, as_utc

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
        if self.ctx.ledger.settle(pid, run.run_id, reason="refused: monthly budget") is None:
            return Outcome("skipped", f"run {run.run_id} settled meanwhile (another event's judgement)")
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
        """Warn at the thresholds spend plus running work has reached; stop running work newest first when that
        plus the lookahead reaches the hard limit."""
        budget = project.monthly_budget_usd
        pid = project.project_id
        if not budget:
            return []
        policy, now = self.ctx.policy_for(project), self.ctx.now()
        month = self.keeper.spend.month(pid, arithmetic.month_of(now))
        running = [r for r in active if r.active and not r.stopping]
        spent = month.actual_usd
        accrued = sum(accrued_usd(r, policy, now) for r in running)
        self.keeper.watch(project, policy, month, accrued)
        ahead = sum(ahead_usd(r.dpu, arithmetic.price(policy, r.execution_class), policy) for r in running)
        limit = arithmetic.limit_usd(budget, policy)
        if not running or self.keeper.overridden(pid) or not arithmetic.at_limit(spent, accrued, ahead, limit):
            return []
        by_id = {r.run_id: r for r in running}
        order = newest_first(LedgerEntry(r.run_id, r.job_name, r.dpu, r.started_on) for r in running)
        message = (
            f"project has spent ${spent:,.2f} this month and its running work ${accrued:,.2f} so far, "
            f"${ahead:,.2f} more within {policy.budget_lookahead_minutes:g} min: that reaches its hard limit of "
            f"${limit:,.2f} (budget ${budget:,.2f} + {policy.budget_tolerance:.0%}); running work is stopped newest first"
        )
        decisions: list[Decision] = []
        for entry in order:
            run = by_id[entry.entry_id]
            self.ctx.ledger.release(pid, run.run_id, reason="stopped at the monthly budget limit")
            figures = {
                **stop_figures(run, policy, now, project_dpu_before=0.0, project_dpu_after=0.0),
                "month_actual_usd": round(spent, 4),
                "running_accrued_usd": round(accrued, 4),
                "lookahead_usd": round(ahead, 4),
                "budget_usd": budget,
                "budget_limit_usd": limit,
            }
            breach = Breach(LIMIT_RULE, message, spent + accrued + ahead, limit)
            if decision := self.stopper.stop(pid, run, [breach], figures, trigger):
                decisions.append(decision)
        return decisions

    def limit_breach(self, project: Project, now: datetime, dpu: float = 0.0) -> Breach | None:
        """The hard limit, when the project's month plus what `dpu` of interactive work would cost over the
        lookahead reaches it (the session is stopped then)."""
        budget = project.monthly_budget_usd
        if not budget or self.keeper.overridden(project.project_id):
            return None
        policy = self.ctx.policy_for(project)
        spent = self.keeper.spend.month(project.project_id, arithmetic.month_of(now)).actual_usd
        ahead = ahead_usd(dpu, policy.price_per_dpu_hour, policy)
        limit = arithmetic.limit_usd(budget, policy)
        if not arithmetic.at_limit(spent, 0.0, ahead, limit):
            return None
        message = (
            f"project has spent ${spent:,.2f} this month, ${ahead:,.2f} more within "
            f"{policy.budget_lookahead_minutes:g} min: that reaches its hard limit of ${limit:,.2f} "
            f"(budget ${budget:,.2f} + {policy.budget_tolerance:.0%}); running work is stopped"
        )
        return Breach(LIMIT_RULE, message, spent + ahead, limit)

    def accrue_session(self, project: Project, session: dict[str, Any], now: datetime) -> None:
        """Charge an interactive session what it has cost so far (DPUSeconds when reported, spread evenly over its
        life), each month its part."""
        policy = self.ctx.policy_for(project)
        created = as_utc(session.get("CreatedOn"))
        if created is None:
            return
        end = as_utc(session.get("CompletedOn")) or now
        if session.get("DPUSeconds") is not None:
            total = cost_usd(float(session["DPUSeconds"]) / 3600.0, policy.price_per_dpu_hour)
            parts = arithmetic.split_by_month(created, end, total)
        else:
            dpu = job_capacity(session) if session.get("WorkerType") or session.get("MaxCapacity") else SESSION_DPU
            parts = month_costs(dpu, policy.price_per_dpu_hour, created, end)
        final = session.get("Status") in ("STOPPED", "FAILED", "TIMEOUT")
        for month, charge in parts.items():
            self.keeper.charge(project, policy, month, f"session#{session['Id']}", charge, final=final, kind="session")

    def accrue_dev_endpoint(self, project: Project, endpoint: dict[str, Any], now: datetime) -> None:
        """Charge a dev endpoint what it has cost since it was created (nodes x DPU x hours), each month its part."""
        policy = self.ctx.policy_for(project)
        created = as_utc(endpoint.get("CreatedTimestamp"))
        if created is None:
            return
        charge_id = f"devendpoint#{endpoint['EndpointName']}#{created:%Y%m%dT%H%M%S}"
        for month, charge in month_costs(endpoint_dpu(endpoint), policy.price_per_dpu_hour, created, now).items():
            self.keeper.charge(project, policy, month, charge_id, charge, final=False, kind="devendpoint")


def endpoint_dpu(endpoint: dict[str, Any]) -> float:
    if endpoint.get("WorkerType") and endpoint.get("NumberOfWorkers"):
        return job_capacity(endpoint)
    return float(endpoint.get("NumberOfNodes") or 0)


def month_costs(dpu: float, price_per_dpu_hour: float, start: datetime, end: datetime) -> dict[str, float]:
    """What `dpu` held from `start` to `end` costs in each calendar month (each part from its own seconds, so a
    past month's part never changes as the work goes on)."""
    parts = arithmetic.month_seconds(start, end)
    return {m: cost_usd(to_dpu_hours(dpu, seconds), price_per_dpu_hour) for m, seconds in parts.items()} or {
        arithmetic.month_of(start): 0.0
    }


def accrued_usd(run: JobRun, policy: Policy, now: datetime) -> float:
    """What a running run has cost so far in the month of `now`: its capacity x its time in that month."""
    if run.started_on is None:
        return 0.0
    price = arithmetic.price(policy, run.execution_class)
    return month_costs(run.dpu, price, run.started_on, now).get(arithmetic.month_of(now), 0.0)


def ahead_usd(dpu: float, price_per_dpu_hour: float, policy: Policy) -> float:
    """What `dpu` would cost over the policy's lookahead (the schedule's period and the time a stop takes)."""
    return cost_usd(to_dpu_hours(dpu, policy.budget_lookahead_minutes * 60.0), price_per_dpu_hour)
