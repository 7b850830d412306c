"""The run guard's failure notifications: a failed run's first message, and each closed window's digest."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from botocore.exceptions import ClientError

from glueguard import cost
from glueguard.adapters.failures import FailureLog
from glueguard.models.project import Project
from glueguard.runs.failures import (
    Failure,
    attributes,
    digest_message,
    first_message,
    is_failure,
    window_closed,
    window_of,
)
from glueguard.runs.guard_context import GuardContext
from glueguard.runs.job_run import as_utc

logger = logging.getLogger(__name__)


@dataclass
class FailureAlerts:
    ctx: GuardContext
    log: FailureLog
    region: str

    def ended(self, project: Project, run: Mapping[str, Any]) -> bool:
        """Count a FAILED, TIMEOUT or ERROR run (once); the first of its job's window is sent at once."""
        if not is_failure(run):
            return False
        failure = Failure.of(project.project_id, run, cost.run_cost(run, self.ctx.policy_for(project)), self.region)
        start = window_of(as_utc(run.get("CompletedOn")) or self.ctx.now())
        count = self.log.count(project.project_id, failure.job_name, start, failure.run_id, asdict(failure))
        if count == 1 and self._publish(project, failure.job_name, failure.state, *first_message(failure, start)):
            self.log.told(project.project_id, failure.job_name, start, 1)
        return count > 0

    def digest(self, project: Project) -> int:
        """One message per closed window with failures not yet told (their count and run ids); how many sent."""
        now, sent = self.ctx.now(), 0
        for window in self.log.untold(project.project_id):
            if not window_closed(window.start, now):
                continue
            state = str(window.last.get("state", "FAILED"))
            subject, body = digest_message(
                project.project_id, window.job_name, window.start, window.failures, window.run_ids, window.last
            )
            if self._publish(project, window.job_name, state, subject, body):
                self.log.told(project.project_id, window.job_name, window.start, window.failures)
                sent += 1
        return sent

    def _publish(self, project: Project, job_name: str, state: str, subject: str, body: str) -> bool:
        topic = project.resources.notifications_topic_arn
        if not topic:
            logger.info(
                "project %s has no notifications topic; failure of %s counted only", project.project_id, job_name
            )
            return False
        try:
            self.ctx.client_for("sns").publish(
                TopicArn=topic,
                Subject=subject,
                Message=body,
                MessageAttributes=attributes(project.project_id, job_name, state),
            )
        except ClientError as exc:  # counted, not told: the window's digest tells it once the window closes
            logger.warning("failure of %s not notified yet: %s", job_name, exc)
            return False
        return True
