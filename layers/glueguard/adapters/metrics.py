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
