"""The independent IAM engine as a test oracle: the sandbox's (Request, Policies) turned into
@cloud-copilot/iam-simulate's `Simulation`, all decided by one Node process (tests/support/iam_engine.mjs).
The engine is AGPL-3.0, a devDependency used here only (docs/sandbox.md)."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glueguard_sandbox.emulator.iam.policy import Policies, Request

ROOT = Path(__file__).resolve().parents[2]
BRIDGE = ROOT / "tests" / "support" / "iam_engine.mjs"
ENGINE = ROOT / "node_modules" / "@cloud-copilot" / "iam-simulate"


@dataclass(frozen=True)
class Case:
    """One request for both evaluators; `source` is the AWS page (or the generator) it comes from."""

    name: str
    request: Request
    policies: Policies
    source: str = "generated"


@dataclass(frozen=True)
class Verdict:
    allowed: bool | None  # None: the engine refused the input (`error`)
    ignored: tuple[str, ...] = ()
    error: str = ""


def _named(prefix: str, documents: Any) -> list[dict[str, Any]]:
    return [{"name": f"{prefix}{i}", "policy": d} for i, d in enumerate(documents)]


def _merged(documents: Any) -> dict[str, Any]:
    """Several session policies as the engine's one: their statements together (an Allow in any, a Deny in any)."""
    found: list[Any] = []
    for document in documents:
        statement = document.get("Statement", [])
        found += statement if isinstance(statement, list) else [statement]
    return {"Version": "2012-10-17", "Statement": found}


def simulation(case: Case) -> dict[str, Any]:
    request, policies = case.request, case.policies
    principal = request.principal
    found: dict[str, Any] = {
        "request": {
            "principal": principal.arn,
            "action": request.action,
            "resource": {"resource": request.resource, "accountId": request.resource_account or principal.account},
            "contextVariables": {k: list(v) for k, v in request.context.items()},
        },
        "identityPolicies": _named("identity", policies.identity),
        "serviceControlPolicies": [
            {"orgIdentifier": f"level{i}", "policies": _named(f"scp{i}-", level)}
            for i, level in enumerate(policies.scps)
        ],
        "resourceControlPolicies": [
            {"orgIdentifier": f"level{i}", "policies": _named(f"rcp{i}-", level)}
            for i, level in enumerate(policies.rcps)
        ],
    }
    if policies.boundary is not None:
        found["permissionBoundaryPolicies"] = _named("boundary", [policies.boundary])
    if policies.resource is not None:
        found["resourcePolicy"] = policies.resource
    if policies.session is not None:
        found["sessionPolicy"] = _merged(policies.session)
    if policies.endpoint is not None:
        found["vpcEndpointPolicies"] = _named("endpoint", [policies.endpoint])
    return found


def decide(cases: list[Case]) -> list[Verdict]:
    """The engine's decision for every case, in order (one Node process)."""
    node = shutil.which("node")
    assert node and ENGINE.is_dir(), "the IAM engine needs node and `npm install` (make venv runs it)"
    payload = json.dumps([simulation(c) for c in cases])
    done = subprocess.run(
        [node, str(BRIDGE)], input=payload, capture_output=True, text=True, cwd=ROOT, timeout=120, check=True
    )
    return [
        Verdict(None, error=d["error"]) if "error" in d else Verdict(d["result"] == "Allowed", tuple(d["ignored"]))
        for d in json.loads(done.stdout)
    ]
