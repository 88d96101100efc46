"""Benchmarks of the embedded local stack (throttling off, as ``securedapi local --no-throttling``).

1. Gateway throughput and latency: authorized ``GET /ping`` (JWT checked on every call) to a trivial handler
   of the e2e fixture program, 200 concurrent keep-alive connections for 20 s; req/s, p50, p99, errors, the
   execution environments started and the JWKS fetches (goal: 1). The stack runs in a child process, the load
   (an asyncio client, raw HTTP/1.1) in this one.
2. Gateway memory: 20,000 authorized requests, each with its own token (signed with the emulator's key);
   the stack's resident memory before and after (the verified-token cache is bounded).
3. Startup: ``securedapi local`` (subprocess, the project's own program) until ``outputs.json`` is
   written and the API answers; then Ctrl-C (SIGINT) until it has exited.

Goals on 2 cores: >= 1,500 req/s, p99 <= 250 ms, 0 errors; memory bounded; ready in <= 10 s.
"""

import asyncio
import http.client
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench import percentile

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_PROGRAM = ROOT / "tests" / "e2e" / "fixture_program"
CONNECTIONS = 200
SECONDS = 20.0
DISTINCT_TOKENS = 20000


def _serve_fixture(conn: Connection, api_port: int, aws_port: int, state_dir: str) -> None:
    """Child process: the local stack on the fixture program, unthrottled; reports its counters when stopped."""
    sys.path.insert(0, str(ROOT))
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 -- the emulator prints verification codes; not figures
    from securedapi.local.emulator import free_port
    from securedapi.local.stack import LocalStack

    stack = LocalStack(
        program_dir=FIXTURE_PROGRAM,
        stack="test",
        api_port=api_port,
        aws_port=aws_port,
        auth_port=free_port(),
        web_port=free_port(),
        state_dir=Path(state_dir),
        throttling=False,
        say=lambda line: None,
    )
    stack.prepare()
    gateway = stack.gateway
    assert gateway is not None
    gateway.log = lambda line: None
    gateway.runtime.log = gateway.log
    stack.serve()
    pools = gateway.runtime.pools.values()
    conn.send({"jwksFetches": gateway.jwks_fetches, "environments": sum(p.started for p in pools)})
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


def _request(path: str, token: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n".encode()


async def _connection(port: int, requests: list[bytes], until: float, latencies: list[float]) -> int:
    """One keep-alive connection sending ``requests`` round-robin until ``until`` (or once each if 0)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    errors, i = 0, 0
    while (until and time.perf_counter() < until) or (not until and i < len(requests)):
        started = time.perf_counter()
        writer.write(requests[i % len(requests)])
        i += 1
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        body = await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        if not head.startswith(b"HTTP/1.1 200") or body != b"pong":
            errors += 1
    writer.close()
    return errors


async def _load(port: int, batches: list[list[bytes]], seconds: float) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    started = time.perf_counter()
    until = started + seconds if seconds else 0.0
    errors = await asyncio.gather(*(_connection(port, batch, until, latencies) for batch in batches))
    return latencies, sum(errors), time.perf_counter() - started


def _run(coroutine: Any) -> Any:
    """Run the load on uvloop when installed (as the gateway runs), else on asyncio's loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return -1


def _distinct_tokens(outputs: dict[str, Any], count: int) -> list[str]:
    """Access tokens the gateway accepts (the emulator's signing key), each with its own ``jti``."""
    import jwt
    from moto.utilities.utils import load_resource

    key = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json")).key
    now = int(time.time())
    claims = {"iss": outputs["issuer"], "client_id": outputs["userPoolClientId"], "token_use": "access"}
    return [
        jwt.encode(
            {**claims, "sub": f"bench-{i}", "jti": str(i), "iat": now, "exp": now + 3600},
            key,
            "RS256",
            headers={"kid": "dummy"},
        )
        for i in range(count)
    ]


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
            ping = [_request("/ping", token)]
            # warm-up: the JWKS, the handler's environments
            _run(_load(api_port, [ping] * CONNECTIONS, 2.0))
            latencies, errors, elapsed = _run(_load(api_port, [ping] * CONNECTIONS, SECONDS))
            tokens = _distinct_tokens(outputs, DISTINCT_TOKENS)
            assert process.pid is not None
            rss_before = _rss_kib(process.pid)
            batches = [[_request("/ping", t) for t in tokens[i::50]] for i in range(50)]
            _, memory_errors, _ = _run(_load(api_port, batches, 0))
            rss_after = _rss_kib(process.pid)
        finally:
            if process.pid is not None and process.is_alive():
                os.kill(process.pid, signal.SIGINT)
            process.join(20)
        stats = parent.recv() if parent.poll(5) else {"jwksFetches": None, "environments": None}
    latencies.sort()
    return {
        "requests": len(latencies),
        "connections": CONNECTIONS,
        "seconds": elapsed,
        "errors": errors,
        "reqPerSec": len(latencies) / elapsed,
        "p50Ms": percentile(latencies, 50) * 1000,
        "p99Ms": percentile(latencies, 99) * 1000,
        "jwksFetches": stats["jwksFetches"],
        "environments": stats["environments"],
        "rssBeforeMiB": rss_before / 1024,
        "rssAfterMiB": rss_after / 1024,
        "memoryErrors": memory_errors,
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
            wait_until_ready(process, Path(state_dir))
            ready = time.monotonic() - started
            conn = http.client.HTTPConnection("127.0.0.1", api_port, timeout=10)
            conn.request("GET", "/health")
            status = conn.getresponse().status
            conn.close()
            answered = time.monotonic() - started
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
    }


def main() -> None:
    g = gateway_benchmark()
    print(
        f"local gateway: {g['requests']} authorized GET /ping in {g['seconds']:.1f} s over {g['connections']} "
        f"keep-alive connections (throttling off): {g['reqPerSec']:.0f} req/s, p50 {g['p50Ms']:.1f} ms, "
        f"p99 {g['p99Ms']:.1f} ms, errors {g['errors']}, execution environments {g['environments']}, "
        f"JWKS fetches {g['jwksFetches']} (goals: >= 1500 req/s, p99 <= 250 ms, 0 errors, 1 fetch)",
        flush=True,
    )
    print(
        f"local gateway memory: {DISTINCT_TOKENS} requests with distinct tokens: resident "
        f"{g['rssBeforeMiB']:.1f} MiB before, {g['rssAfterMiB']:.1f} MiB after, errors {g['memoryErrors']} "
        "(goal: bounded; the verified-token cache keeps at most 4096)",
        flush=True,
    )
    startup = startup_benchmark()
    print(
        f"local startup: ready (outputs.json) in {startup['readySeconds']:.2f} s, first response "
        f"{startup['firstResponseSeconds']:.2f} s (GET /health {startup['healthStatus']}), Ctrl-C stop in "
        f"{startup['stopSeconds']:.2f} s, exit code {startup['exitCode']} (goal: ready <= 5 s)",
        flush=True,
    )


if __name__ == "__main__":
    main()
