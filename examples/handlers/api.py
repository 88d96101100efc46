"""A tiny Lambda backend (payload 2.0) for the examples: health, who-am-I and an admin-only ping.

API Gateway has already checked the JWT (issuer, audience, expiry, scopes) before a JWT route gets
here; group membership is checked here, from ``cognito:groups``, as SecuredHttpApi documents: the
component passes each route's groups in the ``ROUTE_GROUPS`` environment variable.
"""

import json
import os
from typing import Any


def _response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"content-type": "application/json"}, "body": json.dumps(body)}


def _claims(event: dict[str, Any]) -> dict[str, Any]:
    claims = event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {})
    return claims if isinstance(claims, dict) else {}


def _groups(claims: dict[str, Any]) -> set[str]:
    """``cognito:groups`` as API Gateway passes it: a list, or a string such as ``"[admin editors]"``."""
    value = claims.get("cognito:groups", [])
    if isinstance(value, str):
        value = value.strip("[]").replace(",", " ").split()
    return {str(group) for group in value}


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    route = event.get("routeKey", "")
    if route == "GET /health":
        return _response(200, {"status": "ok"})
    claims = _claims(event)
    required = json.loads(os.environ.get("ROUTE_GROUPS", "{}")).get(route, [])
    if required and not _groups(claims) & set(required):
        return _response(403, {"message": "Forbidden"})
    if route == "GET /me":
        return _response(200, {"sub": claims.get("sub"), "groups": sorted(_groups(claims))})
    if route == "GET /admin/ping":
        return _response(200, {"pong": True})
    return _response(404, {"message": "Not Found"})
