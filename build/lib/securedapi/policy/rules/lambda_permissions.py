"""Lambda invoke permissions: who may invoke the function, and from which API route."""

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from securedapi.policy.values import LAMBDA_PERMISSION, get, plain

APIGATEWAY = "apigateway.amazonaws.com"


def _permission_requires_source(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != LAMBDA_PERMISSION:
        return
    props = plain(args.props)
    principal = get(props, "principal")
    source = get(props, "sourceArn")
    if principal == "*":
        report_violation(
            f"Lambda permission {args.name!r} lets any principal ('*') invoke the function. Fix: set "
            f"principal to the calling service (e.g. '{APIGATEWAY}') and sourceArn to the caller.",
            None,
        )
    elif principal == APIGATEWAY and (source is None or source == ""):
        report_violation(
            f"Lambda permission {args.name!r} lets every API Gateway API, in any account, invoke the "
            "function (no sourceArn). Fix: sourceArn = '<api executionArn>/*/<METHOD><path>'.",
            None,
        )


permission_requires_source = ResourceValidationPolicy(
    name="lambda-permission-requires-source",
    description="Lambda permissions must not use principal '*', and API Gateway permissions need a sourceArn.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    validate=_permission_requires_source,
    tags=["lambda", "apigateway"],
)


def whole_api_scope(source_arn: str) -> bool:
    """True if an execute-api ARN covers the whole API rather than one method and route.

    ``arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>``: ``<apiId>/*``,
    ``<apiId>/*/*`` and ``<apiId>/*/*/*`` (any method, any path) are whole-API scopes. The ``$default``
    route is invoked as ``<apiId>/<stage>/$default`` (no method part): that is one route.
    """
    parts = source_arn.split(":", 5)
    if len(parts) < 6 or parts[2] != "execute-api":
        return False
    segments = parts[5].split("/")
    if len(segments) == 3 and segments[2] == "$default":
        return False
    if len(segments) < 4:
        return True  # apiId, apiId/stage, apiId/stage/method: no route
    method, path = segments[2], "/".join(segments[3:])
    return path in ("*", "") or (method == "*" and path.strip("*/") == "")


def _permission_route_scoped(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != LAMBDA_PERMISSION:
        return
    props = plain(args.props)
    source = get(props, "sourceArn")
    if get(props, "principal") == APIGATEWAY and isinstance(source, str) and whole_api_scope(source):
        report_violation(
            f"Lambda permission {args.name!r} is scoped to the whole API ({source!r}): any route of the "
            "API, including ones added later, can invoke the function. Fix: scope it to the method and "
            "route: '<executionArn>/*/GET/items/{id}'.",
            None,
        )


permission_route_scoped = ResourceValidationPolicy(
    name="lambda-permission-route-scoped",
    description="API Gateway invoke permissions should be scoped to a method and route, not the whole API.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    validate=_permission_route_scoped,
    tags=["lambda", "apigateway"],
)
