"""HTTP API routes: every route is authorized unless declared public with a reason; JWT routes carry scopes."""

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from securedapi.policy.exemptions import PUBLIC_ROUTES, PUBLIC_ROUTES_SCHEMA, Exemption, expired_note, find, from_config
from securedapi.policy.values import (
    HTTP_API,
    HTTP_ROUTE,
    SECURED_HTTP_API,
    UNKNOWN,
    Graph,
    describe,
    get,
    plain,
    strings,
)
from securedapi.routes import Route, RouteError, parse_route_key

ROUTE_AUTH = "apigw-route-requires-auth"
REST_METHOD_AUTH = "apigw-rest-method-requires-auth"
_STACK = "pulumi:pulumi:Stack"


def resource_names(graph: Graph, *resources: PolicyResource | None) -> list[str]:
    """Logical names an exemption may use: the resources themselves and their enclosing components."""
    names: list[str] = []
    for resource in resources:
        if resource is None:
            continue
        for r in (resource, *graph.ancestors(resource)):
            if r.resource_type != _STACK and r.name not in names:
                names.append(r.name)
    return names


def is_catch_all(key: str) -> bool:
    try:
        method, path = parse_route_key(key)
    except RouteError:
        return False
    return Route(key=key, method=method, path=path).is_catch_all


def how_to_fix(policy: str, api_name: str, key: str, authorized: str, *, component: bool = True) -> str:
    """The fix; ``component`` offers SecuredHttpApi's ``public`` (it builds HTTP APIs, never REST APIs)."""
    declared = f"SecuredHttpApi routes {{{key!r}: {{'public': '<why>'}}}}, or " if component else ""
    return (
        f"Fix: {authorized}, or declare it public with a reason: {declared}a pack-config exemption "
        f'{{"{policy}": {{"{PUBLIC_ROUTES}": [{{"api": "{api_name}", "route": "{key}", "reason": "<why>"}}]}}}}.'
    )


def component_reason(graph: Graph, resource: PolicyResource, key: str) -> Any:
    """The reason the nearest SecuredHttpApi declared for ``key`` (None if none, UNKNOWN if unknown)."""
    for ancestor in graph.ancestors(resource):
        if ancestor.resource_type == SECURED_HTTP_API:
            public = get(graph.props(ancestor), "publicRoutes")
            if public is UNKNOWN:
                return UNKNOWN
            reason = public.get(key) if isinstance(public, dict) else None
            if reason is UNKNOWN or (isinstance(reason, str) and reason.strip()):
                return reason
            return None
    return None


def route_auth_problem(graph: Graph, route: PolicyResource, exemptions: list[Exemption]) -> str | None:
    """Why an HTTP API route is unacceptably open, or None (authorized, declared public, preflight, unknown)."""
    props = graph.props(route)
    auth = get(props, "authorizationType")
    if auth is UNKNOWN or (auth is not None and auth != "NONE"):
        return None
    key = get(props, "routeKey")
    if not isinstance(key, str):
        return None
    api = graph.linked(route, "apiId", HTTP_API)
    if api is None and get(props, "apiId") is UNKNOWN:
        return None
    api_props = graph.props(api) if api else {}
    api_name = api.name if api else "?"
    protocol = get(api_props, "protocolType")
    if protocol is UNKNOWN or (protocol == "WEBSOCKET" and key != "$connect"):
        return None  # WebSocket APIs authorize on $connect only
    where = f"Route {key!r} ({describe(route.resource_type, route.name)}) on API {api_name!r}"
    if is_catch_all(key):
        return (
            f"{where} has no authorization (authorizationType {auth or 'missing'}) and answers every request: "
            f"{key!r} can never be public, whatever reason is declared for it. Fix: set authorizationType 'JWT' "
            "and authorizerId, and declare only the individual routes that must be public."
        )
    reason = component_reason(graph, route, key)
    if reason is UNKNOWN or reason:
        return None
    method = key.split(" ", 1)[0]
    if method == "OPTIONS":
        cors = get(api_props, "corsConfiguration")
        if cors is UNKNOWN or cors:
            return None  # a CORS preflight route: browsers send preflights without a token
    exemption = find(exemptions, resource_names(graph, api, route), key)
    if exemption is not None and not exemption.expired():
        return None
    preflight = (
        " An OPTIONS route is a CORS preflight route (allowed without a token) only on an API with a "
        "corsConfiguration; add corsConfiguration to the API or protect the route."
        if method == "OPTIONS"
        else ""
    )
    return (
        f"{where} has no authorization (authorizationType {auth or 'missing'}) and is not declared public."
        f"{preflight}{expired_note(exemption)} "
        + how_to_fix(ROUTE_AUTH, api_name, key, "set authorizationType 'JWT' and authorizerId")
    )


def _route_requires_auth(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = Graph(args.resources)
    exemptions = from_config(args.get_config(), PUBLIC_ROUTES, ROUTE_AUTH, report_violation)
    for route in graph.of_type(HTTP_ROUTE):
        problem = route_auth_problem(graph, route, exemptions)
        if problem:
            report_violation(problem, route.urn)


route_requires_auth = StackValidationPolicy(
    name=ROUTE_AUTH,
    description="Every API Gateway v2 route must be authorized unless it is declared public with a reason "
    "($default and ANY /{proxy+} never; OPTIONS preflight routes on APIs with CORS are fine).",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    validate=_route_requires_auth,
    config_schema=PolicyConfigSchema(properties={PUBLIC_ROUTES: PUBLIC_ROUTES_SCHEMA}),
    remediation_steps="Set authorizationType JWT with an authorizerId, or declare the route public with a reason "
    "(SecuredHttpApi route 'public', or a publicRoutes exemption in the pack config).",
    tags=["apigateway", "authorization"],
)


def _jwt_route_scopes(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != HTTP_ROUTE:
        return
    props = plain(args.props)
    if get(props, "authorizationType") != "JWT":
        return
    scopes = get(props, "authorizationScopes")
    if scopes is not UNKNOWN and not strings(scopes):
        report_violation(
            f"JWT route {get(props, 'routeKey')!r} ({args.name!r}) requires no scope, so it also accepts "
            "Cognito ID tokens (their 'aud' is the client id). Fix: set authorizationScopes (e.g. "
            "'<resource-server>/<scope>') so only access tokens are accepted.",
            None,
        )


jwt_route_scopes = ResourceValidationPolicy(
    name="apigw-jwt-route-scopes",
    description="JWT routes should require scopes; without them they accept ID tokens as well as access tokens.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    validate=_jwt_route_scopes,
    tags=["apigateway", "jwt"],
)
