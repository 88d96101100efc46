"""The local stack's lifecycle: outputs.json never trusted after a crash, restarts on the same ports right
after ``kill -9`` and after SIGTERM, TIME_WAIT is not "in use"."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from stack_harness import STARTUP_TIMEOUT

from securedapi.local.emulator import PortInUseError, check_ports_free, free_port
from securedapi.local.process import spawn, wait_until_ready

from .conftest import FIXTURE_PROGRAM, ROOT


def token_cli(state_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "securedapi", "token", "--user", "x", "--state-dir", str(state_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def gone(pid: int, within: float = 3.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.02)
    return False


def test_restart_right_after_kill_9_and_after_sigterm(tmp_path: Path) -> None:
    """A restart after ``kill -9``; after SIGTERM, what a restart checks first (the ports) passes at once."""
    api_port, aws_port = free_port(), free_port()

    def start() -> tuple[subprocess.Popen[str], dict[str, object]]:
        process = spawn(api_port, aws_port, tmp_path, program=FIXTURE_PROGRAM, extra_args=("--stack", "test"))
        return process, wait_until_ready(process, tmp_path, STARTUP_TIMEOUT)

    first, outputs = start()
    assert outputs["pid"] == first.pid and outputs["startTime"]
    with requests.Session() as session:  # keep-alive connections, then an execution environment
        worker = session.get(f"{outputs['apiUrl']}/slow", timeout=10).json()["pid"]
    first.kill()  # kill -9: nothing is cleaned up
    first.wait()
    killed_at = time.monotonic()
    assert (tmp_path / "outputs.json").is_file()
    stale = token_cli(tmp_path)
    assert stale.returncode == 1
    assert "no longer running" in stale.stderr and "Traceback" not in stale.stderr
    assert gone(worker)  # its execution environments die with it

    second, outputs = start()  # same ports, the old connections in TIME_WAIT
    assert time.monotonic() - killed_at < 1 + STARTUP_TIMEOUT
    assert outputs["pid"] == second.pid
    assert requests.get(f"{outputs['apiUrl']}/items/a/b", timeout=10).status_code == 200
    second.send_signal(signal.SIGTERM)
    assert second.wait(15) == 0
    assert not (tmp_path / "outputs.json").exists()  # removed on stop
    check_ports_free("127.0.0.1", [("API", api_port), ("AWS", aws_port)])  # `securedapi local`'s pre-check
    for port in (api_port, aws_port):  # and the servers' bind (uvicorn and werkzeug set SO_REUSEADDR)
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", port))
            sock.listen()


def test_time_wait_is_free_and_a_listener_is_in_use() -> None:
    port = free_port()
    listener = socket.create_server(("127.0.0.1", port))
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    accepted.close()  # the server side closes first: its end of the connection goes to TIME_WAIT
    client.recv(1)
    client.close()
    with pytest.raises(PortInUseError, match=f"port {port}"):
        check_ports_free("127.0.0.1", [("API", port)])
    listener.close()
    if sys.platform == "linux":  # the connection really is in TIME_WAIT (state 06)
        rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]  # read once
        assert ("06", f"0100007F:{port:04X}") in {(row[3], row[1]) for row in rows}
    check_ports_free("127.0.0.1", [("API", port)])  # only TIME_WAIT left: free
