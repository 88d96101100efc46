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
    REST_METHOD_SETTINGS,
    REST_RESOURCE,
    REST_STAGE,
    SECURED_HTTP_API,
    UNKNOWN,
    USAGE_PLAN,
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


Maybe = bool | None
"""A three-valued answer: None when it depends on values unknown during preview."""


def _all(*answers: Maybe) -> Maybe:
    return False if False in answers else None if None in answers else True


def _any(answers: list[Maybe]) -> Maybe:
    return True if True in answers else None if None in answers else False


def _limits(settings: Any, burst: str, rate: str) -> tuple[Maybe, list[str]]:
    """Whether ``settings`` sets both throttling limits (missing or negative, i.e. -1: no limit), and what is wrong."""
    if settings is UNKNOWN:
        return None, []
    problems: list[str] = []
    unknown = False
    for key in (burst, rate):
        value = get(settings, key)
        if value is UNKNOWN:
            unknown = True
        elif value is None:
            problems.append(f"no {key}")
        elif isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            problems.append(f"{key} {value:g} (no limit)")
    if problems:
        return False, problems
    return (None if unknown else True), []


def _is_stage_api(
    graph: Graph, stage: PolicyResource, value: Any, deps: list[PolicyResource], *, deps_first: bool
) -> Maybe:
    """Whether the REST API id ``value`` (whose property depends on the REST APIs ``deps``) is ``stage``'s API:
    by property dependency (``deps_first``: the property holds this one id only), else by id."""
    api = graph.linked(stage, "restApi", REST_API)
    if deps_first and deps and api is not None:
        return api in deps
    if isinstance(value, str):
        match = graph.with_id(REST_API, value)
        if isinstance(match, PolicyResource) and api is not None:
            return match is api
        own = get(graph.props(stage), "restApi")
        if own is UNKNOWN or (match is UNKNOWN and api is not None):
            return None  # the stage's API id is unknown during preview
        return value == own
    if value is UNKNOWN:
        return api in deps if deps and api is not None else None
    return False


def _is_stage_name(graph: Graph, stage: PolicyResource, value: Any, deps: list[PolicyResource]) -> Maybe:
    """Whether the stage name ``value`` (whose property depends on the REST stages ``deps``) names ``stage``."""
    own = get(graph.props(stage), "stageName")
    if isinstance(value, str) and isinstance(own, str):
        return value == own
    if value is UNKNOWN or own is UNKNOWN:
        return stage in deps if deps else None
    return False


def _method_settings_throttle(graph: Graph, stage: PolicyResource, notes: list[str]) -> Maybe:
    """Whether a MethodSettings for all methods ("*/*") of ``stage`` sets throttling limits."""
    answers: list[Maybe] = []
    for settings in graph.of_type(REST_METHOD_SETTINGS):
        props = graph.props(settings)
        api_deps = graph.dependencies_of(settings, "restApi", REST_API)
        stage_deps = graph.dependencies_of(settings, "stageName", REST_STAGE)
        same = _all(
            _is_stage_api(graph, stage, get(props, "restApi"), api_deps, deps_first=True),
            _is_stage_name(graph, stage, get(props, "stageName"), stage_deps),
        )
        if same is False:
            continue
        path = get(props, "methodPath")
        every = None if path is UNKNOWN else path == "*/*"
        limited, problems = _limits(get(props, "settings"), "throttlingBurstLimit", "throttlingRateLimit")
        answers.append(_all(same, every, limited))
        if same and every is False:
            notes.append(f"MethodSettings {settings.name!r} applies to {path!r} only, not to every method ('*/*').")
        elif same and every and problems:
            notes.append(f"MethodSettings {settings.name!r} for '*/*' has {', '.join(problems)}.")
    return _any(answers)


def _usage_plan_throttle(graph: Graph, stage: PolicyResource, notes: list[str]) -> Maybe:
    """Whether a usage plan that lists ``stage`` in apiStages sets throttleSettings limits."""
    answers: list[Maybe] = []
    for plan in graph.of_type(USAGE_PLAN):
        props = graph.props(plan)
        # Dependencies belong to the whole apiStages list, not to one entry: ids and names decide first.
        api_deps = graph.dependencies_of(plan, "apiStages", REST_API)
        stage_deps = graph.dependencies_of(plan, "apiStages", REST_STAGE)
        entries = get(props, "apiStages")
        same = _any(
            [
                _all(
                    _is_stage_api(graph, stage, get(entry, "apiId"), api_deps, deps_first=False),
                    _is_stage_name(graph, stage, get(entry, "stage"), stage_deps),
                )
                for entry in strings(entries)
            ]
        )
        if same is False:
            continue
        limited, problems = _limits(get(props, "throttleSettings"), "burstLimit", "rateLimit")
        answers.append(_all(same, limited))
        if same and problems:
            notes.append(f"Usage plan {plan.name!r} has {', '.join(problems)} in throttleSettings.")
    return _any(answers)


def _http_stage_problem(graph: Graph, stage: PolicyResource) -> str | None:
    settings = get(graph.props(stage), "defaultRouteSettings")
    if settings is UNKNOWN:
        return None
    missing = [k for k in ("throttlingBurstLimit", "throttlingRateLimit") if get(settings, k) is None]
    if not missing:
        return None
    return (
        f"Stage {stage.name!r} has no {' / '.join(missing)} in defaultRouteSettings, so the account "
        "limits are the only protection against floods. Fix: set defaultRouteSettings "
        "{throttlingBurstLimit, throttlingRateLimit}."
    )


def _rest_stage_problem(graph: Graph, stage: PolicyResource) -> str | None:
    notes: list[str] = []
    if _any([_method_settings_throttle(graph, stage, notes), _usage_plan_throttle(graph, stage, notes)]) is not False:
        return None  # throttled, or unknown during preview
    props = graph.props(stage)
    api = graph.linked(stage, "restApi", REST_API)
    api_name = api.name if api is not None else get(props, "restApi")
    name = get(props, "stageName")
    detail = "".join(f" {note}" for note in notes)
    return (
        f"REST API stage {name!r} ({describe(stage.resource_type, stage.name)}) of API {api_name!r} is not "
        "throttled: no MethodSettings for all methods ('*/*') with throttling limits and no usage plan with "
        f"throttleSettings covers it, so the account limits are the only protection against floods.{detail} "
        "Fix: add aws.apigateway.MethodSettings(rest_api=<api>.id, stage_name=<stage>.stage_name, "
        "method_path='*/*', settings={'throttling_burst_limit': <n>, 'throttling_rate_limit': <n>}) "
        "(-1 means no limit)."
    )


def _stage_throttling(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = Graph(args.resources)
    for stage in graph.of_type(HTTP_STAGE):
        problem = _http_stage_problem(graph, stage)
        if problem:
            report_violation(problem, stage.urn)
    for stage in graph.of_type(REST_STAGE):
        problem = _rest_stage_problem(graph, stage)
        if problem:
            report_violation(problem, stage.urn)


stage_throttling = StackValidationPolicy(
    name="apigw-stage-throttling",
    description="API Gateway stages should be throttled: HTTP API stages by defaultRouteSettings, REST API stages "
    "by MethodSettings for '*/*' or a usage plan with throttle settings.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_stage_throttling,
    remediation_steps="HTTP API: set the stage's defaultRouteSettings throttlingBurstLimit and throttlingRateLimit. "
    "REST API: add MethodSettings with methodPath '*/*' and settings throttlingBurstLimit/throttlingRateLimit "
    "(not -1), or a usage plan with throttleSettings for the stage.",
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
