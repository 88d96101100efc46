"""Routing, payload 2.0 events, response mapping and per-function environments, on the fixture program.

The fixture program (tests/e2e/fixture_program) declares its own pool and API with plain pulumi_aws; it is
served in-process by the local gateway against the session stack's emulator.
"""

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from securedapi.local.gateway import map_result

from .conftest import FixtureApi, access_claims, mint


def echo(http: requests.Session, fixture_api: FixtureApi, path: str, **kwargs: Any) -> dict[str, Any]:
    response = http.get(fixture_api.url + path, timeout=10, **kwargs)
    assert response.status_code == 200, response.text
    assert response.headers["x-fixture"] == "echo"
    return response.json()  # type: ignore[no-any-return]


def test_payload_v2_event(fixture_api: FixtureApi, http: requests.Session) -> None:
    token = fixture_api.token("event-carol", "admin")
    body = echo(
        http,
        fixture_api,
        "/echo/a%20b?x=1&x=2&empty=&y=%C3%A9",
        headers={
            "Authorization": f"Bearer {token}",
            "X-Multi": "one",
            "Cookie": "c1=v1; c2=v2",
            "User-Agent": "e2e-test",
        },
    )
    event = body["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /echo/{id}"
    assert event["rawPath"] == "/echo/a%20b"
    assert event["rawQueryString"] == "x=1&x=2&empty=&y=%C3%A9"
    assert event["queryStringParameters"] == {"x": "1,2", "empty": "", "y": "é"}
    assert event["pathParameters"] == {"id": "a b"}
    assert event["cookies"] == ["c1=v1", "c2=v2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-multi"] == "one"
    assert event["headers"]["authorization"] == f"Bearer {token}"
    assert all(name == name.lower() for name in event["headers"])
    assert event["isBase64Encoded"] is False
    assert "body" not in event
    ctx = event["requestContext"]
    assert ctx["routeKey"] == "GET /echo/{id}"
    assert ctx["stage"] == "$default"
    assert ctx["http"] == {
        "method": "GET",
        "path": "/echo/a%20b",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "e2e-test",
    }
    assert ctx["accountId"] and ctx["apiId"] and ctx["requestId"] and ctx["time"]
    assert isinstance(ctx["timeEpoch"], int)
    claims = ctx["authorizer"]["jwt"]["claims"]
    assert all(isinstance(v, str) for v in claims.values())
    assert claims["cognito:groups"] == "[admin]"
    assert claims["exp"].isdigit() and claims["iat"].isdigit()
    assert claims["client_id"] == fixture_api.outputs["userPoolClientId"]
    assert claims["token_use"] == "access"
    assert ctx["authorizer"]["jwt"]["scopes"] is None  # the route requires no scopes
    # context object
    assert body["context"]["function_name"].startswith("fx-echo")
    assert body["context"]["memory_limit_in_mb"] == 128
    assert 0 < body["context"]["remaining"] <= 5000


def test_public_route_event_has_no_authorizer_and_text_body(fixture_api: FixtureApi, http: requests.Session) -> None:
    response = http.post(fixture_api.url + "/echo", json={"hello": "wörld"}, timeout=10)
    event = response.json()["event"]
    assert "authorizer" not in event["requestContext"]
    assert event["isBase64Encoded"] is False
    assert json.loads(event["body"]) == {"hello": "wörld"}
    assert "pathParameters" not in event and "queryStringParameters" not in event


def test_binary_body_is_base64(fixture_api: FixtureApi, http: requests.Session) -> None:
    payload = bytes(range(256))
    response = http.post(
        fixture_api.url + "/echo", data=payload, headers={"Content-Type": "application/octet-stream"}, timeout=10
    )
    event = response.json()["event"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == payload


def test_scopes_claim_and_403(fixture_api: FixtureApi, http: requests.Session) -> None:
    token = fixture_api.token("scope-dave", scopes=("openid",))
    # The token carries only the scope it asked for: the fx/read route is 403.
    response = http.get(fixture_api.url + "/scoped", headers={"Authorization": token}, timeout=10)
    assert response.status_code == 403
    assert response.json() == {"message": "Forbidden"}
    event = echo(http, fixture_api, "/echo/1", headers={"Authorization": token})["event"]
    assert event["requestContext"]["authorizer"]["jwt"]["claims"]["scope"] == "openid"
    # An ID token has no scope claim at all: 403 on any scoped route.
    id_token = fixture_api.token("scope-dave", id_token=True)
    assert http.get(fixture_api.url + "/scoped", headers={"Authorization": id_token}, timeout=10).status_code == 403


def test_scope_any_of_and_scp(fixture_api: FixtureApi, http: requests.Session) -> None:
    issuer, client = fixture_api.outputs["issuer"], fixture_api.outputs["userPoolClientId"]
    for claims in (
        access_claims(issuer, client, scope="openid fx/read"),
        access_claims(issuer, client, scope=None, scp=["fx/read"]),
    ):
        event = echo(http, fixture_api, "/scoped", headers={"Authorization": f"Bearer {mint(claims)}"})["event"]
        assert "fx/read" in event["requestContext"]["authorizer"]["jwt"]["scopes"]


def test_route_priority(fixture_api: FixtureApi, http: requests.Session) -> None:
    def route_of(method: str, path: str) -> str:
        response = http.request(method, fixture_api.url + path, timeout=10)
        assert response.status_code == 200, (method, path, response.text)
        data = response.json()
        return data["event"]["routeKey"] if "event" in data else data["route"]

    assert route_of("GET", "/items/special") == "GET /items/special"  # literal beats {param}
    assert route_of("GET", "/items/42") == "GET /items/{id}"  # exact shape beats greedy
    assert route_of("POST", "/items/42") == "ANY /items/{proxy+}"  # method mismatch -> greedy ANY
    assert route_of("GET", "/items/a/b/c") == "ANY /items/{proxy+}"
    assert route_of("DELETE", "/anything/else") == "$default"
    assert route_of("GET", "/") == "$default"
    proxy = http.get(fixture_api.url + "/items/a/b", timeout=10).json()
    assert proxy == {
        "route": "ANY /items/{proxy+}",
        "path": {"proxy": "a/b"},
        "env": {
            "FUNCTION_TAG": "other",
            "TABLE_NAME": None,
            "AWS_LAMBDA_FUNCTION_NAME": proxy["env"]["AWS_LAMBDA_FUNCTION_NAME"],
        },
    }


def test_handler_exception_is_500(fixture_api: FixtureApi, http: requests.Session) -> None:
    response = http.get(fixture_api.url + "/boom", timeout=10)
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}


def test_non_dict_result_is_200_json(fixture_api: FixtureApi, http: requests.Session) -> None:
    response = http.get(fixture_api.url + "/raw", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == ["not", "a", "response"]


def test_dict_without_status_code_is_200_json(fixture_api: FixtureApi, http: requests.Session) -> None:
    response = http.get(fixture_api.url + "/items/x/y", timeout=10)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json()["route"] == "ANY /items/{proxy+}"


@pytest.mark.parametrize(
    ("result", "body"),
    [("Hello from Lambda!", b"Hello from Lambda!"), ({"message": "hi"}, b'{"message": "hi"}'), (["a"], b'["a"]')],
)
def test_results_without_status_code_are_200_bodies(result: object, body: bytes) -> None:
    """As AWS documents for payload 2.0: a string is the body as is, other values are JSON-encoded."""
    response = map_result(result)
    assert (response.status_code, response.body, response.headers["content-type"]) == (200, body, "application/json")


def test_cookies_status_and_base64_response(fixture_api: FixtureApi, http: requests.Session) -> None:
    response = http.get(fixture_api.url + "/fancy", timeout=10)
    assert response.status_code == 201
    assert response.content == b"\x00\x01binary"
    assert response.raw.headers.getlist("set-cookie") == ["a=1; Path=/", "b=2; HttpOnly"]


def test_each_function_sees_its_own_environment_under_concurrency(
    fixture_api: FixtureApi, http: requests.Session
) -> None:
    table_name = next(
        f.environment["TABLE_NAME"]
        for f in fixture_api.gateway.model.functions
        if f.environment.get("FUNCTION_TAG") == "echo"
    )

    def call(i: int) -> tuple[str, dict[str, Any]]:
        path = "/items/special" if i % 2 else "/items/a/b"
        with requests.Session() as session:
            data = session.get(fixture_api.url + path, timeout=10).json()
        return path, data["env"]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(call, range(64)))
    for path, env in results:
        if path == "/items/special":
            assert env["FUNCTION_TAG"] == "echo" and env["TABLE_NAME"] == table_name
            assert env["AWS_LAMBDA_FUNCTION_NAME"].startswith("fx-echo")
        else:
            assert env["FUNCTION_TAG"] == "other" and env["TABLE_NAME"] is None
            assert env["AWS_LAMBDA_FUNCTION_NAME"].startswith("fx-other")


def test_jwks_fetched_once(fixture_api: FixtureApi, http: requests.Session) -> None:
    token = fixture_api.token("jwks-erin")
    for _ in range(5):
        assert http.get(fixture_api.url + "/ping", headers={"Authorization": token}, timeout=10).text == "pong"
    assert fixture_api.gateway.jwks_fetches == 1


def test_scoped_token_from_managed_login_opens_scoped_routes(fixture_api: FixtureApi, http: requests.Session) -> None:
    from securedapi.local.tokens import TokenCliError

    token = fixture_api.token("scope-gina", "admin", scopes=("fx/read",))
    event = echo(http, fixture_api, "/scoped", headers={"Authorization": f"Bearer {token}"})["event"]
    jwt_context = event["requestContext"]["authorizer"]["jwt"]
    assert jwt_context["scopes"] == ["fx/read"]
    assert jwt_context["claims"]["cognito:groups"] == "[admin]"
    # A token without the route's scope is 403.
    other = fixture_api.token("scope-gina", scopes=("openid",))
    assert http.get(fixture_api.url + "/scoped", headers={"Authorization": other}, timeout=10).status_code == 403
    # Only scopes the app client is allowed (AllowedOAuthScopes), as the authorize endpoint enforces.
    with pytest.raises(TokenCliError, match="invalid_scope"):
        fixture_api.token("scope-gina", scopes=("fx/write",))
