"""Service clients over real HTTP: ``securedapi token --client`` gets a client-credentials token from the local
managed login; the gateway accepts it on routes whose scopes it carries and answers 403 elsewhere; the dashboard
backend keeps it off the user routes; the README's caching caller reuses one token."""

import subprocess
import sys
from typing import Any

import jwt
import pytest
import requests

from securedapi.local.service_tokens import client_credentials_token, client_secret
from securedapi.local.tokens import TokenCliError

from .conftest import ROOT, FixtureApi, RunningStack

sys.path.insert(0, str(ROOT / "examples"))
import service_caller


def claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_token_cli_prints_a_client_credentials_token(stack: RunningStack) -> None:
    reporting = stack.outputs["serviceClients"]["reporting"]
    assert reporting == {
        "clientId": stack.outputs["serviceClientIds"]["reporting"],
        "userPoolId": stack.outputs["userPoolId"],
    }
    done = subprocess.run(
        [sys.executable, "-m", "securedapi", "token", "--client", "reporting", "--state-dir", str(stack.state_dir)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert "reporting: client-credentials access token with scope dashboard/reports.read, valid 3600 s" in done.stderr
    token = claims(done.stdout.strip())
    # Cognito's client-credentials token: the client is the subject, no user claims, only the granted scope.
    assert token["sub"] == token["client_id"] == reporting["clientId"]
    assert (token["token_use"], token["scope"]) == ("access", "dashboard/reports.read")
    assert not {"username", "cognito:groups", "aud"} & set(token)


def test_token_cli_errors_name_the_problem(stack: RunningStack, capsys: pytest.CaptureFixture[str]) -> None:
    from securedapi.cli import main

    def token(*argv: str) -> tuple[int, str]:
        try:
            code = main(["token", *argv, "--state-dir", str(stack.state_dir)])
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
        return code, capsys.readouterr().err

    code, err = token("--client", "billing")
    assert code == 1 and "no service client 'billing' (its service clients: reporting)" in err
    code, err = token("--client", "reporting", "--scope", "dashboard/api")
    assert code == 1 and "invalid_scope" in err and "granted to the client" in err
    code, err = token("--client", "reporting", "--group", "admin")
    assert code == 2 and "--group applies to users" in err
    code, err = token("--client", "reporting", "--user", "alice")
    assert code == 2 and "not allowed with argument" in err


def test_dashboard_serves_the_service_client_its_route_only(stack: RunningStack, http: requests.Session) -> None:
    service = client_credentials_token(stack.outputs, "reporting").access_token
    user = stack.token("svc-erin")
    upload = {"filename": "a.txt", "contentType": "text/plain", "size": 5}
    created = http.post(f"{stack.api_url}/upload-url", json=upload, headers={"Authorization": user}, timeout=10)
    assert created.status_code == 201

    summary = http.get(f"{stack.api_url}/reports/summary", headers={"Authorization": f"Bearer {service}"}, timeout=10)
    assert summary.status_code == 200, summary.text
    body = summary.json()
    assert set(body) == {"uploads", "owners", "totalBytes", "byStatus", "oldest", "newest"}
    assert body["uploads"] >= 1 and body["totalBytes"] >= 5 and body["byStatus"]["pending"] >= 1

    # User routes take no scope in dev, so the gateway lets the token through: the backend refuses it (no user).
    for method, path in (("GET", "/metadata/list"), ("POST", "/upload-url"), ("GET", "/admin/metadata/list")):
        response = http.request(
            method, stack.api_url + path, json=upload, headers={"Authorization": f"Bearer {service}"}, timeout=10
        )
        assert (response.status_code, response.json()) == (403, {"message": "Forbidden"}), path
    # A user's token lacks dashboard/reports.read (the browser's client is not granted it): the gateway's 403.
    refused = http.get(f"{stack.api_url}/reports/summary", headers={"Authorization": user}, timeout=10)
    assert (refused.status_code, refused.json()) == (403, {"message": "Forbidden"})
    assert http.get(f"{stack.api_url}/reports/summary", timeout=10).status_code == 401


def fixture_service(fixture_api: FixtureApi) -> dict[str, Any]:
    """The fixture program's service client as outputs.json lists service clients."""
    entry = {"clientId": fixture_api.outputs["serviceClientId"], "userPoolId": fixture_api.outputs["userPoolId"]}
    return {**fixture_api.outputs, "serviceClients": {"fx-service": entry}}


def test_gateway_accepts_a_service_token_where_its_scopes_are(fixture_api: FixtureApi, http: requests.Session) -> None:
    token = client_credentials_token(fixture_service(fixture_api), "fx-service")
    assert token.scope == "fx/report"
    bearer = {"Authorization": f"Bearer {token.access_token}"}
    report = http.get(fixture_api.url + "/report", headers=bearer, timeout=10)
    assert report.status_code == 200, report.text
    context = report.json()["event"]["requestContext"]["authorizer"]["jwt"]
    assert context["scopes"] == ["fx/report"] and context["claims"]["sub"] == fixture_api.outputs["serviceClientId"]
    # A route requiring a scope the client is not granted: 403 from the gateway, the function is not called.
    scoped = http.get(fixture_api.url + "/scoped", headers=bearer, timeout=10)
    assert (scoped.status_code, scoped.json()) == (403, {"message": "Forbidden"})
    assert "x-fixture" not in scoped.headers
    # A JWT route without scopes takes any audience client's access token, this one too.
    assert http.get(fixture_api.url + "/ping", headers=bearer, timeout=10).status_code == 200


def test_a_wrong_secret_gets_no_token(fixture_api: FixtureApi) -> None:
    outputs = fixture_service(fixture_api)
    client_id = outputs["serviceClientId"]
    secret = client_secret(outputs, client_id, outputs["userPoolId"])
    endpoint = f"{outputs['domain']}/oauth2/token"
    wrong = requests.post(
        endpoint, data={"grant_type": "client_credentials"}, auth=(client_id, secret + "x"), timeout=10
    )
    assert wrong.status_code in (400, 401) and wrong.json()["error"] == "invalid_client"
    with pytest.raises(TokenCliError, match="no secret"):
        client_secret(outputs, outputs["userPoolClientId"], outputs["userPoolId"])  # the public client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_readme_caller_reuses_its_token_until_shortly_before_expiry(
    stack: RunningStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = stack.outputs["serviceClients"]["reporting"]
    secret = client_secret(stack.outputs, entry["clientId"], entry["userPoolId"])
    clock = Clock()
    token = service_caller.ServiceToken(stack.outputs["tokenEndpoint"], entry["clientId"], secret, clock=clock)
    requested: list[str] = []
    post = requests.post
    monkeypatch.setattr(requests, "post", lambda url, **kw: requested.append(url) or post(url, **kw))

    url = f"{stack.api_url}/reports/summary"
    for _ in range(3):
        assert service_caller.call(token, "GET", url).status_code == 200
    first = token.token
    assert requested == [stack.outputs["tokenEndpoint"]]  # one token request for three calls
    clock.now += 3600 - 61  # 61 s before expiry: still the cached token
    assert service_caller.call(token, "GET", url).status_code == 200 and len(requested) == 1
    clock.now += 2  # 59 s before expiry: renewed
    assert service_caller.call(token, "GET", url).status_code == 200
    assert len(requested) == 2 and token.token != first
    # A token the API refuses (revoked, clocks apart) is dropped and fetched once more.
    token.token = "not-a-token"
    assert service_caller.call(token, "GET", url).status_code == 200 and len(requested) == 3


def test_the_readme_shows_the_caller_module() -> None:
    source = (ROOT / "examples" / "service_caller.py").read_text()
    assert source in (ROOT / "README.md").read_text(), "README.md must include examples/service_caller.py verbatim"
