"""API Gateway rules: authorization on every route and method, quick create, JWT authorizers,
stage logs/throttling, scopes and CORS."""

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

from components.routes import Route, RouteError, parse_route_key
from policy.exemptions import PUBLIC_ROUTES, PUBLIC_ROUTES_SCHEMA, Exemption, expired_note, find, from_config
from policy.values import (
    HTTP_API,
    HTTP_ROUTE,
    HTTP_STAGE,
    JWT_AUTHORIZER,
    REST_API,
    REST_INTEGRATION,
    REST_METHOD,
    REST_RESOURCE,
    REST_STAGE,
    SECURED_HTTP_API,
    UNKNOWN,
    Graph,
    describe,
    get,
    plain,
    strings,
    truthy,
)

ROUTE_AUTH = "apigw-route-requires-auth"
REST_METHOD_AUTH = "apigw-rest-method-requires-auth"
_STACK = "pulumi:pulumi:Stack"


def _names(graph: Graph, *resources: PolicyResource | None) -> list[str]:
    """Logical names an exemption may use: the resources themselves and their enclosing components."""
    names: list[str] = []
    for resource in resources:
        if resource is None:
            continue
        for r in (resource, *graph.ancestors(resource)):
            if r.resource_type != _STACK and r.name not in names:
                names.append(r.name)
    return names


def _catch_all(key: str) -> bool:
    try:
        method, path = parse_route_key(key)
    except RouteError:
        return False
    return Route(key=key, method=method, path=path).is_catch_all


def _how_to_fix(policy: str, api_name: str, key: str, authorized: str, *, component: bool = True) -> str:
    """The fix; ``component`` offers SecuredHttpApi's ``public`` (it builds HTTP APIs, never REST APIs)."""
    declared = f"SecuredHttpApi routes {{{key!r}: {{'public': '<why>'}}}}, or " if component else ""
    return (
        f"Fix: {authorized}, or declare it public with a reason: {declared}a pack-config exemption "
        f'{{"{policy}": {{"{PUBLIC_ROUTES}": [{{"api": "{api_name}", "route": "{key}", "reason": "<why>"}}]}}}}.'
    )


def _component_reason(graph: Graph, resource: PolicyResource, key: str) -> Any:
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
    if _catch_all(key):
        return (
            f"{where} has no authorization (authorizationType {auth or 'missing'}) and answers every request: "
            f"{key!r} can never be public, whatever reason is declared for it. Fix: set authorizationType 'JWT' "
            "and authorizerId, and declare only the individual routes that must be public."
        )
    reason = _component_reason(graph, route, key)
    if reason is UNKNOWN or reason:
        return None
    method = key.split(" ", 1)[0]
    if method == "OPTIONS":
        cors = get(api_props, "corsConfiguration")
        if cors is UNKNOWN or cors:
            return None  # a CORS preflight route: browsers send preflights without a token
    exemption = find(exemptions, _names(graph, api, route), key)
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
        + _how_to_fix(ROUTE_AUTH, api_name, key, "set authorizationType 'JWT' and authorizerId")
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


def _rest_path(graph: Graph, method: PolicyResource, api: PolicyResource | None) -> str | None:
    """The resource path of a REST method ("/items/{id}"), None if unknown."""
    owner: PolicyResource = method
    prop = "resourceId"
    segments: list[str] = []
    for _ in range(64):
        resource = graph.linked(owner, prop, REST_RESOURCE)
        if resource is None:
            value = get(graph.props(owner), prop)
            root = get(graph.props(api), "rootResourceId") if api else None
            if graph.dependencies_of(owner, prop, REST_API) or (isinstance(value, str) and value == root):
                return "/" + "/".join(reversed(segments))
            return None
        rprops = graph.props(resource)
        path = get(rprops, "path")
        if isinstance(path, str) and path.startswith("/"):
            return path.rstrip("/") + ("/" + "/".join(reversed(segments)) if segments else "") or "/"
        part = get(rprops, "pathPart")
        if not isinstance(part, str):
            return None
        segments.append(part)
        owner, prop = resource, "parentId"
    return None


def _is_preflight_method(graph: Graph, method: PolicyResource) -> bool:
    """An OPTIONS method whose integration is a MOCK (API Gateway's CORS preflight responder)."""
    resource_id = get(graph.props(method), "resourceId")
    resource = graph.linked(method, "resourceId", REST_RESOURCE)
    for integration in graph.of_type(REST_INTEGRATION):
        props = graph.props(integration)
        if get(props, "httpMethod") not in ("OPTIONS", UNKNOWN):
            continue
        same = (resource is not None and graph.linked(integration, "resourceId", REST_RESOURCE) is resource) or (
            isinstance(resource_id, str) and get(props, "resourceId") == resource_id
        )
        if same and get(props, "type") in ("MOCK", UNKNOWN):
            return True
    return False


def _rest_method_requires_auth(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = Graph(args.resources)
    exemptions = from_config(args.get_config(), PUBLIC_ROUTES, REST_METHOD_AUTH, report_violation)
    for method in graph.of_type(REST_METHOD):
        props = graph.props(method)
        auth = get(props, "authorization")
        http = get(props, "httpMethod")
        if not isinstance(auth, str) or auth.upper() != "NONE" or not isinstance(http, str):
            continue
        api = graph.linked(method, "restApi", REST_API)
        path = _rest_path(graph, method, api)
        if path is None:
            continue  # unknown during preview
        key = f"{http.upper()} {path}"
        api_name = api.name if api else "?"
        where = f"REST API method {key!r} ({describe(method.resource_type, method.name)}) on API {api_name!r}"
        keys = (
            " API keys identify callers, they do not authenticate them." if truthy(get(props, "apiKeyRequired")) else ""
        )
        if _catch_all(key):
            report_violation(
                f"{where} has authorization NONE and answers every request: it can never be public."
                f"{keys} Fix: set authorization to COGNITO_USER_POOLS, CUSTOM or AWS_IAM.",
                method.urn,
            )
            continue
        if http.upper() == "OPTIONS" and _is_preflight_method(graph, method):
            continue
        if _component_reason(graph, method, key):
            continue
        exemption = find(exemptions, _names(graph, api, method), key)
        if exemption is not None and not exemption.expired():
            continue
        preflight = (
            " An OPTIONS method is a CORS preflight only with a MOCK integration." if http.upper() == "OPTIONS" else ""
        )
        report_violation(
            f"{where} has authorization NONE.{keys}{preflight}{expired_note(exemption)} "
            + _how_to_fix(
                REST_METHOD_AUTH,
                api_name,
                key,
                "set authorization to COGNITO_USER_POOLS (with authorizerId), CUSTOM or AWS_IAM",
                component=False,
            ),
            method.urn,
        )


rest_method_requires_auth = StackValidationPolicy(
    name=REST_METHOD_AUTH,
    description="Every REST API method must be authorized (API keys alone are not authentication) unless it is "
    "declared public with a reason.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    validate=_rest_method_requires_auth,
    config_schema=PolicyConfigSchema(properties={PUBLIC_ROUTES: PUBLIC_ROUTES_SCHEMA}),
    remediation_steps="Set authorization COGNITO_USER_POOLS/CUSTOM/AWS_IAM, or add a publicRoutes exemption.",
    tags=["apigateway", "authorization"],
)


def _no_quick_create(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != HTTP_API:
        return
    target = get(plain(args.props), "target")
    if isinstance(target, str) and target:
        report_violation(
            f"HTTP API {args.name!r} uses quick create (target={target!r}): API Gateway then creates an open "
            "$default route without authorization. Fix: remove 'target' and declare routes with a JWT authorizer "
            "(e.g. with SecuredHttpApi).",
            None,
        )


no_quick_create = ResourceValidationPolicy(
    name="apigw-no-quick-create",
    description="HTTP APIs must not use quick create ('target'), which makes an unauthenticated $default route.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    validate=_no_quick_create,
    tags=["apigateway", "authorization"],
)


def _jwt_authorizer_valid(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != JWT_AUTHORIZER:
        return
    props = plain(args.props)
    if get(props, "authorizerType") != "JWT":
        return
    where = f"JWT authorizer {args.name!r}"
    jwt = get(props, "jwtConfiguration")
    if jwt is UNKNOWN:
        return
    if not jwt:
        report_violation(
            f"{where} has no jwtConfiguration, so any token would do. Fix: set jwtConfiguration "
            "{issuer: 'https://cognito-idp.<region>.amazonaws.com/<poolId>', audiences: [<clientId>]}.",
            None,
        )
        return
    audiences = get(jwt, "audiences")
    if audiences is not UNKNOWN:
        known = [a for a in strings(audiences) if a is not UNKNOWN]
        if not strings(audiences):
            report_violation(
                f"{where} has no audience: tokens issued to any client would be accepted. "
                "Fix: set jwtConfiguration.audiences to your app client ids.",
                None,
            )
        for audience in known:
            if not isinstance(audience, str) or not audience.strip() or "*" in audience:
                report_violation(
                    f"{where} accepts the audience {audience!r}, a wildcard or empty value. "
                    "Fix: list the exact app client ids.",
                    None,
                )
    issuer = get(jwt, "issuer")
    if issuer is None or (isinstance(issuer, str) and not issuer.startswith("https://")):
        report_violation(
            f"{where} has issuer {issuer!r}; API Gateway fetches the signing keys from the issuer, "
            "which must be an https URL. Fix: issuer = 'https://' + the user pool's endpoint.",
            None,
        )


jwt_authorizer_valid = ResourceValidationPolicy(
    name="apigw-jwt-authorizer-valid",
    description="JWT authorizers need at least one exact audience (no wildcard) and an https issuer.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    validate=_jwt_authorizer_valid,
    tags=["apigateway", "jwt"],
)


def _stage_access_logs(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in (HTTP_STAGE, REST_STAGE):
        return
    if get(plain(args.props), "accessLogSettings") is None:
        report_violation(
            f"Stage {args.name!r} writes no access logs, so denied and failed calls leave no trace. "
            "Fix: set accessLogSettings {destinationArn: <log group arn>, format: <JSON format>}.",
            None,
        )


stage_access_logs = ResourceValidationPolicy(
    name="apigw-stage-access-logs",
    description="API Gateway stages should write access logs.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_stage_access_logs,
    tags=["apigateway", "logging"],
)


def _stage_throttling(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != HTTP_STAGE:
        return
    settings = get(plain(args.props), "defaultRouteSettings")
    if settings is UNKNOWN:
        return
    missing = [k for k in ("throttlingBurstLimit", "throttlingRateLimit") if get(settings, k) is None]
    if missing:
        report_violation(
            f"Stage {args.name!r} has no {' / '.join(missing)} in defaultRouteSettings, so the account "
            "limits are the only protection against floods. Fix: set defaultRouteSettings "
            "{throttlingBurstLimit, throttlingRateLimit}.",
            None,
        )


stage_throttling = ResourceValidationPolicy(
    name="apigw-stage-throttling",
    description="HTTP API stages should set default throttling limits.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_stage_throttling,
    tags=["apigateway", "availability"],
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


def _cors_no_wildcard_origin(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != HTTP_API:
        return
    origins = strings(get(plain(args.props), "corsConfiguration", "allowOrigins"))
    if "*" in origins:
        report_violation(
            f"HTTP API {args.name!r} allows CORS from any origin ('*'); any web page can call it "
            "with a user's token. Fix: list the exact origins (scheme://host[:port]).",
            None,
        )


cors_no_wildcard_origin = ResourceValidationPolicy(
    name="apigw-cors-no-wildcard-origin",
    description="CORS should allow exact origins, not '*'.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_cors_no_wildcard_origin,
    tags=["apigateway", "cors"],
)


def _cors_headers_allow_authorization(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = Graph(args.resources)
    jwt_apis = set()
    for route in graph.of_type(HTTP_ROUTE):
        if get(graph.props(route), "authorizationType") == "JWT":
            api = graph.linked(route, "apiId", HTTP_API)
            if api is not None:
                jwt_apis.add(api.urn)
    for api in graph.of_type(HTTP_API):
        headers = strings(get(graph.props(api), "corsConfiguration", "allowHeaders"))
        lowered = [h.lower() for h in headers if isinstance(h, str)]
        if api.urn in jwt_apis and "*" in lowered and "authorization" not in lowered:
            report_violation(
                f"HTTP API {api.name!r} has JWT routes but its CORS allowHeaders is ['*']: per the Fetch "
                "spec '*' never covers Authorization, so browsers' preflights for calls with a token "
                "fail. Fix: list 'authorization' (and 'content-type', ...) explicitly.",
                api.urn,
            )


cors_headers_allow_authorization = StackValidationPolicy(
    name="apigw-cors-headers-allow-authorization",
    description="CORS allowHeaders '*' does not cover Authorization; APIs with JWT routes must list it explicitly.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_cors_headers_allow_authorization,
    tags=["apigateway", "cors"],
)
