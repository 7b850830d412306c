"""Dev endpoints on the schedule: they cannot be stopped, so past their lifetime they are saved, then deleted."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from glueguard.dpu import cost_usd, session_dpu
from glueguard.models.decision import Decision
from glueguard.models.project import Project
from glueguard.naming import project_of
from glueguard.remediation.execute import execute
from glueguard.remediation.plan import Action
from glueguard.remediation.planner import saved_definition_key
from glueguard.runs.caps import Breach
from glueguard.runs.guard_context import GuardContext, Outcome, Trigger, interactive_decision, one_item
from glueguard.runs.guard_interactive import DEVENDPOINT, InteractiveCapacity
from glueguard.runs.job_run import as_utc

if TYPE_CHECKING:
    from glueguard.runs.guard_budget import RunBudget

RULE = "devendpoint-lifetime-cap"


@dataclass
class DevEndpointSweep:
    ctx: GuardContext
    budget: RunBudget

    def sweep(self, projects: dict[str, Project], trigger: Trigger) -> Outcome:
        """Save then delete dev endpoints past their lifetime. One deleted since GetDevEndpoints, or any one
        endpoint's failure, never stops the sweep of the others."""
        decisions: list[Decision] = []
        counts: Counter[str] = Counter()
        for endpoint in self._endpoints():
            name = endpoint.get("EndpointName", "")
            project = projects.get(project_of(name) or "")
            if project is None or as_utc(endpoint.get("CreatedTimestamp")) is None:
                continue
            decided = one_item(counts, "dev_endpoints", name, self._judge, project, endpoint, trigger)
            if decided is not None:
                decisions.append(decided)
        if decisions:
            counts["dev_endpoints_deleted"] = len(decisions)
        if released := InteractiveCapacity(self.ctx).release_ended(projects, DEVENDPOINT):
            counts["dev_endpoints_released"] = released
        return Outcome("swept", "dev endpoints", decisions, dict(counts))

    def _judge(self, project: Project, endpoint: dict[str, Any], trigger: Trigger) -> Decision | None:
        """Charge one endpoint's time and remove it when it is past its lifetime; its decision, or None."""
        now, name = self.ctx.now(), endpoint["EndpointName"]
        self.budget.accrue_dev_endpoint(project, endpoint, now)
        capacity = InteractiveCapacity(self.ctx)  # one whose creation named none enters the ledger here
        admitted = capacity.admit(DEVENDPOINT, name, trigger, lambda p, r, b: self.remove_unfit(p, r, b, trigger))
        if admitted.decisions:
            return admitted.decisions[0]
        limit = self.ctx.policy_for(project).dev_endpoint_lifetime_max_hours
        age_hours = (now - as_utc(endpoint["CreatedTimestamp"])).total_seconds() / 3600.0
        if age_hours <= limit:
            return None
        decision = self._remove(project, endpoint, age_hours, limit, now, trigger)
        self.ctx.publish(decision, RULE)
        self.ctx.ledger.release(project.project_id, name, reason="deleted past its lifetime")
        return decision

    def remove_unfit(self, project: Project, endpoint: dict[str, Any], breach: Breach, trigger: Trigger) -> Decision:
        """A new endpoint that does not fit the project's DPU cap: saved, then deleted (it cannot be stopped)."""
        decision = self._remove(project, endpoint, 0.0, 0.0, self.ctx.now(), trigger, breach)
        self.ctx.publish(decision, breach.rule)
        return decision

    def _endpoints(self) -> list[dict[str, Any]]:
        endpoints: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self.ctx.glue.get_dev_endpoints(**({"NextToken": token} if token else {}))
            endpoints.extend(page.get("DevEndpoints", []))
            if not (token := page.get("NextToken")):
                return endpoints

    def _remove(
        self,
        project: Project,
        endpoint: dict[str, Any],
        age_hours: float,
        limit: float,
        now: datetime,
        trigger: Trigger,
        breach: Breach | None = None,
    ) -> Decision:
        """Save the full definition to the project's artifacts bucket, then delete the endpoint (past its lifetime,
        or, with `breach`, because it does not fit the project's DPU cap)."""
        name = endpoint["EndpointName"]
        breach = breach or Breach(
            RULE, f"dev endpoint is {age_hours:.1f} h old, over the lifetime cap of {limit} h", age_hours, limit
        )
        message = breach.message
        document = {
            "savedBy": "glueguard",
            "savedAt": now.isoformat(),
            "eventId": trigger.event_id,
            "project": project.project_id,
            "kind": "devendpoint",
            "name": name,
            "definition": endpoint,
        }
        actions = [
            Action(
                "s3",
                "put_object",
                {
                    "Bucket": project.bucket("artifacts"),
                    "Key": saved_definition_key("devendpoint", name, now),
                    "Body": json.dumps(document, default=str, indent=2, sort_keys=True),
                    "ContentType": "application/json",
                },
                "save the full definition before deleting",
            ),
            Action("glue", "delete_dev_endpoint", {"EndpointName": name}, message),
        ]
        dpu = session_dpu(endpoint)
        price = self.ctx.policy_for(project).price_per_dpu_hour
        return interactive_decision(
            project,
            trigger,
            breach,
            self.ctx.policy,
            kind="devendpoint",
            name=name,
            outcome="deleted",
            actions=execute(actions, self.ctx.client_for),
            before={"definition": endpoint},
            figures={
                "age_hours": round(age_hours, 2),
                "lifetime_cap_hours": limit,
                "dpu": dpu,
                "estimated_cost_per_day_avoided_usd": cost_usd(dpu * 24, price),
            },
        )
