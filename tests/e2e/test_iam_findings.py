"""Issue 12, 'done when': cloudsplaining (offline) on the sandbox account's GetAccountAuthorizationDetails, with the
stack deployed and a project provisioned, finds no privilege-escalation, resource-exposure or
infrastructure-modification risk in any plane or project role beyond those docs/security.md justifies line by line
(its table "cloudsplaining findings" is parsed here: a finding missing from it, or a justified one that no longer
occurs, fails the test)."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

from cloudsplaining.scan.authorization_details import AuthorizationDetails
from cloudsplaining.shared.exclusions import Exclusions

from tests.e2e.conftest import SandboxHandle
from tests.e2e.test_provisioning import _run
from tests.support.provisioning import request

ROOT = Path(__file__).resolve().parents[2]
RISKS = ("PrivilegeEscalation", "ResourceExposure", "InfrastructureModification")
#: AWS managed policies the plane's roles carry (logs and traces of their own function only).
AWS_MANAGED = ["AWSLambdaBasicExecutionRole", "AWSXRayDaemonWriteAccess"]


def _authorization_details(sandbox: SandboxHandle) -> dict[str, list[dict[str, Any]]]:
    iam = sandbox.client("iam")
    details: dict[str, list[dict[str, Any]]] = {}
    for page in iam.get_paginator("get_account_authorization_details").paginate():
        for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"):
            details.setdefault(key, []).extend(page.get(key, []))
    return json.loads(json.dumps(details, default=str))


def justified() -> set[tuple[str, str, str]]:
    """(role, risk, action) rows of docs/security.md's "cloudsplaining findings" table (roles as `Name*`)."""
    text = (ROOT / "docs" / "security.md").read_text()
    section = text.split("### cloudsplaining findings", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([^`]+)` \| (\w+) \| `([^`]+)` \|", section, flags=re.M)
    return {(role, risk, action.lower()) for role, risk, action in rows}


def _role_key(name: str, pid: str) -> str:
    """A role as the justification table names it: the stack's by logical id, a project's by purpose."""
    if name.startswith(f"project-{pid}-"):
        return "project-*" + name.removeprefix(f"project-{pid}")
    match = re.search(r"(\w+Role)", name)
    return f"{match.group(1)}*" if match else name


def findings(details: dict[str, Any], pid: str) -> set[tuple[str, str, str]]:
    exclusions = Exclusions({"policies": AWS_MANAGED, "roles": [""], "users": [""], "groups": [""]})
    results = AuthorizationDetails(details, exclusions).results
    roles = results["roles"]
    out: set[tuple[str, str, str]] = set()
    plane = {r["RoleName"] for r in details["RoleDetailList"] if r["Path"] == "/glueguard/"}
    project = {r["RoleName"] for r in details["RoleDetailList"] if r["RoleName"].startswith(f"project-{pid}-")}
    policies = results["customer_managed_policies"]
    for role in roles.values():
        if role["name"] not in plane | project:
            continue
        sources = [results["inline_policies"][i] for i in role.get("inline_policies", {})]
        sources += [policies[i] for i in role.get("customer_managed_policies", {}) if i in policies]
        for source in sources:
            for risk in RISKS:
                for item in (source.get(risk) or {}).get("findings", []):
                    action = item["type"] if isinstance(item, dict) else item
                    out.add((_role_key(role["name"], pid), risk, str(action).lower()))
    return out


def test_no_unjustified_iam_risk_in_any_plane_or_project_role(plane_env: SandboxHandle):
    pid = str(uuid.uuid4())
    done = _run(plane_env, "ProvisionProjectStateMachineArn", request(pid))
    assert done["status"] == "SUCCEEDED", done.get("cause")
    details = _authorization_details(plane_env)
    scanned = {r["RoleName"] for r in details["RoleDetailList"]}
    assert {f"project-{pid}-glue-{p}-role" for p in ("job", "crawler", "dev")} <= scanned
    assert {"EnforcerRole", "RunGuardRole", "UploadTriggerRole", "ComplianceRole", "ProvisionerRole"} <= {
        _role_key(name, pid).rstrip("*") for name in scanned
    }
    found = findings(details, pid)
    unjustified = sorted(found - justified())
    assert unjustified == [], "justify each in docs/security.md or remove the permission"
    stale = sorted(justified() - found)
    assert stale == [], "docs/security.md justifies findings that no longer occur"
