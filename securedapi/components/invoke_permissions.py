"""The Lambda invoke permissions of a SecuredHttpApi: one per route, or one per function past the policy quota."""

import pulumi
import pulumi_aws as aws

from securedapi.lambda_policy import (
    FUNCTION_RESOURCE_POLICY_QUOTA_BYTES,
    WHOLE_API_PERMISSION_PATH,
    handlers_needed,
    policy_bytes,
)
from securedapi.routes import Route


def source_arn(execution_arn: pulumi.Output[str], permission_path: str) -> pulumi.Output[str]:
    """``{executionArn}/*/{METHOD}{path}``: the invoke permission is scoped to one route of this API (any stage);
    ``{executionArn}/*/*`` with :data:`WHOLE_API_PERMISSION_PATH`."""
    return execution_arn.apply(lambda arn: f"{arn}/*/{permission_path}")


def invoke_permission(
    logical_name: str,
    function: aws.lambda_.Function,
    execution_arn: pulumi.Output[str],
    permission_path: str,
    parent: pulumi.Resource,
) -> aws.lambda_.Permission:
    """API Gateway may invoke ``function`` for the requests ``{executionArn}/*/{permission_path}`` matches."""
    return aws.lambda_.Permission(
        logical_name,
        action="lambda:InvokeFunction",
        function=function.name,
        principal="apigateway.amazonaws.com",
        source_arn=source_arn(execution_arn, permission_path),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def whole_api_permission(
    logical_name: str,
    component: str,
    handler: str,
    routes: list[Route],
    function: aws.lambda_.Function,
    execution_arn: pulumi.Output[str],
    parent: pulumi.Resource,
) -> aws.lambda_.Permission:
    """One permission for every route of the API, for a function whose per-route permissions would pass the
    quota on its resource-based policy; warns on ``parent`` with the fix."""
    pulumi.log.warn(quota_warning(component, handler, routes), resource=parent)
    return invoke_permission(logical_name, function, execution_arn, WHOLE_API_PERMISSION_PATH, parent)


def quota_warning(component: str, handler: str, routes: list[Route]) -> str:
    """Why ``handler``'s function gets one whole-API permission, and how to keep per-route scopes."""
    quota = FUNCTION_RESOURCE_POLICY_QUOTA_BYTES
    estimate = policy_bytes(r.permission_path for r in routes)
    return (
        f"SecuredHttpApi {component!r}: handler {handler!r} serves {len(routes)} routes. One invoke permission "
        f"per route (up to {estimate} bytes) would not fit Lambda's {quota // 1024} KB quota on the function's "
        f"resource-based policy ({quota} bytes; `pulumi up` would fail with PolicyLengthExceededException), so "
        "the function gets one permission for the whole API ('{executionArn}/*/*'). Fix: split these routes "
        f"across at least {handlers_needed(routes)} handlers to keep per-route scopes."
    )
