"""CORS answered by the gateway, as API Gateway HTTP APIs do, on the project's own stack."""

import requests

from .conftest import FixtureApi, RunningStack

ALLOWED = "http://localhost:5173"  # corsOrigins of Pulumi.dev.yaml


def preflight(http: requests.Session, url: str, origin: str, method: str = "GET") -> requests.Response:
    return http.options(
        url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization,content-type",
        },
        timeout=10,
    )


def test_preflight_allowed_origin_needs_no_token(stack: RunningStack, http: requests.Session) -> None:
    # Only JWT routes exist for this path, and no OPTIONS route: the gateway answers the preflight itself.
    for path in ("/metadata/list", "/metadata/123", "/upload-url", "/does-not-exist"):
        response = preflight(http, stack.api_url + path, ALLOWED, "DELETE")
        assert response.status_code == 204, (path, response.text)
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert set(response.headers["access-control-allow-methods"].split(",")) >= {"GET", "POST", "DELETE"}
        assert set(response.headers["access-control-allow-headers"].split(",")) == {"authorization", "content-type"}
        assert response.headers["access-control-max-age"] == "600"
        assert "access-control-allow-credentials" not in response.headers
        assert response.content == b""


def test_preflight_disallowed_origin_gets_no_cors_headers(stack: RunningStack, http: requests.Session) -> None:
    response = preflight(http, stack.api_url + "/metadata/list", "https://evil.example")
    assert response.status_code == 204
    assert not [h for h in response.headers if h.lower().startswith("access-control-")]


def test_options_without_request_method_is_not_a_preflight(stack: RunningStack, http: requests.Session) -> None:
    response = http.options(stack.api_url + "/metadata/list", headers={"Origin": ALLOWED}, timeout=10)
    assert response.status_code == 404  # no OPTIONS route in the program


def test_actual_responses_carry_cors_for_allowed_origins_only(stack: RunningStack, http: requests.Session) -> None:
    ok = http.get(stack.api_url + "/metadata/list", headers={"Origin": ALLOWED}, timeout=10)
    assert ok.status_code == 401  # CORS headers on gateway errors too, so browsers can read them
    assert ok.headers["access-control-allow-origin"] == ALLOWED
    bad = http.get(stack.api_url + "/metadata/list", headers={"Origin": "https://evil.example"}, timeout=10)
    assert "access-control-allow-origin" not in bad.headers
    none = http.get(stack.api_url + "/metadata/list", timeout=10)
    assert "access-control-allow-origin" not in none.headers


def test_credentials_and_expose_headers_and_backend_cors_ignored(
    fixture_api: FixtureApi, http: requests.Session
) -> None:
    origin = "https://app.example.com"
    pre = preflight(http, fixture_api.url + "/echo/1", origin)
    assert pre.status_code == 204
    assert pre.headers["access-control-allow-credentials"] == "true"
    assert pre.headers["access-control-max-age"] == "300"
    response = http.get(fixture_api.url + "/items/special", headers={"Origin": origin}, timeout=10)
    assert response.status_code == 200
    # The handler returns its own access-control-allow-origin; API Gateway replaces backend CORS headers.
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["access-control-expose-headers"] == "x-fixture"
    evil = http.get(fixture_api.url + "/items/special", headers={"Origin": "https://evil.example"}, timeout=10)
    assert "access-control-allow-origin" not in evil.headers
