"""Benchmark the local managed login: code-flow sign-in round trips on a running local stack.

``/oauth2/authorize`` -> login page -> ``POST /login`` -> code -> ``/oauth2/token`` (PKCE), 50 sign-ins of
one confirmed user of the project's own program; p50 and p99 (goal: p50 <= 150 ms on 2 cores). Then 50
client-credentials token requests of the ``reporting`` service client (``/oauth2/token``, HTTP Basic).
"""

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import percentile

ROOT = Path(__file__).resolve().parent.parent
SIGN_INS = 50


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


def client_credentials_round_trips(outputs: dict[str, Any], count: int = SIGN_INS) -> list[float]:
    """Seconds per client-credentials token request of the ``reporting`` service client."""
    import requests

    from securedapi.local.service_tokens import client_secret, resolve

    entry = resolve(outputs, "reporting")
    auth = (entry["clientId"], client_secret(outputs, entry["clientId"], entry["userPoolId"]))
    body = {"grant_type": "client_credentials"}
    times = []
    with requests.Session() as http:
        http.post(outputs["tokenEndpoint"], data=body, auth=auth, timeout=10).raise_for_status()  # warm-up
        for _ in range(count):
            started = time.perf_counter()
            http.post(outputs["tokenEndpoint"], data=body, auth=auth, timeout=10).raise_for_status()
            times.append(time.perf_counter() - started)
    return sorted(times)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from securedapi.local.emulator import free_port
    from securedapi.local.process import spawn, stop, wait_until_ready

    with tempfile.TemporaryDirectory() as state_dir:
        process = spawn(free_port(), free_port(), Path(state_dir), program=ROOT)
        try:
            outputs = wait_until_ready(process, Path(state_dir))
            times = signin_round_trips(outputs)
            service = client_credentials_round_trips(outputs)
        finally:
            stop(process, 30)
    print(
        f"local sign-in round trip (authorize, login, code, token with PKCE): {len(times)} sign-ins, "
        f"p50 {percentile(times, 50) * 1000:.1f} ms, p99 {percentile(times, 99) * 1000:.1f} ms (goal: p50 <= 150 ms)",
        flush=True,
    )
    print(
        f"local client-credentials token (reporting service client): {len(service)} requests, "
        f"p50 {percentile(service, 50) * 1000:.1f} ms, p99 {percentile(service, 99) * 1000:.1f} ms",
        flush=True,
    )


if __name__ == "__main__":
    main()
