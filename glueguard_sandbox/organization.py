"""The sandbox's AWS Organization: this account manages it and runs the central stack; N-1 members."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from glueguard_sandbox import deploy as deployer

#: Where the central stack's StackSet finds the member template (deploy uploads the nested stack's copy).
MEMBER_TEMPLATE_KEY = "templates/member.yaml"
#: the SCP docs/organizations.md has the operator attach to the governed OUs (here: the root)
MEMBER_SCP = Path(__file__).resolve().parents[1] / "policies" / "member-protection-scp.json"


def create(session: Any, members: int) -> dict[str, Any]:
    """Create the organization and its member accounts (each with OrganizationAccountAccessRole)."""
    organizations = session.client("organizations")
    org = organizations.create_organization(FeatureSet="ALL")["Organization"]
    root = organizations.list_roots()["Roots"][0]["Id"]
    accounts = []
    for index in range(1, members + 1):
        status = organizations.create_account(
            AccountName=f"glueguard-member-{index}", Email=f"member-{index}@glueguard.invalid"
        )["CreateAccountStatus"]
        accounts.append(status["AccountId"])
    protection = protect(organizations, root)
    return {
        "id": org["Id"],
        "root": root,
        "central": org["MasterAccountId"],
        "members": accounts,
        "protection": protection,
    }


def protect(organizations: Any, target: str) -> str:
    """Enable SCPs and RCPs on the root and attach the member protection SCP to `target` (step 6 of
    docs/organizations.md); the sandbox's IAM evaluator then applies it in every member account."""
    for kind in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"):
        organizations.enable_policy_type(RootId=organizations.list_roots()["Roots"][0]["Id"], PolicyType=kind)
    policy = organizations.create_policy(
        Name="glueguard-member-protection",
        Description="Protects the glueguard member stack, roles and rules",
        Type="SERVICE_CONTROL_POLICY",
        Content=MEMBER_SCP.read_text(),
    )["Policy"]["PolicySummary"]["Id"]
    organizations.attach_policy(PolicyId=policy, TargetId=target)
    return policy


def central_parameters(organization: dict[str, Any]) -> dict[str, str]:
    """The central stack's organization parameters: the bus policy and the StackSet over the whole root."""
    return {
        "OrganizationId": organization["id"],
        "MemberOrganizationalUnitIds": organization["root"],
        "MemberTemplateUrl": deployer.template_url(MEMBER_TEMPLATE_KEY),
    }
