"""Lambda functions run locally, the way the Lambda service would run them (no Docker here).

moto calls `LambdaFunction._invoke_lambda(event)` for every invocation; we replace it. A function runs in an
execution environment of its own (`containers.py`: a process forked from a zygote that holds its layers'
preloaded modules) with its code directory (the deployed Code's S3 key names it: the deployer uploads each
CodeUri under its path) and its layers' directories on the import path (a built layer's `python/`, as
`/opt/python`), and, as its whole environment:
- the function's environment variables and the Lambda runtime's own (AWS_LAMBDA_FUNCTION_NAME, ...),
- AWS_ENDPOINT_URL pointing at the sandbox,
- credentials of an STS session of the function's own role (session name = function name), so the
  plane's calls are logged as `assumed-role/ROLE/FUNCTION` with the role (and its path) as issuer.
Environments run concurrently, as many as the function's reserved concurrency or the account's limit allow
(`concurrency.py`); each keeps its modules, caches and clients across invocations (warm starts).

Asynchronous invocations (InvocationType=Event, EventBridge, S3 notifications) are queued and retried as
Lambda does (glueguard_sandbox.emulator.lambda_async).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from moto.core.exceptions import JsonRESTError

from glueguard_sandbox import concurrency
from glueguard_sandbox.containers import Container, EnvironmentGone, TimedOut, Zygotes, dev_packages
from glueguard_sandbox.environment_main import share_models

#: Lambda's runtime variables every environment of the Python runtime has (also set before preloading).
RUNTIME_ENV = {"AWS_EXECUTION_ENV": "AWS_Lambda_python3.13", "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand"}
#: How long an environment keeps its role session (sandbox clock): then the next invocation gets a new one.
SESSION_SECONDS = 3000.0


@dataclass
class Runtime:
    """Where code lives and how functions reach the sandbox."""

    root: Path
    endpoint: str
    code_bucket: str = "glueguard-sandbox-artifacts"
    echo_logs: bool = False
    #: the code and layers are `sam build` output: the import path holds nothing of the dev environment
    artifact: bool = False


class TooManyRequestsException(JsonRESTError):
    """Lambda's throttling error (429), as the Invoke API returns it."""

    def __init__(self, throttled: concurrency.Throttled) -> None:
        super().__init__("TooManyRequestsException", str(throttled))
        self.code = 429


_runtime: Runtime | None = None
slots = concurrency.Slots()
zygotes = Zygotes()


# ------------------------------------------------------------------------------- code locations
def source_dir(code: dict[str, Any]) -> Path:
    """The local directory a deployed Code/Content location stands for."""
    assert _runtime is not None, "the sandbox runtime is not configured"
    key = code.get("S3Key")
    if not key or code.get("S3Bucket") != _runtime.code_bucket:
        raise RuntimeError(f"code {code} was not deployed by the sandbox: cannot run it locally")
    return (_runtime.root / key.removesuffix(".zip")).resolve()


def import_path(fn: Any) -> list[str]:
    """The layers' directories in order (a built layer's `python/`), then, from the source tree, the dev
    environment's packages (the layer's dependencies are not built there)."""
    from moto.awslambda.models import lambda_backends

    assert _runtime is not None
    backend = lambda_backends[fn.account_id][fn.region]
    dirs: list[str] = []
    for layer in fn.layers:
        version = backend.layers_versions_by_arn(layer["Arn"])
        if version is not None:
            content = source_dir(version.content)
            dirs.append(str(content / "python" if (content / "python").is_dir() else content))
    return dirs if _runtime.artifact else [*dirs, *dev_packages()]


# ------------------------------------------------------------------------------- environments
def _role_credentials(fn: Any) -> dict[str, str]:
    """The execution role's session, as the Lambda service assumes it (refused when the role's trust policy
    does not let lambda.amazonaws.com assume it, as Lambda refuses to run such a function)."""
    from glueguard_sandbox.emulator.iam.models import service_session

    credentials = service_session(
        fn.role, "lambda.amazonaws.com", session_name=fn.function_name, source_arn=fn.function_arn
    )
    return {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }


def _environment(fn: Any, code_dir: Path, stream: str) -> dict[str, str]:
    assert _runtime is not None
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "en_US.UTF-8",
        "LAMBDA_TASK_ROOT": str(code_dir),
        "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": str(fn.version),
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.function_name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": stream,
        "AWS_REGION": fn.region,
        "AWS_DEFAULT_REGION": fn.region,
        "AWS_ENDPOINT_URL": _runtime.endpoint,
        "_HANDLER": fn.handler or "",
        **RUNTIME_ENV,
        **_role_credentials(fn),
    }
    env.update({k: str(v) for k, v in (fn.environment_vars or {}).items()})
    return env


def _key(fn: Any) -> tuple[str, ...]:
    """Environments are reused only by the same code and configuration (an update starts new ones)."""
    config = json.dumps([fn.handler, fn.role, fn.environment_vars, fn.layers, fn.timeout], sort_keys=True, default=str)
    return (fn.account_id, fn.region, fn.function_name, fn.code_sha_256, hashlib.sha256(config.encode()).hexdigest())


def _cold_start(fn: Any) -> Container:
    code_dir = source_dir(fn.code)
    stream = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
    env = _environment(fn, code_dir, stream)
    container = zygotes.fork(import_path(fn), RUNTIME_ENV, time.time() + SESSION_SECONDS)
    container.stream = stream
    container.start(env, str(code_dir))
    return container


def _context(fn: Any, container: Container) -> dict[str, Any]:
    return {
        "function_name": fn.function_name,
        "function_version": str(fn.version),
        "invoked_function_arn": fn.function_arn,
        "memory_limit_in_mb": int(fn.memory_size),
        "aws_request_id": str(uuid.uuid4()),
        "log_group_name": f"/aws/lambda/{fn.function_name}",
        "log_stream_name": container.stream,
    }


def _failure(error_type: str, message: str) -> str:
    return json.dumps({"errorMessage": message, "errorType": error_type})


# ------------------------------------------------------------------------------- invocation
def invoke(fn: Any, event: Any) -> tuple[str, bool, str]:
    """Run `fn` on `event` in an idle environment or a new one; return (payload, errored, logs).
    Raises concurrency.Throttled when the function has no concurrency left."""
    if isinstance(event, str | bytes):
        event = json.loads(event or "{}")
    key = _key(fn)
    warm = cast(Container | None, slots.acquire(fn, key))
    kept: Container | None = None
    timeout = float(fn.timeout or 3)
    try:
        container = warm or _cold_start(fn)
        message = {"handler": fn.handler or "app.handler", "event": event, "timeout": timeout, "now": time.time()}
        reply = container.invoke({**message, "context": _context(fn, container)}, timeout)
        payload, errored, logs = reply["payload"], bool(reply["errored"]), str(reply["logs"])
        kept = container
    except TimedOut as exc:
        payload, errored, logs = _failure("Sandbox.Timedout", str(exc)), True, f"{exc}\n"
    except EnvironmentGone as exc:
        payload, errored, logs = _failure("Runtime.ExitError", str(exc)), True, f"{exc}\n"
    except Exception as exc:  # the environment could not be created (e.g. the role cannot be assumed)
        payload, errored = _failure(type(exc).__name__, str(exc)), True
        logs = f"[ERROR] {type(exc).__name__}: {exc}\n{traceback.format_exc()}"
    finally:
        slots.release(fn, key, kept)
    _save_logs(fn, logs)
    return payload, errored, logs


def _save_logs(fn: Any, logs: str) -> None:
    if _runtime and _runtime.echo_logs and logs:
        sys.stderr.write(logs)
    try:
        fn.logs_backend.ensure_log_group(fn.logs_group_name)
        fn.save_logs(logs or "(no output)")
    except Exception:
        pass


def forget_containers() -> None:
    """Stop every idle environment (the next invocations are cold starts)."""
    for container in slots.clear():
        container.stop()


def shutdown() -> None:
    """Stop every environment and zygote (the sandbox stops)."""
    forget_containers()
    zygotes.stop()


def install(runtime: Runtime) -> None:
    """Make moto run Lambda functions locally (idempotent; the last runtime wins)."""
    global _runtime
    from moto.awslambda.models import LambdaFunction

    _runtime = runtime
    share_models()  # the server's own clients (Step Functions tasks, members' sessions) parse each model once

    def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
        try:
            return invoke(self, event if event is not None else {})
        except concurrency.Throttled as exc:  # synchronous callers get the Invoke API's 429
            raise TooManyRequestsException(exc) from None

    LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
    if not getattr(LambdaFunction, "_glueguard_async", False):
        LambdaFunction.invoke = _asynchronous(LambdaFunction.invoke)  # type: ignore[method-assign]
        LambdaFunction._glueguard_async = True  # type: ignore[attr-defined]


def _asynchronous(original: Any) -> Any:
    """InvocationType=Event: accept (202), run later from Lambda's queue for asynchronous invocations."""

    def invoke(self: Any, body: Any, request_headers: Any, response_headers: Any) -> Any:
        kind = (request_headers or {}).get("X-Amz-Invocation-Type") or (request_headers or {}).get(
            "x-amz-invocation-type"
        )
        if kind != "Event":
            return original(self, body, request_headers, response_headers)
        from glueguard_sandbox.emulator import lambda_async

        lambda_async.accept(self, json.loads(body) if body else {})
        return b""

    return invoke
