"""Extensions to moto that make it behave as AWS documents where moto 5.2.5 falls short.

`install()` is idempotent and works both under `moto.mock_aws` (integration tests) and in the
moto server the sandbox runs. Follows moto's split: backend models first, wire responses second.
"""

from __future__ import annotations

_installed = False


def install() -> None:
    """Patch moto's backends and responses with the glueguard extensions (idempotent)."""
    global _installed
    if _installed:
        return
    from glueguard_sandbox.emulator import (
        awslambda,
        costexplorer,  # cost allocation tags: an inactive one filters to "0" (issue 22)
        dynamodb_atomic,
        dynamodbstreams,  # Lambda's DynamoDB stream poller: after the write, filtered, retried (issue 15)
        eventbridge,
        eventbus,  # bus-to-bus and cross-account delivery (issue 14)
        iam_documents,  # inline role policies of deployed stacks kept as JSON text (issue 12)
        identity_center,  # account assignments make AWSReservedSSO_ roles; users sign in (issue 24)
        kms,  # deployed keys keep their key policy as JSON text (issue 26)
        organizations,  # member accounts' OrganizationAccountAccessRole (issue 14)
        provisioning,
        s3_events,
        ssm,  # Parameter Store value limits per tier (issue 16)
        stepfunctions,
        sts,  # AssumeRole across accounts checks the trust policy (issue 14)
    )
    from glueguard_sandbox.emulator.glue import jobs as glue_jobs
    from glueguard_sandbox.emulator.glue import kinds as glue_kinds  # crawlers, triggers, connections, sessions
    from glueguard_sandbox.emulator.glue import other as glue_other
    from glueguard_sandbox.emulator.glue import profiles as glue_profiles  # usage profiles (issue 12)
    from glueguard_sandbox.emulator.glue import runs as glue_runs
    from glueguard_sandbox.emulator.glue import statements as glue_statements
    from glueguard_sandbox.emulator.glue import triggers as glue_triggers  # triggers and workflows start runs
    from glueguard_sandbox.emulator.iam import cloudformation as iam_cloudformation  # roles' ManagedPolicyArns

    awslambda.install()
    costexplorer.install()
    glue_jobs.install()
    glue_kinds.install()
    glue_runs.install()
    glue_other.install()
    glue_triggers.install()
    glue_profiles.install()
    eventbridge.install()
    eventbus.install()
    stepfunctions.install()
    provisioning.install()
    glue_statements.install()
    dynamodb_atomic.install()
    dynamodbstreams.install()
    s3_events.install()
    iam_documents.install()
    kms.install()
    organizations.install()
    iam_cloudformation.install()
    sts.install()
    identity_center.install()
    ssm.install()
    _installed = True
