"""Issue 14's 'done when', in a sandbox running an organization (`glueguard sandbox up --accounts 3`):
the central plane governs Glue in member accounts through their member roles, reached only through the
member's CloudTrail -> its forwarding rule -> the central glueguard bus -> the deployed functions."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from glueguard.adapters.decisions import DecisionLog

from glueguard_sandbox.commands import post
from glueguard_sandbox.process import SandboxProcess
from glueguard_sandbox.seed import make_job
from tests.e2e.conftest import (
    AT_START,
    GLUE_POWER_USER,
    ROOT,
    point_at,
    poll,
    provisioned_project,
    run_execution,
    trust,
)

pytestmark = pytest.mark.e2e
STOPPED = ("STOPPING", "STOPPED")


class Org:
    def __init__(self, endpoint: str, status: dict[str, Any]) -> None:
        self.endpoint = endpoint
        self.outputs = status["outputs"]
        self.organization = status["organization"]
        self.members = self.organization["members"]

    def client(self, service: str) -> Any:
        """A client of the central account's administrator."""
        return self.session().client(service)

    def session(self, credentials: dict[str, str] | None = None) -> Any:
        creds = credentials or {"AccessKeyId": "testing", "SecretAccessKey": "testing"}
        return _Session(
            boto3.session.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds.get("SessionToken"),
                region_name="us-east-1",
            ),
            self.endpoint,
        )

    def admin(self, account: str) -> Any:
        """The member's administrator, through OrganizationAccountAccessRole (as the central admin)."""
        role = f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        creds = self.session().client("sts").assume_role(RoleArn=role, RoleSessionName="platform")["Credentials"]
        return self.session(creds)

    def scientist(self, account: str, name: str) -> Any:
        """A session of a plain role in the member account (what an SSO user's role would be)."""
        admin = self.admin(account)
        iam = admin.client("iam")
        try:
            arn = iam.get_role(RoleName="ml-scientist")["Role"]["Arn"]
        except iam.exceptions.NoSuchEntityException:
            arn = iam.create_role(RoleName="ml-scientist", AssumeRolePolicyDocument=trust(account))["Role"]["Arn"]
            iam.put_role_policy(
                RoleName="ml-scientist", PolicyName="test-permissions", PolicyDocument=json.dumps(GLUE_POWER_USER)
            )
        creds = admin.client("sts").assume_role(RoleArn=arn, RoleSessionName=name)["Credentials"]
        return self.session(creds)


class _Session:
    def __init__(self, session: Any, endpoint: str) -> None:
        self._session, self._endpoint = session, endpoint

    def client(self, service: str, **kwargs: Any) -> Any:
        return self._session.client(service, endpoint_url=self._endpoint, **kwargs)


@pytest.fixture(scope="module")
def org() -> Iterator[Org]:
    # Glue's own minute (not the main sandbox's 1 s): the reconcile test moves the clock 5 minutes on under a run
    args = ("--accounts", "3", "--manual-schedules", *AT_START)  # IAM evaluated, as the sandbox's default
    with SandboxProcess(*args, log=ROOT / ".e2e-sandbox-org.log") as process:
        with urllib.request.urlopen(f"{process.endpoint}/_glueguard/status", timeout=5) as response:
            status = json.loads(response.read())
        yield Org(process.endpoint, status)


@pytest.fixture
def central(org: Org, monkeypatch: pytest.MonkeyPatch) -> Iterator[Org]:
    """The test process's boto3 and the layer's adapters point at the central account, as its admin."""
    from glueguard.adapters.clients import reset_clients

    point_at(org, monkeypatch)
    yield org
    reset_clients()
    boto3.DEFAULT_SESSION = None


def _capture(admin: Any, pattern: dict[str, Any]) -> tuple[Any, str]:
    """A rule on the member's default bus sending matching events to a queue in the member."""
    sqs, events = admin.client("sqs"), admin.client("events")
    url = sqs.create_queue(QueueName=f"capture-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule = f"capture-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=rule, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": arn}])
    return sqs, url


def _subscribed(admin: Any, topic_arn: str) -> tuple[Any, str]:
    """A queue in the member receiving the raw messages of the member's topic `topic_arn`."""
    sqs = admin.client("sqs")
    url = sqs.create_queue(QueueName=f"team-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    admin.client("sns").subscribe(
        TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    return sqs, url


def _received(sqs: Any, url: str, timeout: float = 5.0) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    got: list[dict[str, Any]] = []
    while not got and time.monotonic() < deadline:
        got = [
            json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        ]
        time.sleep(0.05)
    return got


def test_organizations_lists_the_central_account_and_two_members(org: Org) -> None:
    accounts = org.session().client("organizations").list_accounts()["Accounts"]
    assert sorted(a["Id"] for a in accounts) == sorted([org.organization["central"], *org.members])
    for member in org.members:  # the StackSet put the member stack in each member
        stacks = org.admin(member).client("cloudformation").describe_stacks()["Stacks"]
        assert [s["StackName"].startswith("StackSet-glueguard-member-") for s in stacks] == [True]


def test_noncompliant_job_in_member_2_is_corrected_through_the_member_role(central: Org) -> None:
    member = central.members[0]
    admin = central.admin(member)
    pid = str(uuid.uuid4())
    project = provisioned_project(central, pid, accountId=member)
    sqs, url = _capture(admin, {"source": ["aws.glue"], "detail": {"eventName": ["UpdateJob"]}})
    team, inbox = _subscribed(admin, str(project.resources.notifications_topic_arn))
    glue = central.scientist(member, "alice").client("glue")
    name = f"project-{pid}-job-ingest"

    glue.create_job(
        Name=name,
        Role=f"arn:aws:iam::{member}:role/some-admin-role",
        Command={"Name": "glueetl", "ScriptLocation": f"s3://project-{pid}-glue-scripts/ingest.py"},
        GlueVersion="4.0",
        WorkerType="G.1X",
        NumberOfWorkers=80,
    )

    job = poll(lambda: (j := glue.get_job(JobName=name)["Job"])["NumberOfWorkers"] != 80 and j, timeout=30)
    assert job, "not corrected"
    assert job["Role"] == project.resources.job_role_arn
    assert job["NumberOfWorkers"] == 50
    [update] = _received(sqs, url)
    identity = update["detail"]["userIdentity"]
    assert identity["arn"].startswith(f"arn:aws:sts::{member}:assumed-role/glueguard-member/")
    assert (
        identity["sessionContext"]["sessionIssuer"]["arn"] == f"arn:aws:iam::{member}:role/glueguard/glueguard-member"
    )
    decisions = poll(lambda: DecisionLog().list(pid))
    assert [(d.outcome, d.account, d.project_id) for d in decisions] == [("remediated", member, pid)]
    assert f"arn:aws:sts::{member}:assumed-role/ml-scientist/alice" == decisions[0].principal
    # the team reads it on its project's topic, in the member (the notifier publishes through the member role)
    [note] = _received(team, inbox, timeout=10)
    assert (note["decision_id"], note["account"], note["outcome"]) == (decisions[0].decision_id, member, "remediated")


def test_run_over_the_project_cap_in_member_3_is_stopped(central: Org) -> None:
    member = central.members[1]
    admin = central.admin(member)
    project = provisioned_project(central, accountId=member)
    job = make_job(project, "batch", timeout=120, glue=admin.client("glue"))
    glue = central.scientist(member, "bob").client("glue")

    run_id = glue.start_job_run(JobName=job, NumberOfWorkers=80)["JobRunId"]

    assert poll(lambda: glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"] in STOPPED, timeout=10)
    stops = poll(lambda: [d for d in DecisionLog().list(project.project_id) if d.outcome == "stopped"])
    assert [(d.resource_name, d.account) for d in stops] == [(f"{job}/{run_id}", member)]


def test_provisioning_into_member_3_creates_everything_there_and_registers_it_centrally(central: Org) -> None:
    from glueguard.adapters.registry import Registry
    from glueguard.models.project import ProjectStatus

    from tests.support.provisioning import leftovers, request

    member = central.members[1]
    admin = central.admin(member)
    pid = str(uuid.uuid4())

    done = run_execution(central, "ProvisionProjectStateMachineArn", request(pid, accountId=member))

    assert done["status"] == "SUCCEEDED", done.get("cause")
    project = Registry().get(pid, cached=False)
    assert (project.status, project.account_id, project.region) == (ProjectStatus.ACTIVE, member, "us-east-1")
    assert project.resources.job_role_arn == f"arn:aws:iam::{member}:role/project-{pid}-glue-job-role"
    assert len(leftovers(pid, session=admin)) == 26  # everything a project holds (as single-account), in the member
    assert leftovers(pid) == []  # and nothing in the central account
    role = admin.client("iam").get_role(RoleName=f"project-{pid}-glue-job-role")["Role"]
    boundary = f"arn:aws:iam::{member}:policy/glueguard/glueguard-project-role-boundary"
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary  # the member's own boundary
    removed = run_execution(central, "DeprovisionProjectStateMachineArn", {"projectId": pid, "retainData": False})
    assert removed["status"] == "SUCCEEDED", removed.get("cause")
    assert leftovers(pid, session=admin) == []
    assert Registry().get(pid, cached=False).status == ProjectStatus.DELETED


def test_an_account_id_that_is_not_an_account_is_refused_and_changes_nothing(central: Org) -> None:
    from glueguard.adapters.registry import Registry

    from tests.support.provisioning import request

    pid = str(uuid.uuid4())
    done = run_execution(central, "ProvisionProjectStateMachineArn", request(pid, accountId="12345"))
    assert (done["status"], done.get("error")) == ("FAILED", "InvalidRequest")
    assert "accountId" in done.get("cause", "")
    assert Registry().get(pid, cached=False) is None


def test_a_member_that_disables_forwarding_or_breaks_its_role_is_reported_within_one_heartbeat(central: Org) -> None:
    from glueguard.organization.heartbeat import ORGANIZATION

    from glueguard_sandbox.commands import post

    quiet, broken = central.members
    events, iam = central.admin(quiet).client("events"), central.admin(broken).client("iam")
    trust_before = iam.get_role(RoleName="glueguard-member")["Role"]["AssumeRolePolicyDocument"]
    organizations, protection = central.client("organizations"), central.organization["protection"]
    # the member protection SCP refuses both to a member's admin: the heartbeat is for an OU without it
    organizations.detach_policy(PolicyId=protection, TargetId=central.organization["root"])
    events.disable_rule(Name="glueguard-forward-glue")
    iam.update_assume_role_policy(RoleName="glueguard-member", PolicyDocument=json.dumps(_trust_only(broken)))
    try:
        post(central.endpoint, "tick", {"seconds": 300})  # one HeartbeatRate (5 minutes) on the sandbox clock
        post(central.endpoint, "drain", {"timeout": 30})
        found = poll(lambda: [d for d in DecisionLog().list(ORGANIZATION) if d.function == "heartbeat"], timeout=10)
    finally:  # the members are the module's: the other tests need them whole
        events.enable_rule(Name="glueguard-forward-glue")
        iam.update_assume_role_policy(RoleName="glueguard-member", PolicyDocument=_document(trust_before))
        organizations.attach_policy(PolicyId=protection, TargetId=central.organization["root"])
    by_account = {d.account: [v["rule"] for v in d.violations] for d in found}
    assert by_account == {quiet: ["forwarding-rule-disabled"], broken: ["member-role-broken"]}
    assert {d.severity for d in found} == {"critical"}


def test_the_member_protection_scp_refuses_a_member_admin_and_spares_the_stacksets_role(central: Org) -> None:
    """policies/member-protection-scp.json, attached to the root as docs/organizations.md says: a member's own
    administrator may neither disable the forwarding rule nor touch the member role; the management account
    is not affected (SCPs never apply to it)."""
    member = central.members[0]
    admin = central.admin(member)
    with pytest.raises(ClientError) as caught:
        admin.client("events").disable_rule(Name="glueguard-forward-glue")
    message = caught.value.response["Error"]["Message"]
    assert "events:DisableRule" in message and message.endswith("with an explicit deny in a service control policy")
    with pytest.raises(ClientError) as caught:
        admin.client("iam").put_role_policy(RoleName="glueguard-member", PolicyName="x", PolicyDocument="{}")
    assert "explicit deny in a service control policy" in caught.value.response["Error"]["Message"]
    assert admin.client("iam").get_role(RoleName="glueguard-member")["Role"]["Path"] == "/glueguard/"
    plain = admin.client("events")
    plain.put_rule(Name=f"team-{uuid.uuid4().hex[:6]}", ScheduleExpression="rate(1 day)")  # other rules are free


def _document(policy: str | dict[str, Any]) -> str:
    return policy if isinstance(policy, str) else json.dumps(policy)


def _trust_only(account: str) -> dict[str, Any]:
    """A trust policy letting only the account itself in (what a member admin might write)."""
    statement = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}
    return {"Version": "2012-10-17", "Statement": [statement]}


def test_the_scheduled_reconcile_reads_member_runs_in_their_account(central: Org) -> None:
    """A member project's running run stays in the ledger through the run guard's schedule (it is read in the
    member account, not looked for in the central one and released as gone)."""
    from glueguard.adapters.ledger import Ledger

    from glueguard_sandbox.commands import post

    member = central.members[0]
    admin = central.admin(member)
    project = provisioned_project(central, accountId=member)
    job = make_job(project, "steady", timeout=120, glue=admin.client("glue"))
    glue = central.scientist(member, "carol").client("glue")
    run_id = glue.start_job_run(JobName=job, Arguments={"--sandbox-run-seconds": "3600"})["JobRunId"]
    assert poll(lambda: [e.entry_id for e in Ledger().entries(project.project_id)] == [run_id], timeout=10)

    post(central.endpoint, "tick", {"seconds": 300})  # the run guard's reconcile schedule fires
    post(central.endpoint, "drain", {"timeout": 30})

    assert glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"] == "RUNNING"  # 5 of its 60 minutes
    assert [e.entry_id for e in Ledger().entries(project.project_id)] == [run_id]


def test_an_upload_to_a_member_project_bucket_starts_its_bound_job_there(central: Org) -> None:
    """The member's S3 event -> its forwarding rule -> the central bus -> the upload trigger, which starts the
    bound job in the member through the member role (IAM evaluated at every hop)."""
    from glueguard.naming import ProjectNames

    from glueguard_sandbox.commands import post

    member = central.members[0]
    admin = central.admin(member)
    names = ProjectNames(str(uuid.uuid4()))
    binding = {
        "bucket": names.artifacts_bucket,
        "prefix": "incoming/",
        "suffix": ".csv",
        "jobName": names.resource("job", "ingest"),
        "arguments": {"--input_path": "s3://{bucket}/{key}"},
    }
    project = provisioned_project(central, names.project_id, accountId=member, uploadTriggers=[binding])
    job = make_job(project, "ingest", glue=admin.client("glue"))

    admin.client("s3").put_object(Bucket=names.artifacts_bucket, Key="incoming/day-1.csv", Body=b"a,b\n1,2\n")
    post(central.endpoint, "drain", {"timeout": 30})

    glue = admin.client("glue")
    runs = poll(lambda: glue.get_job_runs(JobName=job)["JobRuns"], timeout=10)
    assert [r["Arguments"]["--input_path"] for r in runs] == [f"s3://{names.artifacts_bucket}/incoming/day-1.csv"]
    started = poll(lambda: [d for d in DecisionLog().list(names.project_id) if d.outcome == "started"])
    assert [d.account for d in started] == [member]


def _function_session(org: Org, logical_id: str) -> Any:
    """The session a deployed function runs in (its role, as Lambda gets it for the function)."""
    from glueguard_sandbox.commands import post

    roles = org.client("iam").list_roles(PathPrefix="/glueguard/")["Roles"]
    [arn] = [r["Arn"] for r in roles if f"-{logical_id}-" in r["RoleName"]]
    return org.session(post(org.endpoint, "service-session", {"roleArn": arn, "service": "lambda.amazonaws.com"}))


def test_the_member_role_reads_project_roles_but_never_rewrites_their_trust(central: Org) -> None:
    """Whoever holds a member-role session (a central glueguard function, or someone who took one over) may read a
    project role there, but not open its trust to anyone else: the provisioner boundary's "never a trust-policy
    rewrite" holds in members too (a project role's trust is set once, at CreateRole)."""
    member = central.members[1]
    project = provisioned_project(central, accountId=member)
    plane = _function_session(central, "EnforcerRole")
    member_role = f"arn:aws:iam::{member}:role/glueguard/glueguard-member"
    held = central.session(plane.client("sts").assume_role(RoleArn=member_role, RoleSessionName="fn")["Credentials"])
    role = project.resources.job_role_arn.rsplit("/", 1)[-1]

    assert held.client("iam").get_role(RoleName=role)["Role"]["Arn"] == project.resources.job_role_arn
    with pytest.raises(ClientError) as caught:
        held.client("iam").update_assume_role_policy(RoleName=role, PolicyDocument=trust(member))
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    assert "iam:UpdateAssumeRolePolicy" in caught.value.response["Error"]["Message"]


def test_a_role_made_under_the_plane_path_cannot_act_in_members(central: Org) -> None:
    """Issue 24 item 6, from the attacker's own credentials: someone able to create a role under /glueguard/ in the
    central account (where the functions' roles live), with the same MemberAccessPolicy grant, may not assume any
    member's role: the member role trusts the central functions' exact role ARNs (the central stack passes them to
    the StackSet), not the path. Before, it assumed it and could, e.g., rewrite a project's script unseen."""
    member = central.members[0]
    iam = central.client("iam")
    name = f"plane-{uuid.uuid4().hex[:6]}"
    arn = iam.create_role(
        RoleName=name, Path="/glueguard/", AssumeRolePolicyDocument=trust(central.organization["central"])
    )["Role"]["Arn"]
    [grant] = [p for p in iam.list_policies(Scope="Local")["Policies"] if "MemberAccessPolicy" in p["PolicyName"]]
    iam.attach_role_policy(RoleName=name, PolicyArn=grant["Arn"])
    attacker = central.session(central.client("sts").assume_role(RoleArn=arn, RoleSessionName="x1")["Credentials"])
    member_role = f"arn:aws:iam::{member}:role/glueguard/glueguard-member"

    with pytest.raises(ClientError) as caught:
        attacker.client("sts").assume_role(RoleArn=member_role, RoleSessionName="x1")

    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    # the plane's own functions still act there (the run guard's role, as Lambda gives it to the function)
    plane = _function_session(central, "RunGuardRole").client("sts")
    assert plane.assume_role(RoleArn=member_role, RoleSessionName="fn")["AssumedRoleUser"]["Arn"].startswith(
        f"arn:aws:sts::{member}:assumed-role/glueguard-member/"
    )


def test_a_member_admin_cannot_pose_as_another_accounts_project(central: Org) -> None:
    """Issue 24 item 7, from the attacker's own credentials (an administrator of member 3): a job named for a
    project of member 2, made in member 3, fills no part of that project's ledger and earns no decision of it, and
    the project's decisions never reach a topic of that name the attacker made in member 3. The enforcer flags the
    job as nobody's (the plane topic's audience); the victim project's own runs are still guarded."""
    from glueguard.adapters.ledger import Ledger

    from glueguard_sandbox.commands import post

    victim_account, attacker_account = central.members
    victim = provisioned_project(central, accountId=victim_account)
    pid = victim.project_id
    attacker = central.admin(attacker_account)
    topic = attacker.client("sns").create_topic(Name=f"project-{pid}-notifications")["TopicArn"]
    stolen, inbox = _subscribed(attacker, topic)
    role = attacker.client("iam").create_role(
        RoleName=f"squatter-{uuid.uuid4().hex[:6]}", AssumeRolePolicyDocument=trust(service="glue.amazonaws.com")
    )["Role"]["Arn"]
    glue = attacker.client("glue")
    job = f"project-{pid}-job-squat"
    glue.create_job(
        Name=job,
        Role=role,
        Command={"Name": "glueetl", "ScriptLocation": "s3://anywhere/x.py"},
        GlueVersion="4.0",
        WorkerType="G.1X",
        NumberOfWorkers=10,
        Timeout=60,
        ExecutionProperty={"MaxConcurrentRuns": 5},
    )

    fits = glue.start_job_run(JobName=job, Arguments={"--sandbox-run-seconds": "3600"})["JobRunId"]
    over = glue.start_job_run(JobName=job, NumberOfWorkers=80, Arguments={"--sandbox-run-seconds": "3600"})["JobRunId"]
    post(central.endpoint, "drain", {"timeout": 30})

    assert [d.outcome for d in DecisionLog().list(pid)] == []  # no decision of the victim's is made of it...
    assert _received(stolen, inbox, timeout=3) == []  # ...nor published to the attacker's topic
    assert Ledger().entries(pid) == []  # nothing of the victim's DPU is taken
    flagged = poll(lambda: [d for d in DecisionLog().list("unowned") if d.resource_name == job], timeout=10)
    assert [(d.outcome, d.account, [v["rule"] for v in d.violations]) for d in flagged] == [
        ("reported", attacker_account, ["job-unowned"])
    ]
    assert glue.get_job(JobName=job)["Job"]["Role"] == role  # nor is the victim's role handed to it
    assert {glue.get_job_run(JobName=job, RunId=r)["JobRun"]["JobRunState"] for r in (fits, over)} == {"RUNNING"}
    # the victim's own job in its own account is still guarded
    own = make_job(victim, "own", timeout=120, glue=central.admin(victim_account).client("glue"))
    own_glue = central.scientist(victim_account, "dana").client("glue")
    run_id = own_glue.start_job_run(JobName=own, NumberOfWorkers=80)["JobRunId"]
    assert poll(lambda: own_glue.get_job_run(JobName=own, RunId=run_id)["JobRun"]["JobRunState"] in STOPPED, 10)
    stops = poll(lambda: [d for d in DecisionLog().list(pid) if d.outcome == "stopped"])
    assert [(d.resource_name, d.account) for d in stops] == [(f"{own}/{run_id}", victim_account)]


def test_the_plane_assumes_member_roles_of_its_own_organization_only(central: Org) -> None:
    """Issue 24 item 7: the deployed MemberAccessPolicy allows sts:AssumeRole only on a member role whose account
    is in the plane's organization (`aws:ResourceOrgID`, which the sandbox sets for a resource of an organization's
    account): the same document naming another organization is refused the same member role."""
    iam = central.client("iam")
    [policy] = [p for p in iam.list_policies(Scope="Local")["Policies"] if "MemberAccessPolicy" in p["PolicyName"]]
    document = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])["PolicyVersion"]
    deployed = document["Document"] if isinstance(document["Document"], dict) else json.loads(document["Document"])
    [statement] = deployed["Statement"]
    org_id = central.client("organizations").describe_organization()["Organization"]["Id"]
    assert statement["Condition"] == {"StringEquals": {"aws:ResourceOrgID": org_id}}
    elsewhere = json.loads(json.dumps(deployed).replace(org_id, "o-0ther0rg000"))
    member_role = f"arn:aws:iam::{central.members[0]}:role/glueguard/glueguard-member"
    # The member role trusts only the plane's function roles (item 6): act as one, in the session Lambda gives it.
    [holder] = iam.list_entities_for_policy(PolicyArn=policy["Arn"])["PolicyRoles"][:1]
    holder_arn = iam.get_role(RoleName=holder["RoleName"])["Role"]["Arn"]
    lambda_session = post(
        central.endpoint, "service-session", {"roleArn": holder_arn, "service": "lambda.amazonaws.com"}
    )
    outcomes = []
    for label, policy_document in (("own", deployed), ("other", elsewhere)):
        version = iam.create_policy_version(
            PolicyArn=policy["Arn"], PolicyDocument=json.dumps(policy_document), SetAsDefault=True
        )["PolicyVersion"]["VersionId"]
        try:
            central.session(lambda_session).client("sts").assume_role(RoleArn=member_role, RoleSessionName="probe")
            outcomes.append((label, "assumed"))
        except ClientError as exc:
            outcomes.append((label, exc.response["Error"]["Code"]))
        finally:  # the deployed document back in force
            iam.set_default_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])
            iam.delete_policy_version(PolicyArn=policy["Arn"], VersionId=version)
    assert outcomes == [("own", "assumed"), ("other", "AccessDenied")]


def test_a_member_admin_cannot_borrow_the_stacksets_exemption_of_the_scp(central: Org) -> None:
    """Issue 24 item 9, from a member administrator's own credentials: the member protection SCP spares the
    StackSets execution roles (`stacksets-exec-*`, which StackSets' service-linked role makes in each member and its
    administrator's service-linked role assumes), so nobody else may make or change a role of that name: before
    this, the admin made one with `*`, assumed it and disabled glueguard-forward-glue. Its other roles stay free."""
    member = central.members[0]
    iam = central.admin(member).client("iam")
    refused = []
    for name in (f"stacksets-exec-{uuid.uuid4().hex[:8]}", "stacksets-exec-1f2e3d4c5b6a"):
        with pytest.raises(ClientError) as caught:
            iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(member))
        refused.append(caught.value.response["Error"]["Message"])
    assert [m.endswith("with an explicit deny in a service control policy") for m in refused] == [True, True]
    assert "iam:CreateRole" in refused[0]
    own = f"team-runner-{uuid.uuid4().hex[:6]}"  # any other role is the admin's to make
    assert iam.create_role(RoleName=own, AssumeRolePolicyDocument=trust(member))["Role"]["RoleName"] == own


def test_a_member_admin_cannot_lift_a_project_roles_boundary(central: Org) -> None:
    """Issue 24 item 9: the member protection SCP denies removing or replacing the permissions boundary of a
    project role (what caps every policy on it) to the member's own administrator; reading the role stays free."""
    member = central.members[1]
    project = provisioned_project(central, accountId=member)
    iam = central.admin(member).client("iam")
    role = project.resources.job_role_arn.rsplit("/", 1)[-1]
    boundary = f"arn:aws:iam::{member}:policy/glueguard/glueguard-project-role-boundary"
    wider = iam.create_policy(
        PolicyName=f"wider-{uuid.uuid4().hex[:6]}",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    refused = []
    for call in (
        lambda: iam.delete_role_permissions_boundary(RoleName=role),
        lambda: iam.put_role_permissions_boundary(RoleName=role, PermissionsBoundary=wider),
    ):
        try:
            call()
            refused.append("allowed")
        except ClientError as exc:
            refused.append(exc.response["Error"]["Message"].endswith("explicit deny in a service control policy"))
    assert refused == [True, True]
    assert iam.get_role(RoleName=role)["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary


def test_a_member_that_rewrites_a_rules_pattern_input_or_role_is_reported(central: Org) -> None:
    """Issue 24 item 9: the heartbeat judges the whole forwarding (the pattern, the target's role, no input
    rewriting), not only that a rule is enabled and aims at the bus. The member admin (in an OU without the SCP)
    narrows glueguard-forward-glue's pattern, adds an input transformer to glueguard-forward-s3's target and aims
    glueguard-heartbeat's target through a role of its own."""
    from glueguard.organization.heartbeat import ORGANIZATION

    from glueguard_sandbox.commands import post

    member = central.members[1]
    admin = central.admin(member)
    events, iam = admin.client("events"), admin.client("iam")
    organizations, protection = central.client("organizations"), central.organization["protection"]
    before = {
        name: (events.describe_rule(Name=name), events.list_targets_by_rule(Rule=name)["Targets"])
        for name in ("glueguard-forward-glue", "glueguard-forward-s3", "glueguard-heartbeat")
    }
    bus = central.outputs["GlueguardBusArn"]
    own = iam.create_role(
        RoleName=f"own-forwarder-{uuid.uuid4().hex[:6]}", AssumeRolePolicyDocument=trust(service="events.amazonaws.com")
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=own.rsplit("/", 1)[-1],
        PolicyName="put",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": bus}]}
        ),
    )
    seen_before = {d.decision_id for d in DecisionLog().list(ORGANIZATION)}
    organizations.detach_policy(PolicyId=protection, TargetId=central.organization["root"])
    try:
        events.put_rule(
            Name="glueguard-forward-glue",
            EventPattern=json.dumps({"source": ["aws.glue"], "detail-type": ["Nothing that happens"]}),
        )
        [s3_target] = before["glueguard-forward-s3"][1]
        transformer = {"InputPathsMap": {"b": "$.detail.bucket.name"}, "InputTemplate": '{"bucket": <b>}'}
        events.put_targets(Rule="glueguard-forward-s3", Targets=[{**s3_target, "InputTransformer": transformer}])
        [beat_target] = before["glueguard-heartbeat"][1]
        events.put_targets(Rule="glueguard-heartbeat", Targets=[{**beat_target, "RoleArn": own}])
        post(central.endpoint, "tick", {"seconds": 300})  # one HeartbeatRate on the sandbox clock
        post(central.endpoint, "drain", {"timeout": 30})
        found = poll(
            lambda: [
                d
                for d in DecisionLog().list(ORGANIZATION)
                if d.function == "heartbeat" and d.account == member and d.decision_id not in seen_before
            ],
            timeout=10,
        )
    finally:  # the members are the module's: the other tests need them whole
        for name, (rule, targets) in before.items():
            kept = {k: rule[k] for k in ("EventPattern", "ScheduleExpression", "State") if k in rule}
            events.put_rule(Name=name, **kept)
            events.put_targets(Rule=name, Targets=targets)
        organizations.attach_policy(PolicyId=protection, TargetId=central.organization["root"])
    assert [sorted(v["rule"] for v in d.violations) for d in found] == [
        ["forwarding-input-changed", "forwarding-pattern-changed", "forwarding-role-changed"]
    ]
