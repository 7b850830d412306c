"""The run guard's scheduled reconcile: AWS calls per cycle with 10 jobs and with 10,000 jobs in the account.

Both accounts hold one project with the same 5 admitted runs; one schedule event goes through the run-guard
handler in each, and every AWS call its clients make is counted (botocore `before-call` hooks). The reconcile
reads only the runs the ledger holds, so the count must not grow with the number of jobs (before issue 13 it
was one GetJobRuns per job, plus the GetJobs pages: 10,000 jobs every 5 minutes is ~33 Glue calls a second).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from benchmarks.aws import as_account, moto, setup_account
from benchmarks.figures import Figure

RUNS = 5
GOAL = 1.0  # calls at 10,000 jobs / calls at 10 jobs


def _cycle(account: Any, jobs: int) -> Counter[str]:
    """Seed `jobs` jobs and RUNS admitted runs in `account`, then count the calls of one reconcile cycle."""
    from glueguard.adapters.clients import reset_clients
    from glueguard.handlers import run_guard

    from tests.support import runs
    from tests.support.fleet import seed_jobs
    from tests.support.lambda_context import LambdaContext

    with as_account(account.account_id):
        seed_jobs(account.project, jobs - 1)
        job = runs.make_job(account.project, "active", workers=10, concurrency=RUNS)
        run_guard.reset()
        reset_clients()
        for _ in range(RUNS):
            run_id = runs.start_run(job)
            event = runs.status_event(job, run_id) | {"account": account.account_id}  # Glue's event, in this account
            assert run_guard.handler(event, LambdaContext())["outcome"] == "admitted"
        calls: Counter[str] = Counter()
        guard = run_guard.guard()
        for service in ("glue", "dynamodb"):
            guard.client_for(service).meta.events.register(
                "before-call", lambda model, service=service, **_: calls.update([f"{service}:{model.name}"])
            )
        run_guard.handler(runs.schedule_event() | {"account": account.account_id}, LambdaContext())
    return calls


def reconcile(large: int = 10_000) -> list[Figure]:
    from tests.support.runs import prompt_runs

    with moto(), prompt_runs():
        small_account, large_account = setup_account("333333333333"), setup_account("444444444444")
        small = _cycle(small_account, 10)
        big = _cycle(large_account, large)
    glue_small = sum(v for k, v in small.items() if k.startswith("glue:"))
    glue_big = sum(v for k, v in big.items() if k.startswith("glue:"))
    return [
        Figure.ratio(
            f"reconcile: Glue calls per cycle ({large:,} jobs / 10 jobs, {RUNS} active runs)",
            glue_big,
            glue_small,
            GOAL,
            glue_calls_10_jobs=glue_small,
            glue_calls_large=glue_big,
            all_calls_10_jobs=sum(small.values()),
            all_calls_large=sum(big.values()),
            calls_large=dict(big),
        )
    ]
