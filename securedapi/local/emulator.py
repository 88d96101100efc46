"""The AWS emulator: a moto server on loopback, and the environment that points boto3 at it."""

import errno
import logging
import os
import socket
from collections.abc import Callable, Iterable, Mapping
from typing import Any

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

    ``wrap`` puts WSGI middleware in front of moto's application (the managed login's Cognito API rules)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5000, wrap: Callable[[Any], Any] | None = None) -> None:
        self.host = host
        self.port = port
        self.wrap = wrap
        self._server: object | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        from moto.moto_server.threaded_moto_server import ThreadedMotoServer
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log line per AWS call

        wrap = self.wrap or (lambda app: app)

        class _Server(ThreadedMotoServer):
            """moto's ThreadedMotoServer with the ``wrap`` middleware in front of its WSGI app."""

            def _server_entry(self) -> None:
                app = wrap(DomainDispatcherApplication(create_backend_app))
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
