"""The e2e tests build projects the way users do: through the deployed provisioning state machine
(`tests.e2e.conftest.provisioned_project`) and the plane's own paths, never by hand. Read from each e2e module's
syntax tree (imports and calls, not substrings): no `glueguard_sandbox.seed.make_project` (it creates roles,
buckets and network directly and writes the registry entry: the in-process tests', the benchmarks' and the
demo's), no re-implementation of the provisioning workflow in Python (`tests.support.provisioning`'s drivers, the
provisioner's handler or steps called in process), and no write to the plane's tables: registry and ledger writes,
or DynamoDB `put_item` / `update_item` / ... of any client or table."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

E2E = Path(__file__).resolve().parents[1] / "e2e"
#: Modules whose import means a project (or its state) made outside the provisioning workflow: module -> names
#: (None: any import of the module).
FORBIDDEN_IMPORTS: dict[str, frozenset[str] | None] = {
    "glueguard_sandbox.seed": frozenset({"make_project"}),
    "tests.support.provisioning": frozenset({"provision", "deprovision", "fail_at"}),
    "glueguard.handlers.provisioner": None,
    "glueguard.provisioning.steps": None,
    "glueguard.provisioning.lifecycle": None,
}
#: What provisioning, admission and the plane write; a test may read them (get, list, entries, in_use, ...).
WRITES = {
    "Registry": frozenset(
        {"create", "claim", "put", "update", "set_status", "delete", "add_upload_trigger", "remove_upload_trigger"}
    ),
    "Ledger": frozenset({"admit", "release", "settle", "refuse", "bind", "forget", "count_start", "resync"}),
}
DYNAMODB_WRITES = frozenset(
    {"put_item", "update_item", "delete_item", "batch_write_item", "transact_write_items", "batch_writer"}
)


def _imports(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in FORBIDDEN_IMPORTS:
            names = FORBIDDEN_IMPORTS[node.module]
            found += [f"from {node.module} import {a.name}" for a in node.names if names is None or a.name in names]
        elif isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name in FORBIDDEN_IMPORTS]
    return found


def _constructed(node: ast.AST) -> str | None:
    """'Registry' / 'Ledger' when `node` is a call building one (`Registry()`, `registry.Registry(table_name=...)`)."""
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        return name if name in WRITES else None
    return None


def _attempt(receiver: ast.AST) -> bool:
    """A client built with someone's credentials on the spot (`sandbox.client("dynamodb", creds)`,
    `_client(sandbox, creds, "dynamodb")`): an attack the test expects IAM to refuse, not a write by hand."""
    return isinstance(receiver, ast.Call) and len(receiver.args) >= 2


def _writes(tree: ast.AST) -> list[str]:
    """Calls that write the plane's state: `Registry().update(...)`, `ledger.admit(...)` on a name bound to a
    Ledger, and any DynamoDB write method."""
    bound: dict[str, str] = {}  # variable -> class, wherever it is assigned in the module
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and (kind := _constructed(node.value)):
            bound |= {t.id: kind for t in node.targets if isinstance(t, ast.Name)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method, receiver = node.func.attr, node.func.value
        kind = _constructed(receiver) or (bound.get(receiver.id) if isinstance(receiver, ast.Name) else None)
        if (kind and method in WRITES[kind]) or (method in DYNAMODB_WRITES and not _attempt(receiver)):
            found.append(f"line {node.lineno}: {kind or 'dynamodb'}.{method}")
    return found


def _modules() -> list[Path]:
    return sorted(E2E.rglob("*.py"))


@pytest.mark.parametrize("module", _modules(), ids=lambda p: str(p.relative_to(E2E)))
def test_no_e2e_module_makes_a_project_or_its_state_by_hand(module: Path):
    tree = ast.parse(module.read_text(), filename=str(module))
    assert _imports(tree) + _writes(tree) == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        (
            "from glueguard_sandbox.seed import make_job, make_project",
            ["from glueguard_sandbox.seed import make_project"],
        ),
        (
            "from tests.support.provisioning import provision, request",
            ["from tests.support.provisioning import provision"],
        ),
        ("import glueguard.handlers.provisioner", ["import glueguard.handlers.provisioner"]),
        (
            "from glueguard.handlers.provisioner import dispatch",
            ["from glueguard.handlers.provisioner import dispatch"],
        ),
        ("Registry().update(pid, policy_overrides={})", ["line 1: Registry.update"]),
        ("registry.Registry(table_name=t).put(p)", ["line 1: Registry.put"]),
        ("ledger = Ledger()\nledger.admit(pid, entry, cap=100)", ["line 2: Ledger.admit"]),
        ("table.put_item(Item={})", ["line 1: dynamodb.put_item"]),
        ('sandbox.client("dynamodb").put_item(TableName=t, Item={})', ["line 1: dynamodb.put_item"]),
        ('sandbox.client("dynamodb", creds).delete_item(TableName=t, Key={})', []),
        ("client.transact_write_items(TransactItems=[])", ["line 1: dynamodb.transact_write_items"]),
        ("from tests.support.provisioning import leftovers, request", []),
        ("Registry().get(pid, cached=False)\nledger = Ledger()\nledger.in_use(pid)", []),
    ],
)
def test_the_check_finds_each_way_of_making_a_project_by_hand(source: str, found: list[str]):
    tree = ast.parse(source)
    assert _imports(tree) + _writes(tree) == found
