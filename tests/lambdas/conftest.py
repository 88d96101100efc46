"""Fixtures for the Lambda backend tests: moto AWS, a fresh table + bucket per test, payload 2.0 events.

``lambdas/`` is the functions' code root (handler ``app.handler``), so it goes on ``sys.path`` and the
modules are imported as top-level modules, exactly as in Lambda.
"""

import base64
import json
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from moto import mock_aws

LAMBDAS = Path(__file__).resolve().parents[2] / "lambdas"
if str(LAMBDAS) not in sys.path:
    sys.path.insert(0, str(LAMBDAS))

import app  # noqa: E402
from dashboard import storage  # noqa: E402

from tests.lambdas import infra  # noqa: E402

REGION = "us-east-1"
TOKEN = "eyJraWQiOiJ0ZXN0In0.eyJzdWIiOiJzZWNyZXQtdG9rZW4tcGF5bG9hZCJ9.c2lnbmF0dXJlLXNob3VsZC1uZXZlci1iZS1sb2dnZWQ"
"""A token-shaped string sent in the Authorization header; it must never appear in logs."""

ENV_TO_CLEAR = (
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ENDPOINT_URL_DYNAMODB",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_SESSION_TOKEN",
    "ROUTE_GROUPS",
    "UPLOAD_URL_EXPIRES",
    "LOG_LEVEL",
    "TABLE_NAME",
    "BUCKET_NAME",
)


@dataclass
class Aws:
    """Test-side clients of the module's moto mock."""

    dynamodb: Any
    s3: Any


@pytest.fixture(scope="module")
def aws() -> Iterator[Aws]:
    """One moto mock per test module, with a clean AWS environment and fresh cached clients.

    The mock neither resets nor removes moto's data when it starts and stops: moto keeps it in process-wide
    backends, which an in-process emulator of the e2e tests (same pytest worker) serves too. Every test
    gets its own table and bucket names instead (:func:`backend`).
    """
    with pytest.MonkeyPatch.context() as mp:
        for name in ENV_TO_CLEAR:
            mp.delenv(name, raising=False)
        mp.setenv("AWS_DEFAULT_REGION", REGION)
        mock = mock_aws()
        mock.start(reset=False)
        try:
            storage.reset_clients()
            yield Aws(boto3.client("dynamodb", region_name=REGION), boto3.client("s3", region_name=REGION))
            storage.reset_clients()
        finally:
            mock.stop(remove_data=False)


def create_table(name: str) -> None:
    """The table exactly as the program declares it (pk/sk + byCreated GSI)."""
    infra.create_table(storage.client("dynamodb"), name)


@dataclass
class Response:
    """A handler response, decoded."""

    status: int
    headers: dict[str, str]
    body: Any
    raw: dict[str, Any]


@dataclass
class Backend:
    """The resources and environment of one test, and helpers to call the handler."""

    table: str
    bucket: str
    monkeypatch: pytest.MonkeyPatch
    aws: Aws

    @property
    def dynamodb(self) -> Any:
        return self.aws.dynamodb

    @property
    def s3(self) -> Any:
        return self.aws.s3

    def item_count(self) -> int:
        return int(self.dynamodb.scan(TableName=self.table, Select="COUNT")["Count"])

    def object_keys(self) -> list[str]:
        listing = self.s3.list_objects_v2(Bucket=self.bucket)
        return sorted(o["Key"] for o in listing.get("Contents", []))

    def call(self, event: dict[str, Any]) -> Response:
        raw = app.handler(event, LambdaContext())
        assert set(raw) >= {"statusCode", "headers", "body"}
        text = raw["body"]
        body = json.loads(text) if text else None
        if raw["statusCode"] != 204:
            assert raw["headers"]["content-type"] == "application/json"
        return Response(raw["statusCode"], raw["headers"], body, raw)

    def upload(
        self, sub: str, filename: str = "report.pdf", content_type: str = "application/pdf", size: int = 1234
    ) -> dict[str, Any]:
        """Create an item through the API and return the 201 body."""
        body = {"filename": filename, "contentType": content_type, "size": size}
        response = self.call(make_event("POST /upload-url", sub=sub, body=json.dumps(body)))
        assert response.status == 201, response.body
        return dict(response.body)


class LambdaContext:
    """The parts of the Lambda context object handlers may read."""

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = "dashboard-api-app-handler"
        self.memory_limit_in_mb = 256

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture
def backend(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Backend:
    """A fresh table and bucket for this test, named in the function environment."""
    suffix = uuid.uuid4().hex[:12]
    table, bucket = f"metadata-{suffix}", f"uploads-{suffix}"
    create_table(table)
    aws.s3.create_bucket(Bucket=bucket)
    monkeypatch.setenv("TABLE_NAME", table)
    monkeypatch.setenv("BUCKET_NAME", bucket)
    monkeypatch.delenv("ROUTE_GROUPS", raising=False)
    monkeypatch.delenv("UPLOAD_URL_EXPIRES", raising=False)
    return Backend(table, bucket, monkeypatch, aws)


def make_event(
    route_key: str,
    *,
    sub: str | None = "user-a",
    groups: Any = None,
    body: str | None = None,
    query: dict[str, str] | None = None,
    path: dict[str, str] | None = None,
    base64_body: bool = False,
    request_id: str | None = None,
    service: bool = False,
) -> dict[str, Any]:
    """A realistic API Gateway HTTP API payload 2.0 event (claims as the JWT authorizer delivers them).

    ``groups`` is put in ``cognito:groups`` as given; a Python list is stringified the way API Gateway does
    (``"[admin editors]"``). ``sub=None`` builds an event without identity (public route). ``service`` builds the
    claims of a client-credentials token as Cognito issues it: ``sub`` is the client id, no ``username``, no groups.
    """
    method, _, template = route_key.partition(" ")
    raw_path = template
    for name, value in (path or {}).items():
        raw_path = raw_path.replace("{" + name + "}", value)
    now = time.time()
    request_context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "a1b2c3d4e5",
        "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "a1b2c3d4e5",
        "http": {
            "method": method,
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": "203.0.113.7",
            "userAgent": "pytest",
        },
        "requestId": request_id or base64.b32encode(uuid.uuid4().bytes).decode()[:16],
        "routeKey": route_key,
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    headers = {"host": request_context["domainName"], "user-agent": "pytest", "content-type": "application/json"}
    if sub is not None:
        claims: dict[str, Any] = {
            "sub": sub,
            "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example",
            "client_id": "3n4b5urk1ft4fl3mg5e62d9ado",
            "token_use": "access",
            "scope": "dashboard/api",
            "auth_time": str(int(now) - 60),
            "iat": str(int(now) - 60),
            "exp": str(int(now) + 3600),
            "username": f"name-{sub}",
        }
        if service:
            claims.update(client_id=sub, scope="dashboard/reports.read")
            del claims["username"], claims["auth_time"]
        if groups is not None:
            claims["cognito:groups"] = "[" + " ".join(groups) + "]" if isinstance(groups, list) else groups
        request_context["authorizer"] = {"jwt": {"claims": claims, "scopes": ["dashboard/api"]}}
        headers["authorization"] = f"Bearer {TOKEN}"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": urlencode(query or {}),
        "headers": headers,
        "requestContext": request_context,
        "isBase64Encoded": base64_body,
    }
    if query:
        event["queryStringParameters"] = dict(query)
    if path:
        event["pathParameters"] = dict(path)
    if body is not None:
        event["body"] = base64.b64encode(body.encode()).decode() if base64_body else body
    return event


EventFactory = Callable[..., dict[str, Any]]
