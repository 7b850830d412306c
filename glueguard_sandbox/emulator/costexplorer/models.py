"""Cost allocation tags in Cost Explorer, as the Billing user guide documents them ("Using AWS cost allocation
tags": "You must activate both types of tags separately before they can appear in Cost Explorer"):

- ListCostAllocationTags / UpdateCostAllocationTagsStatus keep each user-defined key's Status (Active, Inactive)
  per account; moto 5.2.5 implements neither.
- GetCostAndUsage filtered on a tag key that is not active matches no cost: every period answers an Amount of
  "0" for each metric, not an error (moto answers its queued results, or nothing). With every filtered key active
  it answers as moto does (`/moto-api/static/ce/cost-and-usage-results`).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from moto.ce.responses import CostExplorerResponse
from moto.core.utils import utcnow


def _of(response: CostExplorerResponse) -> dict[str, dict[str, Any]]:
    """The account's cost allocation tags by key, kept on its Cost Explorer backend (reset with it)."""
    backend = response.ce_backend
    if not hasattr(backend, "gg_cost_allocation_tags"):
        backend.gg_cost_allocation_tags = {}  # type: ignore[attr-defined]
    return backend.gg_cost_allocation_tags  # type: ignore[attr-defined]


def filtered_tag_keys(expression: dict[str, Any] | None) -> set[str]:
    """The tag keys a GetCostAndUsage Filter expression tests (through And, Or and Not)."""
    if not expression:
        return set()
    keys = {expression["Tags"]["Key"]} if expression.get("Tags", {}).get("Key") else set()
    for nested in (*expression.get("And", []), *expression.get("Or", []), expression.get("Not")):
        keys |= filtered_tag_keys(nested)
    return keys


def periods(start: str, end: str, granularity: str) -> list[tuple[str, str]]:
    """The result periods of [start, end) at DAILY or MONTHLY granularity (HOURLY is answered daily)."""
    first, last = date.fromisoformat(start[:10]), date.fromisoformat(end[:10])
    found: list[tuple[str, str]] = []
    while first < last:
        step = first + timedelta(days=1)
        if granularity == "MONTHLY":
            step = min((first.replace(day=1) + timedelta(days=32)).replace(day=1), last)
        found.append((first.isoformat(), step.isoformat()))
        first = step
    return found


def zero_result(params: dict[str, Any]) -> dict[str, Any]:
    metrics = params.get("Metrics") or []
    span = params.get("TimePeriod") or {}
    by_time = [
        {
            "TimePeriod": {"Start": start, "End": end},
            "Total": {metric: {"Amount": "0", "Unit": "USD"} for metric in metrics},
            "Groups": [],
            "Estimated": True,
        }
        for start, end in periods(span["Start"], span["End"], params.get("Granularity") or "MONTHLY")
    ]
    return {"ResultsByTime": by_time, "DimensionValueAttributes": []}


# ------------------------------------------------------------------------------- wire responses
def _list_cost_allocation_tags(self: CostExplorerResponse) -> str:
    params = json.loads(self.body or "{}")
    found = [
        tag
        for tag in _of(self).values()
        if (not params.get("TagKeys") or tag["TagKey"] in params["TagKeys"])
        and (not params.get("Status") or tag["Status"] == params["Status"])
        and (not params.get("Type") or tag["Type"] == params["Type"])
    ]
    return json.dumps({"CostAllocationTags": found})


def _update_cost_allocation_tags_status(self: CostExplorerResponse) -> str:
    now = utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    for entry in json.loads(self.body or "{}").get("CostAllocationTagsStatus") or []:
        _of(self)[entry["TagKey"]] = {
            "TagKey": entry["TagKey"],
            "Type": "UserDefined",
            "Status": entry["Status"],
            "LastUpdatedDate": now,
        }
    return json.dumps({"Errors": []})


def _get_cost_and_usage(original: Any) -> Any:
    def get_cost_and_usage(self: CostExplorerResponse) -> str:
        params = json.loads(self.body or "{}")
        active = {k for k, tag in _of(self).items() if tag["Status"] == "Active"}
        if filtered_tag_keys(params.get("Filter")) - active:
            return json.dumps(zero_result(params))
        return original(self)

    return get_cost_and_usage


def install() -> None:
    CostExplorerResponse.list_cost_allocation_tags = _list_cost_allocation_tags  # type: ignore[attr-defined]
    CostExplorerResponse.update_cost_allocation_tags_status = _update_cost_allocation_tags_status  # type: ignore[attr-defined]
    CostExplorerResponse.get_cost_and_usage = _get_cost_and_usage(CostExplorerResponse.get_cost_and_usage)  # type: ignore[method-assign]
