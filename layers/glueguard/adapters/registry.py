"""The project registry (DynamoDB): one item per project, keyed by project_id."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

from glueguard.adapters.dynamo import from_item, table, to_item
from glueguard.models.project import Project, ProjectStatus, UploadTrigger
from glueguard.naming import require_project_id
from glueguard.policy.settings import cache_seconds


class ProjectExists(Exception):
    """A project id that is already registered."""


class ProjectNotFound(LookupError):
    """A project id the registry does not hold."""


class InvalidUploadTrigger(ValueError):
    """An upload binding that cannot belong to the project; the message says why."""


class Registry:
    """Read and write project entries. Entries read are kept as long as the policy (GLUEGUARD_POLICY_TTL_SECONDS):
    a project's `policy_overrides` change within the same time as the policy. The time is the wall clock's
    (`time.time`), the one clock there is: in the sandbox, `sandbox tick` expires the cache too."""

    def __init__(self, table_name: str | None = None) -> None:
        self.table_name = table_name or os.environ["GLUEGUARD_PROJECTS_TABLE"]
        self._cache: dict[str, Project] = {}
        self._cached_at: dict[str, float] = {}
        self.clock: Callable[[], float] = time.time

    @cached_property
    def _table(self) -> Any:
        return table(self.table_name)

    def get(self, project_id: str, *, cached: bool = True) -> Project | None:
        require_project_id(project_id)
        if cached and project_id in self._cache and 0 <= self.clock() - self._cached_at[project_id] < cache_seconds():
            return self._cache[project_id]
        item = self._table.get_item(Key={"project_id": project_id}, ConsistentRead=True).get("Item")
        project = Project.model_validate(from_item(item)) if item else None
        if project is not None:  # never cache absence: provisioning creates resources before it registers
            self._cache[project_id] = project
            self._cached_at[project_id] = self.clock()
        return project

    def require(self, project_id: str) -> Project:
        project = self.get(project_id)
        if project is None:
            raise ProjectNotFound(f"project {project_id} is not registered")
        return project

    def create(self, project: Project) -> None:
        """Register a new project; raise ProjectExists if the id is taken."""
        from botocore.exceptions import ClientError

        from glueguard.adapters.clients import acting_account

        if project.account_id is None:  # created in the account being acted in
            region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
            project = project.model_copy(update={"account_id": acting_account(), "region": project.region or region})
        try:
            self._table.put_item(
                Item=to_item(project.model_dump(mode="json", by_alias=False)),
                ConditionExpression="attribute_not_exists(project_id)",
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ProjectExists(f"project {project.project_id} already exists") from None
            raise
        self._cache.pop(project.project_id, None)

    def claim(self, project: Project, *, from_statuses: tuple[ProjectStatus, ...]) -> None:
        """Replace an entry only while its status is one of `from_statuses` (e.g. retry a FAILED provisioning);
        raise ProjectExists otherwise. A missing entry is created."""
        from botocore.exceptions import ClientError

        values = {f":s{i}": str(s) for i, s in enumerate(from_statuses)}
        try:
            self._table.put_item(
                Item=to_item(project.model_dump(mode="json")),
                ConditionExpression="attribute_not_exists(project_id) OR #status IN (" + ", ".join(values) + ")",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise ProjectExists(f"project {project.project_id} already exists") from None
            raise
        self._cache.pop(project.project_id, None)

    def put(self, project: Project) -> None:
        """Write the whole entry (create or replace)."""
        self._table.put_item(Item=to_item(project.model_dump(mode="json")))
        self._cache.pop(project.project_id, None)

    def update(self, project_id: str, **fields: Any) -> None:
        """Set top-level attributes of an existing entry (e.g. status, status_reason, resources)."""
        require_project_id(project_id)
        if not fields:
            return
        names = {f"#f{i}": key for i, key in enumerate(fields)}
        values = {f":v{i}": to_item(_jsonable(value)) for i, value in enumerate(fields.values())}
        self._table.update_item(
            Key={"project_id": project_id},
            UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
            ConditionExpression="attribute_exists(project_id)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
        self._cache.pop(project_id, None)

    def set_status(self, project_id: str, status: ProjectStatus, reason: str | None = None) -> None:
        self.update(project_id, status=str(status), status_reason=reason)

    def delete(self, project_id: str) -> None:
        self._table.delete_item(Key={"project_id": project_id})
        self._cache.pop(project_id, None)

    # ------------------------------------------------------------------ upload bindings
    def upload_triggers(self, project_id: str) -> list[UploadTrigger]:
        """The project's upload bindings; ProjectNotFound when it is not registered."""
        project = self.get(project_id, cached=False)
        if project is None:
            raise ProjectNotFound(f"project {project_id} is not registered")
        return list(project.upload_triggers)

    def add_upload_trigger(
        self, project_id: str, trigger: UploadTrigger, job_outputs: Iterable[str] = ()
    ) -> list[UploadTrigger]:
        """Add a binding (validated against the project and the S3 locations its job writes, `job_outputs`);
        an identical one is not added twice. Returns all."""
        project = self.get(project_id, cached=False)
        if project is None:
            raise ProjectNotFound(f"project {project_id} is not registered")
        if problems := trigger.problems(project_id, project.bucket_names, job_outputs):
            raise InvalidUploadTrigger(f"upload trigger for project {project_id}: " + "; ".join(problems))
        if trigger in project.upload_triggers:
            return list(project.upload_triggers)
        self._table.update_item(
            Key={"project_id": project_id},
            UpdateExpression="SET upload_triggers = list_append(if_not_exists(upload_triggers, :empty), :new)",
            ConditionExpression="attribute_exists(project_id)",
            ExpressionAttributeValues={":empty": [], ":new": [to_item(trigger.model_dump(mode="json"))]},
        )
        self._cache.pop(project_id, None)
        return [*project.upload_triggers, trigger]

    def remove_upload_trigger(self, project_id: str, index: int) -> UploadTrigger:
        """Remove the binding at `index` (as `upload_triggers` lists them); return it."""
        triggers = self.upload_triggers(project_id)
        if not 0 <= index < len(triggers):
            raise InvalidUploadTrigger(f"project {project_id} has no upload trigger #{index} ({len(triggers)} bound)")
        self._table.update_item(
            Key={"project_id": project_id},
            UpdateExpression=f"REMOVE upload_triggers[{index}]",
            ConditionExpression="size(upload_triggers) = :n",
            ExpressionAttributeValues={":n": len(triggers)},
        )
        self._cache.pop(project_id, None)
        return triggers[index]

    def list(self) -> list[Project]:
        """Every registered project (paginated scan)."""
        projects: list[Project] = []
        kwargs: dict[str, Any] = {}
        while True:
            page = self._table.scan(**kwargs)
            projects.extend(Project.model_validate(from_item(item)) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return projects
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _jsonable(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value
