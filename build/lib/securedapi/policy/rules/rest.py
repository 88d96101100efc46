"""REST API methods: authorization NONE is an open method (API keys are not authentication)."""

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from securedapi.policy.exemptions import PUBLIC_ROUTES, PUBLIC_ROUTES_SCHEMA, expired_note, find, from_config
from securedapi.policy.rules.routes import REST_METHOD_AUTH, component_reason, how_to_fix, is_catch_all, resource_names
from securedapi.policy.values import (
    REST_API,
    REST_INTEGRATION,
    REST_METHOD,
    REST_RESOURCE,
    UNKNOWN,
    Graph,
    describe,
    get,
    truthy,
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
        if is_catch_all(key):
            report_violation(
                f"{where} has authorization NONE and answers every request: it can never be public."
                f"{keys} Fix: set authorization to COGNITO_USER_POOLS, CUSTOM or AWS_IAM.",
                method.urn,
            )
            continue
        if http.upper() == "OPTIONS" and _is_preflight_method(graph, method):
            continue
        if component_reason(graph, method, key):
            continue
        exemption = find(exemptions, resource_names(graph, api, method), key)
        if exemption is not None and not exemption.expired():
            continue
        preflight = (
            " An OPTIONS method is a CORS preflight only with a MOCK integration." if http.upper() == "OPTIONS" else ""
        )
        report_violation(
            f"{where} has authorization NONE.{keys}{preflight}{expired_note(exemption)} "
            + how_to_fix(
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
