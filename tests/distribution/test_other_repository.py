"""Another repository's point of view: securedapi installed from the wheel into the team's own virtualenv,
outside this checkout, on a program of theirs that uses both components."""

import json
import subprocess
import textwrap
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from securedapi.local.emulator import free_port
from securedapi.local.process import spawn, stop, wait_until_ready

from .conftest import ROOT, clean_env

PROGRAM = textwrap.dedent(
    '''
    """The orders team's API: their own handlers behind securedapi's components."""
    import pulumi

    from securedapi import CognitoIdentity, SecuredHttpApi

    identity = CognitoIdentity("orders-identity", {
        "callback_urls": ["http://localhost:8080/callback"],
        "domain_prefix": "orders-team-auth",
        "resource_server_identifier": "orders",
        "scopes": {"read": "Read orders"},
    })
    api = SecuredHttpApi("orders", {
        "code_path": "handlers",
        "issuer": identity.issuer,
        "audiences": [identity.client_id],
        "routes": {
            "GET /health": {"handler": "orders.health", "public": "load balancer checks"},
            "GET /orders": {"handler": "orders.list_orders", "scopes": ["orders/read"]},
        },
    })
    pulumi.export("apiUrl", api.api_url)
    '''
)

OPEN_ROUTE = textwrap.dedent(
    """
    import pulumi_aws as aws

    raw = aws.apigatewayv2.Api("side-door", protocol_type="HTTP")
    aws.apigatewayv2.Route("side-door-route", api_id=raw.id, route_key="GET /export", authorization_type="NONE")
    """
)

HANDLERS = textwrap.dedent(
    """
    import json

    def health(event, context):
        return {"statusCode": 200, "body": json.dumps({"status": "ok", "team": "orders"})}

    def list_orders(event, context):
        return {"statusCode": 200, "body": json.dumps({"orders": []})}
    """
)


@pytest.fixture
def program(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: orders\nruntime:\n  name: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: eu-west-1\n")
    (tmp_path / "__main__.py").write_text(PROGRAM)
    (tmp_path / "handlers").mkdir()
    (tmp_path / "handlers" / "orders.py").write_text(HANDLERS)
    return tmp_path


def _gate(venv_python: Path, program: Path) -> subprocess.CompletedProcess[str]:
    securedapi = venv_python.parent / "securedapi"
    return subprocess.run(
        [str(securedapi), "gate", "--format", "json"],
        cwd=program,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_installed_distribution_is_not_this_checkout(other_repo_venv: Path) -> None:
    where = subprocess.run(
        [str(other_repo_venv), "-c", "import securedapi, pulumi_policy; print(securedapi.__file__)"],
        cwd=other_repo_venv.parent.parent,
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert str(ROOT) not in where and "site-packages" in where


def test_gate_in_another_repository(other_repo_venv: Path, program: Path) -> None:
    clean = _gate(other_repo_venv, program)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    report = json.loads(clean.stdout)
    assert report["resources"] > 20 and not [v for v in report["violations"] if v["enforcement"] == "mandatory"]

    with (program / "__main__.py").open("a") as main:
        main.write(OPEN_ROUTE)
    failing = _gate(other_repo_venv, program)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    [violation] = [v for v in json.loads(failing.stdout)["violations"] if v["enforcement"] == "mandatory"]
    assert violation["policy"] == "apigw-route-requires-auth" and violation["name"] == "side-door-route"


def test_local_stack_serves_another_repositorys_program(
    other_repo_venv: Path, program: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    state = tmp_path_factory.mktemp("orders-local")
    process = spawn(free_port(), free_port(), state, program=program, python=str(other_repo_venv))
    try:
        outputs = wait_until_ready(process, state, timeout=90)
        with urllib.request.urlopen(f"{outputs['apiUrl']}/health", timeout=30) as response:
            assert response.status == 200 and json.loads(response.read()) == {"status": "ok", "team": "orders"}
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(f"{outputs['apiUrl']}/orders", timeout=30)
        assert denied.value.code == 401
    finally:
        stop(process)
