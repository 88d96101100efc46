"""Start the local stack: emulator, program under moto-backed mocks, API model, gateway, ``outputs.json``."""

import contextlib
import os
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from securedapi.local.emulator import Emulator, apply_environment, aws_environment, check_ports_free
from securedapi.local.model import ApiModel, cognito_jwks_url

if TYPE_CHECKING:
    from securedapi.local.gateway import Gateway

DEFAULT_STATE_DIR = Path(".local")
USER_POOL = "aws:cognito/userPool:UserPool"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"


@dataclass
class LocalStack:
    """One local stack: ``prepare()`` builds everything, ``serve()`` runs the API until Ctrl-C."""

    program_dir: Path = field(default_factory=Path.cwd)
    stack: str = "dev"
    host: str = "127.0.0.1"
    api_port: int = 3000
    aws_port: int = 5000
    state_dir: Path = DEFAULT_STATE_DIR
    access_log: bool = False
    throttling: bool = True
    emulator: Emulator | None = None
    model: ApiModel | None = None
    gateway: "Gateway | None" = None
    outputs: dict[str, Any] = field(default_factory=dict)
    say: Callable[[str], None] = field(default=lambda line: print(line, flush=True))

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    @property
    def outputs_file(self) -> Path:
        return self.state_dir / "outputs.json"

    def prepare(self) -> None:
        """Check ports, start moto, run the program against it and build the gateway (raises on failure)."""
        check_ports_free(self.host, [("API", self.api_port), ("AWS", self.aws_port)])
        self.outputs_file.unlink(missing_ok=True)
        from securedapi.testing import load_project

        _, config = load_project(self.program_dir, self.stack)
        region = config.get("aws:region") or os.environ.get("AWS_REGION") or "us-east-1"
        self.emulator = Emulator(self.host, self.aws_port)
        self.emulator.start()
        endpoint = self.emulator.endpoint_url
        apply_environment(aws_environment(endpoint, region))

        from securedapi.local.gateway import Gateway
        from securedapi.local.mocks import MotoMocks
        from securedapi.local.model import build_model
        from securedapi.testing import run_program

        recording = run_program(self.program_dir, stack=self.stack, mocks=MotoMocks(region, endpoint))
        self.model = build_model(recording, self.program_dir, region=region)
        for warning in self.model.warnings:
            self.say(f"warning: {warning}")
        self.gateway = Gateway(self.model, aws_endpoint_url=endpoint, throttling=self.throttling)
        self.outputs = self._outputs(recording.outputs, recording, region, endpoint)

    def _outputs(self, exports: dict[str, Any], recording: Any, region: str, endpoint: str) -> dict[str, Any]:
        assert self.model is not None
        outputs = dict(exports)
        authorizer = self.model.authorizers[0] if self.model.authorizers else None
        pools = recording.of_type(USER_POOL)
        clients = recording.of_type(CLIENT)
        issuer = outputs.get("issuer") or (authorizer.issuer if authorizer else None)
        outputs.update(
            {
                "apiUrl": self.api_url,
                "awsEndpointUrl": endpoint,
                "region": region,
                "stack": self.stack,
                "programDir": str(self.program_dir),
                "pid": os.getpid(),
            }
        )
        outputs.setdefault("userPoolId", pools[0].id if pools else None)
        outputs.setdefault(
            "userPoolClientId",
            (authorizer.audiences[0] if authorizer and authorizer.audiences else clients[0].id if clients else None),
        )
        if issuer:
            outputs["issuer"] = issuer
            outputs["jwksUri"] = cognito_jwks_url(issuer, endpoint)
        outputs["routes"] = {key: t.authorization_type for key, t in self.model.targets.items()}
        return outputs

    def write_outputs(self) -> None:
        """Write ``outputs.json`` atomically (its appearance means "ready"), with this process's pid."""
        from securedapi.local.state import write_outputs

        write_outputs(self.outputs_file, self.outputs)

    def banner(self) -> str:
        o = self.outputs
        state = "" if self.state_dir == DEFAULT_STATE_DIR else f" --state-dir {self.state_dir}"
        lines = [
            f"Local stack {self.stack!r} is ready (Ctrl-C stops it).",
            f"  API URL      {o['apiUrl']}",
            f"  issuer       {o.get('issuer')}",
            f"  client id    {o.get('userPoolClientId')}",
            f"  user pool    {o.get('userPoolId')}",
            f"  AWS emulator {o['awsEndpointUrl']} (region {o['region']})",
            f"  outputs      {self.outputs_file}",
            "  routes       " + ", ".join(f"{k} [{v}]" for k, v in o["routes"].items()),
            "Next:",
            f"  TOKEN=$({cli_command()} token --user alice{state})",
            f'  curl -H "Authorization: Bearer $TOKEN" {o["apiUrl"]}/<route>',
        ]
        return "\n".join(lines)

    def serve(self) -> None:
        """Serve the API in the foreground until SIGINT/SIGTERM; then stop moto and remove outputs.json."""
        import uvicorn

        assert self.gateway is not None
        stack = self

        class _Server(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self) -> Iterator[None]:
                # Like uvicorn's, without re-raising the signal afterwards: we still have to stop moto.
                if threading.current_thread() is not threading.main_thread():
                    yield
                    return
                original = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
                try:
                    yield
                finally:
                    for sig, handler in original.items():
                        signal.signal(sig, handler)

            async def startup(self, sockets: Any = None) -> None:
                await super().startup(sockets)
                if self.started:
                    stack.write_outputs()
                    stack.say(stack.banner())

        config = uvicorn.Config(
            self.gateway.app,
            host=self.host,
            port=self.api_port,
            log_level="warning",
            access_log=self.access_log,
            lifespan="on",
            server_header=False,
        )
        server = _Server(config)
        try:
            server.run()
        finally:
            self.stop()
        if not server.started:
            raise SystemExit(2)

    def stop(self) -> None:
        self.outputs_file.unlink(missing_ok=True)
        if self.gateway is not None:
            self.gateway.close()
        if self.emulator is not None:
            self.emulator.stop()
            self.emulator = None


def cli_command() -> str:
    """How to run the ``securedapi`` command from here without activating its virtualenv."""
    script = Path(sys.executable).parent / "securedapi"
    if not script.is_file():
        return f"{shlex.quote(sys.executable)} -m securedapi"
    try:
        relative = script.relative_to(Path.cwd())
        return shlex.quote(str(relative))
    except ValueError:
        return shlex.quote(str(script))


def print_error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr, flush=True)
