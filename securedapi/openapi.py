"""The OpenAPI 3.1 document of a secured HTTP API, built from the route model (pure, stdlib only).

:func:`build_document` writes what API Gateway enforces for parsed routes (:mod:`securedapi.routes`):
every route with its path parameters (a greedy ``{proxy+}`` keeps API Gateway's name ``proxy+``);
``ANY`` as the methods no specific route of its path takes, ``$default`` as those left on ``/`` and the
root greedy path; ``security`` from the route's auth (public: ``[]`` and the reason; JWT: the ``oauth2``
scheme, one alternative per scope since a token needs any one of them, or an empty scope list); groups
(``x-securedapi-groups``), preflight routes (``x-securedapi-preflight``), the route key behind each
operation (``x-securedapi-route``), request/response JSON Schemas and the ``{"message"}`` error bodies.
With the managed-login domain the scheme has the authorization-code and client-credentials flows;
without it, it is the issuer's OpenID Connect discovery document (which lists the same endpoints).
"""

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from securedapi.routes import METHODS, Route

OPENAPI_VERSION = "3.1.0"
SECURITY_SCHEME = "oauth2"
"""Name of the security scheme every non-public operation requires."""
JSON = "application/json"
ANY_METHODS = tuple(m.lower() for m in METHODS if m != "ANY")
"""The methods ``ANY`` (and ``$default``) stand for, in the order operations are written."""
BODYLESS = ("get", "head", "options", "delete")
"""Methods an ``ANY`` route's request schema is not attached to (no defined body semantics)."""
DEFAULT_GREEDY_PATH = "/{proxy+}"

ERRORS: dict[str, tuple[str, str]] = {
    "400": ("BadRequest", "The request is invalid; the message says what is wrong. Nothing was written."),
    "401": ("Unauthorized", "No token, or the token is invalid or expired."),
    "403": ("Forbidden", "The token lacks the route's scope, or the caller is not in the route's groups."),
    "404": ("NotFound", "No route matches, or the resource does not exist (or belongs to someone else)."),
    "429": ("TooManyRequests", "Throttled by the stage's rate or burst limit."),
    "500": ("InternalServerError", "The integration failed."),
}
"""Status -> (component response name, description): the ``{"message"}`` bodies every operation may get."""

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"type": "string", "description": "What went wrong."}},
}


def build_document(
    title: str,
    routes: Sequence[Route],
    *,
    issuer: str,
    servers: Sequence[str] = (),
    preflight: Sequence[Route] = (),
    auth_domain: str | None = None,
    token_endpoint: str | None = None,
    default_scopes: Sequence[str] = (),
    scope_descriptions: Mapping[str, str] | None = None,
    version: str = "1.0.0",
) -> dict[str, Any]:
    """The OpenAPI 3.1 document (a JSON-compatible dict) of an API with these routes.

    ``routes`` are the declared routes, ``preflight`` the public ``OPTIONS`` routes added for CORS
    (:func:`securedapi.routes.preflight_routes`). ``servers`` are the API's base URLs (stage invoke URL,
    custom domain). ``auth_domain`` is the managed-login base URL; ``token_endpoint`` defaults to its
    ``/oauth2/token``. ``default_scopes`` apply to JWT routes that declare none, as in the component.
    """
    schemas = _RouteSchemas()
    operations = _Operations()
    paths: dict[str, dict[str, Any]] = {}
    for path, method, route, kind in _placements(routes, preflight):
        scopes = _scopes(route, default_scopes)
        operation = _operation(path, method, route, kind, scopes, operations, schemas)
        paths.setdefault(path, {})[method] = operation
    used = _scope_users(routes, default_scopes)
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": title,
            "version": version,
            "description": (
                f"Every operation needs a JWT from the issuer {issuer} in the Authorization header "
                "unless its security is empty (public, with the reason in its description)."
            ),
        },
        # without the trailing slash of the $default stage's invoke URL
        "servers": [{"url": url} for url in dict.fromkeys(u.rstrip("/") for u in servers)],
        "paths": {path: _ordered(item) for path, item in paths.items()},
        "components": {
            "schemas": {"Error": ERROR_SCHEMA, **schemas.components},
            "responses": _error_responses(),
            "securitySchemes": {
                SECURITY_SCHEME: _security_scheme(issuer, auth_domain, token_endpoint, used, scope_descriptions)
            },
        },
    }
    return document


def render(document: Mapping[str, Any], *, pretty: bool = False) -> str:
    """The document as JSON text, key order kept: compact (the component's output), or with a two-space indent."""
    if pretty:
        return json.dumps(document, indent=2, ensure_ascii=False)
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


# -- where each route's operations go ---------------------------------------------------------------------------------


def _template_shape(path: str) -> tuple[str, ...]:
    """Paths OpenAPI treats as the same: parameter names do not count (``/a/{x}`` is ``/a/{y}``)."""
    segments = path[1:].split("/") if path != "/" else []
    return tuple(("{+}" if s.endswith("+}") else "{}") if s.startswith("{") else s for s in segments)


def _placements(routes: Sequence[Route], preflight: Sequence[Route]) -> list[tuple[str, str, Route, str]]:
    """``(path, method, route, kind)`` per operation, in API Gateway's priority at equal path: a specific
    method beats ``ANY`` beats ``$default``. ``kind`` is "route", "any", "default" or "preflight"."""
    canonical: dict[tuple[str, ...], str] = {}

    def path_of(path: str) -> str:
        return canonical.setdefault(_template_shape(path), path)

    taken: dict[str, set[str]] = {}
    placed: list[tuple[str, str, Route, str]] = []

    def place(path: str, methods: Iterable[str], route: Route, kind: str) -> None:
        for method in methods:
            if method not in taken.setdefault(path, set()):
                taken[path].add(method)
                placed.append((path, method, route, kind))

    for route in routes:
        if route.method != "ANY":
            place(path_of(route.path), [route.method.lower()], route, "route")
    for route in preflight:
        place(path_of(route.path), ["options"], route, "preflight")
    for route in routes:
        if route.method == "ANY" and not route.is_default:
            place(path_of(route.path), ANY_METHODS, route, "any")
    for route in routes:
        if route.is_default:
            for path in ("/", path_of(DEFAULT_GREEDY_PATH)):
                place(path, ANY_METHODS, route, "default")
    return placed


def _ordered(item: Mapping[str, Any]) -> dict[str, Any]:
    return {m: item[m] for m in ANY_METHODS if m in item}


def _parameters(path: str) -> list[dict[str, Any]]:
    parameters = []
    for segment in path[1:].split("/") if path != "/" else []:
        if not segment.startswith("{"):
            continue
        name = segment[1:-1]
        if name.endswith("+"):
            description = f"Greedy: one or more path segments (the backend gets it as pathParameters.{name[:-1]})."
            schema: dict[str, Any] = {"type": "string", "minLength": 1}
        else:
            description = "One path segment."
            schema = {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}
        parameters.append({"name": name, "in": "path", "required": True, "description": description, "schema": schema})
    return parameters


# -- one operation ----------------------------------------------------------------------------------------------------


def _camel(text: str) -> str:
    """``"/metadata/{id}"`` -> ``"MetadataId"`` (``"Root"`` for ``"/"``)."""
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", text) if w) or "Root"


def _unique(base: str, taken: set[str], suffix: str = "") -> str:
    name, n = base + suffix, 2
    while name in taken:
        name, n = f"{base}{n}{suffix}", n + 1
    taken.add(name)
    return name


class _Operations:
    """Unique operation ids: ``getMetadataId``."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def id_for(self, method: str, path: str) -> str:
        return _unique(method + _camel(path), self.taken)


def _operation(
    path: str,
    method: str,
    route: Route,
    kind: str,
    scopes: Sequence[str],
    operations: _Operations,
    schemas: "_RouteSchemas",
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operations.id_for(method, path),
        "summary": route.key if kind == "route" else f"{route.key} ({method.upper()})",
        "description": _description(route, kind, scopes),
    }
    parameters = _parameters(path)
    if parameters:
        operation["parameters"] = parameters
    request = schemas.request(route)
    if request is not None and not (kind in ("any", "default") and method in BODYLESS) and kind != "preflight":
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": request}}}
    operation["security"] = _security(route, scopes)
    operation["responses"] = _responses(route, kind, schemas)
    operation["x-securedapi-route"] = route.key
    if route.public is not None:
        operation["x-securedapi-public"] = route.public
    if kind == "preflight":
        operation["x-securedapi-preflight"] = True
    if route.groups:
        operation["x-securedapi-groups"] = list(route.groups)
    return operation


def _scopes(route: Route, default_scopes: Sequence[str]) -> tuple[str, ...]:
    if route.is_public:
        return ()
    return route.scopes or tuple(default_scopes)


def _security(route: Route, scopes: Sequence[str]) -> list[dict[str, list[str]]]:
    if route.is_public:
        return []
    if not scopes:
        return [{SECURITY_SCHEME: []}]
    return [{SECURITY_SCHEME: [scope]} for scope in scopes]


def _description(route: Route, kind: str, scopes: Sequence[str]) -> str:
    parts = []
    if kind == "preflight":
        parts.append(
            "CORS preflight: answered by API Gateway from the API's CORS configuration, without a token. "
            "This public route exists so that no JWT route catches browsers' preflight requests."
        )
    elif route.public is not None:
        parts.append(f"Public: {route.public}. No token is needed.")
    elif scopes:
        parts.append(f"Requires an access token carrying one of the scopes: {', '.join(scopes)}.")
    else:
        parts.append(
            "Requires a valid token from the user pool (an access token or an ID token: the route requires no scope)."
        )
    if route.groups:
        parts.append(
            f"Only members of the group(s) {', '.join(route.groups)} (cognito:groups, checked by the backend); "
            "others get 403."
        )
    if kind == "any":
        parts.append(f"{route.key} answers every method no more specific route of this path takes.")
    elif kind == "default":
        parts.append("$default: the catch-all route; it answers every request no other route matches.")
    return " ".join(parts)


def _responses(route: Route, kind: str, schemas: "_RouteSchemas") -> dict[str, Any]:
    if kind == "preflight":
        success: dict[str, Any] = {
            "204": {
                "description": "Preflight accepted for an allowed origin (CORS headers set by API Gateway).",
                "headers": {
                    name: {"schema": {"type": "string"}}
                    for name in (
                        "Access-Control-Allow-Origin",
                        "Access-Control-Allow-Methods",
                        "Access-Control-Allow-Headers",
                        "Access-Control-Max-Age",
                    )
                },
            }
        }
    else:
        response = schemas.response(route)
        success = {"2XX": {"description": "Success: the handler's response."}}
        if response is not None:
            success["2XX"]["content"] = {JSON: {"schema": response}}
    errors = {status: {"$ref": f"#/components/responses/{name}"} for status, (name, _) in ERRORS.items()}
    return {**success, **errors}


def _error_responses() -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for name, description in ERRORS.values():
        response: dict[str, Any] = {
            "description": description,
            "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        if name == "Unauthorized":
            response["headers"] = {
                "WWW-Authenticate": {
                    "description": "Bearer challenge naming the error when a token was sent but refused.",
                    "schema": {"type": "string"},
                }
            }
        responses[name] = response
    return responses


# -- schemas of request and response bodies ---------------------------------------------------------------------------


class _RouteSchemas:
    """Each route's request/response schema, once, as a named component schema the operations refer to."""

    def __init__(self) -> None:
        self.components: dict[str, Any] = {}
        self.taken = {"Error"}
        self.refs: dict[tuple[str, str], dict[str, str]] = {}

    def request(self, route: Route) -> dict[str, str] | None:
        return self._ref(route, "Request", route.request_schema)

    def response(self, route: Route) -> dict[str, str] | None:
        return self._ref(route, "Response", route.response_schema)

    def _ref(self, route: Route, suffix: str, schema: Mapping[str, Any] | None) -> dict[str, str] | None:
        if schema is None:
            return None
        if (route.key, suffix) not in self.refs:
            method, _, path = route.key.partition(" ")
            name = _unique(method.strip("$").capitalize() + (_camel(path) if path else ""), self.taken, suffix)
            pointer = f"#/components/schemas/{name}"
            self.components[name] = _rebase_refs({k: v for k, v in schema.items() if k != "$id"}, pointer)
            self.refs[(route.key, suffix)] = {"$ref": pointer}
        return self.refs[(route.key, suffix)]


def _rebase_refs(value: Any, pointer: str) -> Any:
    """Local references (``#/$defs/x``) of a schema are relative to the schema itself; once the schema sits
    at ``pointer`` in the document they must be ``pointer + /$defs/x``. A root ``$id`` is dropped: OpenAPI
    tools resolve references against the document, where the schema is identified by its location."""
    if isinstance(value, Mapping):
        rebased = {}
        for key, item in value.items():
            if key in ("$ref", "$dynamicRef") and isinstance(item, str) and item.startswith("#"):
                rebased[key] = pointer + item[1:] if item.startswith("#/") or item == "#" else item
            else:
                rebased[key] = _rebase_refs(item, pointer)
        return rebased
    if isinstance(value, list):
        return [_rebase_refs(item, pointer) for item in value]
    return value


# -- the security scheme ----------------------------------------------------------------------------------------------


def _scope_users(routes: Sequence[Route], default_scopes: Sequence[str]) -> dict[str, list[str]]:
    users: dict[str, list[str]] = {}
    for route in routes:
        for scope in _scopes(route, default_scopes):
            users.setdefault(scope, []).append(route.key)
    return users


def _security_scheme(
    issuer: str,
    auth_domain: str | None,
    token_endpoint: str | None,
    used: Mapping[str, Sequence[str]],
    descriptions: Mapping[str, str] | None,
) -> dict[str, Any]:
    description = (
        f"Cognito user pool {issuer}: API Gateway's JWT authorizer checks the token's signature, issuer, "
        "audience (client id), expiry and the route's scopes."
    )
    if auth_domain is None:
        return {
            "type": "openIdConnect",
            "openIdConnectUrl": f"{issuer.rstrip('/')}/.well-known/openid-configuration",
            "description": description,
        }
    domain = auth_domain.rstrip("/")
    token_url = token_endpoint or f"{domain}/oauth2/token"
    scopes = {
        scope: (descriptions or {}).get(scope) or f"Accepted by {', '.join(keys)}" for scope, keys in used.items()
    }
    return {
        "type": "oauth2",
        "description": description,
        "flows": {
            "authorizationCode": {
                "authorizationUrl": f"{domain}/oauth2/authorize",
                "tokenUrl": token_url,
                "refreshUrl": token_url,
                "scopes": scopes,
            },
            "clientCredentials": {"tokenUrl": token_url, "scopes": scopes},
        },
    }
