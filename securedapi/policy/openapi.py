"""Read an API Gateway OpenAPI body (``Api.body``, ``RestApi.body``, ``RestApiPut.body``) as the routes it creates.

API Gateway imports every operation of the document as a route (HTTP API) or method (REST API); what
authorizes it are API Gateway's extensions on the security schemes the operation requires
(https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-authorizer.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-open-api.html):

* ``x-amazon-apigateway-authorizer`` of type ``jwt`` (HTTP APIs), ``request`` or ``token`` (Lambda),
  ``cognito_user_pools`` (REST APIs);
* ``x-amazon-apigateway-authtype: awsSigv4`` (IAM).

Any other scheme is documentation only: a plain ``oauth2`` or ``http`` scheme is not enforced, and an
``apiKey`` scheme without those extensions is a REST API key, which identifies callers without
authenticating them. An operation's ``security`` replaces the document's; ``[]`` or an empty requirement
``{}`` among the alternatives lets anonymous callers in. ``x-amazon-apigateway-any-method`` is the ``ANY``
method; the path ``/$default`` with it is the ``$default`` route. ``x-amazon-apigateway-cors`` gives an
HTTP API CORS (its ``OPTIONS`` operations are then preflights); a REST ``OPTIONS`` operation with a
``mock`` integration is the CORS preflight responder. OpenAPI 3 (``components.securitySchemes``) and
Swagger 2 (``securityDefinitions``) are read alike; JSON or YAML, as a string or an object.
"""

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
ANY_METHOD = "x-amazon-apigateway-any-method"
AUTHORIZER = "x-amazon-apigateway-authorizer"
AUTHTYPE = "x-amazon-apigateway-authtype"
CORS = "x-amazon-apigateway-cors"
POLICY = "x-amazon-apigateway-policy"
INTEGRATION = "x-amazon-apigateway-integration"
AUTHORIZER_TYPES = {"jwt": "JWT", "request": "CUSTOM", "token": "CUSTOM", "cognito_user_pools": "COGNITO_USER_POOLS"}


class OpenApiError(ValueError):
    """The body is not an OpenAPI document API Gateway could import."""


@dataclass(frozen=True)
class Operation:
    """One operation of the document, as the route or method API Gateway creates for it."""

    method: str
    """GET, POST, ... or ANY."""
    path: str
    key: str
    """The route key: ``"GET /items/{id}"``, or ``"$default"``."""
    authorization: str | None
    """How it is authorized (JWT, CUSTOM, COGNITO_USER_POOLS, AWS_IAM); None when anyone may call it."""
    why_open: str = ""
    """When ``authorization`` is None: why (no security requirement, an API-key-only scheme, ...)."""
    mock: bool = False
    """Its ``x-amazon-apigateway-integration`` is a ``mock`` (the REST CORS preflight responder)."""


@dataclass(frozen=True)
class JwtScheme:
    """A JWT authorizer the document defines (``x-amazon-apigateway-authorizer`` of type ``jwt``)."""

    name: str
    issuer: Any
    audiences: Any
    """``jwtConfiguration.audience`` as written (None when missing)."""


@dataclass(frozen=True)
class Document:
    """What the pack needs to know of a body."""

    operations: tuple[Operation, ...]
    jwt_schemes: tuple[JwtScheme, ...]
    cors: bool
    policy: Any
    """``x-amazon-apigateway-policy`` (a REST API's resource policy), None when absent."""


def load(body: Any) -> Document:
    """Read ``body`` (JSON or YAML text, or the parsed object); raises :class:`OpenApiError`."""
    if isinstance(body, str):
        return _load_text(body)
    if isinstance(body, Mapping):
        return read(body)
    raise OpenApiError(f"expected an OpenAPI document (JSON or YAML text, or an object), got {type(body).__name__}")


@functools.lru_cache(maxsize=16)
def _load_text(text: str) -> Document:
    """Parse once per body: several rules read the same document."""
    import yaml  # only bodies written in YAML need it

    try:
        data = _json(text)
        if data is None:  # YAML, a superset of JSON (flow style included); libyaml's loader when available
            data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise OpenApiError(f"it is neither JSON nor YAML ({detail})") from None
    if not isinstance(data, Mapping):
        raise OpenApiError(f"it is not an OpenAPI object but {type(data).__name__}")
    return read(data)


def _json(text: str) -> Any:
    """``text`` parsed as JSON (the fast path), or None when it is not JSON."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def read(document: Mapping[str, Any]) -> Document:
    """The operations, JWT schemes, CORS and resource policy of a parsed document."""
    paths = document.get("paths")
    if paths is not None and not isinstance(paths, Mapping):
        raise OpenApiError("'paths' is not an object")
    schemes = _schemes(document)
    root_security = document.get("security")
    operations: list[Operation] = []
    for path, item in (paths or {}).items():
        if not isinstance(item, Mapping):
            continue
        for field, operation in item.items():
            method = "ANY" if field == ANY_METHOD else field.upper() if field in HTTP_METHODS else None
            if method is None or not isinstance(operation, Mapping):
                continue
            security = operation.get("security", root_security)
            authorization, why = _authorization(security, schemes)
            integration = operation.get(INTEGRATION)
            mock = isinstance(integration, Mapping) and str(integration.get("type", "")).lower() == "mock"
            key = "$default" if path == "/$default" else f"{method} {path}"
            operations.append(Operation(method, str(path), key, authorization, why, mock))
    jwt = tuple(
        JwtScheme(name, _get(scheme, AUTHORIZER, "jwtConfiguration", "issuer"), _audiences(scheme))
        for name, scheme in schemes.items()
        if str(_get(scheme, AUTHORIZER, "type") or "").lower() == "jwt"
    )
    return Document(tuple(operations), jwt, isinstance(document.get(CORS), Mapping), document.get(POLICY))


def _schemes(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    found = _get(document, "components", "securitySchemes")
    legacy = document.get("securityDefinitions")
    out: dict[str, Mapping[str, Any]] = {}
    for source in (legacy, found):
        if isinstance(source, Mapping):
            out.update({str(k): v for k, v in source.items() if isinstance(v, Mapping)})
    return out


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _audiences(scheme: Mapping[str, Any]) -> Any:
    config = _get(scheme, AUTHORIZER, "jwtConfiguration")
    return config.get("audience") if isinstance(config, Mapping) else None


def scheme_authorization(scheme: Mapping[str, Any] | None) -> tuple[str | None, str]:
    """How API Gateway enforces one security scheme: (authorization type, or None and why it is not enforced)."""
    if scheme is None:
        return None, "is not defined in components.securitySchemes"
    kind = str(_get(scheme, AUTHORIZER, "type") or "").lower()
    if kind in AUTHORIZER_TYPES:
        return AUTHORIZER_TYPES[kind], ""
    authtype = str(scheme.get(AUTHTYPE) or "").lower()
    if authtype == "awssigv4":
        return "AWS_IAM", ""
    if authtype == "cognito_user_pools":
        return "COGNITO_USER_POOLS", ""
    if str(scheme.get("type", "")).lower() == "apikey":
        return None, "is an API key (API keys identify callers, they do not authenticate them)"
    return None, f"has no {AUTHORIZER} or {AUTHTYPE}, so API Gateway does not enforce it"


def _authorization(security: Any, schemes: Mapping[str, Mapping[str, Any]]) -> tuple[str | None, str]:
    """An operation's effective authorization: every alternative requirement must be enforced by API Gateway."""
    if security is None:
        return None, "it has no security requirement (neither its own nor the document's 'security')"
    if not isinstance(security, list):
        return None, f"its 'security' is {type(security).__name__}, not a list of security requirements"
    if not security:
        return None, "its security requirement is empty ('security: []')"
    found: str | None = None
    for requirement in security:
        if not isinstance(requirement, Mapping) or not requirement:
            return None, "one of its security alternatives is empty ('{}'), which lets anonymous callers in"
        enforced = [(name, scheme_authorization(schemes.get(str(name)))) for name in requirement]
        authorized = [auth for _name, (auth, _why) in enforced if auth]
        if not authorized:
            name, (_auth, why) = enforced[0]
            return None, f"its security scheme {name!r} {why}"
        found = found or authorized[0]
    return found, ""
