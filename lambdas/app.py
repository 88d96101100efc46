"""Lambda entry point of the dashboard API: ``app.handler`` serves every route (payload format 2.0).

The router dispatches on ``event["routeKey"]`` through a small table (no framework, so a cold start only
pays for boto3, which the runtime provides anyway). Before dispatch it enforces identity (JWT routes need
the ``sub`` claim: 401), keeps service clients (client-credentials tokens: their ``sub`` is the client, not
a user) to the routes meant for them (403 elsewhere) and ``ROUTE_GROUPS`` (the caller needs one of the
route's groups: 403). Client errors become 4xx ``{"message": ...}``; anything unexpected is logged with the
request id and answered 500 ``{"message": "Internal Server Error"}``. One JSON log line is written per request.
"""

import contextlib
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from dashboard import admin, config, http, logs, metadata, reports, uploads
from dashboard.http import HttpError, Request

Handler = Callable[[Request], dict[str, Any]]


class Route(NamedTuple):
    """One entry of the route table."""

    handler: Handler
    jwt: bool = True
    """Whether the route needs an authenticated caller (every route but the public health check)."""
    service: bool = False
    """Whether service clients (client-credentials tokens, no user) may call it; user routes refuse them (403)."""


def health(request: Request) -> dict[str, Any]:
    """``GET /health`` (public): liveness for uptime checks; touches no backend."""
    return http.json_response(200, {"status": "ok"})


ROUTES: dict[str, Route] = {
    "GET /health": Route(health, jwt=False),
    "POST /upload-url": Route(uploads.create_upload_url),
    "GET /metadata/list": Route(metadata.list_items),
    "GET /metadata/{id}": Route(metadata.get_item),
    "DELETE /metadata/{id}": Route(metadata.delete_item),
    "GET /admin/metadata/list": Route(admin.list_all),
    "GET /reports/summary": Route(reports.summary, service=True),
}


def authorize(request: Request, route: Route) -> None:
    """401 without identity on a JWT route; 403 for a service client on a user route, or unless the caller is
    in one of the route's ``ROUTE_GROUPS`` (service tokens carry no groups)."""
    required = config.route_groups().get(request.route_key)
    if (route.jwt or required is not None) and request.sub is None:
        raise HttpError(401, http.UNAUTHORIZED)
    if request.is_service and not route.service:
        raise HttpError(403, http.FORBIDDEN)
    if required is not None and not required & request.groups:
        raise HttpError(403, http.FORBIDDEN)


def dispatch(request: Request) -> dict[str, Any]:
    """Find the route, authorize, call its handler."""
    route = ROUTES.get(request.route_key)
    if route is None:
        raise HttpError(404, http.NOT_FOUND)
    authorize(request, route)
    return route.handler(request)


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda handler for every route of the dashboard API."""
    started = time.perf_counter()
    request = http.parse_event(event)
    fields: dict[str, Any] = {
        "requestId": request.request_id,
        "awsRequestId": getattr(context, "aws_request_id", None),
        "route": request.route_key,
        "sub": request.sub,
    }
    try:
        response = dispatch(request)
    except HttpError as exc:
        response = http.error_response(exc)
        fields["error"] = exc.message
    except Exception as exc:
        logs.error("unhandled error", exc, **fields)
        response = http.error_response(HttpError(500, http.INTERNAL_ERROR))
    with contextlib.suppress(Exception):  # logging must never turn a response into a failure
        logs.info(
            "request",
            **fields,
            status=response["statusCode"],
            durationMs=round((time.perf_counter() - started) * 1000, 2),
        )
    return response
