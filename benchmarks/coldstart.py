"""Cold start: the import time of each handler module (fresh interpreter, the layer on sys.path) over
`import boto3` alone, interleaved; the handlers' own env vars are set as the template's Globals set them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
            f"cold start: {name} import / import boto3",
            median(samples[name]),
            base,
            GOAL,
            import_ms=ms(median(samples[name])),
            boto3_ms=ms(base),
            repetitions=repetitions,
        )
        for name in names[1:]
    ]
