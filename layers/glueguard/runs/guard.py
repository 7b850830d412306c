"""The run guard's entry points: one object composing admission, caps, reconcile and the interactive sweeps."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from glueguard.adapters.clients import region_name
from glueguard.adapters.failures import FailureLog
from glueguard.adapters.spend import Spend
from glueguard.budget.keeper import BudgetKeeper
from glueguard.models.decision import Decision
from glueguard.models.events import CloudTrailEvent, GlueJobEvent, InvalidEventError, PlanePrincipals
from glueguard.models.project import Project
from glueguard.runs.guard_admission import Admission
from glueguard.runs.guard_budget import RunBudget
from glueguard.runs.guard_caps import RunCaps
from glueguard.runs.guard_context import FUNCTION, GuardContext, Outcome, Trigger, one_item
from glueguard.runs.guard_dev_endpoints import DevEndpointSweep
from glueguard.runs.guard_failures import FailureAlerts
from glueguard.runs.guard_interactive import SESSION, InteractiveCapacity, event_target
from glueguard.runs.guard_reconcile import Reconciler
from glueguard.runs.guard_sessions import SessionSweep
from glueguard.runs.guard_stops import RunStopper
from glueguard.runs.job_run import TERMINAL_STATES, JobRun


@dataclass
class RunGuard(GuardContext):
    plane: PlanePrincipals = field(default_factory=PlanePrincipals)
    spend: Spend | None = None  # default: the spend items in the ledger's table
    budget: RunBudget = field(init=False)
    caps: RunCaps = field(init=False)
    reconciler: Reconciler = field(init=False)
    sessions: SessionSweep = field(init=False)
    dev_endpoints: DevEndpointSweep = field(init=False)

    def __post_init__(self) -> None:
        stopper = RunStopper(self)
        spend = self.spend or Spend(self.ledger.table_name)
        keeper = BudgetKeeper(spend, self.decisions, self.client_for, FUNCTION, now=lambda: self.now())
        self.budget = RunBudget(self, stopper, keeper)
        alerts = FailureAlerts(self, FailureLog(self.ledger.table_name), region_name())
        self.caps = RunCaps(self, stopper, Admission(self, stopper), self.budget, alerts)
        self.reconciler = Reconciler(self, self.caps)
        self.sessions = SessionSweep(self, self.budget)
        self.dev_endpoints = DevEndpointSweep(self, self.budget)

    def on_start(self, event: CloudTrailEvent) -> Outcome:
        """CloudTrail StartJobRun: judge the run as Glue started it (run-time overrides included); CreateSession /
        CreateDevEndpoint take their DPU from the ledger, StopSession / DeleteSession / DeleteDevEndpoint give it back."""
        detail = event.detail
        if detail.errorCode:
            return Outcome("skipped", f"rejected call ({detail.errorCode})")
        if (target := event_target(detail.eventName, detail.requestParameters, detail.responseElements)) is not None:
            return self._interactive(*target, Trigger(detail.eventID, detail.eventName, detail.userIdentity.arn))
        if detail.eventName != "StartJobRun":
            return Outcome("skipped", f"{detail.eventName} is not StartJobRun")
        # The upload trigger reserved the capacity of the plane's own starts before starting them and binds it
        # to the run id: such a run is not admitted again, but it is judged against the per-run caps like any.
        plane = self.plane.is_plane(detail.userIdentity)
        job_name = (detail.requestParameters or {}).get("jobName")
        run_id = (detail.responseElements or {}).get("jobRunId")
        if not job_name or not run_id:
            raise InvalidEventError(
                "StartJobRun needs requestParameters.jobName and responseElements.jobRunId", event.id
            )
        trigger = Trigger(detail.eventID, "StartJobRun", detail.userIdentity.arn)
        outcome = self.caps.check(job_name, run_id, trigger, admit=not plane)
        if self.plane.impersonates(detail.userIdentity):
            outcome.decisions.extend(self._impostor(job_name, run_id, trigger))
        return outcome

    def _interactive(self, holder: str, what: str, name: str, trigger: Trigger) -> Outcome:
        capacity = InteractiveCapacity(self)
        if what == "end":
            return capacity.release(name, f"{trigger.event_name}")
        if holder == SESSION:
            return capacity.admit(holder, name, trigger, lambda p, r, b: self.sessions.stop_unfit(p, r, b, trigger))
        return capacity.admit(holder, name, trigger, lambda p, r, b: self.dev_endpoints.remove_unfit(p, r, b, trigger))

    def _impostor(self, job_name: str, run_id: str, trigger: Trigger) -> list[Decision]:
        """A role under the plane's path, not one of the stack's, started a project's run: judged above like any
        start, and reported critical here."""
        project, _ = self.project(job_name)
        if project is None:
            return []
        violation = self.plane.impersonation(trigger.principal, "jobrun", f"{job_name}/{run_id}")
        decision = Decision(
            project_id=project.project_id,
            event_id=trigger.event_id,
            event_name=trigger.event_name,
            function=FUNCTION,
            resource_kind="start",  # the call, beside the run's own decision (if the run was stopped)
            resource_name=f"{job_name}/{run_id}",
            principal=trigger.principal,
            outcome="reported",
            severity=str(violation.severity),
            violations=[violation.to_dict()],
        )
        self.decisions.record(decision)  # notified from the decisions stream, once
        return [decision]

    def on_job_event(self, event: GlueJobEvent) -> Outcome:
        """`Glue Job State Change` (terminal: release) or `Glue Job Run Status` (still going: check)."""
        detail = event.detail
        if detail.state in TERMINAL_STATES:
            return self.finished(detail.jobName, detail.jobRunId, detail.state)
        return self.check(detail.jobName, detail.jobRunId, Trigger(event.id, event.detail_type))

    def check(self, job_name: str, run_id: str, trigger: Trigger, run: JobRun | None = None) -> Outcome:
        return self.caps.check(job_name, run_id, trigger, run)

    def finished(self, job_name: str, run_id: str, state: str) -> Outcome:
        return self.caps.finished(job_name, run_id, state)

    def _reconcile_where_it_lives(self, project: Project, trigger: Trigger) -> Outcome:
        """A project's runs are read in its own account (a member's, through its member role)."""
        from glueguard.adapters.clients import acting_in

        with acting_in(project.account_id):
            return self.reconciler.project(project, trigger)

    def sweep(self, event_id: str) -> Outcome:
        """Reconcile every project's ledger with GetJobRun, stop runs past the time cap, cap sessions/endpoints."""
        trigger = Trigger(event_id, "Scheduled Event")
        counts: Counter[str] = Counter()
        decisions: list[Decision] = []
        projects = self.live_projects()
        parts = [
            *((f"project {p.project_id}", self._reconcile_where_it_lives, p) for p in projects.values()),
            ("sessions", self.sessions.sweep, projects),
            ("dev endpoints", self.dev_endpoints.sweep, projects),
        ]  # one part's failure (a project's ledger, the session listing) never stops the others
        outcomes = [o for name, work, arg in parts if (o := one_item(counts, "sweep", name, work, arg, trigger))]
        for outcome in outcomes:
            counts.update(outcome.counts)
            decisions.extend(outcome.decisions)
        return Outcome("swept", f"{len(projects)} projects", decisions, dict(counts))
