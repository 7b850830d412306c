"""Write compliance and cost reports to S3: each project's artifacts bucket and the platform's bucket."""

from __future__ import annotations

import json
import os
from typing import Any

from glueguard.adapters.clients import client

PREFIX = "glueguard/reports"
COST_SNAPSHOT_KEY = f"{PREFIX}/cost/latest.json"


def report_keys(kind: str, run_id: str, generated_at: str) -> list[str]:
    """The dated key and the `latest` key of a report (without extension)."""
    day = generated_at[:10].replace("-", "/")
    return [f"{PREFIX}/{kind}/{day}/{run_id}", f"{PREFIX}/{kind}/latest"]


class ReportStore:
    def __init__(self, platform_bucket: str | None = None, s3: Any | None = None) -> None:
        self.platform_bucket = platform_bucket or os.environ.get("GLUEGUARD_REPORTS_BUCKET")
        self._s3 = s3

    @property
    def s3(self) -> Any:
        return self._s3 or client("s3")

    def put(self, bucket: str, kind: str, run_id: str, generated_at: str, json_text: str, html: str) -> list[str]:
        """Write the report as JSON and HTML under its dated and latest keys; return the keys written."""
        written = []
        for key in report_keys(kind, run_id, generated_at):
            for suffix, body, content_type in ((".json", json_text, "application/json"), (".html", html, "text/html")):
                self.s3.put_object(
                    Bucket=bucket, Key=key + suffix, Body=body.encode(), ContentType=f"{content_type}; charset=utf-8"
                )
                written.append(f"s3://{bucket}/{key}{suffix}")
        return written

    def save_cost_snapshot(self, document: dict[str, Any]) -> None:
        if self.platform_bucket:
            self.s3.put_object(
                Bucket=self.platform_bucket,
                Key=COST_SNAPSHOT_KEY,
                Body=json.dumps(document).encode(),
                ContentType="application/json",
            )

    def load_cost_snapshot(self) -> dict[str, Any] | None:
        """The latest weekly cost report, or None when none was written yet."""
        if not self.platform_bucket:
            return None
        try:
            body = self.s3.get_object(Bucket=self.platform_bucket, Key=COST_SNAPSHOT_KEY)["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None
        return json.loads(body)
