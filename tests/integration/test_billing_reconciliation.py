"""The plane's month beside AWS's own figure: Cost Explorer where it has data, else the project's budget."""

from __future__ import annotations

from datetime import UTC, date, datetime

import boto3
import pytest
import requests
from glueguard.adapters.billing import INACTIVE_TAG, month_to_date_usd
from glueguard.adapters.clients import client
from glueguard.adapters.registry import Registry
from glueguard.adapters.spend import Spend
from glueguard.metrics.inputs import collect
from glueguard.policy.settings import Policy

TODAY = date(2026, 11, 20)


def _queue_cost_explorer(amount: str) -> None:
    result = {
        "results": [
            {
                "ResultsByTime": [
                    {
                        "TimePeriod": {"Start": "2026-11-01", "End": "2026-11-21"},
                        "Total": {"UnblendedCost": {"Amount": amount, "Unit": "USD"}},
                        "Groups": [],
                        "Estimated": True,
                    }
                ]
            }
        ]
    }
    requests.post("http://motoapi.amazonaws.com/moto-api/static/ce/cost-and-usage-results", json=result, timeout=5)


def _project_tag(status: str) -> None:
    boto3.client("ce").update_cost_allocation_tags_status(
        CostAllocationTagsStatus=[{"TagKey": "Project", "Status": status}]
    )


def _budget_with_actual_spend(project, amount: str) -> None:
    boto3.client("budgets").create_budget(
        AccountId="123456789012",
        Budget={
            "BudgetName": f"project-{project.project_id}",
            "BudgetLimit": {"Amount": "50", "Unit": "USD"},
            "TimeUnit": "MONTHLY",
            "BudgetType": "COST",
            "CalculatedSpend": {"ActualSpend": {"Amount": amount, "Unit": "USD"}},
        },
    )


def _denied(service: str):
    """A client whose Cost Explorer calls AWS refuses (Cost Explorer not enabled or not allowed)."""
    real = client(service)
    if service == "ce":

        def refuse(**_: object) -> None:
            raise real.exceptions.ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "User not enabled for cost explorer"}},
                "GetCostAndUsage",
            )

        real.meta.events.register("before-call.ce", refuse)  # every Cost Explorer call
    return real


def test_the_report_shows_cost_explorer_beside_the_plane_with_the_difference(project):
    Registry().update(project.project_id, monthly_budget_usd=50)
    Spend().settle(project.project_id, "2026-11", "run#jr_1", 4.4)
    _project_tag("Active")
    _queue_cost_explorer("4.1000000001")
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)

    section = collect([], lambda _: [], Registry().list(), Policy(), now, now, client)

    [check] = section.billing
    assert (check.plane_usd, check.billing_usd, check.difference_usd) == (4.4, 4.1, 0.3)
    assert check.note == "Cost Explorer"


def test_without_cost_explorer_the_project_budget_actual_spend_is_used(project):
    _budget_with_actual_spend(project, "3.25")
    amount, source = month_to_date_usd(project.names.prefix, "2026-11", TODAY, _denied, f"project-{project.project_id}")
    assert (amount, source) == (3.25, "AWS Budgets (ActualSpend)")
    amount, why = month_to_date_usd(project.names.prefix, "2026-10", TODAY, _denied, f"project-{project.project_id}")
    assert amount is None and "only knows the current month" in why


@pytest.mark.parametrize("budget", [None, "project-missing"])
def test_with_neither_the_report_says_why(project, budget):
    amount, why = month_to_date_usd(project.names.prefix, "2026-11", TODAY, _denied, budget)
    assert amount is None and "Cost Explorer unavailable" in why


def test_cost_explorer_answers_zero_for_a_tag_that_is_not_an_active_cost_allocation_tag(aws):
    """Billing user guide, "Using AWS cost allocation tags": a tag must be activated before it can appear in Cost
    Explorer; filtered on an inactive one, GetCostAndUsage answers "0" for each period, not an error."""
    ce = boto3.client("ce")
    project_filter = {"Tags": {"Key": "Project", "Values": ["p"]}}
    request = {
        "TimePeriod": {"Start": "2026-10-15", "End": "2026-11-21"},
        "Granularity": "MONTHLY",
        "Metrics": ["UnblendedCost"],
        "Filter": {"And": [{"Dimensions": {"Key": "SERVICE", "Values": ["AWS Glue"]}}, project_filter]},
    }
    answered = ce.get_cost_and_usage(**request)["ResultsByTime"]
    assert [(r["TimePeriod"], r["Total"]) for r in answered] == [
        ({"Start": "2026-10-15", "End": "2026-11-01"}, {"UnblendedCost": {"Amount": "0", "Unit": "USD"}}),
        ({"Start": "2026-11-01", "End": "2026-11-21"}, {"UnblendedCost": {"Amount": "0", "Unit": "USD"}}),
    ]
    _project_tag("Active")
    assert ce.list_cost_allocation_tags(TagKeys=["Project"])["CostAllocationTags"][0]["Status"] == "Active"
    _queue_cost_explorer("4.1")
    assert ce.get_cost_and_usage(**request)["ResultsByTime"][0]["Total"]["UnblendedCost"]["Amount"] == "4.1"


def test_an_inactive_project_tag_is_no_figure_and_the_report_says_so(project):
    """Not "AWS billed $0, the plane is $4.40 off" (red on main: billing 0.0, difference 4.4): the month has no Cost
    Explorer figure, the budget's ActualSpend stands in, and the note names the tag to activate."""
    Spend().settle(project.project_id, "2026-11", "run#jr_1", 4.4)
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    _project_tag("Inactive")

    [check] = collect([], lambda _: [], Registry().list(), Policy(), now, now, client).billing
    assert (check.plane_usd, check.billing_usd, check.difference_usd) == (4.4, None, None)
    assert INACTIVE_TAG in check.note

    _budget_with_actual_spend(project, "3.25")
    amount, source = month_to_date_usd(project.names.prefix, "2026-11", TODAY, client, f"project-{project.project_id}")
    assert (amount, source) == (3.25, f"AWS Budgets (ActualSpend); {INACTIVE_TAG}")
