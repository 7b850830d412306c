"""Glue triggers and workflows that start job runs, as the Glue developer guide documents ("AWS Glue triggers",
"Adding triggers", "Triggers" API); moto 5.2.5 only records their state.

- ON_DEMAND: StartTrigger fires its actions at once; the trigger stays CREATED (it is never ACTIVATED).
- SCHEDULED: StartTrigger (or StartOnCreation) activates it; an ACTIVATED one fires at each time its cron
  expression matches, on the sandbox's schedule clock (`fire_scheduled()`, called by the sandbox ticker).
- CONDITIONAL: an ACTIVATED one fires when a watched job's run ends in the watched state
  (SUCCEEDED/STOPPED/FAILED/TIMEOUT); `Logical: ANY` on any condition, `AND` when every watched job's latest
  run matches. As on AWS, only runs that a trigger started count ("the watched jobs must have been started by
  triggers"); inside a workflow, only runs of the same workflow run.
- StartWorkflowRun fires the workflow's start triggers (its ON_DEMAND and SCHEDULED triggers).

Runs a trigger starts are started by Glue itself: there is no caller, so no `StartJobRun` CloudTrail event
(the runs are started on the backend, never through the API the CloudTrail middleware logs). GetJobRun shows
`TriggerName`. An action whose job no longer exists starts nothing (Glue records such a run as ERROR).
"""

from __future__ import annotations

import logging
from typing import Any

from moto.glue.exceptions import ConcurrentRunsExceededException, EntityNotFoundException, InvalidInputException
from moto.glue.models import FakeJobRun, FakeTrigger, GlueBackend, glue_backends

log = logging.getLogger(__name__)

#: Job states a conditional trigger can watch (the developer guide's table of completion states).
WATCHED_STATES = frozenset({"SUCCEEDED", "STOPPED", "FAILED", "TIMEOUT"})


# ------------------------------------------------------------------------------- backend models
def fire(backend: GlueBackend, trigger: FakeTrigger, workflow_run_id: str | None = None) -> list[str]:
    """Start every action of `trigger` as Glue would (no caller); return the job run ids started."""
    run_ids: list[str] = []
    for action in trigger.actions:
        if action.crawler_name:
            try:
                backend.start_crawler(action.crawler_name)
            except Exception as exc:  # a running or deleted crawler: Glue skips it too
                log.info("trigger %s: crawler %s not started: %s", trigger.name, action.crawler_name, exc)
            continue
        if not action.job_name:
            continue
        try:
            run_id = backend.start_job_run(
                name=action.job_name,
                arguments=action.arguments,
                allocated_capacity=None,
                max_capacity=None,
                timeout=action.timeout,
                worker_type=None,
                security_configuration=action.security_configuration,
                number_of_workers=None,
                notification_property=action.notification_property,
                previous_run_id=None,
            )
        except (EntityNotFoundException, ConcurrentRunsExceededException, InvalidInputException) as exc:
            # InvalidInputException: the run breaks the usage profile saved on the job (glue/profiles.py)
            log.info("trigger %s: job %s not started: %s", trigger.name, action.job_name, exc)
            continue
        run = backend.jobs[action.job_name].job_runs[-1]  # read without advancing it (a 0 s run ends on read)
        run.gg_trigger = trigger.name
        run.gg_workflow_run = workflow_run_id
        run_ids.append(run_id)
    return run_ids


def start_trigger(backend: GlueBackend, name: str) -> None:
    """ON_DEMAND triggers fire now and stay CREATED; the others become ACTIVATED."""
    trigger = backend.get_trigger(name)
    if trigger.trigger_type == "ON_DEMAND":
        fire(backend, trigger)
        return
    trigger.start_trigger()


def start_workflow_run(backend: GlueBackend, original: Any, name: str, properties: dict[str, str] | None) -> str:
    run_id = original(backend, name, properties)
    for trigger in list(backend.triggers.values()):
        if trigger.workflow_name == name and trigger.trigger_type in ("ON_DEMAND", "SCHEDULED"):
            fire(backend, trigger, workflow_run_id=run_id)
    return run_id


def on_run_end(run: FakeJobRun) -> None:
    """A run started by a trigger ended: fire the ACTIVATED conditional triggers it satisfies."""
    if not getattr(run, "gg_trigger", None) or run.gg_status not in WATCHED_STATES or not hasattr(run, "gg_job"):
        return
    backend = run.gg_job.backend
    for trigger in list(backend.triggers.values()):
        if trigger.trigger_type != "CONDITIONAL" or trigger.state != "ACTIVATED" or trigger.predicate is None:
            continue
        if trigger.workflow_name and trigger.workflow_name != _workflow_of(backend, run):
            continue
        if _satisfied(backend, trigger, run):
            fire(backend, trigger, workflow_run_id=getattr(run, "gg_workflow_run", None))


def _workflow_of(backend: GlueBackend, run: FakeJobRun) -> str | None:
    started_by = backend.triggers.get(run.gg_trigger)
    return started_by.workflow_name if started_by else None


def _satisfied(backend: GlueBackend, trigger: FakeTrigger, ended: FakeJobRun) -> bool:
    conditions = [c for c in trigger.predicate.conditions if c.job_name]
    matches = [c for c in conditions if c.job_name == ended.job_name and c.state.value == ended.gg_status]
    if not matches:
        return False
    if (trigger.predicate.logical.value if trigger.predicate.logical else "AND") == "ANY":
        return True
    return all(_latest_triggered_state(backend, c.job_name) == c.state.value for c in conditions)


def _latest_triggered_state(backend: GlueBackend, job_name: str) -> str | None:
    job = backend.jobs.get(job_name)
    runs = [r for r in (job.job_runs if job else []) if getattr(r, "gg_trigger", None)]
    return runs[-1].gg_status if runs else None


def fire_scheduled(force: bool = False) -> int:
    """Fire every ACTIVATED SCHEDULED trigger whose cron is due on the sandbox's schedule clock (all of them if
    `force`); return how many fired."""
    from glueguard_sandbox.emulator.schedules import schedules

    fired = 0
    for _account, regions in list(glue_backends.items()):
        for _region, backend in list(regions.items()):
            for trigger in list(backend.triggers.values()):
                if trigger.trigger_type != "SCHEDULED" or trigger.state != "ACTIVATED" or not trigger.schedule:
                    continue
                if schedules.due(trigger.arn, trigger.schedule, force) is not None:
                    fire(backend, trigger)
                    fired += 1
    return fired


def install() -> None:
    from glueguard_sandbox.emulator.glue import runs as glue_runs

    glue_runs.on_terminal.append(on_run_end)
    original_workflow_run = GlueBackend.start_workflow_run
    GlueBackend.start_trigger = start_trigger  # type: ignore[method-assign]

    def patched_workflow_run(self: GlueBackend, workflow_name: str, properties: dict[str, str] | None) -> str:
        return start_workflow_run(self, original_workflow_run, workflow_name, properties)

    GlueBackend.start_workflow_run = patched_workflow_run  # type: ignore[method-assign]


__all__ = ["fire", "fire_scheduled", "install", "on_run_end", "start_trigger"]
