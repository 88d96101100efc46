"""CORS rules for HTTP APIs that use bearer tokens.

Per the Fetch standard, ``Access-Control-Allow-Headers: *`` does not cover
``Authorization``, so allowed headers are always listed explicitly and always
include ``authorization`` and ``content-type``.
"""

import re
from collections.abc import Mapping, Sequence
from typing import Any

from securedapi.routes import METHODS, Route
from securedapi.urls import normalize_origins, origin_problem

REQUIRED_HEADERS = ("authorization", "content-type")
_HEADER = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class CorsError(ValueError):
    """A CORS argument is invalid; ``arg`` names it."""

    def __init__(self, arg: str, message: str) -> None:
        super().__init__(message)
        self.arg = arg


def origins(values: Any, arg: str = "cors_origins") -> list[str]:
    """Validate browser origins and return the one normalized list (:func:`securedapi.urls.normalize_origins`).

    Use it wherever origins are named (the API's CORS, a bucket's CORS rule, ...): S3 matches the
    ``Origin`` header exactly, so ``http://localhost:5173/`` must become ``http://localhost:5173`` everywhere.
    Raises :class:`CorsError` naming ``arg``.
    """
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise CorsError(arg, f"expected a list of origins, got {values!r}")
    for origin in values:
        problem = origin_problem(origin) if isinstance(origin, str) else "must be a string"
        if problem:
            raise CorsError(arg, f"{origin!r} {problem}")
    return normalize_origins(values)


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
    if "*" in origins(args.get("cors_origins")) and args.get("cors_allow_credentials"):
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
        "allow_origins": normalize_origins(args["cors_origins"]),
        "allow_methods": allowed_methods(routes),
        "allow_headers": headers,
        "allow_credentials": bool(args.get("cors_allow_credentials", False)),
        "max_age": args.get("cors_max_age", 600),
    }
    expose = _header_list(args, "cors_expose_headers")
    if expose:
        config["expose_headers"] = expose
    return config
