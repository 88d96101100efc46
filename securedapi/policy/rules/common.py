"""Helpers the route and method rules share: exemption names, route keys, fixes, component reasons."""

from typing import Any

from pulumi_policy import PolicyResource

from securedapi.policy.declarations import declared_output
from securedapi.policy.exemptions import PUBLIC_ROUTES
from securedapi.policy.values import COGNITO_IDENTITY, SECURED_HTTP_API, STACK, UNKNOWN, Graph, get
from securedapi.routes import RouteError, parse_route_key

ROUTE_AUTH = "apigw-route-requires-auth"
REST_METHOD_AUTH = "apigw-rest-method-requires-auth"


def resource_names(graph: Graph, *resources: PolicyResource | None) -> list[str]:
    """Logical names an exemption may use: the resources themselves and their enclosing components."""
    names: list[str] = []
    for resource in resources:
        if resource is None:
            continue
        for r in (resource, *graph.ancestors(resource)):
            if r.resource_type != STACK and r.name not in names:
                names.append(r.name)
    return names


def is_http_route_key(key: str) -> bool:
    """``$default`` or ``METHOD /path``: a key an HTTP API accepts (anything else is a WebSocket route key)."""
    try:
        parse_route_key(key)
    except RouteError:
        return False
    return True


def how_to_fix(policy: str, api_name: str, key: str, authorized: str, *, component: bool = True) -> str:
    """The fix; ``component`` offers SecuredHttpApi's ``public`` (it builds HTTP APIs, never REST APIs)."""
    declared = f"SecuredHttpApi routes {{{key!r}: {{'public': '<why>'}}}}, or " if component else ""
    return (
        f"Fix: {authorized}, or declare it public with a reason: {declared}a pack-config exemption "
        f'{{"{policy}": {{"{PUBLIC_ROUTES}": [{{"api": "{api_name}", "route": "{key}", "reason": "<why>"}}]}}}}.'
    )


def component_reason(graph: Graph, resource: PolicyResource, key: str) -> Any:
    """The reason the nearest SecuredHttpApi declared for ``key`` (None if none, UNKNOWN if unknown)."""
    return _declared_reason(graph, resource, SECURED_HTTP_API, key)


def component_confidential_reason(graph: Graph, client: PolicyResource) -> Any:
    """Why the nearest CognitoIdentity declares ``client`` (its own child) confidential: the reason from its
    ``confidentialClients`` output (client logical name -> reason), None if it does not, UNKNOWN if unknown."""
    return _declared_reason(graph, client, COGNITO_IDENTITY, client.name)


def _declared_reason(graph: Graph, resource: PolicyResource, component: str, target: str) -> Any:
    """The reason the nearest ``component`` enclosing ``resource`` gives for ``target`` in its declarations output
    (:mod:`securedapi.policy.declarations`): None if it gives none, UNKNOWN if unknown."""
    for ancestor in graph.ancestors(resource):
        if ancestor.resource_type == component:
            declared = get(graph.props(ancestor), declared_output(component))
            if declared is UNKNOWN:
                return UNKNOWN
            reason = declared.get(target) if isinstance(declared, dict) else None
            if reason is UNKNOWN or (isinstance(reason, str) and reason.strip()):
                return reason
            return None
    return None
