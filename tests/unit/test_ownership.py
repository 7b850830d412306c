"""Ownership comes from the name alone; roles are compared by full ARN (issue #12 item 4: confused deputy)."""

from __future__ import annotations

from glueguard.models.resource import Resource
from glueguard.ownership import resolve_project
from glueguard.rules.common import same_role

A = "0a0a0a0a-1111-4222-8333-aaaaaaaaaaaa"
B = "0b0b0b0b-1111-4222-8333-bbbbbbbbbbbb"
ROLE_B = f"arn:aws:iam::123456789012:role/project-{B}-glue-job-role"


def _job(name: str, tags: dict[str, str], role: str = ROLE_B) -> Resource:
    return Resource("job", name, {"Name": name, "Role": role}, tags, f"arn:aws:glue:us-east-1:1:job/{name}")


def test_a_project_tag_role_or_caller_never_makes_an_unprefixed_resource_a_projects():
    assert resolve_project(_job("etl-nightly", {"Project": f"project-{B}"})) is None


def test_the_name_decides_even_against_the_tag():
    assert resolve_project(_job(f"project-{A}-job-x", {"Project": f"project-{B}"}, role=ROLE_B)) == A
    assert resolve_project(_job(f"project-{A.upper()}-job-x", {})) == A  # a non-canonical prefix still claims A


def test_roles_compare_by_full_arn():
    assert same_role(ROLE_B, ROLE_B)
    assert same_role(f"project-{B}-glue-job-role", ROLE_B)  # a bare name: the account's role of that name
    assert not same_role(f"arn:aws:iam::999999999999:role/project-{B}-glue-job-role", ROLE_B)  # another account
    assert not same_role(f"arn:aws:iam::123456789012:role/evil/project-{B}-glue-job-role", ROLE_B)  # another path
    assert not same_role(None, ROLE_B)
    assert same_role(ROLE_B, f"project-{B}-glue-job-role")  # the registry only knows the name
    assert not same_role(f"arn:aws:iam::123456789012:role/x/project-{B}-glue-job-role", f"project-{B}-glue-job-role")


def _registered(project_id: str):
    from glueguard.models.project import Project, ProjectResources

    roles = {p: f"arn:aws:iam::123456789012:role/project-{project_id}-glue-{p}-role" for p in ("job", "crawler", "dev")}
    resources = ProjectResources(
        job_role_arn=roles["job"], crawler_role_arn=roles["crawler"], dev_role_arn=roles["dev"]
    )
    return Project(project_id=project_id, owner="team", cost_center="cc", resources=resources)


def test_an_unprefixed_resource_is_a_projects_only_through_that_projects_exact_role():
    from glueguard.ownership import owner

    registry = {B: _registered(B)}
    assert owner(_job("etl", {}, role=ROLE_B), registry.get) == (B, registry[B])  # only B may pass this role
    impostor = f"arn:aws:iam::123456789012:role/evil/project-{B}-glue-job-role"
    assert owner(_job("etl", {"Project": f"project-{B}"}, role=impostor), registry.get) == (None, None)
    assert owner(_job("etl", {"Project": f"project-{B}"}, role="arn:aws:iam::1:role/x"), registry.get) == (None, None)
    assert owner(_job(f"project-{A}-job-x", {}, role=ROLE_B), registry.get) == (A, None)  # the name decides


def test_an_unprefixed_resource_created_by_a_projects_own_role_is_that_projects():
    from glueguard.ownership import owner

    registry = {B: _registered(B)}
    workflow = Resource("workflow", "nightly", {"Name": "nightly"}, {}, "arn")
    dev = f"arn:aws:iam::123456789012:role/project-{B}-glue-dev-role"
    assert owner(workflow, registry.get, dev) == (B, registry[B])
    assert owner(workflow, registry.get, f"arn:aws:iam::123456789012:role/x/project-{B}-glue-dev-role") == (None, None)
