"""The local API Gateway (HTTP API): CORS, route matching, the JWT authorizer, Lambda proxy payload 2.0.

A Starlette application with one catch-all endpoint; request parsing and HTTP are Starlette's and
uvicorn's. Per request, in API Gateway's order:

1. CORS preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) on an API with a
   ``corsConfiguration`` is answered here (204), before routing and without a token.
2. Route selection with :func:`securedapi.routes.match_route` (exact > greedy > ``$default``; a
   method beats ``ANY``); no route: 404 ``{"message":"Not Found"}``.
3. JWT routes: 401 ``{"message":"Unauthorized"}`` without a token; 401 plus ``www-authenticate``
   for an invalid one; 403 ``{"message":"Forbidden"}`` without a required scope.
4. The integration's function is called in-process with a payload 2.0 event; its result is mapped
   per payload 2.0 rules; an exception (or an unusable result) is 500 ``{"message":"Internal Server Error"}``.
5. For an allowed ``Origin``, CORS headers are added to every response (and backend CORS headers dropped).
"""

import asyncio
import base64
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl, unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute

from securedapi.local.auth import (
    JwtAuthorizer,
    TokenError,
    authorizers_for,
    extract_token,
    has_scope,
)
from securedapi.local.model import ApiModel, CorsSpec, RouteTarget, cognito_jwks_url
from securedapi.local.runtime import FunctionRuntime, runtimes_for
from securedapi.routes import match_route

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "application/graphql",
)
_JSON = "application/json"


def _message(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return Response(body, status_code=status, headers=dict(headers or {}), media_type=_JSON)


MAX_DESCRIPTION_CHARS = 200


def invalid_token_challenge(description: str) -> str:
    """The ``www-authenticate`` value for an invalid token.

    The description may quote token header values (``kid``, ``alg``) the caller chose: it is reduced to
    printable ASCII without double quotes and bounded, so no token can make the header unencodable (a 500)
    or oversized.
    """
    text = "".join(c if " " <= c <= "~" and c != '"' else ("'" if c == '"' else "?") for c in description)
    if len(text) > MAX_DESCRIPTION_CHARS:
        text = text[: MAX_DESCRIPTION_CHARS - 3] + "..."
    return f'Bearer scope="" error="invalid_token" error_description="{text}"'


def _request_id() -> str:
    return base64.b64encode(os.urandom(11)).decode()


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


class Gateway:
    """Serves one :class:`ApiModel` like API Gateway; ``app`` is the ASGI application."""

    def __init__(
        self,
        model: ApiModel,
        *,
        aws_endpoint_url: str | None = None,
        jwks_url: Callable[[str], str] | None = None,
        runtimes: dict[str, FunctionRuntime] | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.model = model
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.authorizers: dict[str, JwtAuthorizer] = authorizers_for(
            model.authorizers, jwks_url or (lambda issuer: cognito_jwks_url(issuer, aws_endpoint_url))
        )
        self.runtimes = runtimes if runtimes is not None else runtimes_for(model.functions, model.region)
        # Handlers run off the event loop; INVOKE_LOCK (local.runtime) serializes them, so a few threads do.
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="lambda")
        self.app = Starlette(routes=[StarletteRoute("/{path:path}", self.handle, methods=ALL_METHODS)])

    @property
    def jwks_fetches(self) -> int:
        """How many times a JWKS was fetched (cached: once per issuer)."""
        caches = {id(a.jwks): a.jwks for a in self.authorizers.values()}
        return sum(c.fetches for c in caches.values())

    async def handle(self, request: Request) -> Response:
        request_id = _request_id()
        origin = request.headers.get("origin")
        cors = self.model.cors
        if (
            cors is not None
            and request.method == "OPTIONS"
            and origin is not None
            and "access-control-request-method" in request.headers
        ):
            response = self._preflight(request, cors, origin)
        else:
            response = await self._route(request, request_id)
            if cors is not None:
                self._cors_headers(response, cors, origin)
        response.headers["apigw-requestid"] = request_id
        return response

    def _preflight(self, request: Request, cors: CorsSpec, origin: str) -> Response:
        response = Response(status_code=204)
        if not cors.allows(origin):
            return response
        headers = response.headers
        headers["access-control-allow-origin"] = "*" if "*" in cors.allow_origins else origin
        methods = cors.allow_methods
        if "*" in methods:
            methods = (request.headers["access-control-request-method"].upper(),)
        if methods:
            headers["access-control-allow-methods"] = ",".join(methods)
        allow_headers = cors.allow_headers
        if "*" in allow_headers:
            allow_headers = tuple(
                h.strip() for h in request.headers.get("access-control-request-headers", "").split(",") if h.strip()
            )
        if allow_headers:
            headers["access-control-allow-headers"] = ",".join(allow_headers)
        if cors.max_age is not None:
            headers["access-control-max-age"] = str(cors.max_age)
        if cors.allow_credentials:
            headers["access-control-allow-credentials"] = "true"
        return response

    @staticmethod
    def _cors_headers(response: Response, cors: CorsSpec, origin: str | None) -> None:
        response.raw_headers[:] = [
            (k, v) for k, v in response.raw_headers if not k.lower().startswith(b"access-control-")
        ]
        if origin is None or not cors.allows(origin):
            return
        response.headers["access-control-allow-origin"] = "*" if "*" in cors.allow_origins else origin
        if cors.allow_credentials:
            response.headers["access-control-allow-credentials"] = "true"
        if cors.expose_headers:
            response.headers["access-control-expose-headers"] = ",".join(cors.expose_headers)

    async def _route(self, request: Request, request_id: str) -> Response:
        raw_path = (request.scope.get("raw_path") or request.scope["path"].encode()).decode("latin-1")
        raw_path = raw_path.split("?", 1)[0]
        match = match_route(self.model.routes, request.method, raw_path)
        if match is None:
            return _message(404, "Not Found")
        route, raw_params = match
        target = self.model.targets[route.key]
        jwt_context: dict[str, Any] | None = None
        if target.authorization_type != "NONE":
            outcome = self._authorize(request, target)
            if isinstance(outcome, Response):
                return outcome
            jwt_context = outcome
        integration = target.integration
        if integration is None:
            return _message(404, "Not Found")
        function = integration.function
        runtime = self.runtimes.get(function.arn) if function else None
        if runtime is None:
            return _message(500, "Internal Server Error")
        params = {k: unquote(v) for k, v in raw_params.items()}
        body = await request.body()
        event = build_event(request, body, route.key, params, self.model, request_id, jwt_context)
        try:
            result = await asyncio.get_running_loop().run_in_executor(self._executor, runtime.invoke, event)
            return map_result(result)
        except Exception as exc:
            self.log(
                f"[{runtime.spec.name}] {request_id} {route.key}: handler failed: "
                + "".join(traceback.format_exception(exc)).rstrip()
            )
            return _message(500, "Internal Server Error")

    def _authorize(self, request: Request, target: RouteTarget) -> dict[str, Any] | Response:
        """The ``jwt`` part of the authorizer context, or the 401/403 response."""
        spec = target.authorizer
        authorizer = self.authorizers.get(spec.id) if spec else None
        if spec is None or authorizer is None or target.authorization_type != "JWT":
            return _message(403, "Forbidden")
        token = extract_token(self._identity(request, spec.identity_sources))
        if token is None:
            return _message(401, "Unauthorized")
        try:
            verified = authorizer.authorize(token)
        except TokenError as exc:
            return _message(401, "Unauthorized", {"www-authenticate": invalid_token_challenge(exc.description)})
        if not has_scope(verified.scopes, target.scopes):
            return _message(403, "Forbidden")
        return {"claims": dict(verified.context_claims), "scopes": list(verified.scopes) if target.scopes else None}

    @staticmethod
    def _identity(request: Request, sources: tuple[str, ...]) -> str | None:
        for source in sources:
            if source.lower().startswith("$request.header."):
                value = request.headers.get(source[len("$request.header.") :])
            elif source.startswith("$request.querystring."):
                value = request.query_params.get(source[len("$request.querystring.") :])
            else:
                value = None
            if value:
                return value
        return None
