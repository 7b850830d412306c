"""Cold start. The figure that can fail: a fresh process importing the enforcer and handling its first real
event over HTTP, against a fresh process importing boto3 and making the same calls bare. Beside it, the
import time of each handler module alone over `import boto3` (the first event's setup is not in it)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.figures import Figure, median, ms

ROOT = Path(__file__).resolve().parents[1]
GOAL = 1.5

_PROBE = """
import sys, time
sys.path[:0] = {paths!r}
started = time.perf_counter()
import {module}
print(time.perf_counter() - started)
"""

ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "GLUEGUARD_PROJECTS_TABLE": "projects",
    "GLUEGUARD_DECISIONS_TABLE": "decisions",
    "GLUEGUARD_IDEMPOTENCY_TABLE": "idempotency",
    "GLUEGUARD_TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:glueguard",
    "POWERTOOLS_SERVICE_NAME": "glueguard",
    "POWERTOOLS_METRICS_NAMESPACE": "Glueguard",
}


def handlers() -> list[Path]:
    return sorted(p.parent for p in (ROOT / "functions").glob("*/app.py"))


def _import_seconds(module: str, paths: list[str]) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GLUEGUARD_", "POWERTOOLS_"))}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(paths=paths, module=module)],
        env={**env, **ENV},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT / "functions",
    )
    return float(out.stdout.strip().splitlines()[-1])


def cold_start(repetitions: int = 9) -> list[Figure]:
    layer = str(ROOT / "layers")
    targets: dict[str, tuple[str, list[str]]] = {"boto3": ("boto3", [])}
    for function in handlers():
        targets[function.name] = ("app", [str(function), layer])
    samples: dict[str, list[float]] = {name: [] for name in targets}
    names = list(targets)
    for name in names:  # warm the OS page cache and .pyc files first
        _import_seconds(*targets[name])
    for i in range(repetitions):
        for name in names[i % len(names) :] + names[: i % len(names)]:
            samples[name].append(_import_seconds(*targets[name]))
    base = median(samples["boto3"])
    return [
        Figure.ratio(
            f"cold start, import only: {name} / import boto3",
            median(samples[name]),
            base,
            GOAL,
            import_ms=ms(median(samples[name])),
            boto3_ms=ms(base),
            repetitions=repetitions,
        )
        for name in names[1:]
    ]


# ----------------------------------------------------------------------------- import + first event
_FIRST_EVENT = """
import json, sys, time
sys.path[:0] = {paths!r}
event = json.loads(sys.stdin.read())
class Context:
    function_name = "glueguard-enforcer"; memory_limit_in_mb = 256; aws_request_id = "cold"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:glueguard-enforcer"
    log_group_name = "/aws/lambda/glueguard-enforcer"; log_stream_name = "cold"
    def get_remaining_time_in_millis(self): return 60000
started = time.perf_counter()
import app
result = app.handler(event, Context())
elapsed = time.perf_counter() - started
assert result["outcome"] == "remediated", result
print(elapsed)
"""

_BARE = """
import json, sys, time
calls = json.loads(sys.stdin.read())
started = time.perf_counter()
import boto3
clients = {{service: boto3.client(service) for service in {services!r}}}
for service, operation, params in calls:
    getattr(clients[service], operation)(**params)
print(time.perf_counter() - started)
"""


def _run(script: str, stdin: str, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", script], input=stdin, env=env, capture_output=True, text=True, cwd=ROOT / "functions"
    )
    if out.returncode:
        raise RuntimeError(f"cold-start probe failed: {out.stderr[-2000:]}")
    return float(out.stdout.strip().splitlines()[-1])


def enforcer_first_event(repetitions: int = 9) -> Figure:
    """A fresh process importing the enforcer and handling a real non-compliant CreateJob, against a fresh
    process doing `import boto3`, creating the same clients and making the same calls bare (same endpoint:
    a moto server with the emulator, over HTTP). The layer's bytecode is compiled first, as the layer ships."""
    import compileall
    import json

    import boto3
    from moto.server import ThreadedMotoServer

    from benchmarks.aws import ENV as AWS_ENV
    from benchmarks.aws import Account
    from glueguard_sandbox.emulator import install
    from glueguard_sandbox.server import free_port

    compileall.compile_dir(str(ROOT / "layers" / "glueguard"), quiet=1)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the server's request log
    install()
    port = free_port()
    server = ThreadedMotoServer(port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    saved = dict(os.environ)
    try:
        os.environ.update({**AWS_ENV, "AWS_ENDPOINT_URL": endpoint, "MOTO_PORT": str(port)})
        from glueguard.adapters.clients import reset_clients

        from tests.support.projects import make_project
        from tests.support.stack import create_tables

        reset_clients()
        tables = create_tables()
        os.environ.update(tables)
        account = Account("123456789012", make_project("5b7e1d2c-3a4f-4b6e-8c9d-0e1f2a3b4c5d"))
        glue = boto3.client("glue", endpoint_url=endpoint)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("GLUEGUARD_", "POWERTOOLS_"))},
            **ENV,
            **tables,
            "AWS_ENDPOINT_URL": endpoint,
        }
        env.pop("GLUEGUARD_TOPIC_ARN", None)
        paths = [str(ROOT / "functions" / "enforcer"), str(ROOT / "layers")]
        probe = _FIRST_EVENT.format(paths=paths)

        def handler_sample() -> tuple[float, list[list[Any]]]:
            account.reset_job(glue)
            event = account.create_job_event()
            seconds = _run(probe, json.dumps(event), env)
            return seconds, _same_calls(account, glue, tables)

        def bare_sample(calls: list[list[Any]]) -> float:
            account.reset_job(glue)
            return _run(_BARE.format(services=sorted({c[0] for c in calls})), json.dumps(calls), env)

        _, calls = handler_sample()  # warm the OS page cache and the server
        bare_sample(calls)
        handled, bare = [], []
        for _ in range(repetitions):
            seconds, calls = handler_sample()
            handled.append(seconds)
            bare.append(bare_sample(calls))
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)
        from glueguard.adapters.clients import reset_clients

        reset_clients()
    h, b = median(handled), median(bare)
    return Figure.ratio(
        "cold start: enforcer import + first event / bare boto3 (same clients, same calls)",
        h,
        b,
        GOAL,
        handler_ms=ms(h),
        bare_ms=ms(b),
        calls=[f"{c[0]}.{c[1]}" for c in calls],
        repetitions=repetitions,
    )


def _same_calls(account: Any, glue: Any, tables: dict[str, str]) -> list[list[Any]]:
    """The calls the enforcer made for its first event (reads, then its recorded corrective calls and the
    decision write), to replay bare."""
    from glueguard.adapters.decisions import DecisionLog

    [decision] = [d for d in DecisionLog().list(account.project.project_id) if d.resource_name == account.job_name][-1:]
    calls: list[list[Any]] = [
        ["glue", "get_job", {"JobName": account.job_name}],
        ["glue", "get_tags", {"ResourceArn": account.job_arn}],
        ["dynamodb", "get_item", {"TableName": tables["GLUEGUARD_PROJECTS_TABLE"],
                                  "Key": {"project_id": {"S": account.project.project_id}}}],
    ]  # fmt: skip
    calls += [["glue", a["call"].split(":", 1)[1], a["params"]] for a in decision.actions]
    calls.append(
        ["dynamodb", "put_item", {"TableName": tables["GLUEGUARD_DECISIONS_TABLE"],
                                  "Item": {"project_id": {"S": "bench"}, "decision_id": {"S": "cold-start"}}}]
    )  # fmt: skip
    return calls
