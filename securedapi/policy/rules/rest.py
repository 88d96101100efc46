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

from securedapi.policy.exemptions import PUBLIC_ROUTES, PUBLIC_ROUTES_SCHEMA, Exemption, exempted, from_config
from securedapi.policy.rules.common import REST_METHOD_AUTH, component_reason, how_to_fix, resource_names
from securedapi.policy.rules.openapi import open_operations
from securedapi.policy.values import (
    REST_API,
    REST_API_PUT,
    REST_INTEGRATION,
    REST_METHOD,
    REST_RESOURCE,
    UNKNOWN,
    Graph,
    describe,
    get,
    truthy,
)
from securedapi.routes import is_catch_all_key

MethodPath = tuple[str, str | None]
"""A method's resource path and, when the path starts below a resource that is not in the stack, that resource's id."""


def _rest_path(graph: Graph, method: PolicyResource, api: PolicyResource | None) -> MethodPath | None:
    """The resource path of a REST method ("/items/{id}"), None if unknown (preview)."""
    owner: PolicyResource = method
    prop = "resourceId"
    segments: list[str] = []
    for _ in range(64):
        resource = graph.linked(owner, prop, REST_RESOURCE)
        if resource is None:
            value = get(graph.props(owner), prop)
            suffix = "/" + "/".join(reversed(segments))
            root = get(graph.props(api), "rootResourceId") if api else None
            if graph.dependencies_of(owner, prop, REST_API) or (isinstance(value, str) and value == root):
                return suffix, None
            if isinstance(value, str) and value:
                return suffix, value  # below a resource of another stack (ids from config or a StackReference)
            return None
        rprops = graph.props(resource)
        path = get(rprops, "path")
        if isinstance(path, str) and path.startswith("/"):
            return path.rstrip("/") + ("/" + "/".join(reversed(segments)) if segments else "") or "/", None
        part = get(rprops, "pathPart")
        if not isinstance(part, str):
            return None
        segments.append(part)
        owner, prop = resource, "parentId"
    return None


def _resource_ref(graph: Graph, resource: PolicyResource) -> object:
    """Which REST resource a method or integration is on: a Resource of the stack, an id, an API's root, or UNKNOWN."""
    linked = graph.linked(resource, "resourceId", REST_RESOURCE)
    if linked is not None:
        return linked.urn
    value = get(graph.props(resource), "resourceId")
    if isinstance(value, str):
        return value
    roots = graph.dependencies_of(resource, "resourceId", REST_API)
    return ("root", roots[0].urn) if roots else UNKNOWN


def _is_preflight_method(graph: Graph, method: PolicyResource) -> bool:
    """An OPTIONS method whose integration is a MOCK (API Gateway's CORS preflight responder). Resource ids unknown
    during preview (the root resource's id) are not held against it."""
    if str(get(graph.props(method), "integration", "type")).upper() == "MOCK":
        return True  # aws-native Method: the integration is part of the method
    own = _resource_ref(graph, method)
    for integration in graph.of_type(REST_INTEGRATION):
        props = graph.props(integration)
        if get(props, "httpMethod") not in ("OPTIONS", UNKNOWN):
            continue
        other = _resource_ref(graph, integration)
        same = own is UNKNOWN or other is UNKNOWN or own == other
        if same and get(props, "type") in ("MOCK", UNKNOWN):
            return True
    return False


def _method_problem(graph: Graph, method: PolicyResource, exemptions: list[Exemption]) -> str | None:
    """Why a REST API method is unacceptably open, or None. Methods of APIs outside the stack are judged by
    themselves: authorization NONE on a non-preflight method is open, whatever the path."""
    props = graph.props(method)
    auth = get(props, "authorization")
    http = get(props, "httpMethod")
    if not isinstance(auth, str) or auth.upper() != "NONE" or not isinstance(http, str):
        return None
    api = graph.linked(method, "restApi", REST_API)
    api_id = get(props, "restApi")
    if api is None and not isinstance(api_id, str):
        return None  # unknown during preview
    found = _rest_path(graph, method, api)
    if found is None:
        return None  # unknown during preview
    path, base = found
    key = f"{http.upper()} {path}"
    api_name = api.name if api else str(api_id)
    outside = " (not in this stack)" if api is None else ""
    below = f"; the path is relative to resource {base!r}, which is not in this stack" if base else ""
    where = f"REST API method {key!r} ({describe(method.resource_type, method.name)}) on API {api_name!r}{outside}"
    keys = " API keys identify callers, they do not authenticate them." if truthy(get(props, "apiKeyRequired")) else ""
    if is_catch_all_key(key) and not base:
        return (
            f"{where} has authorization NONE and answers every request: it can never be public."
            f"{keys} Fix: set authorization to COGNITO_USER_POOLS, CUSTOM or AWS_IAM."
        )
    if http.upper() == "OPTIONS" and _is_preflight_method(graph, method):
        return None
    if component_reason(graph, method, key):
        return None
    names = resource_names(graph, api, method) + ([api_name] if api is None else [])
    applies, expired = exempted(exemptions, names, key)
    if applies:
        return None
    preflight = (
        " An OPTIONS method is a CORS preflight only with a MOCK integration." if http.upper() == "OPTIONS" else ""
    )
    return f"{where} has authorization NONE{below}.{keys}{preflight}{expired} " + how_to_fix(
        REST_METHOD_AUTH,
        api_name,
        key,
        "set authorization to COGNITO_USER_POOLS (with authorizerId), CUSTOM or AWS_IAM",
        component=False,
    )


def _rest_method_requires_auth(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = Graph(args.resources)
    exemptions = from_config(args.get_config(), PUBLIC_ROUTES, REST_METHOD_AUTH, report_violation)
    for method in graph.of_type(REST_METHOD):
        problem = _method_problem(graph, method, exemptions)
        if problem:
            report_violation(problem, method.urn)
    for resource in (*graph.of_type(REST_API), *graph.of_type(REST_API_PUT)):
        for message in open_operations(graph, resource, exemptions, REST_METHOD_AUTH, rest=True):
            report_violation(message, resource.urn)


rest_method_requires_auth = StackValidationPolicy(
    name=REST_METHOD_AUTH,
    description="Every REST API method must be authorized (API keys alone are not authentication) unless it is "
    "declared public with a reason, including the operations of OpenAPI bodies (RestApi.body, RestApiPut) and the "
    "methods added to REST APIs of other stacks.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    validate=_rest_method_requires_auth,
    config_schema=PolicyConfigSchema(properties={PUBLIC_ROUTES: PUBLIC_ROUTES_SCHEMA}),
    remediation_steps="Set authorization COGNITO_USER_POOLS/CUSTOM/AWS_IAM, or add a publicRoutes exemption.",
    tags=["apigateway", "authorization"],
)
