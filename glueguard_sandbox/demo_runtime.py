"""`make demo`, runtime scenes: the run guard stops a run over the project's DPU cap; an upload starts a job."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.table import Table

STOPPED = ("STOPPING", "STOPPED")


def _wait(check: Callable[[], Any], seconds: float = 15.0) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def scenes(console: Console, outputs: dict[str, str], project_id: str, glue: Any, admin: Callable[[str], Any]) -> None:
    """Scenes 6 and 7 of the demo (`glue` is the scientist's client, `admin(service)` a plane-side client)."""
    from glueguard.adapters.decisions import DecisionLog
    from glueguard.adapters.registry import Registry
    from glueguard.models.project import UploadTrigger

    from glueguard_sandbox.seed import make_job

    os.environ["GLUEGUARD_PROJECTS_TABLE"] = outputs["ProjectsTableName"]
    project = Registry().require(project_id)
    batch = make_job(project, "batch", concurrency=5, glue=admin("glue"))

    console.rule("[bold]6 · three runs of 40 workers each on a project capped at 100 DPU")
    runs = [glue.start_job_run(JobName=batch, NumberOfWorkers=40)["JobRunId"] for _ in range(3)]
    console.print("alice called StartJobRun three times with NumberOfWorkers=40 (the job says 10)")

    def state(run_id: str) -> str:
        return glue.get_job_run(JobName=batch, RunId=run_id)["JobRun"]["JobRunState"]

    _wait(lambda: state(runs[2]) in STOPPED)
    table = Table(title="runs")
    for column in ("run", "workers", "state"):
        table.add_column(column)
    for run_id in runs:
        current = state(run_id)
        table.add_row(run_id[:12] + "…", "40", f"[magenta]{current}[/]" if current in STOPPED else current)
    console.print(table)
    stops = _wait(lambda: [d for d in DecisionLog().list(project_id) if d.outcome == "stopped"])
    for decision in stops or []:
        f = decision.figures
        console.print(
            f"  • [magenta]stopped[/] the newest run: project {f['project_dpu_before']:g} → "
            f"{f['project_dpu_after']:g} DPU (cap {f['project_dpu_cap']:g}); "
            f"estimated cost avoided ${f['estimated_cost_avoided_usd']:.2f} at ${f['price_per_dpu_hour']}/DPU-hour"
        )

    console.rule("[bold]7 · a file lands under a bound prefix and starts its job, once")
    ingest = make_job(project, "ingest", concurrency=5, glue=admin("glue"))
    bucket = project.names.artifacts_bucket
    s3 = admin("s3")
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}})
    Registry().add_upload_trigger(
        project_id,
        UploadTrigger(
            bucket=bucket,
            prefix="incoming/",
            suffix=".csv",
            jobName=ingest,
            arguments={"--input_path": "s3://{bucket}/{key}"},
        ),
    )
    console.print(f"binding: s3://{bucket}/incoming/*.csv → {ingest} --input_path s3://{{bucket}}/{{key}}")
    s3.put_object(Bucket=bucket, Key="incoming/2026-11-28.csv", Body=b"id,value\n1,42\n")
    started = _wait(lambda: glue.get_job_runs(JobName=ingest)["JobRuns"])
    for run in started or []:
        console.print(f"  • run {run['Id'][:12]}… started with --input_path {run['Arguments'].get('--input_path')}")
    console.print("[dim]bindings, any time:[/] glueguard uploads list " + project_id)
