"""Cost and monitoring: the project's notifications topic (encrypted with its key), a monthly AWS Budget with
an 80% alert to it, and a CloudWatch alarm on the project's failed or timed-out job runs."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from glueguard.adapters.clients import client
from glueguard.provisioning.context import Context, error_code
from glueguard.provisioning.policies import topic_policy

ALERT_PERCENT = 80.0


def topic_name(ctx: Context) -> str:
    return f"{ctx.names.prefix}-notifications"


def failures_name(ctx: Context) -> str:
    return f"{ctx.names.prefix}-glue-job-failures"


def _notification() -> dict[str, Any]:
    return {
        "NotificationType": "ACTUAL",
        "ComparisonOperator": "GREATER_THAN",
        "Threshold": ALERT_PERCENT,
        "ThresholdType": "PERCENTAGE",
    }


def _topic(ctx: Context, key_arn: str) -> str:
    sns = client("sns")
    arn = sns.create_topic(Name=topic_name(ctx), Tags=ctx.tag_list())["TopicArn"]  # idempotent by name
    sns.set_topic_attributes(TopicArn=arn, AttributeName="KmsMasterKeyId", AttributeValue=key_arn)
    sns.set_topic_attributes(
        TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(topic_policy(ctx.scope(), arn))
    )
    sns.tag_resource(ResourceArn=arn, Tags=ctx.tag_list())
    email = ctx.request.owner_email if ctx.request else None
    if email:
        sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=email)  # same endpoint: same subscription
    return str(arn)


def _budget(ctx: Context, topic_arn: str) -> str:
    assert ctx.request is not None
    budgets = client("budgets")
    name = ctx.names.budget
    budget = {
        "BudgetName": name,
        "BudgetLimit": {"Amount": f"{ctx.request.monthly_budget_usd:.2f}", "Unit": "USD"},
        "TimeUnit": "MONTHLY",
        "BudgetType": "COST",
        "CostFilters": {"TagKeyValue": [f"user:Project${ctx.project_tag}"]},
    }
    subscribers = [{"SubscriptionType": "SNS", "Address": topic_arn}]
    try:
        budgets.describe_budget(AccountId=ctx.account, BudgetName=name)
    except ClientError as exc:
        if error_code(exc) != "NotFoundException":
            raise
        budgets.create_budget(
            AccountId=ctx.account,
            Budget=budget,
            NotificationsWithSubscribers=[{"Notification": _notification(), "Subscribers": subscribers}],
            ResourceTags=ctx.tag_list(),
        )
        return name
    budgets.update_budget(AccountId=ctx.account, NewBudget=budget)
    notes = budgets.describe_notifications_for_budget(AccountId=ctx.account, BudgetName=name)["Notifications"]
    if _notification() not in [{k: n[k] for k in _notification() if k in n} for n in notes]:
        budgets.create_notification(
            AccountId=ctx.account, BudgetName=name, Notification=_notification(), Subscribers=subscribers
        )
    return name


def _failure_alarm(ctx: Context, topic_arn: str) -> tuple[str, str]:
    """An EventBridge rule matching the project's FAILED/TIMEOUT runs, and an alarm on its TriggeredRules."""
    events, cloudwatch = client("events"), client("cloudwatch")
    name = failures_name(ctx)
    pattern = {
        "source": ["aws.glue"],
        "detail-type": ["Glue Job State Change"],
        "detail": {"state": ["FAILED", "TIMEOUT", "ERROR"], "jobName": [{"prefix": f"{ctx.names.prefix}-"}]},
    }
    rule_arn = events.put_rule(
        Name=name,
        EventPattern=json.dumps(pattern),
        State="ENABLED",
        Description=f"glueguard {ctx.names.prefix}: failed Glue job runs (counted by the alarm)",
        Tags=ctx.tag_list(),
    )["RuleArn"]
    cloudwatch.put_metric_alarm(
        AlarmName=name,
        AlarmDescription=f"glueguard {ctx.names.prefix}: a Glue job run failed or timed out",
        Namespace="AWS/Events",
        MetricName="TriggeredRules",
        Dimensions=[{"Name": "RuleName", "Value": name}],
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="notBreaching",
        AlarmActions=[topic_arn],
        Tags=ctx.tag_list(),
    )
    return rule_arn, name


def create(ctx: Context) -> dict[str, Any]:
    topic_arn = _topic(ctx, ctx.require_key_arn())
    budget = _budget(ctx, topic_arn)
    rule_arn, alarm = _failure_alarm(ctx, topic_arn)
    return {
        "notifications_topic_arn": topic_arn,
        "budget_name": budget,
        "job_failure_rule_arn": rule_arn,
        "alarm_names": [alarm],
    }


def delete(ctx: Context, retain_data: bool) -> list[str]:
    removed: list[str] = []
    name = failures_name(ctx)
    cloudwatch, events, budgets, sns = (client(s) for s in ("cloudwatch", "events", "budgets", "sns"))
    if cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"]:
        cloudwatch.delete_alarms(AlarmNames=[name])
        removed.append(f"alarm:{name}")
    try:
        targets = events.list_targets_by_rule(Rule=name)["Targets"]
        if targets:
            events.remove_targets(Rule=name, Ids=[t["Id"] for t in targets])
        events.delete_rule(Name=name)
        removed.append(f"rule:{name}")
    except ClientError as exc:
        if error_code(exc) != "ResourceNotFoundException":
            raise
    try:
        budgets.delete_budget(AccountId=ctx.account, BudgetName=ctx.names.budget)
        removed.append(f"budget:{ctx.names.budget}")
    except ClientError as exc:
        if error_code(exc) != "NotFoundException":
            raise
    topic_arn = f"arn:{ctx.partition}:sns:{ctx.region}:{ctx.account}:{topic_name(ctx)}"
    try:
        sns.get_topic_attributes(TopicArn=topic_arn)
        sns.delete_topic(TopicArn=topic_arn)
        removed.append(topic_arn)
    except ClientError as exc:
        if error_code(exc) != "NotFound":
            raise
    return removed
