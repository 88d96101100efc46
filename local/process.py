"""Run the local stack as a child process (``python -m local``) and wait until it is ready.

Used by the end-to-end tests and the benchmarks: free ports, a private state directory, no AWS
variables inherited from the caller, readiness = ``outputs.json`` written.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent


def spawn(api_port: int, aws_port: int, state_dir: Path, *, capture_stdout: bool = True) -> "subprocess.Popen[str]":
    """Start ``python -m local`` on the given ports, writing its state to ``state_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    command = [
        sys.executable,
        "-m",
        "local",
        "--api-port",
        str(api_port),
        "--aws-port",
        str(aws_port),
        "--state-dir",
        str(state_dir),
    ]
    return subprocess.Popen(
        command,
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE if capture_stdout else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until_ready(process: "subprocess.Popen[str]", state_dir: Path, timeout: float = 60.0) -> dict[str, Any]:
    """The stack's ``outputs.json`` once written; raise with its output if it exits or times out."""
    outputs_file = Path(state_dir) / "outputs.json"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out, err = process.communicate()
            raise RuntimeError(f"local stack exited with {process.returncode}:\n{out or ''}\n{err or ''}")
        if outputs_file.is_file():
            return json.loads(outputs_file.read_text())  # type: ignore[no-any-return]
        time.sleep(0.01)
    raise RuntimeError(f"local stack did not write {outputs_file} within {timeout} s")


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
