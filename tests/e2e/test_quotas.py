"""API Gateway HTTP API quotas, Lambda's 6 MB payload quota and stage throttling, over real HTTP.

https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html (10 MB payload, 10,240 bytes of
request line and header values), https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (6 MB
synchronous request and response), https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html.
"""

import threading
import time
from collections.abc import Iterator

import pytest
import requests
import uvicorn

from securedapi.local.emulator import free_port
from securedapi.local.gateway import Gateway

from .conftest import FixtureApi

MB = 1024 * 1024
TOO_LARGE = {"message": "Request Entity Too Large"}


def post(fixture_api: FixtureApi, body: bytes, content_type: str) -> requests.Response:
    return requests.post(fixture_api.url + "/slow", data=body, headers={"Content-Type": content_type}, timeout=30)


def test_payload_over_10_mb_is_413(fixture_api: FixtureApi) -> None:
    response = post(fixture_api, b"x" * (10 * MB + 1), "text/plain")
    assert response.status_code == 413
    assert response.json() == TOO_LARGE
    chunked = requests.post(fixture_api.url + "/slow", data=iter([b"x" * MB] * 11), timeout=30)  # no Content-Length
    assert chunked.status_code == 413 and chunked.json() == TOO_LARGE


def test_event_over_lambdas_6_mb_is_413_and_base64_counts(fixture_api: FixtureApi) -> None:
    text = b"x" * int(4.5 * MB)
    assert post(fixture_api, text, "text/plain").json()["bodyLength"] == len(text)  # passed as text: ~4.5 MB event
    binary = post(fixture_api, text, "application/octet-stream")  # base64: ~6 MB event
    assert binary.status_code == 413 and binary.json() == TOO_LARGE
    big = post(fixture_api, b"x" * (7 * MB), "text/plain")  # under API Gateway's 10 MB, over Lambda's 6 MB
    assert big.status_code == 413 and big.json() == TOO_LARGE
    assert any("RequestEntityTooLargeException" in line for line in fixture_api.logs)


def test_response_over_6_mb_is_500(fixture_api: FixtureApi) -> None:
    ok = requests.get(fixture_api.url + f"/slow?bytes={5 * MB}", timeout=30)
    assert ok.status_code == 200 and len(ok.content) == 5 * MB
    response = requests.get(fixture_api.url + f"/slow?bytes={7 * MB}", timeout=30)
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    assert any("Function.ResponseSizeTooLarge" in line for line in fixture_api.logs)


@pytest.mark.parametrize("where", ["header", "query"])
def test_request_line_and_headers_over_10240_bytes_is_413(fixture_api: FixtureApi, where: str) -> None:
    def get(size: int) -> requests.Response:
        if where == "header":
            return requests.get(fixture_api.url + "/items/a/b", headers={"X-Big": "a" * size}, timeout=10)
        return requests.get(fixture_api.url + "/items/a/b?q=" + "a" * size, timeout=10)

    assert get(9000).status_code == 200
    response = get(10400)
    assert response.status_code == 413
    assert response.json() == TOO_LARGE


def burst(url: str, count: int) -> list[int]:
    with requests.Session() as session:
        return [session.get(url, timeout=10).status_code for _ in range(count)]


def test_route_throttling_is_429_beyond_the_bucket(fixture_api: FixtureApi) -> None:
    """``GET /throttled`` has routeSettings burst 3, rate 1/s; other routes have the stage default (2000)."""
    statuses = burst(fixture_api.url + "/throttled", 6)
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429, 429]
    response = requests.get(fixture_api.url + "/throttled", timeout=10)
    assert response.status_code == 429
    assert response.json() == {"message": "Too Many Requests"}
    assert burst(fixture_api.url + "/items/a/b", 5) == [200] * 5  # another route, another bucket
    time.sleep(1.05)  # rate 1/s: one token back
    assert burst(fixture_api.url + "/throttled", 2) == [200, 429]


@pytest.fixture
def unthrottled(fixture_api: FixtureApi) -> Iterator[str]:
    """The fixture API served like `securedapi local --no-throttling`."""
    endpoint = fixture_api.outputs["awsEndpointUrl"]
    gateway = Gateway(fixture_api.gateway.model, aws_endpoint_url=endpoint, log=lambda line: None, throttling=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(gateway.app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    gateway.close()


def test_no_throttling_serves_every_request(unthrottled: str) -> None:
    assert burst(unthrottled + "/throttled", 8) == [200] * 8
