"""Stopping a job run: BatchStopJobRun, then the decision with the run's figures."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from glueguard.models.decision import Decision
from glueguard.runs.caps import Breach
from glueguard.runs.guard_context import FUNCTION, GuardContext, Trigger
from glueguard.runs.job_run import JobRun

logger = logging.getLogger(__name__)


@dataclass
class RunStopper:
    ctx: GuardContext

    def read(self, job_name: str, run_id: str) -> JobRun | None:
        """The run as Glue reports it now, or None when it does not exist."""
        raw = self.read_raw(job_name, run_id)
        return JobRun.from_api(raw) if raw is not None else None

    def read_raw(self, job_name: str, run_id: str) -> dict[str, Any] | None:
        """GetJobRun's `JobRun`, or None when it does not exist."""
        glue = self.ctx.glue
        try:
            return glue.get_job_run(JobName=job_name, RunId=run_id)["JobRun"]
        except glue.exceptions.EntityNotFoundException:
            return None

    def stop(
        self,
        pid: str,
        run: JobRun,
        breaches: list[Breach],
        figures: dict[str, Any],
        trigger: Trigger,
        outcome: str = "stopped",
    ) -> Decision | None:
        """BatchStopJobRun, then record, measure and notify; None when Glue says the run had already ended."""
        response = self.ctx.glue.batch_stop_job_run(JobName=run.job_name, JobRunIds=[run.run_id])
        if not response.get("SuccessfulSubmissions"):
            logger.info("run %s could not be stopped: %s", run.run_id, response.get("Errors") or [])
            return None
        reason = "; ".join(b.message for b in breaches)
        if run.trigger_name:
            reason += f" (run started by trigger {run.trigger_name})"
        decision = Decision(
            project_id=pid,
            event_id=trigger.event_id,
            event_name=trigger.event_name,
            function=FUNCTION,
            resource_kind="jobrun",
            resource_name=f"{run.job_name}/{run.run_id}",
            principal=trigger.principal or run.started_by,
            outcome=outcome,
            severity="high",
            policy_version=self.ctx.policy.version,
            violations=[b.to_dict() for b in breaches],
            actions=[
                {
                    "call": "glue:BatchStopJobRun",
                    "reason": reason,
                    "params": {"JobName": run.job_name, "JobRunIds": [run.run_id]},
                }
            ],
            before={
                "state": run.state,
                "dpu": run.dpu,
                "worker_type": run.worker_type,
                "workers": run.workers,
                "timeout_minutes": run.timeout_minutes,
                "started_on": run.started_on.isoformat() if run.started_on else None,
                "trigger_name": run.trigger_name,
            },
            after={"state": "STOPPING"},
            figures=figures,
            reason=reason,
        )
        self.ctx.publish(decision, breaches[0].rule)
        return decision
