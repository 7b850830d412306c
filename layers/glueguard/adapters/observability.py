"""Glue's job observability metrics (CloudWatch namespace `Glue`): a run's average worker utilization."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from glueguard.adapters.clients import client

NAMESPACE = "Glue"
WORKER_UTILIZATION = "glue.driver.workerUtilization"
FLAG = "--enable-observability-metrics"


def enabled(job: Mapping[str, Any], run: Mapping[str, Any]) -> bool:
    """The run reports observability metrics (the run's argument, else the job's default argument)."""
    arguments = {**(job.get("DefaultArguments") or {}), **(run.get("Arguments") or {})}
    return str(arguments.get(FLAG, "")).lower() == "true"


def worker_utilization(run: Mapping[str, Any], client_for: Callable[[str], Any] = client) -> float | None:
    """The run's average `glue.driver.workerUtilization` (0-1) over its life, or None when none was reported."""
    started, completed = run.get("StartedOn"), run.get("CompletedOn")
    if started is None or completed is None:
        return None
    dimensions = [
        {"Name": "JobName", "Value": run["JobName"]},
        {"Name": "JobRunId", "Value": run["Id"]},
        {"Name": "Type", "Value": "gauge"},
        {"Name": "ObservabilityGroup", "Value": "resource_utilization"},
    ]
    seconds = max(60, int((completed - started).total_seconds()) + 120)
    points = (
        client_for("cloudwatch")
        .get_metric_statistics(
            Namespace=NAMESPACE,
            MetricName=WORKER_UTILIZATION,
            Dimensions=dimensions,
            StartTime=started - timedelta(minutes=1),
            EndTime=completed + timedelta(minutes=1),
            Period=((seconds + 59) // 60) * 60,
            Statistics=["Average", "SampleCount"],
        )
        .get("Datapoints", [])
    )
    count = sum(p["SampleCount"] for p in points)
    return round(sum(p["Average"] * p["SampleCount"] for p in points) / count, 4) if count else None
