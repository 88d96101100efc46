"""The local API Gateway (HTTP API): quotas, CORS, route matching, throttling, the JWT authorizer, Lambda proxy
payload 2.0.

A Starlette application with one catch-all endpoint; request parsing and HTTP are Starlette's and
uvicorn's. Per request, in API Gateway's order (statuses and bodies: :mod:`securedapi.local.limits`):

1. Quotas: request line + header values over 10,240 bytes, or a body over 10 MB: 413.
2. CORS preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) on an API with a
   ``corsConfiguration`` is answered here (204), before routing and without a token.
3. Route selection with :func:`securedapi.routes.match_route` (exact > greedy > ``$default``; a
   method beats ``ANY``); no route: 404 ``{"message":"Not Found"}``.
4. Stage throttling (:mod:`securedapi.local.throttle`): 429 ``{"message":"Too Many Requests"}``.
5. JWT routes: 401 ``{"message":"Unauthorized"}`` without a token; 401 plus ``www-authenticate``
   for an invalid one; 403 ``{"message":"Forbidden"}`` without a required scope.
6. The integration's function runs in its own execution environment (:mod:`securedapi.local.runtime`)
   with a payload 2.0 event (413 over Lambda's 6 MB); its result is mapped per payload 2.0 rules; a
   failed invocation (exception, timeout, oversized or unusable result) is 500
   ``{"message":"Internal Server Error"}``; no answer within the integration's timeout (at most 30 s)
   is 503 ``{"message":"Service Unavailable"}``.
7. For an allowed ``Origin``, CORS headers are added to every response (and backend CORS headers dropped).
"""

import asyncio
import base64
import contextlib
import gc
import json
import os
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute

from securedapi.local import limits
from securedapi.local.auth import (
    JwtAuthorizer,
    TokenError,
    authorizers_for,
    extract_token,
    has_scope,
)
from securedapi.local.model import ApiModel, CorsSpec, IntegrationSpec, RouteTarget, cognito_jwks_url
from securedapi.local.payload import BadIntegrationResponseError, build_event, is_text, map_result
from securedapi.local.runtime import Outcome, Runtime
from securedapi.local.throttle import Throttler
from securedapi.routes import match_route

__all__ = ["BadIntegrationResponseError", "Gateway", "build_event", "is_text", "map_result"]

DRAIN_LIMIT = 64 * 1024 * 1024
"""How much of an oversized body is read (and dropped) before the 413, so the client sees the answer."""
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_JSON = "application/json"


def _message(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return Response(body, status_code=status, headers=dict(headers or {}), media_type=_JSON)


def _answer(status_and_message: tuple[int, str]) -> Response:
    return _message(*status_and_message)


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


class Gateway:
    """Serves one :class:`ApiModel` like API Gateway; ``app`` is the ASGI application."""

    def __init__(
        self,
        model: ApiModel,
        *,
        aws_endpoint_url: str | None = None,
        jwks_url: Callable[[str], str] | None = None,
        log: Callable[[str], None] | None = None,
        throttling: bool = True,
    ) -> None:
        self.model = model
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.authorizers: dict[str, JwtAuthorizer] = authorizers_for(
            model.authorizers, jwks_url or (lambda issuer: cognito_jwks_url(issuer, aws_endpoint_url))
        )
        self.runtime = Runtime(model.functions, model.region, self.log)
        self.throttler = Throttler(model.throttling) if throttling else None
        self._running: set[asyncio.Task[Outcome]] = set()
        self.app = Starlette(
            routes=[StarletteRoute("/{path:path}", self.handle, methods=ALL_METHODS)], lifespan=self._lifespan
        )

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[None]:
        """ASGI lifespan: the heap built so far is frozen out of the collector's way (the emulator's and the
        recorded program's objects live as long as the stack: full collections stay short); the execution
        environments stop with the server."""
        gc.freeze()
        yield
        await self.runtime.aclose()

    def close(self) -> None:
        """Stop every execution environment that is left (after the server has stopped)."""
        self.runtime.close()

    @property
    def jwks_fetches(self) -> int:
        """How many times a JWKS was fetched (cached: once per issuer)."""
        caches = {id(a.jwks): a.jwks for a in self.authorizers.values()}
        return sum(c.fetches for c in caches.values())

    async def handle(self, request: Request) -> Response:
        request_id = _request_id()
        origin = request.headers.get("origin")
        cors = self.model.cors
        body = await self._body(request)
        if body is None:
            response = _answer(limits.TOO_LARGE)
            if cors is not None:
                self._cors_headers(response, cors, origin)
        elif (
            cors is not None
            and request.method == "OPTIONS"
            and origin is not None
            and "access-control-request-method" in request.headers
        ):
            response = self._preflight(request, cors, origin)
        else:
            response = await self._route(request, request_id, body)
            if cors is not None:
                self._cors_headers(response, cors, origin)
        response.headers["apigw-requestid"] = request_id
        return response

    @staticmethod
    async def _body(request: Request) -> bytes | None:
        """The request body, or None when the request is over the HTTP API quotas (10 KB head, 10 MB body)."""
        scope = request.scope
        target = scope.get("raw_path") or scope["path"].encode()
        if scope.get("query_string"):
            target += b"?" + scope["query_string"]
        head = limits.request_line_and_headers_size(request.method, target, scope["headers"])
        if head > limits.MAX_REQUEST_LINE_AND_HEADERS_BYTES:
            return None
        declared = request.headers.get("content-length")
        too_large = declared is not None and declared.isdigit() and int(declared) > limits.MAX_PAYLOAD_BYTES
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            too_large = too_large or size > limits.MAX_PAYLOAD_BYTES
            if too_large:
                if size > DRAIN_LIMIT:  # read what a client may still be sending, so it gets the 413
                    break
                continue
            chunks.append(chunk)
        if too_large:
            return None
        return b"".join(chunks)

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

    async def _route(self, request: Request, request_id: str, body: bytes) -> Response:
        raw_path = (request.scope.get("raw_path") or request.scope["path"].encode()).decode("latin-1")
        raw_path = raw_path.split("?", 1)[0]
        match = match_route(self.model.routes, request.method, raw_path)
        if self.throttler is not None and not self.throttler.allow(match[0].key if match else None):
            return _answer(limits.TOO_MANY_REQUESTS)
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
        if integration.function is None:
            return _answer(limits.INTERNAL_SERVER_ERROR)
        params = {k: unquote(v) for k, v in raw_params.items()}
        event = build_event(request, body, route.key, params, self.model, request_id, jwt_context)
        event_json = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
        if len(event_json.encode("utf-8")) > limits.MAX_LAMBDA_PAYLOAD_BYTES:
            self._failed(integration, request_id, route.key, "RequestEntityTooLargeException", "event over 6 MB")
            return _answer(limits.TOO_LARGE)
        return await self._invoke(integration, event_json, request_id, route.key)

    async def _invoke(self, integration: IntegrationSpec, event_json: str, request_id: str, route_key: str) -> Response:
        """Invoke the integration's function; answer when it ends or when the integration times out."""
        assert integration.function is not None
        task = asyncio.ensure_future(self.runtime.invoke(integration.function, event_json))
        timeout = limits.integration_timeout_s(integration.timeout_ms)
        done, _ = await asyncio.wait((task,), timeout=timeout)
        if not done:
            # The function goes on until it ends or reaches its own timeout, as on AWS.
            self._running.add(task)
            task.add_done_callback(self._running.discard)
            self._failed(integration, request_id, route_key, "IntegrationTimeout", f"no answer within {timeout:g} s")
            return _answer(limits.SERVICE_UNAVAILABLE)
        outcome = task.result()
        if not outcome.ok:
            self._failed(integration, request_id, route_key, str(outcome.error_type), outcome.error_message)
            return _answer(limits.INTERNAL_SERVER_ERROR)
        try:
            return map_result(outcome.result)
        except BadIntegrationResponseError as exc:
            self._failed(integration, request_id, route_key, "BadIntegrationResponse", str(exc))
            return _answer(limits.INTERNAL_SERVER_ERROR)

    def _failed(self, integration: IntegrationSpec, request_id: str, route_key: str, kind: str, message: str) -> None:
        name = integration.function.name if integration.function else integration.id
        self.log(f"[{name}] {request_id} {route_key}: {kind}: {message}")

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
