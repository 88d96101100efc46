"""Service (machine-to-machine) clients: how many a pool has, and the routes their tokens reach.

A service client is an app client of any type that allows the OAuth ``client_credentials`` grant. Cognito
bills machine-to-machine use per app client per month and per token request
(https://aws.amazon.com/cognito/pricing/), so teams should share clients and cache tokens rather than
multiply clients. A service token carries the scopes granted to its client and never ``cognito:groups``
(it has no user), so a route that also requires groups refuses it in the backend however its scope matches.
"""

import json

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from securedapi.policy.rules.wiring import audience_clients, issuer_pool
from securedapi.policy.values import (
    HTTP_INTEGRATION,
    HTTP_ROUTE,
    JWT_AUTHORIZER,
    LAMBDA_FUNCTION,
    UNKNOWN,
    USER_POOL,
    USER_POOL_CLIENT,
    Graph,
    get,
    strings,
)

M2M_CLIENT_COUNT = "cognito-m2m-client-count"
SERVICE_ROUTE_GROUPS = "apigw-service-client-route-groups"
MAX_CLIENTS = "maxClients"
DEFAULT_MAX_CLIENTS = 5
ROUTE_GROUPS = "ROUTE_GROUPS"
"""The functions' environment variable (route key -> groups) that SecuredHttpApi sets and the backend enforces."""


def is_service_client(graph: Graph, client: PolicyResource) -> bool:
    """An app client that allows the client-credentials grant."""
    return "client_credentials" in strings(get(graph.props(client), "allowedOauthFlows"))


def _m2m_client_count(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = Graph(args.resources)
    limit = args.get_config().get(MAX_CLIENTS, DEFAULT_MAX_CLIENTS)
    by_pool: dict[str, list[PolicyResource]] = {}
    for client in graph.of_type(USER_POOL_CLIENT):
        pool = graph.linked(client, "userPoolId", USER_POOL)
        if pool is not None and is_service_client(graph, client):
            by_pool.setdefault(pool.urn, []).append(client)
    for urn, clients in by_pool.items():
        if len(clients) <= limit:
            continue
        pool = graph.by_urn[urn]
        names = ", ".join(sorted(c.name for c in clients))
        report_violation(
            f"User pool {pool.name!r} has {len(clients)} machine-to-machine clients (client_credentials: {names}), "
            f"more than {limit}. Cognito bills M2M per app client per month and per token request. Fix: let "
            "services that call the same API share a client (grant it the scopes they need), cache tokens until "
            f"shortly before they expire, or raise {MAX_CLIENTS} in this policy's config if every client is needed.",
            pool.urn,
        )


m2m_client_count = StackValidationPolicy(
    name=M2M_CLIENT_COUNT,
    description=f"A user pool should not have more than {MAX_CLIENTS} (default {DEFAULT_MAX_CLIENTS}) "
    "machine-to-machine (client_credentials) clients: Cognito bills each one, and every token request.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    validate=_m2m_client_count,
    config_schema=PolicyConfigSchema(
        properties={
            MAX_CLIENTS: {
                "type": "integer",
                "minimum": 0,
                "default": DEFAULT_MAX_CLIENTS,
                "description": "Most machine-to-machine clients a user pool may have before this policy reports it.",
            }
        }
    ),
    remediation_steps="Share one client between services calling the same API and cache tokens; or raise maxClients.",
    tags=["cognito", "oauth", "cost"],
)


def route_groups(graph: Graph, route: PolicyResource) -> list[str] | None:
    """The groups the route's backend requires (``ROUTE_GROUPS`` of the function behind its integration), or
    None when the route names no function of this stack or the function sets no groups for it."""
    key = get(graph.props(route), "routeKey")
    integration = graph.linked(route, "target", HTTP_INTEGRATION)
    if integration is None:
        target = get(graph.props(route), "target")
        found = (
            graph.with_id(HTTP_INTEGRATION, target.removeprefix("integrations/")) if isinstance(target, str) else None
        )
        integration = found if isinstance(found, PolicyResource) else None
    function = _function(graph, integration) if integration else None
    if function is None or not isinstance(key, str):
        return None
    raw = get(graph.props(function), "environment", "variables", ROUTE_GROUPS)
    try:
        groups = json.loads(raw).get(key) if isinstance(raw, str) else None
    except (ValueError, AttributeError):
        return None
    return [g for g in groups if isinstance(g, str)] if isinstance(groups, list) and groups else None


def _function(graph: Graph, integration: PolicyResource) -> PolicyResource | None:
    """The Lambda function an integration invokes: by dependency, or by its ``invokeArn``."""
    function = graph.linked(integration, "integrationUri", LAMBDA_FUNCTION)
    uri = get(graph.props(integration), "integrationUri")
    if function is None and isinstance(uri, str):
        function = next((f for f in graph.of_type(LAMBDA_FUNCTION) if get(graph.props(f), "invokeArn") == uri), None)
    return function


def _reach(graph: Graph, client: PolicyResource, scopes: list[str]) -> str | None:
    """How the client's tokens pass a route requiring any of ``scopes``: the scope, "no scope", or None."""
    if not scopes:
        return "the route requires no scope"
    granted = strings(get(graph.props(client), "allowedOauthScopes"))
    if UNKNOWN in granted:
        return None
    matching = [s for s in scopes if s in granted]
    return f"it is granted the route's scope {matching[0]!r}" if matching else None


def _service_client_route_groups(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = Graph(args.resources)
    for route in graph.of_type(HTTP_ROUTE):
        props = graph.props(route)
        if get(props, "authorizationType") != "JWT":
            continue
        scopes = strings(get(props, "authorizationScopes"))
        authorizer = graph.linked(route, "authorizerId", JWT_AUTHORIZER)
        pool = issuer_pool(graph, authorizer)[0] if authorizer is not None else None
        if UNKNOWN in scopes or authorizer is None or pool is None:
            continue
        services = [c for c in audience_clients(graph, authorizer, pool)[0] if is_service_client(graph, c)]
        reached = [(c, how) for c in services if (how := _reach(graph, c, scopes))]
        groups = route_groups(graph, route) if reached else None
        if not groups:
            continue
        key = get(props, "routeKey")
        for client, how in reached:
            report_violation(
                f"Route {key!r} ({route.name!r}) accepts the tokens of service client {client.name!r} ({how}), but "
                f"its backend also requires the groups {groups}: client-credentials tokens carry no cognito:groups "
                "(there is no user), so every call of that client is refused (403). Fix: give the route a scope of "
                "its own that the service client is not granted, or serve the service client on a route "
                "without groups that requires its scope.",
                route.urn,
            )


service_client_route_groups = StackValidationPolicy(
    name=SERVICE_ROUTE_GROUPS,
    description="A JWT route whose scopes a service (client_credentials) client's tokens carry should not also "
    "require groups: service tokens carry none, so the route always refuses them.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    validate=_service_client_route_groups,
    remediation_steps="Give group routes scopes that no service client is granted, or drop the groups.",
    tags=["apigateway", "cognito", "oauth"],
)
