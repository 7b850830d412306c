"""Lambda functions run in-process, the way the Lambda service would run them (no Docker here).

moto calls `LambdaFunction._invoke_lambda(event)` for every invocation; we replace it. A function
runs from its code directory (the deployed Code's S3 key names it: the deployer uploads each
CodeUri under its repository path) plus its layers' directories, with:
- the function's environment variables and the Lambda runtime's own (AWS_LAMBDA_FUNCTION_NAME, ...),
- AWS_ENDPOINT_URL pointing at the sandbox,
- credentials of an STS session of the function's own role (session name = function name), so the
  plane's calls are logged as `assumed-role/ROLE/FUNCTION` with the role (and its path) as issuer.
Each function is its own "container": it keeps its own copy of its modules and of the layer's
`glueguard` package across invocations (warm starts, caches and clients stay per function), and
never sees another function's environment. Invocations are serialized by one lock.

Asynchronous invocations (InvocationType=Event, EventBridge, S3 notifications) are queued on the
delivery worker and retried per the function's EventInvokeConfig, then sent to its on-failure
destination (see glueguard_sandbox.emulator.delivery).
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

#: Module prefixes a Lambda container owns (the layer's package and the function's own modules).
LAYER_PACKAGES = ("glueguard",)

_LOCK = threading.RLock()


@dataclass
class Runtime:
    """Where code lives and how functions reach the sandbox."""

    root: Path
    endpoint: str
    code_bucket: str = "glueguard-sandbox-artifacts"
    echo_logs: bool = False


@dataclass
class Container:
    """A warm execution environment of one function."""

    modules: dict[str, ModuleType] = field(default_factory=dict)
    handler: Any = None
    credentials: dict[str, str] = field(default_factory=dict)
    expires: float = 0.0
    #: the container's own `boto3.DEFAULT_SESSION` (boto3 is shared by the process; its default session,
    #: which holds the credentials it was created with, must not leak from one function to another)
    default_session: Any = None


_runtime: Runtime | None = None
_containers: dict[str, Container] = {}


class LambdaContext:
    """The context object the Python runtime passes to a handler."""

    def __init__(self, fn: Any, deadline: float) -> None:
        self.function_name = fn.function_name
        self.function_version = str(fn.version)
        self.invoked_function_arn = fn.function_arn
        self.memory_limit_in_mb = int(fn.memory_size)
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{fn.function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


# ------------------------------------------------------------------------------- logs
class _Tee(io.TextIOBase):
    """sys.stdout/stderr stand-in: writes from the invoking thread go to the invocation's log."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.buffer_for: dict[int, io.StringIO] = {}

    def write(self, text: str) -> int:
        buffer = self.buffer_for.get(threading.get_ident())
        if buffer is None:
            return self.real.write(text)
        if _runtime and _runtime.echo_logs:
            self.real.write(text)
        return buffer.write(text)

    def flush(self) -> None:
        self.real.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.real, "encoding", "utf-8")


_stdout: _Tee | None = None
_stderr: _Tee | None = None


# ------------------------------------------------------------------------------- code locations
def source_dir(code: dict[str, Any]) -> Path:
    """The repository directory a deployed Code/Content location stands for."""
    assert _runtime is not None, "the sandbox runtime is not configured"
    key = code.get("S3Key")
    if not key or code.get("S3Bucket") != _runtime.code_bucket:
        raise RuntimeError(f"code {code} was not deployed by the sandbox: cannot run it in-process")
    return (_runtime.root / key.removesuffix(".zip")).resolve()


def _layer_dirs(fn: Any) -> list[Path]:
    from moto.awslambda.models import lambda_backends

    backend = lambda_backends[fn.account_id][fn.region]
    dirs: list[Path] = []
    for layer in fn.layers:
        version = backend.layers_versions_by_arn(layer["Arn"])
        if version is not None:
            dirs.append(source_dir(version.content))
    return dirs


# ------------------------------------------------------------------------------- credentials
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


def _environment(fn: Any, container: Container) -> dict[str, str]:
    assert _runtime is not None
    env = {
        "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": str(fn.version),
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.function_name}",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.run_time}",
        "AWS_REGION": fn.region,
        "AWS_DEFAULT_REGION": fn.region,
        "AWS_ENDPOINT_URL": _runtime.endpoint,
        "_HANDLER": fn.handler or "",
        **container.credentials,
    }
    env.update({k: str(v) for k, v in (fn.environment_vars or {}).items()})
    return env


# ------------------------------------------------------------------------------- invocation
def _swap_modules(owned: dict[str, ModuleType]) -> dict[str, ModuleType]:
    """Put a container's modules in sys.modules; return (and remove) what was there."""
    previous = {
        name: module
        for name, module in list(sys.modules.items())
        if any(name == p or name.startswith(p + ".") for p in LAYER_PACKAGES)
    }
    for name in previous:
        del sys.modules[name]
    sys.modules.update(owned)
    return previous


def _load_handler(fn: Any, code_dir: Path) -> Any:
    module_path, _, attribute = (fn.handler or "app.handler").rpartition(".")
    file = code_dir / (module_path.replace(".", "/") + ".py")
    if not file.exists():
        raise RuntimeError(f"Runtime.ImportModuleError: Unable to import module '{module_path}': {file} not found")
    name = f"glueguard_fn_{fn.function_name.replace('-', '_')}_{module_path.replace('.', '_')}"
    spec = importlib.util.spec_from_file_location(name, file)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return getattr(module, attribute)


class _SnapshotEnviron(type(os.environ)):  # type: ignore[misc]
    """`os.environ` whose iteration reads one snapshot: other threads (botocore's proxy lookup iterates the
    environment for every new client) never meet a key an invocation removed mid-iteration (a KeyError)."""

    def __iter__(self) -> Any:
        return iter([self.decodekey(key) for key in self._data.copy()])  # dict.copy is atomic under the GIL

    def items(self) -> Any:
        return [(self.decodekey(k), self.decodevalue(v)) for k, v in self._data.copy().items()]

    def copy(self) -> dict[str, str]:
        return dict(self.items())


def _restore_environ(saved: dict[str, str]) -> None:
    """Put the environment back to `saved` key by key: never empty, even for an instant (other threads read it)."""
    for key in [k for k in os.environ if k not in saved]:
        os.environ.pop(key, None)
    for key, value in saved.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


def invoke_in_process(fn: Any, event: Any) -> tuple[str, bool, str]:
    """Run `fn` on `event`; return (payload, errored, logs) like moto's Docker invoker."""
    import boto3
    from moto.awslambda.models import lambda_backends

    assert _runtime is not None, "the sandbox runtime is not configured"
    if isinstance(event, str | bytes):
        event = json.loads(event or "{}")
    key = f"{fn.account_id}:{fn.region}:{fn.function_name}:{fn.code_sha_256}"
    with _LOCK:
        container = _containers.setdefault(key, Container())
        if time.time() > container.expires:
            container.credentials = _role_credentials(fn)
            container.expires = time.time() + 3000
        code_dir = source_dir(fn.code)
        paths = [str(code_dir), *(str(p) for p in _layer_dirs(fn))]
        saved_env = dict(os.environ)
        saved_path = list(sys.path)
        saved_modules = _swap_modules(container.modules)
        saved_session, boto3.DEFAULT_SESSION = boto3.DEFAULT_SESSION, container.default_session
        buffer = io.StringIO()
        for tee in (_stdout, _stderr):
            if tee:
                tee.buffer_for[threading.get_ident()] = buffer
        errored = False
        try:
            os.environ.update(_environment(fn, container))
            sys.path[:0] = [p for p in paths if p not in sys.path]
            if container.handler is None:
                container.handler = _load_handler(fn, code_dir)
            context = LambdaContext(fn, time.monotonic() + float(fn.timeout or 3))
            result = container.handler(event, context)
            payload = json.dumps(result, default=str)
        except Exception as exc:
            errored = True
            payload = json.dumps(
                {
                    "errorMessage": str(exc),
                    "errorType": type(exc).__name__,
                    "stackTrace": traceback.format_tb(exc.__traceback__),
                }
            )
            buffer.write(f"[ERROR] {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        finally:
            for tee in (_stdout, _stderr):
                if tee:
                    tee.buffer_for.pop(threading.get_ident(), None)
            container.modules = _swap_modules(saved_modules)
            container.default_session, boto3.DEFAULT_SESSION = boto3.DEFAULT_SESSION, saved_session
            sys.path[:] = saved_path
            _restore_environ(saved_env)
    logs = buffer.getvalue()
    try:
        lambda_backends[fn.account_id][fn.region]  # the backend exists: keep its log group current
        fn.logs_backend.ensure_log_group(fn.logs_group_name)
        fn.save_logs(logs or "(no output)")
    except Exception:
        pass
    return payload, errored, logs


def share_botocore_models() -> None:
    """Let every botocore session in the process share parsed model files (they are read-only data).

    Real Lambda containers each parse botocore's JSON models on a cold start (~1 s for a handful of
    clients); the sandbox runs every function in one process, so it parses each file once.
    """
    from botocore.loaders import Loader

    if getattr(Loader, "_glueguard_shared", False):
        return
    cache: dict[Any, Any] = {}
    lock = threading.Lock()

    def shared(method: Any) -> Any:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            key = (method.__name__, tuple(self.search_paths), args, tuple(sorted(kwargs.items())))
            with lock:
                if key in cache:
                    return cache[key]
            value = method(self, *args, **kwargs)
            with lock:
                return cache.setdefault(key, value)

        return wrapper

    Loader.load_service_model = shared(Loader.load_service_model)  # type: ignore[method-assign]
    Loader.load_data_with_path = shared(Loader.load_data_with_path)  # type: ignore[method-assign]
    Loader._glueguard_shared = True  # type: ignore[attr-defined]


def warm_up(
    services: tuple[str, ...] = (
        "glue",
        "dynamodb",
        "sns",
        "s3",
        "sqs",
        "events",
        "stepfunctions",
        "iam",
        "sts",
        "lambda",
        "kms",
        "cloudwatch",
        "logs",
        "ec2",
    ),
) -> None:
    """Parse the endpoint rules and the usual service models once, before the first cold start."""
    import boto3

    session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    for service in services:
        session.client(service, endpoint_url="http://127.0.0.1:1")


def forget_containers() -> None:
    """Drop every warm container (next invocations are cold starts)."""
    with _LOCK:
        _containers.clear()


def install(runtime: Runtime) -> None:
    """Make moto run Lambda functions in-process (idempotent; the last runtime wins)."""
    global _runtime, _stdout, _stderr
    from moto.awslambda.models import LambdaFunction

    _runtime = runtime
    share_botocore_models()
    if not isinstance(os.environ, _SnapshotEnviron):
        os.environ.__class__ = _SnapshotEnviron
    if _stdout is None:
        _stdout, _stderr = _Tee(sys.stdout), _Tee(sys.stderr)
        sys.stdout, sys.stderr = _stdout, _stderr  # type: ignore[assignment]

    def _invoke_lambda(self: Any, event: Any = None) -> tuple[str, bool, str]:
        return invoke_in_process(self, event if event is not None else {})

    LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
    if not getattr(LambdaFunction, "_glueguard_async", False):
        LambdaFunction.invoke = _asynchronous(LambdaFunction.invoke)  # type: ignore[method-assign]
        LambdaFunction._glueguard_async = True  # type: ignore[attr-defined]


def _asynchronous(original: Any) -> Any:
    """InvocationType=Event: accept (202), run later on the delivery worker with Lambda's retries."""

    def invoke(self: Any, body: Any, request_headers: Any, response_headers: Any) -> Any:
        kind = (request_headers or {}).get("X-Amz-Invocation-Type") or (request_headers or {}).get(
            "x-amz-invocation-type"
        )
        if kind != "Event":
            return original(self, body, request_headers, response_headers)
        from glueguard_sandbox.emulator import delivery

        delivery.queue_function_event(self, json.loads(body) if body else {})
        return b""

    return invoke
