"""Issue 13, item 5: ARNs carry the partition of their region (aws, aws-cn, aws-us-gov), never a hard-coded `aws`."""

from __future__ import annotations

import boto3
import pytest
from glueguard.resources.base import kinds

PARTITIONS = [("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")]


@pytest.mark.parametrize(("region", "partition"), PARTITIONS)
def test_glue_arns_carry_their_regions_partition(region, partition):
    assert kinds()["job"].arn("j", region, "111122223333") == f"arn:{partition}:glue:{region}:111122223333:job/j"


@pytest.mark.parametrize(("region", "partition"), PARTITIONS[1:])
def test_the_plane_reads_tags_where_glue_keeps_them_in_other_partitions(aws, region, partition):
    glue = boto3.client("glue", region_name=region)
    glue.create_job(
        Name="j", Role="r", Command={"Name": "glueetl", "ScriptLocation": "s3://b/j.py"}, Tags={"Project": "p"}
    )

    arn = kinds()["job"].arn("j", region, "123456789012")

    assert glue.get_tags(ResourceArn=arn)["Tags"] == {"Project": "p"}


@pytest.mark.parametrize(
    "path",
    [
        "template.yaml",
        "templates/member.yaml",
        "policies/member-protection-scp.json",
        "policies/central-protection-scp.json",
    ],
)
def test_templates_and_the_scp_name_no_partition_of_their_own(path):
    """`${AWS::Partition}` in the templates; `arn:*:` in the SCP (a wildcard may fill any ARN segment but the
    service: IAM user guide, "IAM JSON policy elements: Resource"), so both deploy in aws-cn and aws-us-gov."""
    from pathlib import Path

    text = (Path(__file__).parents[2] / path).read_text()

    assert [line.strip() for line in text.splitlines() if "arn:aws:" in line] == []
