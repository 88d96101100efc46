"""End-to-end fixtures: ONE local stack per session (the project's own program, in a subprocess on free
ports), plus the fixture program's API served by an in-process gateway against that stack's emulator.

Tokens in these tests come from the stack's managed login (code flow with PKCE) or, for the negative
cases only, are minted here with moto's own signing key (``moto/cognitoidp/resources/jwks-private.json``).
"""

import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_PROGRAM = Path(__file__).resolve().parent / "fixture_program"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from stack_harness import RunningStack  # noqa: E402

from securedapi.local.emulator import free_port  # noqa: E402
from securedapi.local.tokens import get_tokens  # noqa: E402

__all__ = ["RunningStack"]


@dataclass
class FixtureApi:
    """The fixture program's API, served in-process by the local gateway against the stack's emulator."""

    url: str
    outputs: dict[str, Any]
    gateway: Any
    logs: list[str]

    def token(self, user: str, *groups: str, id_token: bool = False, scopes: tuple[str, ...] = ()) -> str:
        tokens = get_tokens(self.outputs, user, groups=tuple(groups), scopes=scopes)
        return tokens.id_token if id_token else tokens.access_token


@pytest.fixture(scope="session")
def fixture_api(stack: RunningStack) -> Iterator[FixtureApi]:
    import uvicorn

    from securedapi.local.gateway import Gateway
    from securedapi.local.mocks import MotoMocks
    from securedapi.local.model import build_model
    from securedapi.testing import run_program

    endpoint, region = stack.outputs["awsEndpointUrl"], stack.outputs["region"]
    recording = run_program(FIXTURE_PROGRAM, stack="test", mocks=MotoMocks(region, endpoint))
    model = build_model(recording, FIXTURE_PROGRAM, region=region)
    logs: list[str] = []
    gateway = Gateway(model, aws_endpoint_url=endpoint, log=logs.append)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(gateway.app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    outputs = {**recording.outputs, "awsEndpointUrl": endpoint, "region": region, "domain": stack.outputs["domain"]}
    try:
        yield FixtureApi(f"http://127.0.0.1:{port}", outputs, gateway, logs)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        gateway.close()


@pytest.fixture(scope="session")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


# -- tokens minted with the emulator's own key (negative tests only) ---------------------------------
def moto_private_key() -> dict[str, Any]:
    from moto.utilities.utils import load_resource

    return load_resource("cognitoidp/resources/jwks-private.json")  # type: ignore[no-any-return]


def mint(claims: dict[str, Any], *, kid: str = "dummy", key: Any = None, algorithm: str = "RS256") -> str:
    """Sign ``claims`` (RS256 with moto's key unless told otherwise)."""
    signing_key = key if key is not None else jwt.PyJWK(moto_private_key()).key
    return jwt.encode(claims, signing_key, algorithm=algorithm, headers={"kid": kid})


def access_claims(issuer: str, client_id: str, /, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": "11111111-2222-3333-4444-555555555555",
        "client_id": client_id,
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "iat": now,
        "auth_time": now,
        "exp": now + 600,
        "jti": "minted",
        "username": "minted",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.fixture(scope="session")
def auth_stack() -> Iterator[Any]:
    """The managed login in-process over an in-process emulator (see :mod:`auth_harness`)."""
    from .auth_harness import start_auth_stack

    yield from start_auth_stack()


@pytest.fixture
def auth(auth_stack: Any) -> Iterator[Any]:
    """The session's in-process managed login with its clock, strictness and log reset after each test."""
    yield auth_stack
    auth_stack.clock.offset = 0.0
    auth_stack.server.strictness.strict = False
    auth_stack.log.clear()
