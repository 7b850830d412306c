"""AWS's own billing view of a project's month, to reconcile the plane's spend against: Cost Explorer, else the
project's AWS Budgets budget (its ActualSpend for the current period)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from glueguard.adapters.clients import client

logger = logging.getLogger(__name__)

GLUE_SERVICE = "AWS Glue"
#: The tag Cost Explorer filters a project's cost by (a mandatory tag of every project resource).
PROJECT_TAG = "Project"
INACTIVE_TAG = (
    f"the cost allocation tag {PROJECT_TAG} is not active, so Cost Explorer answers 0 for every project: "
    "activate it (Billing console, Cost allocation tags; ce:UpdateCostAllocationTagsStatus)"
)


def month_to_date_usd(
    project_tag: str,
    month: str,
    today: date,
    client_for: Callable[[str], Any] = client,
    budget_name: str | None = None,
) -> tuple[float | None, str]:
    """AWS's figure for the project's month: Cost Explorer, else its budget's ActualSpend; (amount, source).

    Returns (None, why not) when neither has it.
    """
    amount, why = cost_explorer_usd(project_tag, month, today, client_for)
    if amount is not None or not budget_name:
        return amount, why or "Cost Explorer"
    if month != f"{today:%Y-%m}":
        return None, f"{why}; the budget only knows the current month"
    spent, budget_why = budget_actual_usd(budget_name, client_for)
    if spent is None:
        return None, f"{why}; {budget_why}"
    return spent, "AWS Budgets (ActualSpend)" + (f"; {why}" if why == INACTIVE_TAG else "")


def budget_actual_usd(budget_name: str, client_for: Callable[[str], Any] = client) -> tuple[float | None, str]:
    """The budget's ActualSpend (AWS Budgets refreshes it up to three times a day)."""
    try:
        account = client_for("sts").get_caller_identity()["Account"]
        found = client_for("budgets").describe_budget(AccountId=account, BudgetName=budget_name)["Budget"]
    except Exception as exc:
        return None, f"AWS Budgets unavailable: {exc}"
    actual = (found.get("CalculatedSpend") or {}).get("ActualSpend")
    return (round(float(actual["Amount"]), 4), "") if actual else (None, "the budget has no ActualSpend yet")


def cost_explorer_usd(
    project_tag: str, month: str, today: date, client_for: Callable[[str], Any] = client
) -> tuple[float | None, str]:
    """Glue's unblended cost of the resources tagged `Project=<project_tag>` in `month` (YYYY-MM) up to `today`.

    Returns (amount, "") or (None, why not): Cost Explorer may be off, not allowed, or have no data yet, and it
    answers "0", not an error, for a tag that is not an active cost allocation tag ("Using AWS cost allocation
    tags"): that zero is no figure, and says so.
    """
    start = date.fromisoformat(f"{month}-01")
    end = min(today + timedelta(days=1), (start + timedelta(days=32)).replace(day=1))
    if end <= start:
        return None, "the month has not started"
    try:
        if not project_tag_active(client_for):
            logger.warning(INACTIVE_TAG)
            return None, INACTIVE_TAG
        result = client_for("ce").get_cost_and_usage(
            TimePeriod={"Start": start.isoformat(), "End": end.isoformat()},
            Granularity="MONTHLY",
            Metrics=["UnblendedCost"],
            Filter={
                "And": [
                    {"Dimensions": {"Key": "SERVICE", "Values": [GLUE_SERVICE]}},
                    {"Tags": {"Key": PROJECT_TAG, "Values": [project_tag]}},
                ]
            },
        )
    except Exception as exc:  # Cost Explorer is optional: report why it is unavailable
        logger.info("Cost Explorer unavailable for %s: %s", project_tag, exc)
        return None, f"Cost Explorer unavailable: {exc}"
    amounts = [
        float(cost["Amount"])
        for period in result.get("ResultsByTime") or []
        if (cost := (period.get("Total") or {}).get("UnblendedCost"))
    ]
    if not amounts:
        return None, "Cost Explorer has no data for the month yet"
    return round(sum(amounts), 4), ""


def project_tag_active(client_for: Callable[[str], Any] = client) -> bool:
    """Whether `Project` is an active cost allocation tag (Cost Explorer filters by active tags only)."""
    listed = client_for("ce").list_cost_allocation_tags(TagKeys=[PROJECT_TAG], Type="UserDefined")
    return any(tag.get("Status") == "Active" for tag in listed.get("CostAllocationTags") or [])
