"""Run the local stack as a child process (``securedapi local``) and wait until it is ready.

Used by the end-to-end tests and the benchmarks: free ports, a private state directory, no AWS
variables inherited from the caller, readiness = ``outputs.json`` written. The child's stdout and stderr
(banner, one JSON log line per handler call, gateway errors) go to ``stack.log`` in the state directory,
not to pipes: a pipe nobody drains fills up after some 64 KiB and then blocks the stack mid-request.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def log_file(state_dir: Path) -> Path:
    """Where :func:`spawn` sends the stack's stdout and stderr."""
    return Path(state_dir) / "stack.log"


def spawn(
    api_port: int,
    aws_port: int,
    state_dir: Path,
    *,
    program: Path | None = None,
    python: str = sys.executable,
    auth_port: int | None = None,
    web_port: int | None = None,
    docs_port: int | None = None,
    extra_args: tuple[str, ...] = (),
) -> "subprocess.Popen[str]":
    """Start ``securedapi local`` on the given ports for ``program`` (default: the current directory),
    writing its state and its output to ``state_dir``. Managed login, web page and API reference ports default
    to free ones."""
    from securedapi.local.emulator import free_port

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    command = [
        python,
        "-m",
        "securedapi",
        "local",
        "--api-port",
        str(api_port),
        "--aws-port",
        str(aws_port),
        "--auth-port",
        str(auth_port or free_port()),
        "--web-port",
        str(web_port or free_port()),
        "--docs-port",
        str(docs_port or free_port()),
        "--state-dir",
        str(state_dir),
        *extra_args,
    ]
    state_dir = Path(state_dir).resolve()
    state_dir.mkdir(parents=True, exist_ok=True)
    command[command.index("--state-dir") + 1] = str(state_dir)
    cwd = Path(program).resolve() if program is not None else Path.cwd()
    with log_file(state_dir).open("w") as log:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)


def wait_until_ready(process: "subprocess.Popen[str]", state_dir: Path, timeout: float = 60.0) -> dict[str, Any]:
    """The stack's ``outputs.json`` once written; raise with its output if it exits or times out."""
    outputs_file = Path(state_dir) / "outputs.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log_file(state_dir).read_text(errors="replace")
            raise RuntimeError(f"local stack exited with {process.returncode}:\n{output}")
        if outputs_file.is_file():
            outputs: dict[str, Any] = json.loads(outputs_file.read_text())
            if outputs.get("pid") == process.pid:  # not a file left by an earlier stack
                return outputs
        time.sleep(0.01)
    output = log_file(state_dir).read_text(errors="replace")
    raise RuntimeError(f"local stack did not write {outputs_file} within {timeout} s:\n{output}")


def stop(process: "subprocess.Popen[str]", timeout: float = 15.0) -> int:
    """Ctrl-C the stack (SIGINT), as a user would; kill it if it does not stop in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
