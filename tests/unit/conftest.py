"""Fixtures for the component tests: run a program under mocks and return its recorded graph."""

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from securedapi.testing import Recording, run_program

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example"
HANDLERS = str(Path(__file__).resolve().parent / "handlers")
"""The code directory of the test APIs: app.handler and items.create."""
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"


def api_args(**overrides: Any) -> dict[str, Any]:
    """Minimal valid SecuredHttpApi args; override any key."""
    args: dict[str, Any] = {
        "code_path": HANDLERS,
        "issuer": ISSUER,
        "audiences": ["client-one"],
        "routes": {
            "GET /health": {"handler": "app.handler", "public": "uptime checks"},
            "GET /items/{id}": {"handler": "app.handler", "scopes": ["api/read"]},
            "POST /items": {"handler": "items.create", "groups": ["admin"]},
        },
        "cors_origins": ["https://app.example.com"],
    }
    args.update(overrides)
    return args


def identity_args(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "callback_urls": ["https://app.example.com/callback", "http://localhost:5173/callback"],
        "domain_prefix": "example-auth",
        "resource_server_identifier": "api",
        "scopes": {"read": "Read items"},
        "groups": {"admin": "Administrators"},
    }
    args.update(overrides)
    return args


@pytest.fixture
def record() -> Callable[[Callable[[], Any]], Recording]:
    """Run a callable program under AWS-shaped mocks (fresh event loop and runtime settings each time)."""
    return lambda program: run_program(program, project="test", stack="unit")


ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def dashboard(stack: str) -> Recording:
    """The project's own stack recorded once per test session (read-only: share it, do not mutate it)."""
    return run_program(ROOT, stack=stack)


DEV_CONFIG = """config:
  aws:region: us-east-1
  securedapi:callbackUrls:
    - http://localhost:5173/callback
  securedapi:domainPrefix: securedapi-test-dashboard
"""
"""A minimal stack file of the dashboard stack; tests append the keys they are about."""


@pytest.fixture
def dashboard_copy(tmp_path: Path) -> Callable[[str, str], Path]:
    """The dashboard stack's program in a fresh directory with one extra stack file: ``copy(stack, yaml)``.

    ``__main__.py`` and ``Pulumi.yaml`` are copied (the program and its declared config), ``lambdas`` linked.
    """

    def copy(stack: str, text: str) -> Path:
        for name in ("__main__.py", "Pulumi.yaml"):
            (tmp_path / name).write_text((ROOT / name).read_text())
        if not (tmp_path / "lambdas").exists():
            (tmp_path / "lambdas").symlink_to(ROOT / "lambdas", target_is_directory=True)
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(text)
        return tmp_path

    return copy
