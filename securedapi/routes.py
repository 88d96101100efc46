"""The route/auth model shared by the component, the policy pack and the local gateway.

A route key is what API Gateway HTTP APIs call ``routeKey``: ``"METHOD /path"``
or the literal ``"$default"``. Paths use ``{name}`` parameters and at most one
greedy ``{name+}`` parameter as their last segment. Every route is protected by
the JWT authorizer unless it is declared public with a non-empty reason.
"""

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
DEFAULT_ROUTE = "$default"
PREFLIGHT_REASON = "CORS preflight"

_SEGMENT = re.compile(r"^(?:[A-Za-z0-9._~!$&'()*,;=:@-]+|\{[A-Za-z_][A-Za-z0-9_]*\+?\})$")
_SCOPE = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]+$")
GROUP_NAME = re.compile(r"^[\w+=,.@-]{1,128}$")
"""A Cognito group name (as CreateGroup accepts it)."""
_ROOT_GREEDY = re.compile(r"^/\{[A-Za-z_][A-Za-z0-9_]*\+\}$")


class RouteError(ValueError):
    """A route declaration is malformed; the message names the route and the problem."""

    def __init__(self, where: str, detail: str) -> None:
        super().__init__(f"{where}: {detail}")
        self.where = where
        self.detail = detail


@dataclass(frozen=True)
class Route:
    """One parsed, validated route."""

    key: str
    method: str
    path: str
    handler: str | None = None
    public: str | None = None
    scopes: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    segments: tuple[str, ...] = field(default=(), compare=False, repr=False)
    request_schema: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    """JSON Schema of the request body (documentation: API Gateway does not validate HTTP API bodies)."""
    response_schema: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)
    """JSON Schema of a successful (2XX) response body."""

    @property
    def is_public(self) -> bool:
        """True when the route needs no token (declared public with a reason)."""
        return self.public is not None

    @property
    def is_default(self) -> bool:
        """True for the ``$default`` catch-all route."""
        return self.key == DEFAULT_ROUTE

    @property
    def is_greedy(self) -> bool:
        """True for ``$default`` and paths ending in a ``{name+}`` parameter."""
        return self.is_default or (bool(self.segments) and self.segments[-1].endswith("+}"))

    @property
    def is_catch_all(self) -> bool:
        """``$default`` and ``ANY /{proxy+}`` (any greedy parameter name) answer every request: never public."""
        return self.is_default or (self.method == "ANY" and _ROOT_GREEDY.match(self.path) is not None)

    @property
    def permission_path(self) -> str:
        """The ``{METHOD}{path}`` part of an execute-api ARN for this route.

        ``$default`` is invoked as ``{apiId}/{stage}/$default`` (no method part): its permission is
        ``{executionArn}/*/$default``, as the API Gateway console grants it (``*/*/$default`` never matches).
        """
        if self.is_default:
            return DEFAULT_ROUTE
        method = "*" if self.method == "ANY" else self.method
        return f"{method}{self.path}"


def parse_route_key(key: str) -> tuple[str, str]:
    """Split ``"GET /items/{id}"`` into ``("GET", "/items/{id}")``; ``$default`` gives ``("ANY", "$default")``."""
    if not isinstance(key, str):
        raise RouteError(f"route key {key!r}", "must be a string like 'GET /items'")
    if key == DEFAULT_ROUTE:
        return "ANY", DEFAULT_ROUTE
    parts = key.split(" ")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise RouteError(f"route key {key!r}", "expected 'METHOD /path' (one space) or '$default'")
    method, path = parts
    if method not in METHODS:
        raise RouteError(f"route key {key!r}", f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    path_segments(path, key)
    return method, path


def is_catch_all_key(key: str) -> bool:
    """True for a route key that answers every request (``$default``, ``ANY /{proxy+}``); False for any other key,
    a malformed one included."""
    try:
        method, path = parse_route_key(key)
    except RouteError:
        return False
    return Route(key=key, method=method, path=path).is_catch_all


def path_segments(path: str, key: str | None = None) -> tuple[str, ...]:
    """Validate a route path and return its segments (``"/"`` has none)."""
    where = f"route key {key!r}" if key else f"path {path!r}"
    if not path.startswith("/"):
        raise RouteError(where, "the path must start with '/'")
    if path == "/":
        return ()
    if path.endswith("/"):
        raise RouteError(where, "the path must not end with '/'")
    segments = tuple(path[1:].split("/"))
    names: set[str] = set()
    for i, segment in enumerate(segments):
        if not _SEGMENT.match(segment):
            raise RouteError(where, f"invalid path segment {segment!r}")
        if segment.startswith("{"):
            name = segment.strip("{}+")
            if name in names:
                raise RouteError(where, f"path parameter {name!r} appears twice")
            names.add(name)
            if segment.endswith("+}") and i != len(segments) - 1:
                raise RouteError(where, f"greedy parameter {segment!r} must be the last segment")
    return segments


def _strings(value: Any, where: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise RouteError(where, f"expected a list of strings, got {value!r}")
    for item in value:
        if not isinstance(item, str) or not pattern.match(item):
            raise RouteError(where, f"invalid value {item!r}")
    if len(set(value)) != len(value):
        raise RouteError(where, f"duplicate values in {list(value)!r}")
    return tuple(value)


def parse_scopes(value: Any, where: str) -> tuple[str, ...]:
    """Validate a list of OAuth scopes (distinct, no spaces or quotes); ``where`` names the arg in errors."""
    return _strings(value, where, _SCOPE)


def parse_json_schema(value: Any, where: str) -> dict[str, Any] | None:
    """A JSON Schema given as a mapping, copied as plain JSON (whole-number floats become ints: numbers arrive
    as doubles from other Pulumi languages). Only the shape is checked here; the component also checks the
    schema against its meta-schema."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise RouteError(where, f"expected a JSON Schema as a mapping (e.g. {{'type': 'object'}}), got {value!r}")
    copied: dict[str, Any] = _plain_json(value, where)
    return copied


def _plain_json(value: Any, where: str) -> Any:
    """A deep copy of ``value`` made of dict, list, str, int, float, bool and None only."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RouteError(where, f"{value!r} is not a JSON number")
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        copied = {}
        for name, item in value.items():
            if not isinstance(name, str):
                raise RouteError(where, f"keys must be strings, got {name!r}")
            copied[name] = _plain_json(item, f"{where}.{name}")
        return copied
    if isinstance(value, Sequence):
        return [_plain_json(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise RouteError(where, f"{value!r} ({type(value).__name__}) is not a JSON value (schemas must be known now)")


ROUTE_FIELDS = ("handler", "public", "scopes", "groups", "request_schema", "response_schema")
"""The fields of one route declaration."""


def parse_route(key: str, spec: Mapping[str, Any], *, require_handler: bool = True) -> Route:
    """Validate one route declaration (``{"handler", "public", "scopes", "groups", "request_schema", ...}``)."""
    where = f"routes[{key!r}]"
    try:
        method, path = parse_route_key(key)
    except RouteError as exc:
        raise RouteError(where, exc.detail) from None
    if not isinstance(spec, Mapping):
        raise RouteError(where, f"expected a mapping of {', '.join(ROUTE_FIELDS)} ('handler' required)")
    unknown = set(spec) - set(ROUTE_FIELDS)
    if unknown:
        raise RouteError(where, f"unknown field(s) {sorted(unknown)}; expected {', '.join(ROUTE_FIELDS)}")
    handler = spec.get("handler")
    if require_handler and (not isinstance(handler, str) or not re.match(r"^[\w.]+\.\w+$", handler)):
        raise RouteError(f"{where}.handler", f"expected 'module.function', got {handler!r}")
    public = spec.get("public")
    if public is not None:
        if isinstance(public, bool):
            raise RouteError(
                f"{where}.public",
                f"takes the reason this route needs no token, not a boolean (got {public!r}); "
                "e.g. public: 'uptime checks'",
            )
        if not isinstance(public, str) or not public.strip():
            raise RouteError(f"{where}.public", "the reason must not be empty (say why this route needs no token)")
        public = public.strip()
    route = Route(
        key=key,
        method=method,
        path=path,
        handler=handler,
        public=public,
        scopes=parse_scopes(spec.get("scopes"), f"{where}.scopes"),
        groups=_strings(spec.get("groups"), f"{where}.groups", GROUP_NAME),
        segments=() if path == DEFAULT_ROUTE else path_segments(path, key),
        request_schema=parse_json_schema(spec.get("request_schema"), f"{where}.request_schema"),
        response_schema=parse_json_schema(spec.get("response_schema"), f"{where}.response_schema"),
    )
    if route.is_public and route.is_catch_all:
        raise RouteError(f"{where}.public", f"{key!r} answers every request and can never be public")
    if route.is_public and (route.scopes or route.groups):
        raise RouteError(where, "a public route cannot require scopes or groups")
    return route


def parse_routes(routes: Mapping[str, Mapping[str, Any]], *, require_handler: bool = True) -> list[Route]:
    """Validate every route; raise :class:`RouteError` naming the first bad one."""
    if not isinstance(routes, Mapping) or not routes:
        raise RouteError("routes", "at least one route is required, e.g. {'GET /health': {...}}")
    parsed = [parse_route(key, spec, require_handler=require_handler) for key, spec in routes.items()]
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    for route in parsed:
        shape = _shape(route)
        if shape in seen:
            raise RouteError(f"routes[{route.key!r}]", f"duplicate of route {seen[shape]!r}")
        seen[shape] = route.key
    return parsed


def _shape(route: Route) -> tuple[str, tuple[str, ...]]:
    """What API Gateway compares: "GET /a/{x}" and "GET /a/{y}" are the same route (greedy names count)."""
    if route.is_default:
        return DEFAULT_ROUTE, ()
    return route.method, tuple("{}" if s.startswith("{") and not s.endswith("+}") else s for s in route.segments)


def preflight_routes(routes: Sequence[Route]) -> list[Route]:
    """Public ``OPTIONS`` routes (reason "CORS preflight") so that no JWT route catches browsers' preflights.

    A JWT ``ANY <path>`` route catches ``OPTIONS <path>`` before any greedy route could (an exact path
    wins over ``{proxy+}``), so it gets its own ``OPTIONS <path>``; ``$default`` gets ``OPTIONS /{proxy+}``
    and ``OPTIONS /`` (``{proxy+}`` needs one segment); a JWT greedy route gets ``OPTIONS /{proxy+}``.
    Paths that already have an ``OPTIONS`` route (the user's own) get none.
    """
    taken = {_shape(r) for r in routes if r.method == "OPTIONS"}
    added: list[Route] = []
    for route in routes:
        if route.is_public:
            continue
        if route.is_default:
            paths = ["/{proxy+}", "/"]
        elif route.method == "ANY":
            paths = [route.path]
        elif route.is_greedy:
            paths = ["/{proxy+}"]
        else:
            continue
        for path in paths:
            preflight = parse_route(f"OPTIONS {path}", {"public": PREFLIGHT_REASON}, require_handler=False)
            if _shape(preflight) not in taken:
                taken.add(_shape(preflight))
                added.append(preflight)
    return added


def match_route(routes: Sequence[Route], method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """Pick the route API Gateway would: exact (with ``{param}``) > greedy ``{proxy+}`` > ``$default``;
    at equal shape a specific method beats ``ANY``. Returns the route and its path parameters.

    Among exact matches, and among greedy ones of the same length, a literal segment beats a parameter
    from left to right (``/a/b/{x}`` beats ``/a/{y}/c``), so the choice never depends on declaration order.
    """
    method = method.upper()
    request = tuple(p for p in path.split("/")[1:]) if path not in ("", "/") else ()
    best: tuple[tuple[int, ...], Route, dict[str, str]] | None = None
    for route in routes:
        if route.method not in (method, "ANY"):
            continue
        if route.is_default:
            params: dict[str, str] = {}
            rank: tuple[int, ...] = (0,)
        else:
            matched = _match_segments(route.segments, request)
            if matched is None:
                continue
            params = matched
            literals = tuple(0 if s.startswith("{") else 1 for s in route.segments)
            rank = (1 if route.is_greedy else 2, len(route.segments), *literals)
        rank = (*rank, 1 if route.method == method else 0)
        if best is None or rank > best[0]:
            best = (rank, route, params)
    return None if best is None else (best[1], best[2])


def _match_segments(segments: tuple[str, ...], request: tuple[str, ...]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for i, segment in enumerate(segments):
        if segment.endswith("+}"):
            rest = request[i:]
            if not rest or not all(rest):
                return None
            params[segment[1:-2]] = "/".join(rest)
            return params
        if i >= len(request) or not request[i]:
            return None
        if segment.startswith("{"):
            params[segment[1:-1]] = request[i]
        elif segment != request[i]:
            return None
    return params if len(segments) == len(request) else None
