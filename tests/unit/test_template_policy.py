"""template.yaml: the functions that read the policy get its SSM parameter's name and may read exactly it."""

from __future__ import annotations

from pathlib import Path

from tests.support.stack import template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = template()
RESOURCES = TEMPLATE["Resources"]


def _reads_policy(code_uri: str) -> bool:
    """Whether the function's handler (in the layer) loads the policy."""
    app = (ROOT / code_uri / "app.py").read_text()
    module = app.split("from glueguard.handlers.")[1].split()[0]
    text = (ROOT / f"layers/glueguard/handlers/{module}.py").read_text()
    if module == "provisioner":  # its steps read it (usage profile limits per project)
        text += "".join(p.read_text() for p in (ROOT / "layers/glueguard/provisioning").rglob("*.py"))
    return any(m in text for m in ("current_policy", "load_policy(", "scaffold.Component"))  # a Component is given it


def test_functions_that_read_the_policy_may_read_exactly_its_parameter():
    env = TEMPLATE["Globals"]["Function"]["Environment"]["Variables"]
    assert env["GLUEGUARD_POLICY_PARAMETER"] == {"Ref": "PolicyParameter"}
    assert "GLUEGUARD_POLICY" not in env  # it would take precedence over the parameter
    assert env["GLUEGUARD_POLICY_TTL_SECONDS"] == {"Ref": "PolicyCacheSeconds"}
    assert TEMPLATE["Parameters"]["PolicyCacheSeconds"]["MaxValue"] <= 60

    (statement,) = RESOURCES["PolicyReadPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == "ssm:GetParameter"
    name = RESOURCES["PolicyParameter"]["Properties"]["Name"]["Fn::Sub"]
    assert statement["Resource"]["Fn::Sub"].endswith(f":parameter{name}")

    readers = []
    for function in (r for r in RESOURCES.values() if r["Type"] == "AWS::Serverless::Function"):
        role = RESOURCES[function["Properties"]["Role"]["Fn::GetAtt"][0]]
        granted = {"Ref": "PolicyReadPolicy"} in role["Properties"].get("ManagedPolicyArns", [])
        reads = _reads_policy(function["Properties"]["CodeUri"])
        assert granted == reads, function["Properties"]["CodeUri"]
        readers += [function["Properties"]["CodeUri"]] if reads else []
    assert len(readers) == 6, readers
