"""Prowler's findings against a sandbox, sorted by whose resource they are and held against what docs/security.md
accepts (pure: no AWS call, no Prowler import; `glueguard_sandbox.scan` runs Prowler and reads the resources).

A finding is the plane's when its resource is the stack's (a name or ARN carrying `glueguard`, the sandbox's own
artifact bucket excepted: it stands in for `sam package`'s bucket), the project's when it carries `project-<uuid>`
or is one of the project VPC's resources (default security group and network ACL included), and otherwise the
account's or the emulator's (moto's default VPC, its seeded snapshots, account settings): reported, never judged.
Every FAIL on the plane's or the project's resources must be fixed or accepted in the table "Prowler findings
accepted" of docs/security.md, one row per check and resource pattern, with a one-line reason.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

PLANE, PROJECT, OUTSIDE = "plane", "project", "outside"
#: The sandbox's stand-in for the bucket `sam package` uploads to: not a resource the template deploys.
SANDBOX_ONLY = ("glueguard-sandbox-artifacts",)
ACCEPTED_HEADING = "### Prowler findings accepted"


@dataclass(frozen=True)
class Finding:
    check: str
    status: str
    severity: str
    resource: str
    message: str


@dataclass(frozen=True)
class Acceptance:
    """A check accepted on the resources matching `resource` (a glob over the finding's resource UID)."""

    check: str
    resource: str
    reason: str

    def covers(self, finding: Finding) -> bool:
        return finding.check == self.check and fnmatchcase(finding.resource, self.resource)


@dataclass
class Verdict:
    """Findings by scope and status; the plane's and the project's FAILs left unaccepted."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    accepted: list[tuple[Finding, Acceptance]] = field(default_factory=list)
    unaccepted: list[Finding] = field(default_factory=list)
    unused: list[Acceptance] = field(default_factory=list)


def read_csv(path: Path) -> list[Finding]:
    """Prowler's CSV output (`-M csv`: semicolon separated, one row per finding)."""
    with path.open(newline="") as handle:
        return [
            Finding(r["CHECK_ID"], r["STATUS"], r["SEVERITY"], r["RESOURCE_UID"], r["STATUS_EXTENDED"])
            for r in csv.DictReader(handle, delimiter=";")
        ]


def scope(resource: str, project_markers: Iterable[str]) -> str:
    """plane, project or outside (see the module docstring)."""
    if any(marker in resource for marker in project_markers):
        return PROJECT
    if "glueguard" in resource and not any(name in resource for name in SANDBOX_ONLY):
        return PLANE
    return OUTSIDE


def read_acceptances(markdown: str) -> list[Acceptance]:
    """The rows of the table under ACCEPTED_HEADING: `| check | resource glob | reason |` (code spans unwrapped)."""
    if ACCEPTED_HEADING not in markdown:
        raise ValueError(f"docs/security.md has no section {ACCEPTED_HEADING!r}")
    section = markdown.split(ACCEPTED_HEADING, 1)[1]
    rows: list[Acceptance] = []
    in_table = False
    for line in section.splitlines()[1:]:
        if not line.startswith("|"):
            if in_table or line.startswith("#"):
                break  # the table ends at its first line that is not a row
            continue
        in_table = True
        if set(line) <= set("|-: "):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] in ("check", ""):
            continue
        if len(cells) != 3 or not cells[2]:
            raise ValueError(f"an accepted finding needs a check, a resource pattern and a reason: {line!r}")
        check, resource = (re.sub(r"^`(.*)`$", r"\1", c) for c in cells[:2])
        rows.append(Acceptance(check, resource, cells[2]))
    return rows


def judge(findings: Iterable[Finding], project_markers: Iterable[str], acceptances: list[Acceptance]) -> Verdict:
    markers = tuple(project_markers)
    verdict = Verdict()
    used: set[Acceptance] = set()
    for finding in findings:
        where = scope(finding.resource, markers)
        verdict.counts[(where, finding.status)] += 1
        if finding.status != "FAIL" or where == OUTSIDE:
            continue
        match = next((a for a in acceptances if a.covers(finding)), None)
        if match:
            verdict.accepted.append((finding, match))
            used.add(match)
        else:
            verdict.unaccepted.append(finding)
    verdict.unused = [a for a in acceptances if a not in used]
    return verdict


def summary(verdict: Verdict, not_emulated: list[str]) -> str:
    """The committed findings summary (docs/prowler-findings.md), as markdown."""
    lines = [
        "# Prowler against the sandbox: the latest `make scan`",
        "",
        "Written by `make scan` (`glueguard_sandbox/scan.py`); the before/after history is in docs/security.md.",
        "",
        "| scope | FAIL | PASS | MANUAL |",
        "|---|---|---|---|",
    ]
    for where in (PLANE, PROJECT, OUTSIDE):
        lines.append(
            f"| {where} | {verdict.counts[(where, 'FAIL')]} | {verdict.counts[(where, 'PASS')]} | "
            f"{verdict.counts[(where, 'MANUAL')]} |"
        )
    lines += ["", f"Unaccepted FAILs on the plane's or the project's resources: **{len(verdict.unaccepted)}**", ""]
    lines += [f"- `{f.check}` on `{f.resource}`: {f.message}" for f in verdict.unaccepted]
    by_check = Counter(a.check for _, a in verdict.accepted)
    lines += ["", 'Accepted (docs/security.md, "Prowler findings accepted"), by check:', ""]
    lines += [f"- `{check}`: {count}" for check, count in sorted(by_check.items())]
    if not_emulated:
        lines += ["", "Calls Prowler made that the sandbox does not answer (their checks ran on no data):", ""]
        lines += [f"- {line}" for line in not_emulated]
    return "\n".join(lines) + "\n"
