"""HTTP APIs: no quick create (a ``target`` makes an open ``$default`` route)."""

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from securedapi.policy.values import HTTP_API, get, view


def _no_quick_create(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind != HTTP_API:
        return
    target = get(props, "target")
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
