"""The budget cap at work: commit a start's expected cost, settle what ended, warn, and record why.

Shared by the run guard (runs scientists start: a refused one is stopped) and the upload trigger (runs the
plane starts: a deferred one is retried later, a refused one dead-lettered). Arithmetic in `budget`;
storage in `adapters.spend`. A project without `monthly_budget_usd` has no cap.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from glueguard import cost
from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.spend import Month, Spend
from glueguard.budget.cap import (
    Verdict,
    expected_cost,
    judge,
    limit_usd,
    month_of,
    split_by_month,
    warnings_crossed,
    warnings_due,
)
from glueguard.models.decision import Decision
from glueguard.models.project import Project
from glueguard.policy.settings import Policy
from glueguard.runs.job_run import as_utc

logger = logging.getLogger(__name__)

#: How many of a job's latest successful runs its median expected cost is taken from.
RECENT_RUNS = 10
RULE = "project-monthly-budget"


@dataclass(frozen=True)
class Start:
    """A start to price: the job, its capacity and Timeout, its execution class, and its charge id."""

    charge_id: str
    job_name: str
    dpu: float
    timeout_minutes: int | None
    execution_class: str | None


@dataclass
class BudgetKeeper:
    spend: Spend
    decisions: DecisionLog
    client_for: Callable[[str], Any]
    function: str
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def admit(self, project: Project, policy: Policy, start: Start, when: datetime | None = None) -> Verdict | None:
        """Commit the start's expected cost; None when it is admitted (or has no budget), else the verdict."""
        budget = project.monthly_budget_usd
        if not budget:
            return None
        month = month_of(when or self.now())
        expected = expected_cost(
            start.dpu, start.timeout_minutes, start.execution_class, policy, self.recent_costs(start.job_name, policy)
        )
        limit = None if self.overridden(project.project_id) else limit_usd(budget, policy)
        pid = project.project_id
        for _ in range(3):
            committed, known = self.spend.commit(
                pid, month, start.charge_id, expected.cost_usd, limit, kind="run", job_name=start.job_name
            )
            if committed or known:
                return None
            spent = self.spend.month(pid, month)
            verdict = judge(spent.actual_usd, spent.committed_usd, expected.cost_usd, budget, policy)
            if not verdict.admitted:  # else: spend changed between the two reads; try again
                return verdict
        return verdict

    def overridden(self, project_id: str) -> bool:
        override = self.spend.override(project_id)
        return bool(override and as_utc(override.until) > self.now())

    def recent_costs(self, job_name: str, policy: Policy) -> list[float]:
        """The costs of the job's latest successful runs (one GetJobRuns page)."""
        glue = self.client_for("glue")
        try:
            runs = glue.get_job_runs(JobName=job_name, MaxResults=50).get("JobRuns", [])
        except glue.exceptions.EntityNotFoundException:
            return []
        done = [r for r in runs if r.get("JobRunState") == "SUCCEEDED"]
        done.sort(key=lambda r: r.get("StartedOn") or datetime.min.replace(tzinfo=UTC), reverse=True)
        return [cost.run_cost(r, policy).cost_usd for r in done[:RECENT_RUNS]]

    def settle_run(self, project: Project, policy: Policy, run: Mapping[str, Any]) -> cost.RunCost:
        """Charge an ended run's cost (DPUSeconds or capacity x time, at its class's price) to the months it ran in:
        each its part of the run's billed time, which ends at CompletedOn (its start month holds the commitment)."""
        priced = cost.run_cost(run, policy)
        started = as_utc(run.get("StartedOn")) or self.now()
        ended = as_utc(run.get("CompletedOn")) or started + timedelta(seconds=priced.seconds)
        billed_from = max(started, ended - timedelta(seconds=priced.seconds)) if priced.seconds else ended
        parts = split_by_month(billed_from, ended, priced.cost_usd)
        parts.setdefault(month_of(started), 0.0)  # the start month's commitment is released, whatever it holds
        for month, part in sorted(parts.items()):
            self.charge(project, policy, month, f"run#{priced.run_id}", part, final=True, kind="run")
        return priced

    def charge(
        self, project: Project, policy: Policy, month: str, charge_id: str, cost_usd: float, *, final: bool, kind: str
    ) -> None:
        """Record a charge's cost so far, then warn the project once per month at each threshold it crossed."""
        charged = self.spend.settle(project.project_id, month, charge_id, cost_usd, final=final, kind=kind)
        budget = project.monthly_budget_usd
        if not budget or not charged.changed:
            return
        for share in warnings_crossed(
            charged.actual_before, charged.actual_after, budget, policy.budget_warning_shares
        ):
            if self.spend.mark_warned(project.project_id, month, share):
                self.warn(project, month, share, charged.actual_after, budget)

    def watch(self, project: Project, policy: Policy, month: Month, running: float) -> list[float]:
        """On the schedule: warn once per month at each threshold the month's spend plus what running work has cost
        in it so far (`running`) has reached; the shares warned of now."""
        budget = project.monthly_budget_usd
        if not budget:
            return []
        exposure = month.actual_usd + running
        warned = []
        for share in warnings_due(exposure, budget, policy.budget_warning_shares, month.warned):
            if self.spend.mark_warned(project.project_id, month.month, share):
                self.warn(project, month.month, share, month.actual_usd, budget, running)
                warned.append(share)
        return warned

    def warn(
        self, project: Project, month: str, share: float, actual: float, budget: float, running: float = 0.0
    ) -> None:
        message = f"project {project.project_id} has spent ${actual:,.2f} of its ${budget:,.2f} budget in {month}"
        if running:
            message += f" and its running work ${running:,.2f} more so far (${actual + running:,.2f})"
        decision = Decision(
            project_id=project.project_id,
            event_id=f"budget-{month}-{share:g}",
            event_name="Budget threshold",
            function=self.function,
            resource_kind="budget",
            resource_name=month,
            outcome="warned",
            severity="high" if share >= 1 else "medium",
            reason=f"{message} ({share:.0%} threshold)",
            figures={
                "month_actual_usd": round(actual, 4),
                "running_accrued_usd": round(running, 4),
                "budget_usd": budget,
                "threshold": share,
            },
        )
        if self.decisions.record(decision):
            self.notify(project, decision)

    def notify(self, project: Project, decision: Decision) -> None:
        """Publish to the project's own topic (provisioning creates it), else nowhere: the decision stays."""
        from glueguard.adapters.notify import message

        topic = project.resources.notifications_topic_arn
        if not topic:
            logger.info("project %s has no notifications topic; %s recorded only", project.project_id, decision.outcome)
            return
        self.client_for("sns").publish(
            TopicArn=topic,
            Subject=f"glueguard budget: {decision.reason}"[:100],
            Message=message(decision),
            MessageAttributes={
                "project": {"DataType": "String", "StringValue": project.project_id},
                "severity": {"DataType": "String", "StringValue": decision.severity or "medium"},
                "kind": {"DataType": "String", "StringValue": "budget"},
            },
        )

    def held(self, project: Project, month: str, verdict: Verdict, counter: str, decision: Decision) -> bool:
        """Record a deferred or refused start once (per event and start) and count it; True if new."""
        decision.figures = {**verdict.figures(), **decision.figures}
        if not self.decisions.record(decision):
            return False
        self.spend.count(project.project_id, month, counter)
        return True
