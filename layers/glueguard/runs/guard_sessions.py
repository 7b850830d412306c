"""Interactive sessions on the schedule: stopped past their lifetime cap or idle longer than the idle cap."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from glueguard.dpu import cost_usd, session_dpu
from glueguard.dpu import dpu_hours as to_dpu_hours
from glueguard.models.decision import Decision
from glueguard.models.project import Project
from glueguard.naming import project_of
from glueguard.policy.settings import Policy
from glueguard.runs.caps import Breach
from glueguard.runs.guard_context import GuardContext, Outcome, Trigger, interactive_decision, one_item
from glueguard.runs.guard_interactive import SESSION, InteractiveCapacity
from glueguard.runs.job_run import as_utc

if TYPE_CHECKING:
    from glueguard.runs.guard_budget import RunBudget

LIVE_SESSION_STATES = frozenset({"PROVISIONING", "READY"})
SESSION_DPU = 5.0  # an interactive session's default capacity (FACTS.md)


@dataclass
class SessionSweep:
    ctx: GuardContext
    budget: RunBudget

    def sweep(self, projects: dict[str, Project], trigger: Trigger) -> Outcome:
        """Stop interactive sessions past the lifetime cap, or idle longer than the idle cap. A session deleted
        since ListSessions, or any one session's failure, never stops the sweep of the others."""
        decisions: list[Decision] = []
        counts: Counter[str] = Counter()
        for session_id in self._ids():
            project = projects.get(project_of(session_id) or "")
            if project is None:
                continue
            decided = one_item(counts, "sessions", session_id, self._judge, project, session_id, trigger)
            if decided is not None:
                decisions.append(decided)
        if decisions:
            counts["sessions_stopped"] = len(decisions)
        if released := InteractiveCapacity(self.ctx).release_ended(projects, SESSION):
            counts["sessions_released"] = released
        return Outcome("swept", "sessions", decisions, dict(counts))

    def _judge(self, project: Project, session_id: str, trigger: Trigger) -> Decision | None:
        """Charge one session's time and stop it when it is past a cap; its decision, or None."""
        glue, now = self.ctx.glue, self.ctx.now()
        session = glue.get_session(Id=session_id).get("Session") or {}
        self.budget.accrue_session(project, session, now)
        if session.get("Status") not in LIVE_SESSION_STATES:
            return None
        # a session whose CreateSession named none (CloudTrail omits requests over 100 KB) enters the ledger here
        capacity = InteractiveCapacity(self.ctx)
        admitted = capacity.admit(SESSION, session_id, trigger, lambda p, r, b: self.stop_unfit(p, r, b, trigger))
        if admitted.decisions:
            return admitted.decisions[0]
        policy = self.ctx.policy_for(project)
        breach = session_breach(session, policy, now, self._last_activity(session_id, session))
        breach = breach or self.budget.limit_breach(project, now, session_dpu(session))
        if breach is None:
            return None
        glue.stop_session(Id=session_id)
        decision = _stopped(project, session_id, session, breach, policy, now, trigger)
        self.ctx.publish(decision, breach.rule)
        self.ctx.ledger.release(project.project_id, session_id, reason="stopped by the run guard")
        return decision

    def stop_unfit(self, project: Project, session: dict[str, Any], breach: Breach, trigger: Trigger) -> Decision:
        """A new session that does not fit the project's DPU cap: stopped, with its decision."""
        session_id = session["Id"]
        self.ctx.glue.stop_session(Id=session_id)
        policy, now = self.ctx.policy_for(project), self.ctx.now()
        decision = _stopped(project, session_id, session, breach, policy, now, trigger)
        self.ctx.publish(decision, breach.rule)
        return decision

    def _ids(self) -> list[str]:
        ids: list[str] = []
        token: str | None = None
        while True:
            page = self.ctx.glue.list_sessions(**({"NextToken": token} if token else {}))
            ids.extend(page.get("Ids", []))
            if not (token := page.get("NextToken")):
                return ids

    def _last_activity(self, session_id: str, session: dict[str, Any]) -> datetime | None:
        """When the session last did something: its newest statement's end or start, else its creation."""
        latest = as_utc(session.get("CreatedOn"))
        for statement in self.ctx.glue.list_statements(SessionId=session_id).get("Statements", []):
            if statement.get("State") in ("WAITING", "RUNNING"):
                return self.ctx.now()
            for key in ("CompletedOn", "StartedOn"):
                value = statement.get(key)
                if value is not None:
                    when = as_utc(datetime.fromtimestamp(value / 1000, UTC) if isinstance(value, int) else value)
                    latest = max(latest, when) if latest else when
        return latest


def _stopped(
    project: Project,
    session_id: str,
    session: dict[str, Any],
    breach: Breach,
    policy: Policy,
    now: datetime,
    trigger: Trigger,
) -> Decision:
    dpu = session_dpu(session)
    lifetime = (now - as_utc(session["CreatedOn"])).total_seconds() if session.get("CreatedOn") else 0.0
    remaining = max(0.0, float(session.get("IdleTimeout") or policy.session_idle_timeout_max_minutes) * 60.0)
    return interactive_decision(
        project,
        trigger,
        breach,
        policy,
        kind="session",
        name=session_id,
        outcome="stopped",
        actions=[{"call": "glue:StopSession", "reason": breach.message, "params": {"Id": session_id}}],
        before={"status": session.get("Status"), "created_on": str(session.get("CreatedOn"))},
        after={"status": "STOPPING"},
        figures={
            "session_dpu": dpu,
            "age_minutes": round(lifetime / 60.0, 2),
            "price_per_dpu_hour": policy.price_per_dpu_hour,
            "estimated_cost_avoided_usd": cost_usd(to_dpu_hours(dpu, remaining), policy.price_per_dpu_hour),
        },
    )


def session_breach(
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
