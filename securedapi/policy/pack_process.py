"""Start a Python policy pack the way Pulumi's language host does and talk to it over gRPC.

Pulumi's Python language host (``pulumi-language-python``, ``RunPlugin`` for kind ``analyzer``) runs
``<venv python> -u -m pulumi.policy <engine-address> <pack-dir>`` with the pack directory as the working
directory and the stack's identity in ``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_ORGANIZATION``,
``PULUMI_DRY_RUN`` and ``PULUMI_CONFIG``. The pack prints the port of its ``Analyzer`` server on stdout
and serves until it is stopped. The engine address is a ``pulumirpc.Engine`` server; :class:`EngineLog`
is one that keeps what the pack logs.

Only the public gRPC interface is used: nothing here touches pulumi-policy's internals.
"""

import json
import os
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import grpc
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2_grpc, engine_pb2, engine_pb2_grpc

MAX_MESSAGE = 400 * 1024 * 1024
"""The message size limit pulumi-policy sets on its server (big stacks make big AnalyzeStack requests)."""

STARTUP_TIMEOUT = 60.0


class PackStartError(Exception):
    """The pack process exited or printed no port."""


@dataclass
class EngineLog(engine_pb2_grpc.EngineServicer):
    """A ``pulumirpc.Engine`` that records the pack's log messages (what the CLI would print)."""

    messages: list[tuple[int, str]] = field(default_factory=list)

    def Log(self, request: Any, context: Any) -> Any:  # noqa: N802 (gRPC method name)
        self.messages.append((request.severity, request.message))
        return empty_pb2.Empty()

    def GetRootResource(self, request: Any, context: Any) -> Any:  # noqa: N802
        return engine_pb2.GetRootResourceResponse()

    def SetRootResource(self, request: Any, context: Any) -> Any:  # noqa: N802
        return engine_pb2.SetRootResourceResponse()


def language_host_env(
    *, project: str, stack: str, config: Mapping[str, str], dry_run: bool, organization: str = "organization"
) -> dict[str, str]:
    """The environment the language host gives a policy pack for a stack (from its ``StackConfiguration``)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}
    env.update(
        PULUMI_ORGANIZATION=organization,
        PULUMI_PROJECT=project,
        PULUMI_STACK=stack,
        PULUMI_DRY_RUN="true" if dry_run else "false",
        PULUMI_CONFIG=json.dumps(dict(config)),
    )
    return env


class PackProcess:
    """A running policy pack: ``start()``, then ``stub`` (an ``AnalyzerStub``), then ``close()``.

    ``program`` is the pack directory (or its ``__main__.py``); ``cwd`` defaults to the pack directory,
    as the language host sets it. ``python`` is the interpreter of the pack's virtualenv.
    """

    def __init__(
        self,
        program: Path,
        *,
        python: str = sys.executable,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.program = program
        self.python = python
        self.cwd = cwd or (program if program.is_dir() else program.parent)
        self.env = dict(env) if env is not None else language_host_env(project="", stack="", config={}, dry_run=False)
        self.extra_args = list(extra_args)
        self.engine = EngineLog()
        self._engine_server: grpc.Server | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stderr: list[str] = []
        self._stderr_reader = threading.Thread()
        self.stub: Any = None

    def start(self) -> "PackProcess":
        """Launch the pack (returns at once; :meth:`wait` blocks until it serves). Starting twice is a no-op."""
        if self._process is not None:
            return self
        self._engine_server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, self._engine_server)
        engine_port = self._engine_server.add_insecure_port("127.0.0.1:0")
        self._engine_server.start()
        command = [self.python, "-u", "-m", "pulumi.policy", *self.extra_args, f"127.0.0.1:{engine_port}"]
        self._process = subprocess.Popen(
            [*command, str(self.program)],
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._stderr_reader = threading.Thread(target=self._drain_stderr, args=(self._process.stderr,), daemon=True)
        self._stderr_reader.start()
        return self

    def wait(self, timeout: float = STARTUP_TIMEOUT) -> Any:
        """Read the pack's port from its stdout and connect; return the ``AnalyzerStub``."""
        if self.stub is not None:
            return self.stub
        assert self._process is not None and self._process.stdout is not None, "start() first"
        line: list[bytes] = []
        reader = threading.Thread(target=lambda: line.append(self._process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(timeout)
        port = line[0].decode(errors="replace").strip() if line else ""
        if not port.isdigit():
            self._process.kill()
            self._process.wait()
            self._stderr_reader.join(5)
            detail = "".join(self._stderr).strip() or f"exit status {self._process.returncode}"
            raise PackStartError(f"the policy pack did not start: {detail}")
        self._channel = grpc.insecure_channel(
            f"127.0.0.1:{port}", options=[("grpc.max_send_message_length", MAX_MESSAGE)]
        )
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        return self.stub

    @property
    def stderr(self) -> str:
        """What the pack wrote to stderr so far."""
        return "".join(self._stderr)

    def close(self) -> None:
        """Stop the pack (as the engine does when it is done) and the engine log server."""
        if self._channel is not None:
            self._channel.close()
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process is not None and self._process.stdout is not None:
            self._process.stdout.close()
        if self._engine_server is not None:
            self._engine_server.stop(0)

    def __enter__(self) -> "PackProcess":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _drain_stderr(self, stream: IO[bytes]) -> None:
        for raw in iter(stream.readline, b""):
            self._stderr.append(raw.decode(errors="replace"))
        stream.close()
