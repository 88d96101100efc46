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

from securedapi.local.emulator import PortInUseError, check_ports_free, free_port
from securedapi.local.process import spawn, stop, wait_until_ready

from .conftest import FIXTURE_PROGRAM, ROOT, STARTUP_TIMEOUT


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

    third, outputs = start()
    try:
        assert requests.get(f"{outputs['apiUrl']}/items/a/b", timeout=10).status_code == 200
    finally:
        assert stop(third) == 0


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
    check_ports_free("127.0.0.1", [("API", port)])  # only TIME_WAIT left: free
    assert f":{port:04X} " in Path("/proc/net/tcp").read_text() or sys.platform != "linux"
