"""API Gateway HTTP API payload format 2.0: event parsing and responses.

Identity comes only from ``requestContext.authorizer.jwt.claims`` (put there by the JWT authorizer after
it verified the token); nothing in headers or body is trusted for identity. Every parsing problem is an
:class:`HttpError` that the router turns into the matching response, never a 500.
"""

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from dashboard import ids

MAX_BODY_BYTES = 64 * 1024
"""Largest accepted request body (after base64 decoding)."""

JSON_HEADERS = {"content-type": "application/json"}
ADMIN_GROUP = "admin"
"""The group whose members list every item and may delete any item."""


class HttpError(Exception):
    """An error with an HTTP status and a client-facing message (body ``{"message": message}``)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def bad_request(field_name: str, problem: str) -> HttpError:
    """A 400 whose message names the offending field: ``"<field>: <what is wrong>"``."""
    return HttpError(400, f"{field_name}: {problem}")


UNAUTHORIZED = "Unauthorized"
FORBIDDEN = "Forbidden"
NOT_FOUND = "Not Found"
INTERNAL_ERROR = "Internal Server Error"


def json_response(status: int, body: Any) -> dict[str, Any]:
    """A payload 2.0 response with a JSON body."""
    return {
        "statusCode": status,
        "headers": dict(JSON_HEADERS),
        "body": json.dumps(body, separators=(",", ":")),
        "isBase64Encoded": False,
    }


def no_content() -> dict[str, Any]:
    """A payload 2.0 204 response with an empty body."""
    return {"statusCode": 204, "headers": {}, "body": "", "isBase64Encoded": False}


def error_response(error: HttpError) -> dict[str, Any]:
    """The response for an :class:`HttpError`."""
    return json_response(error.status, {"message": error.message})


def parse_groups(value: Any) -> frozenset[str]:
    """Groups from the ``cognito:groups`` claim in any of the shapes it arrives in.

    API Gateway stringifies array claims as ``"[admin editors]"``; a JSON list string (``'["admin"]'``)
    and a real list are accepted too. Anything else yields no groups.
    """
    if isinstance(value, list):
        return frozenset(g for g in value if isinstance(g, str) and g)
    if not isinstance(value, str):
        return frozenset()
    text = value.strip()
    if text.startswith("["):
        try:
            decoded = json.loads(text)
        except (ValueError, RecursionError):
            decoded = None
        if isinstance(decoded, list):
            return frozenset(g for g in decoded if isinstance(g, str) and g)
        text = text[1:-1] if text.endswith("]") else text[1:]
    return frozenset(part for part in re.split(r"[\s,]+", text) if part)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _str_dict(value: Any) -> dict[str, str]:
    return {str(k): v for k, v in _mapping(value).items() if isinstance(v, str)}


class Request(NamedTuple):
    """The parts of a payload 2.0 event the handlers use (a NamedTuple: cheaper to define than a dataclass)."""

    route_key: str
    request_id: str
    sub: str | None
    groups: frozenset[str]
    path: dict[str, str]
    query: dict[str, str]
    body: str | None = None
    is_base64: bool = False
    is_service: bool = False
    """A client-credentials token: its ``sub`` is the app client (``client_id``), there is no user."""

    def require_sub(self) -> str:
        """The caller's ``sub``; 401 when the event carries no (usable) identity."""
        if self.sub is None:
            raise HttpError(401, UNAUTHORIZED)
        return self.sub

    @property
    def is_admin(self) -> bool:
        """Whether the caller is in the ``admin`` group."""
        return ADMIN_GROUP in self.groups


def parse_event(event: Any) -> Request:
    """Read a payload 2.0 event defensively (a malformed event never raises)."""
    event = _mapping(event)
    context = _mapping(event.get("requestContext"))
    claims = _mapping(_mapping(_mapping(context.get("authorizer")).get("jwt")).get("claims"))
    sub = claims.get("sub")
    body = event.get("body")
    return Request(
        route_key=str(event.get("routeKey") or ""),
        request_id=str(context.get("requestId") or ""),
        sub=sub if isinstance(sub, str) and ids.is_valid_sub(sub) else None,
        groups=parse_groups(claims.get("cognito:groups")),
        path=_str_dict(event.get("pathParameters")),
        query=_str_dict(event.get("queryStringParameters")),
        body=body if isinstance(body, str) else None,
        is_base64=event.get("isBase64Encoded") is True,
        is_service=is_service_token(claims),
    )


def is_service_token(claims: Mapping[str, Any]) -> bool:
    """Whether the claims are a client-credentials access token: Cognito sets ``sub`` to the client id and
    puts no ``username`` in it (user access tokens carry ``username``, ID tokens ``cognito:username``)."""
    sub = claims.get("sub")
    return (
        isinstance(sub, str)
        and sub == claims.get("client_id")
        and claims.get("token_use") == "access"
        and "username" not in claims
    )


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate field {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_body(request: Request) -> dict[str, Any]:
    """The request body as a JSON object (≤ 64 KiB, UTF-8, no duplicate keys, no NaN/Infinity)."""
    if request.body is None or request.body == "":
        raise bad_request("body", "required")
    if len(request.body) > MAX_BODY_BYTES * 2:  # cheap bound before decoding (base64 is 4/3, UTF-8 ≤ 4x)
        raise bad_request("body", f"larger than {MAX_BODY_BYTES} bytes")
    if request.is_base64:
        try:
            raw = base64.b64decode(request.body, validate=True)
        except (binascii.Error, ValueError):
            raise bad_request("body", "not valid base64") from None
    else:
        try:
            raw = request.body.encode("utf-8")
        except UnicodeEncodeError:
            raise bad_request("body", "not valid UTF-8") from None
    if len(raw) > MAX_BODY_BYTES:
        raise bad_request("body", f"larger than {MAX_BODY_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("body", "not valid UTF-8") from None
    try:
        value = json.loads(text, object_pairs_hook=_reject_duplicates, parse_constant=_reject_constant)
    except RecursionError:
        raise bad_request("body", "nested too deeply") from None
    except ValueError as exc:
        problem = str(exc) if str(exc).startswith("duplicate field") else "not valid JSON"
        raise bad_request("body", problem) from None
    if not isinstance(value, dict):
        raise bad_request("body", "must be a JSON object")
    return value
