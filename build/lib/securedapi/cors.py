"""CORS rules for HTTP APIs that use bearer tokens.

Per the Fetch standard, ``Access-Control-Allow-Headers: *`` does not cover
``Authorization``, so allowed headers are always listed explicitly and always
include ``authorization`` and ``content-type``.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any

from securedapi.routes import METHODS, Route
from securedapi.urls import normalize_origin, origin_problem

REQUIRED_HEADERS = ("authorization", "content-type")
_HEADER = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class CorsError(ValueError):
    """A CORS argument is invalid; ``arg`` names it."""

    def __init__(self, arg: str, message: str) -> None:
        super().__init__(message)
        self.arg = arg


def enabled(args: Mapping[str, Any]) -> bool:
    """CORS is on when at least one origin is configured (``cors_origins``)."""
    return bool(args.get("cors_origins"))


def _header_list(args: Mapping[str, Any], key: str) -> list[str]:
    headers = args.get(key) or []
    if isinstance(headers, str) or not isinstance(headers, Sequence):
        raise CorsError(key, f"expected a list of header names, got {headers!r}")
    for header in headers:
        if header == "*":
            raise CorsError(key, "'*' is not allowed: it does not cover Authorization; list headers explicitly")
        if not isinstance(header, str) or not _HEADER.match(header):
            raise CorsError(key, f"invalid header name {header!r}")
    return [h.lower() for h in headers]


def validate(args: Mapping[str, Any]) -> None:
    """Raise :class:`CorsError` for a bad origin, header, or ``*`` origin together with credentials."""
    origins = args.get("cors_origins") or []
    if isinstance(origins, str) or not isinstance(origins, Sequence):
        raise CorsError("cors_origins", f"expected a list of origins, got {origins!r}")
    for origin in origins:
        problem = origin_problem(origin) if isinstance(origin, str) else "must be a string"
        if problem:
            raise CorsError("cors_origins", f"{origin!r} {problem}")
    if "*" in origins and args.get("cors_allow_credentials"):
        raise CorsError("cors_allow_credentials", "cannot be true with a '*' origin; list the origins explicitly")
    _header_list(args, "cors_allow_headers")
    _header_list(args, "cors_expose_headers")


def allowed_methods(routes: Sequence[Route]) -> list[str]:
    """Methods browsers may use: those of the routes (``ANY`` means all), plus OPTIONS."""
    methods = {r.method for r in routes}
    if "ANY" in methods:
        return [m for m in METHODS if m != "ANY"]
    return sorted(methods | {"OPTIONS"})


def configuration(args: Mapping[str, Any], routes: Sequence[Route]) -> dict[str, Any]:
    """The ``corsConfiguration`` of the HTTP API."""
    headers = list(dict.fromkeys([*REQUIRED_HEADERS, *_header_list(args, "cors_allow_headers")]))
    config: dict[str, Any] = {
        "allow_origins": [normalize_origin(o) for o in args["cors_origins"]],
        "allow_methods": allowed_methods(routes),
        "allow_headers": headers,
        "allow_credentials": bool(args.get("cors_allow_credentials", False)),
        "max_age": args.get("cors_max_age", 600),
    }
    expose = _header_list(args, "cors_expose_headers")
    if expose:
        config["expose_headers"] = expose
    return config
