"""Admission under a storm: 500 StartJobRun events over 10 projects through the run guard.

Every run is really started (moto's Glue, the emulator's run lifecycle keeps it RUNNING), then its
CloudTrail event is handed to the run-guard handler by a pool of concurrent invocations. Reported:
the decision latency (p50, p99) and the most DPU any project still held once the guard had acted,
from Glue itself (runs not STOPPED/STOPPING) and from the ledger, beside the project cap.
"""

from __future__ import annotations

import importlib.util
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from benchmarks.aws import moto, setup_account
from benchmarks.figures import Figure, ms, percentile

GOAL = "max project DPU <= cap"
EVENTS, PROJECTS, WORKERS, CONCURRENCY = 500, 10, 10, 8


def available() -> bool:
    return importlib.util.find_spec("glueguard.handlers.run_guard") is not None


def pending() -> list[Figure]:
    return [Figure.waiting("admission: decision latency p50/p99, max project DPU", GOAL, "run_guard not on main")]


def _held(glue: Any, job: str, workers: int) -> float:
    runs = [r for page in glue.get_paginator("get_job_runs").paginate(JobName=job) for r in page["JobRuns"]]
    active = [r for r in runs if r["JobRunState"] in ("STARTING", "RUNNING", "WAITING")]
    return float(sum(r.get("NumberOfWorkers", workers) for r in active))  # G.1X: 1 DPU per worker


def admission(events: int = EVENTS, projects: int = PROJECTS, concurrency: int = CONCURRENCY) -> list[Figure]:
    import boto3
    from glueguard.adapters.ledger import Ledger
    from glueguard.handlers import run_guard
    from glueguard.policy.settings import load_policy

    from tests.support import runs  # the run guard's own test helpers: jobs, runs and their events
    from tests.support.lambda_context import LambdaContext
    from tests.support.projects import make_project

    with moto(), runs.prompt_runs():
        first = setup_account("123456789012")
        glue = boto3.client("glue")
        teams = [first.project, *(make_project() for _ in range(projects - 1))]
        jobs = [runs.make_job(p, "storm", workers=WORKERS, concurrency=events) for p in teams]
        storm = []
        for i in range(events):
            job = jobs[i % projects]
            storm.append(runs.start_event(job, runs.start_run(job, NumberOfWorkers=WORKERS)))
        run_guard.guard()  # built once per container, shared by the concurrent invocations

        def decide(event: dict[str, Any]) -> tuple[float, str]:
            started = time.perf_counter()
            outcome = run_guard.handler(event, LambdaContext())["outcome"]
            return time.perf_counter() - started, outcome

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            decided = list(pool.map(decide, storm))
        wall = time.perf_counter() - started
        cap = load_policy().max_dpu_per_project
        held = {p.project_id: _held(glue, job, WORKERS) for p, job in zip(teams, jobs, strict=True)}
        ledger = {p.project_id: Ledger().in_use(p.project_id) for p in teams}

    latencies = [seconds for seconds, _ in decided]
    outcomes: dict[str, int] = {}
    for _, outcome in decided:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    most = max(held.values())
    latency = Figure(
        f"admission: decision latency p50 / p99 ({events} StartJobRun, {projects} projects)",
        ms(percentile(latencies, 50)),
        "report",
        unit="ms",
        detail={
            "p99_ms": ms(percentile(latencies, 99)),
            "concurrency": concurrency,
            "storm_seconds": round(wall, 2),
            "events_per_second": round(events / wall, 1),
            "outcomes": outcomes,
        },
    )
    dpu = Figure(
        "admission: most DPU any project held after the guard acted",
        most,
        f"<= {cap:g} (project cap)",
        unit="DPU",
        met=most <= cap and max(ledger.values()) <= cap,
        detail={
            "cap": cap,
            "most_in_ledger": max(ledger.values()),
            "demanded_per_project": events / projects * WORKERS,
        },
    )
    return [latency, dpu]
