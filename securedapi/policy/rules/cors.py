"""CORS on HTTP APIs: no ``*`` origin, no ``*`` headers beside JWT routes."""

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from securedapi.policy.values import (
    HTTP_API,
    HTTP_ROUTE,
    Graph,
    get,
    strings,
    view,
)


def _cors_no_wildcard_origin(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind != HTTP_API:
        return
    origins = strings(get(props, "corsConfiguration", "allowOrigins"))
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
