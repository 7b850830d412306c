"""AWS's own billing view of a project's month (Cost Explorer), to reconcile the plane's spend against."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from glueguard.adapters.clients import client

logger = logging.getLogger(__name__)

GLUE_SERVICE = "AWS Glue"


def month_to_date_usd(
    project_tag: str, month: str, today: date, client_for: Callable[[str], Any] = client
) -> tuple[float | None, str]:
    """Glue's unblended cost of the resources tagged `Project=<project_tag>` in `month` (YYYY-MM) up to `today`.

    Returns (amount, "") or (None, why not): Cost Explorer may be off, not allowed, or have no data yet.
    """
    start = date.fromisoformat(f"{month}-01")
    end = min(today + timedelta(days=1), (start + timedelta(days=32)).replace(day=1))
    if end <= start:
        return None, "the month has not started"
    try:
        result = client_for("ce").get_cost_and_usage(
            TimePeriod={"Start": start.isoformat(), "End": end.isoformat()},
            Granularity="MONTHLY",
            Metrics=["UnblendedCost"],
            Filter={
                "And": [
                    {"Dimensions": {"Key": "SERVICE", "Values": [GLUE_SERVICE]}},
                    {"Tags": {"Key": "Project", "Values": [project_tag]}},
                ]
            },
        )
    except Exception as exc:  # Cost Explorer is optional: report why it is unavailable
        logger.info("Cost Explorer unavailable for %s: %s", project_tag, exc)
        return None, f"Cost Explorer unavailable: {exc}"
    periods = result.get("ResultsByTime") or []
    if not periods:
        return None, "Cost Explorer has no data for the month yet"
    return round(sum(float(p["Total"]["UnblendedCost"]["Amount"]) for p in periods), 4), ""
