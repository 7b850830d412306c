"""The wire side of IAM enforcement: a WSGI middleware that authorizes every signed request before moto
runs it, and answers a refused one as the service would (AWS API references, "Common errors"):

| protocol (services) | status | code |
|---|---|---|
| json (Glue, KMS, DynamoDB, Step Functions, EventBridge, Logs, SSM) | 400 | AccessDeniedException |
| json, query-compatible (SQS) | 400 | AccessDenied (x-amzn-query-error) |
| rest-json (Lambda) | 403 | AccessDeniedException |
| rest-xml (S3) | 403 | AccessDenied |
| query (IAM, STS, CloudFormation, CloudWatch) | 403 | AccessDenied; SNS: AuthorizationError |
| SNS Publish refused the topic's KMS key | 400 | KMSAccessDenied |
| ec2 | 403 | UnauthorizedOperation |

The message names the principal, the action and the resource, in AWS's words. The CloudTrail middleware
outside this one logs the refused call with its errorCode and errorMessage.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any
from xml.sax.saxutils import escape

from glueguard_sandbox.emulator.iam import models

log = logging.getLogger(__name__)

#: per-service error code where it is not the protocol's default
_CODES = {"sns": "AuthorizationError", "sqs": "AccessDenied"}


def message(denial: models.Denial) -> str:
    """AWS's wording: "User: ARN is not authorized to perform: ACTION on resource: ARN because ..."."""
    reason = denial.reason
    if reason.startswith("explicit deny in "):
        kind = reason.removeprefix("explicit deny in ").split(" statement", 1)[0].removeprefix("a ").removeprefix("an ")
        tail = f"with an explicit deny in {'a' if kind[0] not in 'aeiou' else 'an'} {kind} policy"
    else:
        tail = (
            f"because {reason.removesuffix(' it')} the {denial.check.action} action"
            if reason.endswith(" it")
            else f"because {reason}"
        )
    return (
        f"User: {denial.principal.arn} is not authorized to perform: {denial.check.action} "
        f"on resource: {denial.check.resource} {tail}"
    )


def render(
    service: str, protocol: str, code: str, text: str, status: int = 403
) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) of an error in the service's own shape (`status`: of the xml protocols)."""
    request_id = f"{time.time_ns():x}"
    if protocol in ("json", "rest-json"):
        headers = [
            ("Content-Type", "application/x-amz-json-1.1"),
            ("x-amzn-ErrorType", code),
            ("x-amzn-RequestId", request_id),
        ]
        if service == "sqs":
            headers.append(("x-amzn-query-error", f"{code};Sender"))
        body = {"__type": code, "message": text} if protocol == "json" else {"Type": "User", "Message": text}
        return (403 if protocol == "rest-json" else 400), headers, json.dumps(body).encode()
    text = escape(text)
    if protocol == "ec2":
        xml = f"<Response><Errors><Error><Code>{code}</Code><Message>{text}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
    elif protocol == "rest-xml":
        xml = f"<Error><Code>{code}</Code><Message>{text}</Message><RequestId>{request_id}</RequestId></Error>"
    else:
        xml = f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{text}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    return status, [("Content-Type", "text/xml")], xml.encode()


def access_denied(service: str, protocol: str, denial: models.Denial) -> tuple[int, list[tuple[str, str]], bytes]:
    if service == "sns" and denial.check.action.startswith("kms:"):  # the topic's key (SNS API reference, Publish)
        return render(service, protocol, "KMSAccessDenied", message(denial), status=400)
    if protocol == "ec2":
        code = "UnauthorizedOperation"
    elif protocol in ("json", "rest-json"):
        code = _CODES.get(service, "AccessDeniedException")
    else:
        code = _CODES.get(service, "AccessDenied")
    return render(service, protocol, code, message(denial))


def invalid_key(service: str, protocol: str) -> tuple[int, list[tuple[str, str]], bytes]:
    if protocol == "rest-xml":
        return render(
            service, protocol, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
        )
    if protocol in ("json", "rest-json"):
        return render(
            service, protocol, "UnrecognizedClientException", "The security token included in the request is invalid."
        )
    return render(service, protocol, "InvalidClientTokenId", "The security token included in the request is invalid.")


def expired_token(service: str, protocol: str) -> tuple[int, list[tuple[str, str]], bytes]:
    """Common errors (IAM API reference): ExpiredTokenException, "The security token included in the request is
    expired", 403; the query protocols name it ExpiredToken; S3 answers ExpiredToken, 400."""
    if protocol == "rest-xml":
        return render(service, protocol, "ExpiredToken", "The provided token has expired.", status=400)
    code = "ExpiredTokenException" if protocol in ("json", "rest-json") else "ExpiredToken"
    return render(service, protocol, code, "The security token included in the request is expired")


class IamMiddleware:
    """Authorize each signed request with the caller's policies before moto sees it."""

    def __init__(self, app: Callable[..., Iterable[bytes]], enabled: Callable[[], bool] = lambda: True) -> None:
        self.app = app
        self.enabled = enabled

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        from glueguard_sandbox.cloudtrail import request_call
        from glueguard_sandbox.emulator.iam import catalog

        if not self.enabled():
            return self.app(environ, start_response)
        call, _ = request_call(environ)
        if call is None:
            return self.app(environ, start_response)
        prefix = catalog.SIGNING_TO_PREFIX.get(call.signing_name, call.signing_name)
        context = {
            "aws:SecureTransport": ["true"],
            "aws:SourceIp": [environ.get("REMOTE_ADDR", "127.0.0.1")],
            "aws:RequestedRegion": [call.region],
            "aws:CurrentTime": [time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())],
            "aws:EpochTime": [str(int(time.time()))],
        }
        try:
            denial = models.authorize(
                call.access_key, prefix, call.operation.name, call.params or {}, call.region, context
            )
        except models.UnknownAccessKeyError:
            status, headers, data = invalid_key(call.service, call.protocol)
        except models.ExpiredTokenError:
            status, headers, data = expired_token(call.service, call.protocol)
        except Exception:  # an evaluator bug must not pass a request silently
            log.exception("iam: could not authorize %s.%s", prefix, call.operation.name)
            raise
        else:
            if denial is None:
                return self.app(environ, start_response)
            status, headers, data = access_denied(call.service, call.protocol, denial)
            print(f"iam: denied {message(denial)}", file=sys.stderr, flush=True)
        start_response(
            f"{status} {'Forbidden' if status == 403 else 'Bad Request'}",
            [*headers, ("Content-Length", str(len(data)))],
        )
        return [data]
