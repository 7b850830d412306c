import pytest
from glueguard.naming import (
    NamingError,
    ProjectNames,
    claimed_project,
    compliant_name,
    follows_convention,
    is_project_id,
    project_of,
    require_project_id,
)

PID = "3f1c2a9e-7b4d-4e8a-9c21-5d6e7f8a9b0c"


def test_canonical_ids_only():
    assert is_project_id(PID)
    assert not is_project_id(PID.upper())
    assert not is_project_id(PID.replace("-", ""))
    with pytest.raises(NamingError, match="upper-case hex is not canonical"):
        require_project_id(PID.upper())
    with pytest.raises(NamingError, match="not a canonical lower-case UUID"):
        require_project_id("project-1")


def test_project_of_requires_a_canonical_prefix():
    assert project_of(f"project-{PID}-job-ingest") == PID
    assert project_of(f"project-{PID}") == PID
    assert project_of(f"project-{PID.upper()}-job-x") is None
    assert project_of(f"project-{PID}x-job") is None
    assert project_of("ingest") is None
    assert project_of(None) is None
    assert project_of(True) is None and claimed_project(42) is None  # values from malformed events
    assert claimed_project(f"project-{PID.upper()}-job-x") == PID


def test_convention_per_kind():
    assert follows_convention("job", f"project-{PID}-job-ingest", PID)
    assert not follows_convention("job", f"project-{PID}-job-", PID)
    assert not follows_convention("job", f"project-{PID}-crawler-x", PID)
    assert follows_convention("crawler", f"project-{PID}-crawler-x", PID)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ingest-final-v2", "ingest-final-v2"),
        (f"project-{PID}-ingest", "ingest"),
        (f"project-{PID.upper()}-job-ingest", "ingest"),
        ("job-ingest", "ingest"),
        ("weird name!!", "weird-name"),
    ],
)
def test_compliant_name_keeps_the_meaningful_part(name, expected):
    assert compliant_name("job", name, PID) == f"project-{PID}-job-{expected}"


def test_fixed_names():
    names = ProjectNames(PID)
    assert names.job_role == f"project-{PID}-glue-job-role"
    assert names.policy("catalog-access") == f"project-{PID}-glue-catalog-access"
    assert names.scripts_bucket == f"project-{PID}-glue-scripts"
    assert names.database == f"project-{PID}-catalog-db"
    assert names.security_group == f"project-{PID}-glue-sg"
    assert names.connection == f"project-{PID}-network"
    assert names.kms_alias == f"alias/project-{PID}"
    assert names.resource("trigger", "nightly") == f"project-{PID}-trigger-nightly"
    with pytest.raises(NamingError):
        ProjectNames("nope")
