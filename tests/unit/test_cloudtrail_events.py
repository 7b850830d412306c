import pytest
from glueguard.models.events import InvalidEventError, PlanePrincipals, parse_cloudtrail_event

from tests.support.events import load

PLANE = PlanePrincipals(frozenset({"arn:aws:iam::123456789012:role/glueguard/glueguard-EnforcerRole-AbC123"}))


def test_sample_events_parse_with_their_principal():
    event = parse_cloudtrail_event(load("enforcer/create_job_noncompliant.json"))
    identity = event.detail.userIdentity
    assert event.detail.eventName == "CreateJob"
    assert identity.role_name == "AWSReservedSSO_MLScientist_0123"
    assert not PLANE.is_plane(identity) and not PLANE.impersonates(identity)


def test_plane_is_only_the_stacks_exact_role_arns_never_its_path():
    identity = parse_cloudtrail_event(load("enforcer/update_job_by_plane.json")).detail.userIdentity
    assert PLANE.is_plane(identity) and not PLANE.impersonates(identity)
    # the same role name under the same path in another account, or any other /glueguard/ role, is an impostor
    for issuer in (
        "arn:aws:iam::999999999999:role/glueguard/glueguard-EnforcerRole-AbC123",
        "arn:aws:iam::123456789012:role/glueguard/glueguard-EnforcerRole-AbC1234",
        "arn:aws:iam::123456789012:role/glueguard/attacker",
    ):
        impostor = identity.model_copy(deep=True)
        impostor.sessionContext.sessionIssuer.arn = issuer
        impostor.arn = "arn:aws:sts::123456789012:assumed-role/x/s"
        assert not PLANE.is_plane(impostor) and PLANE.impersonates(impostor), issuer
    violation = PLANE.impersonation("arn:aws:sts::1:assumed-role/x/s", "job", "j")
    assert (violation.rule, str(violation.severity), violation.enforce) == (
        "plane-role-impersonation",
        "critical",
        False,
    )


def test_iam_user_identity():
    event = load("enforcer/create_job_noncompliant.json")
    event["detail"]["userIdentity"] = {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/bob"}
    identity = parse_cloudtrail_event(event).detail.userIdentity
    assert identity.issuer_arn == "arn:aws:iam::123456789012:user/bob" and identity.role_name is None


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda e: e.pop("detail"), "detail: Field required"),
        (lambda e: e["detail"].pop("eventName"), "detail.eventName: Field required"),
        (lambda e: e.__setitem__("detail-type", "Glue Job State Change"), "is not 'AWS API Call via CloudTrail'"),
        (lambda e: e["detail"].__setitem__("requestParameters", "oops"), "detail.requestParameters"),
        (lambda e: e.__setitem__("id", ""), "id: String should have at least 1 character"),
        # botocore cannot build a client for a region that is not one (UnknownRegionError, found by hypothesis)
        (lambda e: e.__setitem__("region", "\x80\x8f\xb9"), "region: String should match pattern"),
        (lambda e: e["detail"].__setitem__("awsRegion", "us east 1"), "detail.awsRegion: String should match pattern"),
        (lambda e: e.__setitem__("account", "12345"), "account: String should match pattern"),
    ],
)
def test_malformed_events_say_what_is_wrong(mutate, message):
    event = load("enforcer/create_job_noncompliant.json")
    mutate(event)
    with pytest.raises(InvalidEventError) as info:
        parse_cloudtrail_event(event)
    assert message in str(info.value)


def test_non_object_event():
    with pytest.raises(InvalidEventError, match="expected a JSON object, got list"):
        parse_cloudtrail_event([])


def test_plane_principals_from_the_environment():
    from glueguard.models.events import plane_principals

    assert plane_principals({}) == PlanePrincipals(frozenset(), "/glueguard/")
    env = {"GLUEGUARD_PLANE_ROLE_PATH": "/ops/", "GLUEGUARD_PLANE_PRINCIPALS": "arn:a,, arn:b"}
    assert plane_principals(env) == PlanePrincipals(frozenset({"arn:a", "arn:b"}), "/ops/")


@pytest.mark.parametrize(
    ("field", "value"),
    [("account", {"": None}), ("account", "12345678901x"), ("region", "not a region"), ("id", "")],
)
def test_a_scheduled_event_names_a_real_account_and_region(field, value):
    """Its account picks the member role the run guard acts through (hypothesis found a dict there: TypeError)."""
    from glueguard.models.events import parse_scheduled_event

    event = {
        "id": "5f1b",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "region": "us-east-1",
    }
    assert parse_scheduled_event(event).account == "123456789012"
    with pytest.raises(InvalidEventError, match=field):
        parse_scheduled_event({**event, field: value})
