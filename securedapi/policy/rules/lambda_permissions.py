"""Lambda invoke permissions: who may invoke the function, and from which API route."""

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from securedapi.policy.values import LAMBDA_PERMISSION, get, truthy, view

APIGATEWAY = "apigateway.amazonaws.com"


def is_function_url_grant(props: dict[str, Any]) -> bool:
    """A permission for a function URL (``functionUrlAuthType``, or ``invokedViaFunctionUrl``): the function-URL
    rule judges those."""
    return get(props, "functionUrlAuthType") is not None or truthy(get(props, "invokedViaFunctionUrl"))


def wildcard_api_id(source_arn: str) -> bool:
    """True if an execute-api ARN's API id is a wildcard: ``arn:aws:execute-api:<region>:<account>:*/*/*/*``
    lets every API of the account (or of any account, with ``*`` there too) invoke the function."""
    if source_arn.strip() == "*":
        return True
    parts = source_arn.split(":", 5)
    if len(parts) < 6 or parts[2] != "execute-api":
        return False
    api_id = parts[5].split("/", 1)[0]
    return api_id == "" or "*" in api_id or "?" in api_id


def _permission_requires_source(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind != LAMBDA_PERMISSION or is_function_url_grant(props):
        return
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
    elif principal == APIGATEWAY and isinstance(source, str) and wildcard_api_id(source):
        report_violation(
            f"Lambda permission {args.name!r} has sourceArn {source!r}, whose API id is a wildcard: every API "
            "Gateway API it matches can invoke the function, which is as open as no sourceArn. Fix: sourceArn = "
            "'<api executionArn>/*/<METHOD><path>' (the API's own id).",
            None,
        )


permission_requires_source = ResourceValidationPolicy(
    name="lambda-permission-requires-source",
    description="Lambda permissions must not use principal '*', and API Gateway permissions need a sourceArn naming "
    "one API (no wildcard API id).",
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
    kind, props = view(args.resource_type, args.props)
    if kind != LAMBDA_PERMISSION:
        return
    source = get(props, "sourceArn")
    if (
        get(props, "principal") == APIGATEWAY
        and isinstance(source, str)
        and whole_api_scope(source)
        and not wildcard_api_id(source)  # that one is mandatory (lambda-permission-requires-source)
    ):
        report_violation(
            f"Lambda permission {args.name!r} is scoped to the whole API ({source!r}): any route of the "
            "API, including ones added later, can invoke the function. Fix: scope it to the method and "
            "route: '<executionArn>/*/GET/items/{id}'. When the function serves more routes than its 20 KB "
            "resource-based policy can hold one statement each for (SecuredHttpApi then grants the whole API "
            "and warns), split those routes over several handlers (functions).",
            None,
        )


permission_route_scoped = ResourceValidationPolicy(
    name="lambda-permission-route-scoped",
    description="API Gateway invoke permissions should be scoped to a method and route, not the whole API.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    validate=_permission_route_scoped,
    remediation_steps="Set sourceArn to '<executionArn>/*/<METHOD><path>', one permission per route. When a "
    "function serves more routes than its 20 KB resource-based policy can hold "
    "(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), split the routes over several "
    "handlers (functions) so that each function's per-route permissions fit.",
    tags=["lambda", "apigateway"],
)
