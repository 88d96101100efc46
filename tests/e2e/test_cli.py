"""`securedapi local`: outputs.json, the token command, port conflicts."""

import json
import os
import subprocess
import sys
import time

import jwt
import pytest
import requests

from .conftest import ROOT, RunningStack


def test_outputs_json(stack: RunningStack, http: requests.Session) -> None:
    outputs = json.loads((stack.state_dir / "outputs.json").read_text())
    keys = ("apiUrl", "userPoolId", "userPoolClientId", "issuer", "jwksUri", "awsEndpointUrl", "region")
    keys += ("domain", "loginUrl", "tokenEndpoint", "webUrl", "mailboxUrl")
    for key in keys:
        assert outputs.get(key), key
    domain = outputs["domain"]
    assert domain.startswith("http://127.0.0.1:")  # local, not the program's amazoncognito.com domain
    assert outputs["tokenEndpoint"] == domain + "/oauth2/token"
    assert outputs["loginUrl"].startswith(domain + "/oauth2/authorize?response_type=code&client_id=")
    assert outputs["mailboxUrl"] == domain + "/_local/mailbox"
    assert outputs["webUrl"] == f"http://localhost:{stack.web_port}"
    login = http.get(outputs["loginUrl"], timeout=10)  # follows to the sign-in page
    assert login.status_code == 200 and 'action="/login"' in login.text
    assert http.get(outputs["mailboxUrl"], timeout=10).status_code == 200
    assert outputs["apiUrl"].startswith("http://127.0.0.1:")
    assert outputs["region"] == "us-east-1"  # aws:region of Pulumi.dev.yaml
    pool_id = outputs["userPoolId"]
    assert pool_id.startswith("us-east-1_")
    assert outputs["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    assert outputs["jwksUri"] == f"{outputs['awsEndpointUrl']}/{pool_id}/.well-known/jwks.json"
    jwks = http.get(outputs["jwksUri"], timeout=10).json()
    assert [k["kid"] for k in jwks["keys"]]
    # The ids are the emulator's real ones: the pool and the client exist there.
    import boto3

    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=outputs["awsEndpointUrl"],
        region_name=outputs["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=outputs["userPoolClientId"])
    assert "ClientSecret" not in client["UserPoolClient"]
    # Exactly the declared auth flows: nothing added for the local stack.
    assert client["UserPoolClient"]["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert stack.startup_seconds < 10, stack.startup_seconds


def test_token_cli(stack: RunningStack, http: requests.Session) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "securedapi",
            "token",
            "--user",
            "cli-frank",
            "--group",
            "admin",
            "--scope",
            "dashboard/api",
            "--state-dir",
            str(stack.state_dir),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == stack.outputs["issuer"]
    assert claims["client_id"] == stack.outputs["userPoolClientId"]
    assert claims["token_use"] == "access"
    assert claims["cognito:groups"] == ["admin"]
    assert claims["scope"] == "dashboard/api"  # allowed for the program's client (resource server scope)
    assert "cli-frank@example.com" in result.stderr
    response = http.get(stack.api_url + "/metadata/list", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text


def test_token_cli_id_token(stack: RunningStack, capsys: pytest.CaptureFixture[str]) -> None:
    from securedapi.local.cli import token_main

    assert token_main(["--user", "cli-ida", "--id-token", "--state-dir", str(stack.state_dir)]) == 0
    claims = jwt.decode(capsys.readouterr().out.strip(), options={"verify_signature": False})
    assert claims["token_use"] == "id" and claims["aud"] == stack.outputs["userPoolClientId"]
    assert claims["email"] == "cli-ida@example.com"


def test_token_cli_without_stack_says_what_to_do(tmp_path: object) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "securedapi", "token", "--user", "x", "--state-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "start the local stack" in result.stderr


def test_port_in_use_exits_2_before_starting(stack: RunningStack) -> None:
    api_port = stack.api_url.rsplit(":", 1)[1]
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "securedapi", "local", "--api-port", api_port, "--aws-port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"port {api_port}" in result.stderr and "in use" in result.stderr
    assert "Traceback" not in result.stderr
    assert time.monotonic() - started < 5
    auth_port = stack.outputs["domain"].rsplit(":", 1)[1]
    result = subprocess.run(
        [sys.executable, "-m", "securedapi", "local", "--api-port", "0", "--aws-port", "0", "--auth-port", auth_port],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--auth-port" in result.stderr and "Traceback" not in result.stderr


def test_stack_output_goes_to_its_log_without_tokens(stack: RunningStack, http: requests.Session) -> None:
    from securedapi.local.process import log_file

    token = stack.token("log-ivan")
    response = http.get(stack.api_url + "/metadata/list", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    sub = jwt.decode(token, options={"verify_signature": False})["sub"]
    text = log_file(stack.state_dir).read_text()
    assert "is ready" in text  # the banner, with the managed login and the web page
    assert stack.outputs["loginUrl"] in text and stack.outputs["mailboxUrl"] in text and stack.outputs["webUrl"] in text
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert any(x.get("sub") == sub and x.get("route") == "GET /metadata/list" and x["status"] == 200 for x in lines)
    assert token not in text and token.split(".")[2] not in text


def test_every_command_the_banner_prints_works_as_printed(stack: RunningStack, http: requests.Session) -> None:
    """The banner's `TOKEN=$(...)` and curl lines run in a plain shell, without activating the virtualenv."""
    from securedapi.local.process import log_file

    banner = log_file(stack.state_dir).read_text().split("Sign in:", 1)[1].splitlines()
    commands = [line.strip() for line in banner if line.startswith(("  TOKEN=", "  curl ", "  SERVICE="))]
    assert len(commands) == 3 and commands[0].startswith("TOKEN=$(")
    assert commands[2].startswith("SERVICE=$(") and "token --client reporting" in commands[2]
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH") and not k.startswith("AWS_")}
    env["PATH"] = "/usr/bin:/bin"  # no .venv/bin on PATH
    script = "\n".join([*commands, 'test -n "$TOKEN"', 'test -n "$SERVICE"']).replace("<route>", "metadata/list")
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["items"] == []
