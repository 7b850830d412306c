"""Emulated CloudTrail: every mutating API call to the sandbox becomes an "AWS API Call via CloudTrail" event.

A WSGI middleware around moto's dispatcher sees every request and its response (SDK calls, the CLI,
the plane's own functions, moto's internal clients): nothing reaches a backend without passing here.
It resolves the operation with botocore's service model (moto's routers for REST protocols), parses
the request and the response the way the SDK would, and puts a CloudTrail-shaped event (FACTS.md) on
the default bus of the caller's account and region. Read-only calls and data events produce none.
"""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

#: SigV4 signing names that differ from botocore's service name.
SIGNING_TO_SERVICE = {"states": "stepfunctions", "monitoring": "cloudwatch", "email": "ses", "events": "events"}

#: Operations CloudTrail logs only as data events (off by default), or never: they produce no event.
DATA_EVENTS = {
    "s3": {
        "PutObject",
        "CopyObject",
        "DeleteObject",
        "DeleteObjects",
        "CreateMultipartUpload",
        "UploadPart",
        "UploadPartCopy",
        "CompleteMultipartUpload",
        "AbortMultipartUpload",
        "PutObjectAcl",
        "PutObjectTagging",
        "DeleteObjectTagging",
        "RestoreObject",
        "PutObjectRetention",
        "PutObjectLegalHold",
    },
    "dynamodb": {
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
        "TransactWriteItems",
        "ExecuteStatement",
        "BatchExecuteStatement",
        "ExecuteTransaction",
    },
    "lambda": {"Invoke", "InvokeAsync", "InvokeWithResponseStream"},
    "sqs": {
        "SendMessage",
        "SendMessageBatch",
        "DeleteMessage",
        "DeleteMessageBatch",
        "ReceiveMessage",
        "ChangeMessageVisibility",
        "ChangeMessageVisibilityBatch",
    },
    "sns": {"Publish", "PublishBatch"},
    "events": {"PutEvents"},
    "logs": {"PutLogEvents", "CreateLogStream"},
    "cloudwatch": {"PutMetricData"},
    "kms": {"Encrypt", "Decrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncrypt"},
    "stepfunctions": {"SendTaskSuccess", "SendTaskFailure", "SendTaskHeartbeat"},
}

READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Head", "BatchGet", "Search", "Query", "Scan", "Lookup", "Select")

HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS"


def is_logged(service: str, operation: str) -> bool:
    """True for the management write events CloudTrail delivers to EventBridge."""
    if operation.startswith(READ_ONLY_PREFIXES):
        return False
    return operation not in DATA_EVENTS.get(service, set())


def lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def to_cloudtrail(value: Any, shape: Any) -> Any:
    """Convert parsed SDK data to CloudTrail's form: structure members lowerCamelCase, map keys kept,
    sensitive values hidden, timestamps ISO, blobs omitted."""
    if value is None:
        return None
    if (shape is not None and getattr(shape, "serialization", {}).get("sensitive")) or getattr(
        shape, "metadata", {}
    ).get("sensitive"):
        return HIDDEN
    type_name = getattr(shape, "type_name", None)
    if type_name == "structure" and isinstance(value, dict):
        members = shape.members
        return {
            lower_camel(k): to_cloudtrail(v, members.get(k))
            for k, v in value.items()
            if k != "ResponseMetadata" and not (members.get(k) is not None and members[k].type_name == "blob")
        }
    if type_name == "list" and isinstance(value, list):
        return [to_cloudtrail(v, shape.member) for v in value]
    if type_name == "map" and isinstance(value, dict):
        return {k: to_cloudtrail(v, shape.value) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value.tzinfo is None else value.astimezone(UTC).isoformat()
    if isinstance(value, bytes | bytearray):
        return None
    if isinstance(value, dict):
        return {lower_camel(k): to_cloudtrail(v, None) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [to_cloudtrail(v, None) for v in value]
    return value


# ------------------------------------------------------------------------------- identities
def user_identity(access_key: str, account_id: str) -> dict[str, Any]:
    """CloudTrail's userIdentity for the caller behind `access_key`: assumed-role session, IAM user, or root."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    for acct, partitions in list(sts_backends.items()):
        backend = partitions.get("aws") if hasattr(partitions, "get") else None
        session = backend.get_assumed_role_from_access_key(access_key) if backend else None
        if session is None:
            continue
        role_arn = session.role_arn
        role_name = role_arn.rsplit("/", 1)[-1]
        role_id = session.user_id.split(":", 1)[0]
        return {
            "type": "AssumedRole",
            "principalId": session.user_id,
            "arn": session.arn,
            "accountId": acct,
            "accessKeyId": access_key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": role_id,
                    "arn": role_arn,
                    "accountId": acct,
                    "userName": role_name,
                },
                "attributes": {"creationDate": _iso(session.expiration), "mfaAuthenticated": "false"},
            },
        }
    iam = iam_backends[account_id]["aws"]
    user = iam.get_user_from_access_key_id(access_key)
    if user is not None:
        return {
            "type": "IAMUser",
            "principalId": user.id,
            "arn": user.arn,
            "accountId": account_id,
            "accessKeyId": access_key,
            "userName": user.name,
        }
    return {
        "type": "Root",
        "principalId": account_id,
        "arn": f"arn:aws:iam::{account_id}:root",
        "accountId": account_id,
        "accessKeyId": access_key,
    }


def _iso(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ------------------------------------------------------------------------------- operations
@dataclass
class ApiCall:
    """One resolved request: the service (botocore name), its signing name, the operation model."""

    service: str
    signing_name: str
    region: str
    access_key: str
    operation: Any
    protocol: str
    #: the request as the SDK's parser reads it (member names as in the API); None if it did not parse
    params: dict[str, Any] | None

    @property
    def request_parameters(self) -> dict[str, Any] | None:
        """The parameters as CloudTrail logs them."""
        if self.params is None:
            return None
        return to_cloudtrail(self.params, self.operation.input_shape) or None


_SCOPE = re.compile(r"Credential=(?P<key>[^/]+)/\d{8}/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request")


@cache
def _service_model(service: str) -> Any:
    from moto.core.utils import get_service_model

    return get_service_model(service)


def resolve(environ: dict[str, Any], body: bytes) -> ApiCall | None:
    """Which AWS operation a signed request calls, with its parsed parameters (None if not an API call)."""
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.request import Request, determine_request_protocol

    scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not scope or environ.get("PATH_INFO", "").startswith(("/moto-api", "/_glueguard")):
        return None
    signing = scope["service"]
    service = SIGNING_TO_SERVICE.get(signing, signing)
    try:
        model = _service_model(service)
    except Exception:
        return None
    request = Request({**environ, "wsgi.input": io.BytesIO(body)})
    protocol = determine_request_protocol(model, request.content_type)
    operation, uri_params = None, {}
    if protocol in ("json",):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        name = target.rsplit(".", 1)[-1] if target else ""
        operation = model.operation_model(name) if name in model.operation_names else None
    elif protocol in ("query", "ec2"):
        name = request.values.get("Action", "")
        operation = model.operation_model(name) if name in model.operation_names else None
    else:
        from moto.core.routing import get_service_router

        try:
            operation, uri_params = get_service_router(service).match(request)
        except Exception:
            operation = None
    if operation is None:
        return None
    params: dict[str, Any] | None = None
    try:
        parser = PROTOCOL_PARSERS[protocol](operation, map_type=dict)
        parsed = parser.parse(
            {
                "method": request.method,
                "values": request.values,
                "headers": request.headers,
                "body": body,
                "url_path": request.path,
                "url_params": uri_params,
            }
        )
        params = _plain(parsed)
    except Exception as exc:  # a malformed request is still logged, without its parameters
        log.debug("could not parse %s.%s: %s", service, operation.name, exc)
    return ApiCall(service, signing, scope["region"], scope["key"], operation, protocol, params)


CALL_KEY = "glueguard.call"
BODY_KEY = "glueguard.body"


def request_call(environ: dict[str, Any]) -> tuple[ApiCall | None, bytes]:
    """The request's ApiCall and body, read and resolved once per request and shared by the middlewares
    (CloudTrail, IAM, faults); `wsgi.input` is left rewound for the app."""
    if CALL_KEY not in environ:
        body = read_body(environ)
        environ[BODY_KEY] = body
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            environ[CALL_KEY] = resolve(dict(environ), body)
        except Exception as exc:
            log.debug("unresolved request: %s", exc)
            environ[CALL_KEY] = None
    return environ[CALL_KEY], environ[BODY_KEY]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse_response(
    call: ApiCall, status: int, headers: dict[str, str], body: bytes
) -> tuple[Any, str | None, str | None]:
    """(responseElements, errorCode, errorMessage) as the SDK would read the response."""
    from botocore.parsers import create_parser

    protocol = call.protocol if call.protocol != "query-json" else "json"
    try:
        parsed = create_parser(protocol).parse(
            {"status_code": status, "headers": headers, "body": body}, call.operation.output_shape
        )
    except Exception:
        parsed = {}
    if status >= 300:
        error = parsed.get("Error", {}) if isinstance(parsed, dict) else {}
        return None, error.get("Code") or str(status), error.get("Message") or ""
    elements = to_cloudtrail(parsed, call.operation.output_shape) if call.operation.output_shape else None
    return elements or None, None, None


#: CloudTrail records requestParameters and responseElements up to this size; a larger one is omitted (AWS
#: CloudTrail user guide, "CloudTrail record contents", docs/sandbox.md).
RECORDED_BYTES = 100 * 1024


def recorded(value: Any) -> Any:
    """`value` as CloudTrail records it: None when its JSON is larger than RECORDED_BYTES."""
    if value is None or len(json.dumps(value, default=str).encode()) <= RECORDED_BYTES:
        return value
    return None


def build_event(
    call: ApiCall,
    account_id: str,
    identity: dict[str, Any],
    response: tuple[Any, str | None, str | None],
    environ: dict[str, Any],
) -> dict[str, Any]:
    """The CloudTrail record (the EventBridge `detail`)."""
    elements, error_code, error_message = response
    region = "us-east-1" if call.service in ("iam", "sts") and call.region == "aws-global" else call.region
    detail: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": identity,
        "eventTime": _iso(),
        "eventSource": f"{call.signing_name}.amazonaws.com",
        "eventName": call.operation.name,
        "awsRegion": region,
        "sourceIPAddress": environ.get("REMOTE_ADDR", "127.0.0.1"),
        "userAgent": environ.get("HTTP_USER_AGENT", ""),
        "requestParameters": recorded(call.request_parameters),
        "responseElements": recorded(elements),
        "requestID": str(uuid.uuid4()),
        "eventID": str(uuid.uuid4()),
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account_id,
        "eventCategory": "Management",
    }
    if error_code:
        detail["errorCode"] = error_code
        detail["errorMessage"] = error_message
        detail["responseElements"] = None
    return detail


def deliver(detail: dict[str, Any], account_id: str) -> None:
    """Put the record on the default bus of its account and region, as CloudTrail does."""
    from moto.events.models import events_backends

    source = "aws." + detail["eventSource"].split(".", 1)[0]
    events_backends[account_id][detail["awsRegion"]].put_events(
        [{"Source": source, "DetailType": "AWS API Call via CloudTrail", "Detail": json.dumps(detail, default=str)}]
    )


# ------------------------------------------------------------------------------- middleware
class CloudTrailMiddleware:
    """WSGI middleware: run the request through moto, then log it as CloudTrail would."""

    def __init__(self, app: Callable[..., Iterable[bytes]], enabled: Callable[[], bool] = lambda: True) -> None:
        self.app = app
        self.enabled = enabled

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not self.enabled():
            return self.app(environ, start_response)
        call, _ = request_call(environ)
        if call is None or not is_logged(call.service, call.operation.name):
            return self.app(environ, start_response)
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = int(status.split(" ", 1)[0]), dict(headers)
            return start_response(status, headers, exc_info)

        chunks = list(self.app(environ, capture))
        try:
            from moto.iam.models import get_account_id_from

            account_id = get_account_id_from(call.access_key)
            response = parse_response(call, captured.get("status", 500), captured.get("headers", {}), b"".join(chunks))
            deliver(
                build_event(call, account_id, user_identity(call.access_key, account_id), response, environ), account_id
            )
        except Exception:
            log.exception("cloudtrail: could not log %s.%s", call.service, call.operation.name)
        return chunks


def read_body(environ: dict[str, Any]) -> bytes:
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    length = environ.get("CONTENT_LENGTH")
    if length:
        try:
            return stream.read(int(length))
        except ValueError:
            return b""
    if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked" or environ.get("wsgi.input_terminated"):
        body = stream.read()
        environ["CONTENT_LENGTH"] = str(len(body))
        return body
    return b""
