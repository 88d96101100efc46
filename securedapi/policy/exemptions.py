"""Exemptions: pack-config entries that allow a public route/method or a confidential app client.

Exemptions are never silent: each needs a non-empty ``reason``; one with a bad shape is a
config error (``securedapi gate`` exits 2, the Pulumi CLI rejects the config through the JSON
schema); one past its ``expires`` date (YYYY-MM-DD, last valid day) no longer exempts and the
violation message says it expired. Routes declared public through ``SecuredHttpApi`` need no
exemption. The config lives under the policy it relaxes::

    {
      "apigw-route-requires-auth": {
        "publicRoutes": [{"api": "partner-api", "route": "POST /webhook", "reason": "HMAC-signed webhook",
                          "expires": "2026-06-30"}]
      },
      "apigw-rest-method-requires-auth": {
        "publicRoutes": [{"api": "*", "route": "GET /status", "reason": "status page"}]
      },
      "cognito-client-secret-requires-confidential": {
        "confidentialClients": [{"client": "backoffice-client", "reason": "server-side app, secret in Secrets Manager"}]
      },
      "lambda-function-url-requires-auth": {
        "publicFunctionUrls": [{"function": "webhook-fn", "reason": "verifies the provider's HMAC signature"}]
      }
    }

``api`` is the logical name of the API resource (``aws:apigatewayv2/api:Api``,
``aws:apigateway/restApi:RestApi``, ``aws:apigateway/restApiPut:RestApiPut``, or their aws-native kin), the name
of a component that contains it, or ``*``; for an API outside the stack, its id or the logical name of the
route/method. ``route`` is a route key (``"GET /items/{id}"``) or ``"$connect"`` for a WebSocket API.
"""

import datetime
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from securedapi.routes import RouteError, is_catch_all_key, parse_route_key

PUBLIC_ROUTES = "publicRoutes"
CONFIDENTIAL_CLIENTS = "confidentialClients"
PUBLIC_FUNCTION_URLS = "publicFunctionUrls"
CONNECT = "$connect"

_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_REASON = {
    "type": "string",
    "minLength": 1,
    "pattern": "\\S",
    "description": "Why this exemption is acceptable (required, shown in reports).",
}
_EXPIRES = {
    "type": "string",
    "pattern": _DATE,
    "description": "Last day (YYYY-MM-DD) the exemption applies; after it the rule fails again.",
}

PUBLIC_ROUTES_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "Routes allowed without authorization: api logical name (or '*'), route key, reason, expiry.",
    "default": [],
    "items": {
        "type": "object",
        "properties": {
            "api": {
                "type": "string",
                "minLength": 1,
                "description": "Logical name of the API (or of a component containing it), or '*'.",
            },
            "route": {
                "type": "string",
                "minLength": 1,
                "description": "Route key, e.g. 'GET /health' (or '$connect' for a WebSocket API).",
            },
            "reason": _REASON,
            "expires": _EXPIRES,
        },
        "required": ["api", "route", "reason"],
        "additionalProperties": False,
    },
}

CONFIDENTIAL_CLIENTS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "App clients allowed to have a secret (server-side apps): client logical name, reason, expiry.",
    "default": [],
    "items": {
        "type": "object",
        "properties": {
            "client": {"type": "string", "minLength": 1, "description": "Logical name of the app client."},
            "reason": _REASON,
            "expires": _EXPIRES,
        },
        "required": ["client", "reason"],
        "additionalProperties": False,
    },
}


PUBLIC_FUNCTION_URLS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": "Lambda function URLs allowed without authorization (AuthType NONE): function, reason, expiry.",
    "default": [],
    "items": {
        "type": "object",
        "properties": {
            "function": {
                "type": "string",
                "minLength": 1,
                "description": "Logical name of the FunctionUrl or Permission, of its Lambda function, or of a "
                "component containing them.",
            },
            "reason": _REASON,
            "expires": _EXPIRES,
        },
        "required": ["function", "reason"],
        "additionalProperties": False,
    },
}


class ExemptionError(ValueError):
    """An exemption entry is malformed; the message names the policy, the entry and the fix."""


@dataclass(frozen=True)
class Exemption:
    """One validated exemption."""

    policy: str
    target: str
    """API logical name (or '*') for routes, client logical name for clients."""
    reason: str
    route: str | None = None
    expires: datetime.date | None = None

    def expired(self, today: datetime.date | None = None) -> bool:
        return self.expires is not None and (today or datetime.date.today()) > self.expires

    def describe(self) -> str:
        what = f"{self.route!r} on {self.target!r}" if self.route else repr(self.target)
        until = f", expires {self.expires.isoformat()}" if self.expires else ""
        return f"{what} (reason: {self.reason!r}{until})"


def _entries(value: Any, where: str) -> Sequence[Any]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ExemptionError(f"{where}: expected a list of exemption objects, got {value!r}")
    return value


def _common(entry: Any, where: str, keys: tuple[str, ...]) -> tuple[str, datetime.date | None]:
    if not isinstance(entry, dict):
        raise ExemptionError(f"{where}: expected an object like {{{', '.join(repr(k) for k in keys)}}}, got {entry!r}")
    unknown = set(entry) - {*keys, "reason", "expires"}
    if unknown:
        raise ExemptionError(f"{where}: unknown field(s) {sorted(unknown)}; allowed: {[*keys, 'reason', 'expires']}")
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ExemptionError(
            f"{where}: 'reason' is required and must not be empty; say why this exemption is "
            "acceptable (exemptions are never silent)"
        )
    expires_raw = entry.get("expires")
    expires = None
    if expires_raw is not None:
        try:
            expires = datetime.date.fromisoformat(expires_raw) if isinstance(expires_raw, str) else None
        except ValueError:
            expires = None
        if expires is None or len(str(expires_raw)) != 10:
            raise ExemptionError(f"{where}: 'expires' must be a date YYYY-MM-DD, got {expires_raw!r}")
    for key in keys:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise ExemptionError(f"{where}: {key!r} is required (a non-empty string)")
    return reason.strip(), expires


def parse_public_routes(value: Any, policy: str) -> list[Exemption]:
    """Validate ``publicRoutes`` entries; catch-all routes ($default, ANY /{proxy+}) cannot be exempted."""
    out = []
    for i, entry in enumerate(_entries(value, f"{policy}.{PUBLIC_ROUTES}")):
        where = f"{policy}.{PUBLIC_ROUTES}[{i}]"
        reason, expires = _common(entry, where, ("api", "route"))
        if entry["route"] == CONNECT:  # a WebSocket API's $connect route (the only one that takes authorization)
            out.append(Exemption(policy, entry["api"].strip(), reason, CONNECT, expires))
            continue
        try:
            parse_route_key(entry["route"])
        except RouteError as exc:
            raise ExemptionError(f"{where}: {exc} (or '$connect' for a WebSocket API)") from None
        if is_catch_all_key(entry["route"]):
            raise ExemptionError(
                f"{where}: {entry['route']!r} answers every request and can never be public; "
                "declare the individual public routes instead"
            )
        out.append(Exemption(policy, entry["api"].strip(), reason, entry["route"], expires))
    return out


def _parse_named(value: Any, policy: str, key: str, field: str) -> list[Exemption]:
    """Validate entries under ``key`` that name their target in ``field`` (no route)."""
    out = []
    for i, entry in enumerate(_entries(value, f"{policy}.{key}")):
        reason, expires = _common(entry, f"{policy}.{key}[{i}]", (field,))
        out.append(Exemption(policy, entry[field].strip(), reason, None, expires))
    return out


def parse_confidential_clients(value: Any, policy: str) -> list[Exemption]:
    """Validate ``confidentialClients`` entries."""
    return _parse_named(value, policy, CONFIDENTIAL_CLIENTS, "client")


def parse_public_function_urls(value: Any, policy: str) -> list[Exemption]:
    """Validate ``publicFunctionUrls`` entries."""
    return _parse_named(value, policy, PUBLIC_FUNCTION_URLS, "function")


PARSERS = {
    PUBLIC_ROUTES: parse_public_routes,
    CONFIDENTIAL_CLIENTS: parse_confidential_clients,
    PUBLIC_FUNCTION_URLS: parse_public_function_urls,
}


def parse_policy_config(policy: str, properties: dict[str, Any]) -> list[Exemption]:
    """Every exemption in one policy's config properties (raises :class:`ExemptionError`)."""
    out: list[Exemption] = []
    for key, parser in PARSERS.items():
        if key in properties:
            out.extend(parser(properties[key], policy))
    return out


def from_config(
    config: Mapping[str, Any], key: str, policy: str, report: Callable[[str, str | None], None]
) -> list[Exemption]:
    """A rule's exemptions under ``key`` of its config; a malformed entry is reported, never ignored silently."""
    try:
        return PARSERS[key](config.get(key), policy)
    except ExemptionError as exc:
        report(f"Invalid policy config: {exc}. No exemption of this policy applies until it is fixed.", None)
        return []


def expired_note(exemption: Exemption | None) -> str:
    """A sentence for the violation message when the matching exemption has expired ('' otherwise)."""
    if exemption is None or not exemption.expired() or exemption.expires is None:
        return ""
    return (
        f" The exemption {exemption.describe()} expired on {exemption.expires.isoformat()}; "
        "renew it with a new 'expires' date or fix the resource."
    )


def find(exemptions: Sequence[Exemption], names: Sequence[str], route: str | None = None) -> Exemption | None:
    """The best matching exemption for a resource known by ``names``: a live one wins over an expired one."""
    matches = [
        e
        for e in exemptions
        if (e.target in names or (route is not None and e.target == "*")) and (route is None or e.route == route)
    ]
    live = [e for e in matches if not e.expired()]
    return (live or matches)[0] if matches else None


def exempted(exemptions: Sequence[Exemption], names: Sequence[str], route: str | None = None) -> tuple[bool, str]:
    """Whether a live exemption applies to the resource known by ``names`` (and ``route``), and the sentence to add
    to its violation message: :func:`expired_note` of the matching exemption ('' when none matches or one applies)."""
    exemption = find(exemptions, names, route)
    if exemption is not None and not exemption.expired():
        return True, ""
    return False, expired_note(exemption)
