"""`make scan`: Prowler (its own virtual environment, `.tools/prowler`) against a sandbox with one provisioned project.

The sandbox is started as `glueguard sandbox up` runs it, a project is provisioned through the deployed
provision-project state machine, and Prowler reads the sandbox as it would read AWS: boto3 honours
`AWS_ENDPOINT_URL` (STS's GetCallerIdentity included), so nothing of Prowler is patched. Findings are sorted by
scope and held against docs/security.md ("Prowler findings accepted"); the summary is written to
docs/prowler-findings.md. Exit 1 when a FAIL on the plane's or the project's resources is neither fixed nor accepted.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import boto3

from glueguard_sandbox.process import SandboxProcess
from glueguard_sandbox.scan_findings import judge, read_acceptances, read_csv, summary
from glueguard_sandbox.server import ROOT

PROWLER = ROOT / ".tools" / "prowler" / "bin" / "prowler"
SERVICES = [
    "glue",
    "iam",
    "s3",
    "kms",
    "awslambda",
    "sqs",
    "sns",
    "dynamodb",
    "cloudwatch",
    "ec2",
    "vpc",
    "stepfunctions",
    "eventbridge",
]
OUT = ROOT / ".scan"


def _client(endpoint: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def provision(endpoint: str, outputs: dict[str, str]) -> str:
    """One project through the provision-project state machine (as `glueguard provision` starts it)."""
    project_id = str(uuid.uuid4())
    request = {"projectId": project_id, "owner": "scan@example.com", "costCenter": "cc-scan", "monthlyBudgetUsd": 100}
    sfn = _client(endpoint, "stepfunctions")
    arn = sfn.start_execution(
        stateMachineArn=outputs["ProvisionProjectStateMachineArn"], name=project_id, input=json.dumps(request)
    )["executionArn"]
    deadline = time.monotonic() + 300
    while (execution := sfn.describe_execution(executionArn=arn))["status"] == "RUNNING":
        if time.monotonic() > deadline:
            raise RuntimeError(f"provisioning {project_id} did not finish in 300 s")
        time.sleep(0.5)
    if execution["status"] != "SUCCEEDED":
        raise RuntimeError(f"provisioning {project_id} {execution['status']}: {execution.get('cause')}")
    return project_id


def project_markers(endpoint: str, project_id: str) -> list[str]:
    """What names the project's resources: its prefix, and the ids of its VPC's resources (default ones too)."""
    prefix = f"project-{project_id}"
    ec2 = _client(endpoint, "ec2")
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "tag:Project", "Values": [prefix]}])["Vpcs"]
    markers = [prefix]
    for vpc in vpcs:
        in_vpc = [{"Name": "vpc-id", "Values": [vpc["VpcId"]]}]
        markers.append(vpc["VpcId"])
        markers += [g["GroupId"] for g in ec2.describe_security_groups(Filters=in_vpc)["SecurityGroups"]]
        markers += [a["NetworkAclId"] for a in ec2.describe_network_acls(Filters=in_vpc)["NetworkAcls"]]
        markers += [s["SubnetId"] for s in ec2.describe_subnets(Filters=in_vpc)["Subnets"]]
        markers += [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=in_vpc)["RouteTables"]]
        markers += [e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints(Filters=in_vpc)["VpcEndpoints"]]
    return markers


def run_prowler(endpoint: str, out: Path) -> Path:
    """Prowler over the services of issue 23, every resource (used or not); its CSV."""
    if not PROWLER.exists():
        raise SystemExit(f"{PROWLER} is missing: run `make scan` (it installs requirements/prowler.txt there)")
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    for previous in (out / "prowler.csv", out / "prowler-errors.log"):  # Prowler appends to an existing file
        previous.unlink(missing_ok=True)
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)
    command = [str(PROWLER), "aws", "--region", "us-east-1", "--service", *SERVICES, "--scan-unused-services"]
    command += ["--no-banner", "--no-color", "--ignore-exit-code-3", "-M", "csv", "-o", str(out), "-F", "prowler"]
    command += ["--log-level", "ERROR", "--log-file", str(out / "prowler-errors.log")]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return out / "prowler.csv"


def not_emulated(log: Path) -> list[str]:
    """Prowler's failed calls, one line per service error (e.g. an operation the emulator does not serve)."""
    if not log.exists():
        return []
    found: Counter[str] = Counter()
    for line in log.read_text().splitlines():
        match = re.search(r"(\w+Error|\w+Exception)[^:]*: (.{0,140})", line)
        if match:
            found[f"{match.group(1)}: {match.group(2).strip()}"] += 1
    return [f"{text} (x{count})" for text, count in found.most_common()]


def main() -> int:
    OUT.mkdir(exist_ok=True)
    with SandboxProcess("--manual-schedules", log=OUT / "sandbox.log") as sandbox:
        project_id = provision(sandbox.endpoint, sandbox.outputs)
        markers = project_markers(sandbox.endpoint, project_id)
        csv_path = run_prowler(sandbox.endpoint, OUT)
    acceptances = read_acceptances((ROOT / "docs" / "security.md").read_text())
    verdict = judge(read_csv(csv_path), markers, acceptances)
    (ROOT / "docs" / "prowler-findings.md").write_text(summary(verdict, not_emulated(OUT / "prowler-errors.log")))
    for finding in verdict.unaccepted:
        print(f"UNACCEPTED {finding.check} {finding.resource}: {finding.message}")
    for acceptance in verdict.unused:
        print(f"no longer found (remove from docs/security.md): {acceptance.check} {acceptance.resource}")
    print(f"prowler: {len(verdict.unaccepted)} unaccepted, {len(verdict.accepted)} accepted; docs/prowler-findings.md")
    return 1 if verdict.unaccepted or verdict.unused else 0


if __name__ == "__main__":
    sys.exit(main())
