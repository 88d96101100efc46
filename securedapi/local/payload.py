"""Lambda proxy integrations, payload format 2.0: the event API Gateway builds and how it maps the result.

https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
"""

import base64
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from securedapi.local.model import ApiModel

TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "application/graphql",
)
_JSON = "application/json"


def is_text(content_type: str | None) -> bool:
    """Bodies API Gateway passes as text (others are base64-encoded with ``isBase64Encoded: true``)."""
    if not content_type:
        return True
    ctype = content_type.split(";", 1)[0].strip().lower()
    return ctype.startswith(TEXT_TYPES) or ctype.endswith(("+json", "+xml"))


def build_event(
    request: Request,
    body: bytes,
    route_key: str,
    path_params: Mapping[str, str],
    model: ApiModel,
    request_id: str,
    jwt: dict[str, Any] | None,
) -> dict[str, Any]:
    """The payload 2.0 event for a Lambda proxy integration."""
    scope = request.scope
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for raw_name, raw_value in scope["headers"]:
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        if name == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
            continue
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    client = scope.get("client") or ("127.0.0.1", 0)
    server = scope.get("server") or ("127.0.0.1", 0)
    headers.setdefault("x-forwarded-for", client[0])
    headers.setdefault("x-forwarded-proto", scope.get("scheme", "http"))
    headers.setdefault("x-forwarded-port", str(server[1]))
    raw_query = scope.get("query_string", b"").decode("latin-1")
    raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1").split("?", 1)[0]
    host = headers.get("host", f"{server[0]}:{server[1]}")
    now = time.time()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": model.account_id,
            "apiId": model.api_id,
            "domainName": host,
            "domainPrefix": host.split(".", 1)[0],
            "http": {
                "method": request.method,
                "path": raw_path,
                "protocol": f"HTTP/{scope.get('http_version', '1.1')}",
                "sourceIp": client[0],
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if raw_query:
        query: dict[str, str] = {}
        for key, value in parse_qsl(raw_query, keep_blank_values=True):
            query[key] = f"{query[key]},{value}" if key in query else value
        event["queryStringParameters"] = query
    if path_params:
        event["pathParameters"] = dict(path_params)
    if jwt is not None:
        event["requestContext"]["authorizer"] = {"jwt": jwt}
    if body:
        if is_text(headers.get("content-type")):
            try:
                event["body"] = body.decode("utf-8")
            except UnicodeDecodeError:
                event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
        else:
            event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    return event


class BadIntegrationResponseError(ValueError):
    """The function's result cannot be mapped to an HTTP response (API Gateway answers 500)."""


def map_result(result: Any) -> Response:
    """Payload 2.0 response mapping: a dict with ``statusCode`` is an HTTP response; a string is the body
    of a 200 response as is; anything else is serialized as the JSON body of a 200 response."""
    if not isinstance(result, dict) or "statusCode" not in result:
        body = result if isinstance(result, str) else json.dumps(result)
        return Response(body.encode(), status_code=200, media_type=_JSON)
    try:
        status = int(result["statusCode"])
        if not 100 <= status <= 599:
            raise ValueError(status)
        headers = {
            str(k): str(v)
            for k, v in (result.get("headers") or {}).items()
            if str(k).lower() not in ("content-length", "transfer-encoding", "connection")
        }
        payload = result.get("body")
        if payload is None:
            content = b""
        elif not isinstance(payload, str):
            raise BadIntegrationResponseError(f"body must be a string, got {type(payload).__name__}")
        elif result.get("isBase64Encoded"):
            content = base64.b64decode(payload, validate=True)
        else:
            content = payload.encode("utf-8")
        cookies = [str(c) for c in result.get("cookies") or []]
    except (TypeError, ValueError, AttributeError) as exc:
        raise BadIntegrationResponseError(f"malformed Lambda response: {exc}") from exc
    response = Response(content, status_code=status, headers=headers)
    response.raw_headers += [(b"set-cookie", c.encode("latin-1")) for c in cookies]
    return response
