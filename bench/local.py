"""Benchmarks of the embedded local stack.

1. Gateway throughput and latency: an authorized request (JWT checked on every call) to a trivial
   handler (``GET /ping`` of the e2e fixture program), 2,000 requests, 8 concurrent keep-alive
   connections on loopback; req/s, p50, p99 and the number of JWKS fetches (goal: 1).
   The stack runs in a child process (as ``securedapi local`` would), the load in this one.
2. Startup: ``securedapi local`` (subprocess, the project's own program, with managed login and the web
   page) until ``outputs.json`` is written and the API answers; then Ctrl-C (SIGINT) until it has exited.
3. Sign-in round trip on that stack: ``/oauth2/authorize`` -> login page -> ``POST /login`` -> code ->
   ``/oauth2/token`` (PKCE), 50 sign-ins of one user, p50 and p99.

Goals: >= 1,000 req/s and p99 <= 20 ms on 2 cores; ready in <= 5 s; sign-in p50 <= 150 ms.
"""

import http.client
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench import percentile

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_PROGRAM = ROOT / "tests" / "e2e" / "fixture_program"
REQUESTS = 2000
CONCURRENCY = 8
SIGN_INS = 50


def _serve_fixture(conn: Connection, api_port: int, aws_port: int, state_dir: str) -> None:
    """Child process: the local stack on the fixture program; reports JWKS fetches when stopped."""
    sys.path.insert(0, str(ROOT))
    from securedapi.local.emulator import free_port
    from securedapi.local.stack import LocalStack

    stack = LocalStack(
        program_dir=FIXTURE_PROGRAM,
        stack="test",
        api_port=api_port,
        aws_port=aws_port,
        auth_port=free_port(),
        state_dir=Path(state_dir),
        say=lambda line: None,
    )
    stack.prepare()
    gateway = stack.gateway
    stack.serve()
    conn.send({"jwksFetches": gateway.jwks_fetches if gateway else -1})
    conn.close()


def _wait_for(path: Path, timeout: float, process: Any) -> dict[str, Any]:
    """``outputs.json`` of the stack served by a ``multiprocessing`` child."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.is_file():
            return json.loads(path.read_text())  # type: ignore[no-any-return]
        if not process.is_alive():
            raise RuntimeError("the local stack exited before it was ready")
        time.sleep(0.01)
    raise RuntimeError(f"{path} did not appear within {timeout} s")


def _load(host: str, port: int, path: str, token: str) -> tuple[list[float], int]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_worker = REQUESTS // CONCURRENCY
    headers = {"Authorization": f"Bearer {token}"}

    def worker() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(host, port, timeout=10)
        local: list[float] = []
        bad = 0
        for _ in range(per_worker):
            started = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            local.append(time.perf_counter() - started)
            if response.status != 200 or body != b"pong":
                bad += 1
        conn.close()
        with lock:
            latencies.extend(local)
            errors += bad

    threads = [threading.Thread(target=worker) for _ in range(CONCURRENCY)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def gateway_benchmark() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from securedapi.local.emulator import free_port
    from securedapi.local.tokens import get_tokens

    api_port, aws_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as state_dir:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_serve_fixture, args=(child, api_port, aws_port, state_dir))
        process.start()
        try:
            outputs = _wait_for(Path(state_dir) / "outputs.json", 60, process)
            token = get_tokens(outputs, "bench-user").access_token
            # warm-up (imports the handler, fetches the JWKS)
            conn = http.client.HTTPConnection("127.0.0.1", api_port, timeout=10)
            for _ in range(50):
                conn.request("GET", "/ping", headers={"Authorization": f"Bearer {token}"})
                conn.getresponse().read()
            conn.close()
            started = time.perf_counter()
            latencies, errors = _load("127.0.0.1", api_port, "/ping", token)
            elapsed = time.perf_counter() - started
        finally:
            if process.pid is not None and process.is_alive():
                os.kill(process.pid, signal.SIGINT)
            process.join(20)
        stats = parent.recv() if parent.poll(5) else {"jwksFetches": None}
    latencies.sort()
    return {
        "requests": len(latencies),
        "concurrency": CONCURRENCY,
        "errors": errors,
        "reqPerSec": len(latencies) / elapsed,
        "p50Ms": percentile(latencies, 50) * 1000,
        "p99Ms": percentile(latencies, 99) * 1000,
        "jwksFetches": stats["jwksFetches"],
    }


def startup_benchmark() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    from securedapi.local.emulator import free_port
    from securedapi.local.process import spawn, stop, wait_until_ready

    api_port, aws_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as state_dir:
        started = time.monotonic()
        process = spawn(api_port, aws_port, Path(state_dir), program=ROOT)
        try:
            outputs = wait_until_ready(process, Path(state_dir))
            ready = time.monotonic() - started
            conn = http.client.HTTPConnection("127.0.0.1", api_port, timeout=10)
            conn.request("GET", "/health")
            status = conn.getresponse().status
            conn.close()
            answered = time.monotonic() - started
            signin = signin_round_trips(outputs)
        finally:
            stop_started = time.monotonic()
            code = stop(process, 30)
            stopped = time.monotonic() - stop_started
    return {
        "readySeconds": ready,
        "firstResponseSeconds": answered,
        "healthStatus": status,
        "stopSeconds": stopped,
        "exitCode": code,
        "signInP50Ms": percentile(signin, 50) * 1000,
        "signInP99Ms": percentile(signin, 99) * 1000,
        "signIns": len(signin),
    }


def signin_round_trips(outputs: dict[str, Any], count: int = SIGN_INS) -> list[float]:
    """Seconds per code-flow sign-in (authorize, login page, login POST, token) of one confirmed user."""
    from securedapi.local.tokens import DEFAULT_PASSWORD, client_config, code_flow, ensure_user

    client_id = outputs["userPoolClientId"]
    username = ensure_user(outputs, "bench-signin", DEFAULT_PASSWORD, (), client_id)
    config = client_config(outputs, client_id)
    code_flow(outputs["domain"], config, username, DEFAULT_PASSWORD)  # warm-up
    times = []
    for _ in range(count):
        started = time.perf_counter()
        code_flow(outputs["domain"], config, username, DEFAULT_PASSWORD)
        times.append(time.perf_counter() - started)
    return sorted(times)


def main() -> None:
    gateway = gateway_benchmark()
    print(
        f"local gateway: {gateway['requests']} authorized GET /ping, {gateway['concurrency']} concurrent: "
        f"{gateway['reqPerSec']:.0f} req/s, p50 {gateway['p50Ms']:.2f} ms, p99 {gateway['p99Ms']:.2f} ms, "
        f"errors {gateway['errors']}, JWKS fetches {gateway['jwksFetches']} "
        "(goals: >= 1000 req/s, p99 <= 20 ms, 1 fetch)",
        flush=True,
    )
    startup = startup_benchmark()
    print(
        f"local startup: ready (outputs.json) in {startup['readySeconds']:.2f} s, first response "
        f"{startup['firstResponseSeconds']:.2f} s (GET /health {startup['healthStatus']}), Ctrl-C stop in "
        f"{startup['stopSeconds']:.2f} s, exit code {startup['exitCode']} (goal: ready <= 5 s)",
        flush=True,
    )
    print(
        f"local sign-in round trip (authorize, login, code, token with PKCE): {startup['signIns']} sign-ins, "
        f"p50 {startup['signInP50Ms']:.1f} ms, p99 {startup['signInP99Ms']:.1f} ms (goal: p50 <= 150 ms)",
        flush=True,
    )


if __name__ == "__main__":
    main()
