"""CloudWatch metrics in Embedded Metric Format (Powertools), with Project and Rule dimensions."""

from __future__ import annotations

import os

NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Glueguard")


def count(name: str, value: float = 1, unit: str = "Count", **dimensions: str) -> None:
    """Emit one metric with its own dimensions (e.g. Project, Rule) as an EMF log line."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(name=name, unit=MetricUnit(unit), value=value, namespace=NAMESPACE) as metric:
        for key, dim_value in dimensions.items():
            metric.add_dimension(name=key, value=str(dim_value))


#: Metric names the dashboard reads (template.yaml PlaneDashboard).
RUN_COST_USD = "RunCostUsd"
RUN_DPU_HOURS = "RunDPUHours"
RUNS_STOPPED = "RunsStopped"


def run_cost(project_id: str, job_name: str, cost_usd: float, dpu_hours: float) -> None:
    """The cost of one finished run, with Project and Job dimensions (call it once per terminal run)."""
    count(RUN_COST_USD, cost_usd, unit="None", Project=project_id, Job=job_name)
    count(RUN_DPU_HOURS, dpu_hours, unit="None", Project=project_id, Job=job_name)
