"""HTTP API routes: every route is authorized unless declared public with a reason; JWT routes carry scopes."""

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

from securedapi.policy.exemptions import PUBLIC_ROUTES, PUBLIC_ROUTES_SCHEMA, Exemption, exempted, from_config
from securedapi.policy.rules.common import (  # noqa: F401 (re-exported)
    REST_METHOD_AUTH,
    ROUTE_AUTH,
    component_reason,
    how_to_fix,
    is_http_route_key,
    resource_names,
)
from securedapi.policy.rules.openapi import open_operations
from securedapi.policy.rules.websocket import CONNECT, connect_problem, is_websocket_route, missing_connect_problems
from securedapi.policy.values import (
    HTTP_API,
    HTTP_ROUTE,
    UNKNOWN,
    Graph,
    describe,
    get,
    strings,
    view,
)
from securedapi.routes import is_catch_all_key


def route_auth_problem(graph: Graph, route: PolicyResource, exemptions: list[Exemption]) -> str | None:
    """Why an API Gateway v2 route is unacceptably open, or None (authorized, declared public, preflight, a
    WebSocket route other than $connect, unknown). A route of an API outside the stack is judged by itself."""
    props = graph.props(route)
    auth = get(props, "authorizationType")
    if auth is UNKNOWN or (auth is not None and auth != "NONE"):
        return None
    key = get(props, "routeKey")
    api_id = get(props, "apiId")
    if not isinstance(key, str) or (api_id is UNKNOWN and not graph.dependencies_of(route, "apiId", HTTP_API)):
        return None
    api = graph.linked(route, "apiId", HTTP_API)
    api_props = graph.props(api) if api else {}
    if get(api_props, "protocolType") is UNKNOWN:
        return None
    outside = api is None
    api_name = api.name if api else str(api_id)
    names = resource_names(graph, api, route) + ([api_name] if outside else [])
    if is_websocket_route(graph, route, key, api):
        return connect_problem(graph, route, api_name, names, exemptions) if key == CONNECT else None
    if not is_http_route_key(key):
        return None  # not a route an HTTP API can have
    where = f"Route {key!r} ({describe(route.resource_type, route.name)}) on API {api_name!r}" + (
        " (not in this stack)" if outside else ""
    )
    if is_catch_all_key(key):
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
    applies, expired = exempted(exemptions, names, key)
    if applies:
        return None
    preflight = (
        " An OPTIONS route is a CORS preflight route (allowed without a token) only on an API with a "
        "corsConfiguration; add corsConfiguration to the API or protect the route."
        if method == "OPTIONS"
        else ""
    )
    return (
        f"{where} has no authorization (authorizationType {auth or 'missing'}) and is not declared public."
        f"{preflight}{expired} " + how_to_fix(ROUTE_AUTH, api_name, key, "set authorizationType 'JWT' and authorizerId")
    )


def _route_requires_auth(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = Graph(args.resources)
    exemptions = from_config(args.get_config(), PUBLIC_ROUTES, ROUTE_AUTH, report_violation)
    for route in graph.of_type(HTTP_ROUTE):
        problem = route_auth_problem(graph, route, exemptions)
        if problem:
            report_violation(problem, route.urn)
    for message, urn in missing_connect_problems(graph, exemptions):
        report_violation(message, urn)
    for api in graph.of_type(HTTP_API):
        for message in open_operations(graph, api, exemptions, ROUTE_AUTH, rest=False):
            report_violation(message, api.urn)


route_requires_auth = StackValidationPolicy(
    name=ROUTE_AUTH,
    description="Every API Gateway v2 route must be authorized unless it is declared public with a reason "
    "($default and ANY /{proxy+} never; OPTIONS preflight routes on APIs with CORS are fine), including the "
    "operations of an HTTP API's OpenAPI body and the $connect route of a WebSocket API.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    validate=_route_requires_auth,
    config_schema=PolicyConfigSchema(properties={PUBLIC_ROUTES: PUBLIC_ROUTES_SCHEMA}),
    remediation_steps="Set authorizationType JWT with an authorizerId (OpenAPI: a security requirement naming an "
    "x-amazon-apigateway-authorizer; WebSocket: CUSTOM or AWS_IAM on $connect), or declare the route public with a "
    "reason (SecuredHttpApi route 'public', or a publicRoutes exemption in the pack config).",
    tags=["apigateway", "authorization"],
)


def _jwt_route_scopes(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind != HTTP_ROUTE or get(props, "authorizationType") != "JWT":
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
