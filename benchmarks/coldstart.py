"""Cold start. The figure that can fail: a fresh process importing the enforcer and handling its first real
event over HTTP, against a fresh process importing boto3 and making the same calls bare. Beside it, the
import time of each handler module alone over `import boto3` (the first event's setup is not in it)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.figures import Figure, iqr, median, ms

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
    "GLUEGUARD_LINEAGE_TABLE": "lineage",
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
#: The built artifact (`make build-sandbox`: sam build for this machine's platform, the layer's bytecode compiled
#: by the runtime's Python exactly as the build leaves it); `make bench` builds it first.
ARTIFACT = ROOT / ".aws-sam" / "sandbox" / "build"
PAIRS = 25

_FIRST_EVENT = """
import json, sys, os
sys.path[:0] = {paths!r}
event = json.loads(sys.stdin.read())
class Context:
    function_name = "glueguard-enforcer"; memory_limit_in_mb = 256; aws_request_id = "cold"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:glueguard-enforcer"
    log_group_name = "/aws/lambda/glueguard-enforcer"; log_stream_name = "cold"
    def get_remaining_time_in_millis(self): return 60000
if os.environ.get("BENCH_RECORD"):
    import botocore.client
    seen, original = [], botocore.client.BaseClient._make_api_call
    def record(self, operation, params):
        seen.append(self.meta.service_model.service_id + "." + operation)
        return original(self, operation, params)
    botocore.client.BaseClient._make_api_call = record
import app
result = app.handler(event, Context())
assert result["outcome"] == "remediated", result
if os.environ.get("BENCH_RECORD"):
    print(json.dumps(seen))
"""

_BARE = """
import json, sys
calls = json.loads(sys.stdin.read())
import boto3
clients = {{service: boto3.client(service) for service in {services!r}}}
for service, operation, params in calls:
    getattr(clients[service], operation)(**params)
"""


def _run(script: str, stdin: str, env: dict[str, str]) -> tuple[float, str]:
    """Wall time of a whole fresh process (interpreter start included, as a cold Lambda environment pays it)."""
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", script], input=stdin, env=env, capture_output=True, text=True, cwd=ROOT / "functions"
    )
    elapsed = time.perf_counter() - started
    if out.returncode:
        raise RuntimeError(f"cold-start probe failed: {out.stderr[-2000:]}")
    return elapsed, out.stdout


def deployed_environment(tables: dict[str, str], parameter: str, topic: str, account: str) -> dict[str, str]:
    """The enforcer's environment as template.yaml's Globals give it (resolved for one stack in `account`)."""
    roles = [f"arn:aws:iam::{account}:role/glueguard/glueguard-{r}Role-BENCH" for r in ("Enforcer", "RunGuard")]
    return {
        **tables,
        "POWERTOOLS_SERVICE_NAME": "glueguard",
        "POWERTOOLS_METRICS_NAMESPACE": "Glueguard",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "GLUEGUARD_POLICY_PARAMETER": parameter,
        "GLUEGUARD_POLICY_TTL_SECONDS": "30",
        "GLUEGUARD_TOPIC_ARN": topic,
        "GLUEGUARD_PLANE_ROLE_PATH": "/glueguard/",
        "GLUEGUARD_PLANE_PRINCIPALS": ",".join(roles),
        "GLUEGUARD_JOB_EDITOR_ROLE_ARN": f"arn:aws:iam::{account}:role/glueguard/glueguard-JobEditorRole-BENCH",
        "GLUEGUARD_ACCOUNT_ID": account,
        "GLUEGUARD_PARTITION": "aws",
        "GLUEGUARD_MEMBER_EXTERNAL_ID": "bench",
        "AWS_LAMBDA_FUNCTION_NAME": "glueguard-EnforcerFunction-BENCH",
        "AWS_REGION": "us-east-1",
    }


def enforcer_first_event(repetitions: int = PAIRS, artifact: Path = ARTIFACT) -> Figure:
    """A fresh process running the built enforcer (`artifact`: its function and layer, bytecode as built) with the
    template's environment on its first real non-compliant CreateJob, against a fresh process doing `import boto3`,
    creating the same clients and making the same calls bare, with the same payloads (the policy parameter, the
    registry read, the idempotency record written and completed, the corrections, the decision item as written).
    Both are timed as whole processes; pairs interleaved, alternating which goes first. Same endpoint: a moto
    server with the emulator, over HTTP."""
    import json

    import boto3
    from moto.server import ThreadedMotoServer

    from benchmarks.aws import ENV as AWS_ENV
    from benchmarks.aws import Account
    from glueguard_sandbox.emulator import install
    from glueguard_sandbox.server import free_port

    function, layer = artifact / "EnforcerFunction", artifact / "GlueguardLayer" / "python"
    if not (function / "app.py").exists() or not (layer / "glueguard").is_dir():
        raise SystemExit(f"no built artifact at {artifact}: run `make build-sandbox` (make bench does)")
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
        parameter = "/glueguard/glueguard/policy"
        boto3.client("ssm").put_parameter(Name=parameter, Value="{}", Type="String")
        topic = boto3.client("sns").create_topic(Name="glueguard-NotificationsTopic-BENCH")["TopicArn"]
        account = Account("123456789012", make_project("5b7e1d2c-3a4f-4b6e-8c9d-0e1f2a3b4c5d"))
        glue = boto3.client("glue", endpoint_url=endpoint)
        base = {k: v for k, v in os.environ.items() if not k.startswith(("GLUEGUARD_", "POWERTOOLS_"))}
        env = {
            **base,
            **deployed_environment(tables, parameter, topic, account.account_id),
            "AWS_ENDPOINT_URL": endpoint,
        }
        probe = _FIRST_EVENT.format(paths=[str(function), str(layer)])

        def handler_sample(record: bool = False) -> tuple[float, list[str]]:
            account.reset_job(glue)
            event = account.create_job_event()
            seconds, out = _run(probe, json.dumps(event), {**env, **({"BENCH_RECORD": "1"} if record else {})})
            return seconds, json.loads(out.strip().splitlines()[-1]) if record else []

        def bare_sample(calls: list[list[Any]]) -> float:
            account.reset_job(glue)
            return _run(_BARE.format(services=sorted({c[0] for c in calls})), json.dumps(calls), env)[0]

        _, made = handler_sample(record=True)  # warm the OS page cache and the server; what the handler calls
        calls = _same_calls(account, glue, tables, parameter)
        replayed = sorted(f"{SERVICE_IDS[c[0]]}.{_operation(c[1])}" for c in calls)
        if replayed != sorted(made):
            raise RuntimeError(f"the bare side would not make the handler's calls: {sorted(made)} vs {replayed}")
        bare_sample(calls)
        handled, bare = [], []
        for i in range(repetitions):  # alternate which side runs first, so load drift falls on both alike
            if i % 2:
                bare.append(bare_sample(calls))
                handled.append(handler_sample()[0])
            else:
                handled.append(handler_sample()[0])
                bare.append(bare_sample(calls))
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)
        from glueguard.adapters.clients import reset_clients

        reset_clients()
    h, b = median(handled), median(bare)
    ratios = [x / y for x, y in zip(handled, bare, strict=True)]
    return Figure.ratio(
        "cold start: enforcer as shipped (process start + import + first event) / bare boto3 (same calls)",
        h,
        b,
        GOAL,
        handler_ms=ms(h),
        handler_iqr_ms=ms(iqr(handled)),
        bare_ms=ms(b),
        bare_iqr_ms=ms(iqr(bare)),
        pair_ratio_median=round(median(ratios), 3),
        pair_ratio_iqr=round(iqr(ratios), 3),
        calls=sorted(made),
        pairs=repetitions,
        artifact=str(artifact.relative_to(ROOT)) if artifact.is_relative_to(ROOT) else str(artifact),
    )


SERVICE_IDS = {"glue": "Glue", "dynamodb": "DynamoDB", "ssm": "SSM", "sns": "SNS"}


def _operation(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _same_calls(account: Any, glue: Any, tables: dict[str, str], parameter: str) -> list[list[Any]]:
    """The calls the enforcer made for its first event, with the same payloads, to replay bare: the policy read,
    the reads, the idempotency record (as written, then completed), the corrections, the decision item."""
    import boto3
    from glueguard.adapters.decisions import DecisionLog

    dynamodb = boto3.client("dynamodb")
    [decision] = [d for d in DecisionLog().list(account.project.project_id) if d.resource_name == account.job_name][-1:]
    [record] = dynamodb.scan(TableName=tables["GLUEGUARD_IDEMPOTENCY_TABLE"], Limit=1)["Items"]
    written = dynamodb.get_item(
        TableName=tables["GLUEGUARD_DECISIONS_TABLE"],
        Key={"project_id": {"S": decision.project_id}, "decision_id": {"S": decision.decision_id}},
    )["Item"]
    claim = {k: v for k, v in record.items() if k not in ("data",)} | {"status": {"S": "INPROGRESS"}}
    calls: list[list[Any]] = [
        ["ssm", "get_parameter", {"Name": parameter}],
        ["dynamodb", "put_item", {"TableName": tables["GLUEGUARD_IDEMPOTENCY_TABLE"], "Item": {**claim, "id": {"S": "bench-claim"}}}],
        ["glue", "get_job", {"JobName": account.job_name}],
        ["glue", "get_tags", {"ResourceArn": account.job_arn}],
        ["glue", "get_jobs", {}],
        ["dynamodb", "get_item", {"TableName": tables["GLUEGUARD_PROJECTS_TABLE"],
                                  "Key": {"project_id": {"S": account.project.project_id}}}],
    ]  # fmt: skip
    calls += [["glue", a["call"].split(":", 1)[1], a["params"]] for a in decision.actions]
    calls.append(["dynamodb", "put_item", {"TableName": tables["GLUEGUARD_DECISIONS_TABLE"],
                                           "Item": {**written, "decision_id": {"S": "bench-cold-start"}}}])  # fmt: skip
    completed = {k: record[k] for k in ("data", "expiration", "status") if k in record}
    calls.append(["dynamodb", "update_item", {
        "TableName": tables["GLUEGUARD_IDEMPOTENCY_TABLE"], "Key": {"id": {"S": "bench-claim"}},
        "UpdateExpression": "SET " + ", ".join(f"#{k} = :{k}" for k in completed),
        "ExpressionAttributeNames": {f"#{k}": k for k in completed},
        "ExpressionAttributeValues": {f":{k}": v for k, v in completed.items()},
    }])  # fmt: skip
    return calls
