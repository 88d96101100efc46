"""The AWS emulator: a moto server on loopback, and the environment that points boto3 at it.

In front of moto's WSGI application, in this order: :class:`GuardedApp` (an emulator failure is a clean
AWS-shaped 500 and one log line, never a traceback), presigned S3 URLs checked as S3 checks them
(:mod:`securedapi.local.s3auth`), the managed login's Cognito API rules when it runs (``wrap``,
:mod:`securedapi.local.cognito_api`) and the Cognito APIs moto lacks or answers differently
(:mod:`securedapi.local.cognito_compat`).
"""

import errno
import json
import logging
import os
import socket
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from securedapi.local.cognito_compat import CodeStore, CognitoCompatApp
from securedapi.local.mailbox import Mailbox

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


class PortInUseError(RuntimeError):
    """A port the local stack needs is already taken."""

    def __init__(self, host: str, port: int, what: str) -> None:
        super().__init__(
            f"{what} port {port} on {host} is already in use; stop whatever uses it or pass "
            f"--{what.lower()}-port with a free port"
        )
        self.host = host
        self.port = port


def check_ports_free(host: str, ports: Iterable[tuple[str, int]]) -> None:
    """Raise :class:`PortInUseError` for the first port that cannot be bound (checked before starting anything)."""
    for what, port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            # As the servers bind (SO_REUSEADDR): connections of a stopped stack in TIME_WAIT do not block
            # the port, a socket that listens on it does.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError as exc:
                if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                    raise PortInUseError(host, port, what) from None
                raise


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free right now (for tests and benchmarks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def aws_environment(endpoint_url: str, region: str) -> dict[str, str]:
    """Variables that make boto3 (mocks, handlers, the token CLI) talk to the emulator with fake credentials."""
    return {
        **FAKE_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def apply_environment(variables: Mapping[str, str]) -> None:
    """Set process-wide environment variables (the local stack owns its process)."""
    os.environ.update(variables)
    # Never pick up a developer's real profile or config by accident.
    os.environ.pop("AWS_PROFILE", None)


class Emulator:
    """A moto server (``ThreadedMotoServer``) on ``host:port``, quiet, started and stopped explicitly.

    ``wrap`` puts WSGI middleware in front of the Cognito layer (the managed login's Cognito API rules);
    ``codes`` is where verification codes are issued and checked (the managed login's mailbox; a mailbox of
    its own, printing to the console, by default)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 5000,
        *,
        codes: CodeStore | None = None,
        wrap: Callable[[Any], Any] | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.codes: CodeStore = codes or Mailbox()
        self.wrap = wrap
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self._server: object | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        from moto.moto_server.threaded_moto_server import ThreadedMotoServer
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        from securedapi.local.s3auth import PresignedS3App

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log line per AWS call
        emulator = self

        class _Dispatcher(DomainDispatcherApplication):
            """moto's dispatcher; its Flask apps let exceptions through to :class:`GuardedApp`."""

            def get_application(self, environ: dict[str, Any]) -> Any:
                app = super().get_application(environ)
                app.config["PROPAGATE_EXCEPTIONS"] = True
                return app

        wrap = self.wrap or (lambda app: app)

        class _Server(ThreadedMotoServer):
            """moto's ThreadedMotoServer with the local layers in front of its WSGI app."""

            def _server_entry(self) -> None:
                cognito = CognitoCompatApp(_Dispatcher(create_backend_app), emulator.codes)
                app = GuardedApp(PresignedS3App(wrap(cognito), secret_key_for), emulator.log)
                self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
                self._server_ready_event.set()
                self._server.serve_forever()

        server = _Server(ip_address=self.host, port=self.port, verbose=False)
        server.start()
        self._server = server

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop()  # type: ignore[attr-defined]

    def __enter__(self) -> "Emulator":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def secret_key_for(access_key_id: str) -> str | None:
    """The emulator's only credentials are the fake ones every local client uses."""
    if access_key_id == FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"]:
        return FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"]
    return None


class GuardedApp:
    """WSGI middleware: an exception in the emulator becomes AWS's 500 error (JSON or S3 XML) and one log line."""

    def __init__(self, app: Any, log: Callable[[str], None]) -> None:
        self.app = app
        self.log = log

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        try:
            return list(self.app(environ, start_response))
        except Exception as exc:
            target = environ.get("HTTP_X_AMZ_TARGET") or f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
            self.log(f"emulator: {target} failed: {type(exc).__name__}: {exc}")
            if environ.get("HTTP_X_AMZ_TARGET"):
                body = json.dumps({"__type": "InternalErrorException", "message": str(exc)}).encode()
                content_type = "application/x-amz-json-1.1"
            else:
                body = (
                    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code>'
                    b"<Message>We encountered an internal error. Please try again.</Message></Error>"
                )
                content_type = "application/xml"
            start_response(
                "500 Internal Server Error",
                [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                sys.exc_info(),
            )
            return [body]
