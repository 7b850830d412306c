"""The upload trigger: an object created in a project bucket starts the job bound to its prefix/suffix.

Admission holds the run's DPU in the project ledger (a reservation) before StartJobRun, so the run
guard never has to stop it and never counts it twice; a start that does not fit the project's DPU
budget, or the job's MaxConcurrentRuns, is deferred (raise Deferred) and retried later.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from glueguard.adapters.clients import client
from glueguard.adapters.decisions import DecisionLog
from glueguard.adapters.ledger import BOUND, RELEASED, Ledger
from glueguard.adapters.registry import Registry
from glueguard.adapters.spend import Spend
from glueguard.budget.cap import Action, Verdict, month_of
from glueguard.budget.keeper import BudgetKeeper, Start
from glueguard.dpu import job_capacity
from glueguard.models.decision import Decision
from glueguard.models.project import Project, ProjectStatus, UploadTrigger
from glueguard.models.s3_events import S3ObjectCreatedEvent
from glueguard.naming import project_of
from glueguard.policy.settings import Policy
from glueguard.runs.admission import LedgerEntry

logger = logging.getLogger(__name__)

FUNCTION = "upload_trigger"
#: Backoff of deferred starts: 30 s, 1, 2, 4, 8 min, then 15 min (SQS's longest DelaySeconds) each time.
FIRST_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 900
#: After this many deferrals (about 4 hours) a start goes to the dead-letter queue, with its reason.
MAX_ATTEMPTS = 20


class Deferred(Exception):
    """The start does not fit now (DPU budget or MaxConcurrentRuns): retry it later."""


class Undeliverable(Exception):
    """The start can never succeed as bound (e.g. the bound job does not exist): dead-letter it with the reason."""


def retry_delay(attempt: int) -> int:
    """Seconds to wait before retry number `attempt` (1-based): exponential, capped at SQS's 900."""
    return min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** max(0, attempt - 1))


#: Each upload decision's outcome -> what it is about (resource kind) and its severity.
DECISION_KINDS: dict[str, tuple[str, str]] = {
    "throttled": ("uploadbinding", "medium"),
    "started": ("jobrun", "info"),
    "deferred": ("jobstart", "medium"),
    "refused": ("jobstart", "medium"),
    "skipped": ("upload", "medium"),
}


def upload_decision(
    project_id: str, event: S3ObjectCreatedEvent, outcome: str, resource_name: str, **fields: Any
) -> Decision:
    """The decision about one uploaded object's start (`fields`: the rest of the record)."""
    kind, severity = DECISION_KINDS[outcome]
    return Decision(
        project_id=project_id,
        event_id=event.id,
        event_name="Object Created",
        function=FUNCTION,
        resource_kind=kind,
        resource_name=resource_name,
        principal=event.detail.requester,
        outcome=outcome,
        severity=severity,
        **fields,
    )


def reservation_id(object_identity: str, job_name: str) -> str:
    """The ledger reservation of one object version and job: the same event twice reserves once."""
    return hashlib.sha256(f"{object_identity}|{job_name}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Match:
    """Why an object starts what it starts: the project and the bindings it matches (or why none); `bound`: a
    binding of the project matches the object, so starting nothing is a decision (see `UploadStarter.skipped`)."""

    project: Project | None
    bindings: list[UploadTrigger]
    reason: str = ""
    bound: bool = False


@dataclass
class UploadStarter:
    registry: Registry
    ledger: Ledger
    decisions: DecisionLog
    policy: Policy
    client_for: Callable[[str], Any] = client
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    @property
    def budget(self) -> BudgetKeeper:
        return BudgetKeeper(Spend(self.ledger.table_name), self.decisions, self.client_for, FUNCTION, self.now)

    def match(self, event: S3ObjectCreatedEvent) -> Match:
        """The bindings an object matches; none, with the reason, for foreign buckets or unbound keys. The project
        is read afresh (no cache): a binding added or removed a moment ago counts for the next upload."""
        bucket, key = event.bucket, event.key
        project_id = project_of(bucket)
        if project_id is None:
            return Match(None, [], f"bucket {bucket} belongs to no project")
        project = self.registry.get(project_id, cached=False)
        if project is None:
            return Match(None, [], f"bucket {bucket} names unregistered project {project_id}")
        bindings = [b for b in project.upload_triggers if b.matches(bucket, key)]
        if not bindings:
            return Match(project, [], f"no upload trigger of project {project_id} matches s3://{bucket}/{key}")
        if project.status is not ProjectStatus.ACTIVE:
            return Match(project, [], f"project {project_id} is {project.status}, not ACTIVE", bound=True)
        foreign = [b for b in bindings if project_of(b.job_name) != project_id]
        bindings = [b for b in bindings if b not in foreign]
        if not bindings:
            names = ", ".join(sorted({b.job_name for b in foreign}))
            return Match(
                project,
                [],
                f"the bindings matching s3://{bucket}/{key} name jobs of other projects: {names}",
                bound=True,
            )
        for binding in foreign:
            logger.warning(
                "binding of s3://%s/%s names job %s of another project: ignored", bucket, key, binding.job_name
            )
        return Match(project, bindings)

    def skipped(self, project: Project, event: S3ObjectCreatedEvent, reason: str, job_name: str = "") -> None:
        """Record that a bound upload starts nothing, and why (once per event and job)."""
        decision = upload_decision(
            project.project_id,
            event,
            "skipped",
            f"s3://{event.bucket}/{event.key}" + (f" -> {job_name}" if job_name else ""),
            policy_version=self.policy.version,
            reason=reason,
            figures={"object": f"s3://{event.bucket}/{event.key}", "object_version": event.object_version},
        )
        self.decisions.record(decision)

    def _storm_guard(
        self, project: Project, binding: UploadTrigger, event: S3ObjectCreatedEvent, policy: Policy, now: datetime
    ) -> None:
        """At most `upload_max_starts_per_minute` starts per binding and minute; the rest wait (Deferred), and
        the first one held back each minute is a decision."""
        limit = policy.upload_max_starts_per_minute
        identity = hashlib.sha256(binding.model_dump_json().encode()).hexdigest()[:16]
        allowed, first = self.ledger.count_start(project.project_id, identity, now.strftime("%Y%m%dT%H%M"), limit)
        if allowed:
            return
        reason = (
            f"upload binding s3://{binding.bucket}/{binding.prefix}*{binding.suffix} -> {binding.job_name} started "
            f"{limit} runs this minute (upload_max_starts_per_minute): the rest wait"
        )
        if first:
            decision = upload_decision(
                project.project_id,
                event,
                "throttled",
                f"{binding.bucket}/{binding.prefix}",
                policy_version=self.policy.version,
                reason=reason,
                figures={"starts_per_minute_cap": limit, "object": f"s3://{event.bucket}/{event.key}"},
            )
            self.decisions.record(decision)
        raise Deferred(reason)

    def start(self, project: Project, binding: UploadTrigger, event: S3ObjectCreatedEvent) -> dict[str, Any]:
        """Reserve the run's DPU, start it with the rendered arguments, bind the reservation to the run.

        Raises Deferred when it does not fit now, Undeliverable when it never can.
        """
        glue = self.client_for("glue")
        pid = project.project_id
        bucket, key = event.bucket, event.key
        try:
            job = glue.get_job(JobName=binding.job_name)["Job"]
        except glue.exceptions.EntityNotFoundException:
            raise Undeliverable(f"bound job {binding.job_name} does not exist") from None
        policy = self.policy.with_overrides(project.policy_overrides)
        cap = policy.max_dpu_per_project
        dpu = job_capacity(job)
        hold = reservation_id(event.object_identity, binding.job_name)
        previous = self.ledger.get(pid, hold, reservation=True)
        if previous and previous.get("state") == BOUND:  # started before; the idempotency record was lost
            return {"outcome": "started", "job_name": binding.job_name, "run_id": previous["run_id"], "dpu": dpu}
        if previous and previous.get("state") == RELEASED:  # an earlier attempt gave it back: reserve afresh
            self.ledger.forget(pid, hold, reservation=True)
        now = self.now()
        self._storm_guard(project, binding, event, policy, now)
        month, charge = month_of(now), f"reservation#{hold}"
        budget = self.budget
        start = Start(charge, binding.job_name, dpu, job.get("Timeout"), job.get("ExecutionClass"))
        if verdict := budget.admit(project, policy, start, when=now):
            raise self._held(project, binding, event, verdict, budget)
        admitted = self.ledger.admit(pid, LedgerEntry(hold, binding.job_name, dpu, now, reservation=True), cap)
        if not admitted.admitted and not admitted.known:
            budget.spend.withdraw(pid, month, charge)
            raise Deferred(
                f"project {pid} runs {admitted.in_use:g} of its {cap:g} DPU; {binding.job_name} needs {dpu:g}"
            )
        before = admitted.in_use - (dpu if admitted.admitted else 0.0)
        arguments = binding.render_arguments(bucket, key)
        try:
            run_id = glue.start_job_run(JobName=binding.job_name, Arguments=arguments)["JobRunId"]
        except glue.exceptions.ConcurrentRunsExceededException:
            budget.spend.withdraw(pid, month, charge)
            self.ledger.release(pid, hold, reservation=True, reason="MaxConcurrentRuns reached; deferred")
            limit = (job.get("ExecutionProperty") or {}).get("MaxConcurrentRuns", 1)
            raise Deferred(f"{binding.job_name} already runs its MaxConcurrentRuns ({limit})") from None
        except Exception:
            budget.spend.withdraw(pid, month, charge)
            self.ledger.release(pid, hold, reservation=True, reason="StartJobRun failed")
            raise
        self.ledger.bind(pid, hold, run_id, now)
        budget.spend.transfer(pid, month, charge, f"run#{run_id}")
        decision = upload_decision(
            pid,
            event,
            "started",
            f"{binding.job_name}/{run_id}",
            policy_version=self.policy.version,
            actions=[
                {
                    "call": "glue:StartJobRun",
                    "reason": f"s3://{bucket}/{key} matches an upload trigger",
                    "params": {"JobName": binding.job_name, "Arguments": arguments},
                }
            ],
            after={"run_id": run_id, "arguments": arguments},
            figures={
                "run_dpu": dpu,
                "project_dpu_before": round(before, 4),
                "project_dpu_after": round(before + dpu, 4),
                "project_dpu_cap": cap,
                "object": f"s3://{bucket}/{key}",
                "object_version": event.object_version,
            },
            reason=f"upload trigger {binding.bucket}/{binding.prefix}*{binding.suffix} -> {binding.job_name}",
        )
        self.decisions.record(decision)
        return {
            "outcome": "started",
            "job_name": binding.job_name,
            "run_id": run_id,
            "dpu": dpu,
            "arguments": arguments,
        }

    def _held(
        self,
        project: Project,
        binding: UploadTrigger,
        event: S3ObjectCreatedEvent,
        verdict: Verdict,
        budget: BudgetKeeper,
    ) -> Exception:
        """Record a start the budget holds back (once per object and job); Deferred or Undeliverable to raise."""
        refused = verdict.action is Action.REFUSE
        outcome = "refused" if refused else "deferred"
        bucket, key = event.bucket, event.key
        decision = upload_decision(
            project.project_id,
            event,
            outcome,
            # one deferred and one refused record at most per object and job, however often it is retried
            f"{binding.job_name}/{reservation_id(event.object_identity, binding.job_name)}/{outcome}",
            violations=[{"rule": "project-monthly-budget", "message": verdict.reason, "severity": "medium"}],
            reason=verdict.reason,
            figures={"object": f"s3://{bucket}/{key}"},
        )
        budget.held(project, month_of(self.now()), verdict, outcome, decision)
        return Undeliverable(verdict.reason) if refused else Deferred(verdict.reason)
