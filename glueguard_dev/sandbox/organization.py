"""The sandbox's AWS Organization: this account manages it and runs the central stack; N-1 members."""

from __future__ import annotations

from typing import Any

from glueguard_dev.sandbox import deploy as deployer

#: Where the central stack's StackSet finds the member template (deploy uploads the nested stack's copy).
MEMBER_TEMPLATE_KEY = "templates/member.yaml"


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
    return {"id": org["Id"], "root": root, "central": org["MasterAccountId"], "members": accounts}


def central_parameters(organization: dict[str, Any]) -> dict[str, str]:
    """The central stack's organization parameters: the bus policy and the StackSet over the whole root."""
    return {
        "OrganizationId": organization["id"],
        "MemberOrganizationalUnitIds": organization["root"],
        "MemberTemplateUrl": deployer.template_url(MEMBER_TEMPLATE_KEY),
    }
