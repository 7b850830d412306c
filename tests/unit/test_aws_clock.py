"""The endpoint's clock: the Date of an AWS response (AWS's clock on AWS, the sandbox's in the sandbox)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from glueguard.adapters.aws_clock import endpoint_now, response_time


def _response(date: str | None) -> dict:
    headers = {"content-type": "text/xml"} | ({"date": date} if date is not None else {})
    return {"Arn": "arn:aws:iam::123456789012:user/ops", "ResponseMetadata": {"HTTPHeaders": headers}}


def test_the_date_of_a_response_is_the_endpoints_now_in_utc():
    assert response_time(_response("Wed, 31 Dec 2031 23:30:05 GMT")) == datetime(2031, 12, 31, 23, 30, 5, tzinfo=UTC)
    assert response_time(_response("Thu, 01 Jan 2032 01:30:05 +0200")) == datetime(2031, 12, 31, 23, 30, 5, tzinfo=UTC)
    assert endpoint_now(_response("Sun, 29 Feb 2032 12:00:00 GMT")) == datetime(2032, 2, 29, 12, tzinfo=UTC)


@pytest.mark.parametrize("date", [None, "", "yesterday"])
def test_without_a_readable_date_the_local_clock_is_the_clock(date, clock):
    assert response_time(_response(date)) is None
    before = datetime.now(UTC)
    assert before <= endpoint_now(_response(date)) <= datetime.now(UTC)
