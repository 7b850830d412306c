"""The compliance sweep over a large account: Glue API calls per resource and wall time."""

from __future__ import annotations

import importlib.util
import time
import uuid

from benchmarks.aws import REGION, Account, as_account
from benchmarks.figures import Figure

CALLS_GOAL = 1.05  # issue 7: at most about 1.05 Glue calls per resource


def available() -> bool:
    return importlib.util.find_spec("glueguard.compliance.run") is not None


def pending() -> list[Figure]:
    return [Figure.waiting("sweep: Glue calls per resource", f"<= {CALLS_GOAL}", "compliance sweep not on main")]


def sweep(account: Account) -> list[Figure]:
    """Run the compliance pipeline (as the scheduled Lambda does, reports not written) on `account`."""
    from glueguard.compliance.run import run_compliance
    from glueguard.handlers.compliance import compliance_enforcer

    with as_account(account.account_id):
        started = time.perf_counter()
        outcome = run_compliance(
            compliance_enforcer(), run_id=str(uuid.uuid4()), region=REGION, account=account.account_id
        )
        wall = time.perf_counter() - started
    m = outcome.report.metrics
    calls = sum(outcome.sweep_calls.values())
    figure = Figure.ratio(
        f"sweep: Glue calls per resource ({m.resources:,} jobs)",
        calls,
        m.resources,
        CALLS_GOAL,
        calls=dict(outcome.sweep_calls),
        resources=m.resources,
        compliant_before=m.compliant_before,
        compliant_after=m.compliant_after,
        remediations=m.remediations,
        errors=m.errors,
    )
    figure.unit = "calls"
    wall_figure = Figure(
        f"sweep: wall time ({m.resources:,} jobs)",
        round(wall, 2),
        "report",
        unit="s",
        detail={"per_resource_ms": round(wall / m.resources * 1000, 3), "sweep_seconds": outcome.report.sweep_seconds},
    )
    return [figure, wall_figure]
