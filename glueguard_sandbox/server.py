"""The sandbox: moto's ThreadedMotoServer in-process with the glueguard extensions, template.yaml deployed.

Besides the AWS APIs the server answers a few sandbox-only routes (never part of AWS):
  POST /_glueguard/replay  body: an EventBridge event (or a list) -> put on its bus as recorded (aws.* allowed)
  POST /_glueguard/tick    advance job runs; fire every enabled scheduled rule now, or with body
                           {"seconds": N} move the sandbox clock N s on (the whole sandbox's time:
                           runs, functions, schedules) and fire the rules then due
  POST /_glueguard/drain   wait until every queued delivery (EventBridge targets, async Lambda) has run
  GET  /_glueguard/status  {"ready": bool, "outputs": {...}, "endpoint": str}
  POST /_glueguard/faults  arm (or clear) an injected AWS error: see glueguard_sandbox/faults.py
  POST /_glueguard/sso-session  {"identityAccount", "userName", "permissionSetArn", "account"} -> credentials of an
      Identity Center user's session in the permission set's AWSReservedSSO_ role (emulator/identity_center.py)
  POST /_glueguard/service-session  {"roleArn", "service"} -> credentials of the session a service (e.g. Glue
                           for a job run) gets for a role whose trust policy lets that service assume it
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from glueguard_sandbox import deploy as deployer
from glueguard_sandbox.faults import FaultMiddleware, Faults

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
ACCOUNT_ID = "123456789012"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def publish(event: dict[str, Any], account_id: str = ACCOUNT_ID) -> None:
    """Put a complete EventBridge event (id, time, source kept) on its bus, as if an AWS service sent it."""
    from moto.events.models import events_backends

    region = event.get("region") or deployer.REGION
    backend = events_backends[event.get("account") or account_id][region]
    bus = backend.describe_event_bus(event.get("event-bus-name", "default"))
    for rule in list(bus.rules.values()):
        rule.send_to_targets(dict(event))


class _Control:
    """WSGI wrapper answering the /_glueguard routes; everything else goes to the AWS app."""

    def __init__(self, app: Callable[..., Iterable[bytes]], sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith("/_glueguard/"):
            return self.app(environ, start_response)
        try:
            status, body = self.sandbox.control(path.removeprefix("/_glueguard/"), environ)
        except Exception as exc:
            status, body = 400, {"error": f"{type(exc).__name__}: {exc}"}
        data = json.dumps(body, default=str).encode()
        start_response(
            f"{status} {'OK' if status < 300 else 'Error'}",
            [("Content-Type", "application/json"), ("Content-Length", str(len(data)))],
        )
        return [data]


class _Server(ThreadedMotoServer):
    """ThreadedMotoServer whose WSGI app is wrapped (CloudTrail, sandbox routes)."""

    def __init__(self, host: str, port: int, wrap: Callable[[Any], Any]) -> None:
        super().__init__(ip_address=host, port=port, verbose=False)
        self._wrap = wrap

    def _server_entry(self) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        app = self._wrap(DomainDispatcherApplication(create_backend_app))
        try:
            self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
        except BaseException as exc:  # e.g. the port is taken: report it to start()
            self.error = exc
            self._server_ready_event.set()
            return
        self._server_ready_event.set()
        self._server.serve_forever()

    def start(self) -> None:
        self.error: BaseException | None = None
        super().start()
        if self.error is not None:
            raise OSError(f"cannot serve on {self._ip_address}:{self._port}: {self.error}")


class Sandbox:
    """A local AWS running the deployed control plane."""

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        run_seconds: float = 300.0,
        template: Path = TEMPLATE,
        tick_seconds: float = 1.0,
        accounts: int = 1,
        iam: bool = True,
        start_at: datetime | None = None,
        artifact: Path | None = None,
    ) -> None:
        if accounts < 1:
            raise ValueError(f"--accounts must be at least 1, not {accounts}")
        self.host = host
        self.port = port or free_port(host)
        self.run_seconds = run_seconds
        #: `sam build` output to run instead of the source tree (its template, functions and layer)
        self.artifact = artifact
        self.template = artifact_template(artifact) if artifact else template
        self.tick_seconds = tick_seconds
        self.accounts = accounts
        #: the instant the sandbox's clock starts at (`glueguard sandbox up --start`; None: now)
        self.start_at = start_at
        self.organization: dict[str, Any] = {}
        self.outputs: dict[str, str] = {}
        self.ready = False
        self._server: _Server | None = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self.tick_hooks: list[Callable[[], Any]] = []
        self.faults = Faults()
        #: evaluate IAM for every request (`glueguard sandbox up --no-iam` turns it off)
        self.iam = iam

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    # -------------------------------------------------------------- lifecycle
    def start(self) -> Sandbox:
        from moto.core.config import default_user_config

        from glueguard_sandbox import cloudtrail, emulator, lambda_runtime
        from glueguard_sandbox.emulator import sqs_event_sources, stepfunctions
        from glueguard_sandbox.emulator.glue import runs as glue_runs
        from glueguard_sandbox.emulator.iam.responses import IamMiddleware
        from glueguard_sandbox.emulator.schedules import schedules

        os.environ["MOTO_PORT"] = str(self.port)
        for key, value in (
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_DEFAULT_REGION", deployer.REGION),
        ):
            os.environ.setdefault(key, value)
        emulator.install()
        schedules.clock.move_world(
            self.start_at
        )  # one clock: a tick moves the functions', Glue's and AWS's time on together
        stepfunctions.install_execution_roles()
        glue_runs.settings.default_run_seconds = self.run_seconds
        default_user_config.setdefault("stepfunctions", {})["execute_state_machine"] = True
        default_user_config.setdefault("lambda", {})["use_docker"] = True
        lambda_runtime.install(
            lambda_runtime.Runtime(
                root=self.template.parent,
                endpoint=self.endpoint,
                code_bucket=deployer.ARTIFACT_BUCKET,
                artifact=self.artifact is not None,
            )
        )
        self.tick_hooks = [
            glue_runs.advance_all,
            self._fire_due_schedules,
            sqs_event_sources.poll,
            lambda_runtime.slots.reap,
        ]
        self._server = _Server(
            self.host,
            self.port,
            lambda app: _Control(
                cloudtrail.CloudTrailMiddleware(IamMiddleware(FaultMiddleware(app, self.faults), lambda: self.iam)),
                self,
            ),
        )
        self._server.start()
        self._ticker = threading.Thread(target=self._tick_loop, name="glueguard-ticker", daemon=True)
        self._ticker.start()
        return self

    def deploy(self, parameters: dict[str, str] | None = None) -> dict[str, str]:
        """Deploy the template as the stack (`parameters`: template parameter overrides)."""
        from glueguard_sandbox import organization

        session = self.session()
        parameters = dict(parameters or {})
        if self.accounts > 1:  # an organization: this account manages it and runs the central stack
            self.organization = organization.create(session, members=self.accounts - 1)
            parameters = {**organization.central_parameters(self.organization), **parameters}
        self.outputs = deployer.deploy(session, self.template, parameters=parameters)
        self.ready = True
        return self.outputs

    def stop(self) -> None:
        from glueguard_sandbox import lambda_runtime

        self._stop.set()
        if self._server:
            self._server.stop()
            self._server = None
        lambda_runtime.shutdown()

    def __enter__(self) -> Sandbox:
        self.start()
        self.deploy()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def session(self) -> Any:
        """A boto3 session for the sandbox's admin (the access key `testing`: root of the account)."""
        import boto3

        return _EndpointSession(
            boto3.session.Session(
                aws_access_key_id="testing", aws_secret_access_key="testing", region_name=deployer.REGION
            ),
            self.endpoint,
        )

    # -------------------------------------------------------------- background work
    def _fire_due_schedules(self) -> None:
        from glueguard_sandbox.emulator import eventbridge
        from glueguard_sandbox.emulator.glue import triggers

        eventbridge.fire_schedules()
        triggers.fire_scheduled()

    def tick(self, seconds: float | None = None) -> dict[str, Any]:
        """Advance job runs and fire schedules: every enabled one now, or (`seconds`) those due after moving
        the sandbox clock that far on (runs are brought to the new time first)."""
        from glueguard_sandbox.emulator import delivery, eventbridge, sqs_event_sources
        from glueguard_sandbox.emulator.glue import runs as glue_runs
        from glueguard_sandbox.emulator.glue import triggers as glue_triggers
        from glueguard_sandbox.emulator.schedules import schedules

        if seconds is not None:
            schedules.clock.advance(seconds)
            delivery.worker.wake()  # Lambda's retries then due
        advanced = glue_runs.advance_all()
        fired = eventbridge.fire_schedules(force=seconds is None)
        glue_triggers.fire_scheduled(force=seconds is None)
        return {
            "fired": fired,
            "runs": advanced,
            "messages": sqs_event_sources.poll(),
            "clock": schedules.clock.now().isoformat(),  # the schedules' (frozen between ticks if manual)
            "now": datetime.now(UTC).isoformat(),  # the sandbox's: what the functions, Glue and AWS see
        }

    def _tick_loop(self) -> None:
        while not self._stop.wait(self.tick_seconds):
            if not self.ready:
                continue
            for hook in self.tick_hooks:
                try:
                    hook()
                except Exception as exc:  # keep ticking; report once per failure
                    print(f"sandbox tick: {type(exc).__name__}: {exc}", flush=True)

    # -------------------------------------------------------------- control routes
    def control(self, route: str, environ: dict[str, Any]) -> tuple[int, Any]:
        from glueguard_sandbox.emulator import delivery

        if route == "status":
            return 200, {
                "ready": self.ready,
                "endpoint": self.endpoint,
                "outputs": self.outputs,
                "organization": self.organization,
                "iam": self.iam,
                "artifact": str(self.artifact) if self.artifact else None,
            }
        if route == "faults" and environ.get("REQUEST_METHOD") == "GET":
            return 200, {"faults": self.faults.status()}  # e.g. whether a barrier's call has arrived
        if environ.get("REQUEST_METHOD") != "POST":
            return 405, {"error": "use POST"}
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        if route == "replay":
            events = json.loads(body or b"null")
            events = events if isinstance(events, list) else [events]
            for event in events:
                if not isinstance(event, dict) or "detail-type" not in event or "source" not in event:
                    raise ValueError("an EventBridge event needs at least 'source' and 'detail-type'")
                publish(event)
            return 200, {"replayed": len(events)}
        if route == "tick":
            seconds = json.loads(body or b"{}").get("seconds")
            if seconds is not None and (not isinstance(seconds, int | float) or seconds < 0):
                raise ValueError(f"'seconds' must be a number of seconds >= 0, not {seconds!r}")
            return 200, self.tick(seconds)
        if route == "service-session":
            from glueguard_sandbox.emulator.iam.models import service_session

            spec = json.loads(body or b"{}")
            name = spec.get("sessionName")  # e.g. GlueJobRunnerSession, the name Glue gives a job run's session
            return 200, service_session(
                str(spec.get("roleArn", "")), str(spec.get("service", "")), str(name) if name else None
            )
        if route == "sso-session":
            from glueguard_sandbox.emulator.identity_center import sign_in

            spec = json.loads(body or b"{}")
            fields = ("identityAccount", "userName", "permissionSetArn", "account")
            return 200, sign_in(*(str(spec.get(k, "")) for k in fields))
        if route == "faults":
            return 200, self.faults.configure(json.loads(body or b"{}"))
        if route == "drain":
            timeout = float(json.loads(body or b"{}").get("timeout", 30))
            return 200, {"idle": delivery.worker.drain(timeout)}
        return 404, {"error": f"unknown sandbox route {route!r}"}


def artifact_template(build_dir: Path) -> Path:
    """The template of a `sam build` output directory (DeployError with the way to build it when absent)."""
    template = build_dir / "template.yaml"
    if not template.is_file():
        raise deployer.DeployError(f"{template} not found: build the artifact first (`make build-sandbox`)")
    return template


class _EndpointSession:
    """A boto3 session whose clients all talk to the sandbox endpoint."""

    def __init__(self, session: Any, endpoint: str) -> None:
        self._session = session
        self._endpoint = endpoint

    def client(self, service: str, **kwargs: Any) -> Any:
        return self._session.client(service, endpoint_url=self._endpoint, **kwargs)

    def assumed(self, role_arn: str, session_name: str) -> _EndpointSession:
        """A session of `role_arn`, assumed from this one (across accounts: its trust policy is checked)."""
        import boto3

        creds = self.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name)["Credentials"]
        return _EndpointSession(
            boto3.session.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
                region_name=self._session.region_name,
            ),
            self._endpoint,
        )

    def resource(self, service: str, **kwargs: Any) -> Any:
        return self._session.resource(service, endpoint_url=self._endpoint, **kwargs)


def wait_ready(endpoint: str, timeout: float = 60.0) -> dict[str, Any]:
    """Poll a sandbox's status route until it is deployed."""
    import urllib.request

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{endpoint}/_glueguard/status", timeout=2) as response:
                status = json.loads(response.read())
                if status.get("ready"):
                    return status
        except Exception as exc:
            last = exc
        time.sleep(0.1)
    raise TimeoutError(f"sandbox at {endpoint} not ready after {timeout}s ({last})")
