"""Programs for the pack's v2 cases: OpenAPI bodies, shared APIs, WebSocket APIs, function URLs, aws-native.

The passing programs are written the way a careful team writes them (OpenAPI-first with JWT security on
every operation, authorized methods on a shared API, a Lambda authorizer on ``$connect``, IAM function
URLs behind CloudFront); each failing one differs from them in one mistake.
"""

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
from policy_programs import CORS, identity
from pulumi.runtime.mocks import MockResourceArgs

from securedapi.testing import AwsMocks, PreviewMocks

SHARED = {"restApiId": "sharedrest1", "rootResourceId": "sharedroot1", "ordersResourceId": "sharedres01"}
"""Outputs of the platform team's stack that owns the shared APIs."""
CLIENT_SECRET = "managed-client-secret-value"
ACCOUNT = "123456789012"


NATIVE_IDS = {
    "aws-native:apigatewayv2:Api": "apiId",
    "aws-native:apigatewayv2:Route": "routeId",
    "aws-native:apigatewayv2:Authorizer": "authorizerId",
    "aws-native:apigateway:RestApi": "restApiId",
    "aws-native:apigateway:Resource": "resourceId",
    "aws-native:cognito:UserPoolClient": "clientId",
}
"""The id output other aws-native resources refer to (the CloudFormation ``Ref``/``GetAtt`` of the type)."""


def shared_mocks(preview: bool) -> pulumi.runtime.Mocks:
    """The harness's mocks plus what the engine answers for a StackReference, the ids aws-native resources output,
    and a managed client's secret (service-chosen, so only in its state)."""
    base = PreviewMocks if preview else AwsMocks

    class Mocks(base):  # type: ignore[valid-type,misc]
        def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
            if args.typ == "pulumi:pulumi:StackReference":
                return args.name, {"name": args.name, "outputs": SHARED}
            return super().new_resource(args)

        def aws_outputs(
            self, typ: str, name: str, inputs: dict[str, Any], resource_id: str | None = None
        ) -> tuple[str, dict[str, Any]]:
            rid, outputs = super().aws_outputs(typ, name, inputs, resource_id)
            if typ in NATIVE_IDS:
                outputs[NATIVE_IDS[typ]] = rid
            if typ == "aws-native:apigateway:RestApi":
                outputs["rootResourceId"] = f"{rid}-root"
            if typ == "aws:cognito/managedUserPoolClient:ManagedUserPoolClient":
                outputs["clientSecret"] = CLIENT_SECRET
            return rid, outputs

    return Mocks()


# -- OpenAPI -----------------------------------------------------------------------------------------------------------


def lambda_integration(uri: str = "arn:aws:lambda:us-east-1:123456789012:function:orders") -> dict[str, Any]:
    return {"type": "aws_proxy", "httpMethod": "POST", "uri": uri, "payloadFormatVersion": "2.0"}


def jwt_scheme(issuer: str, audience: list[str] | None) -> dict[str, Any]:
    config: dict[str, Any] = {"issuer": issuer}
    if audience is not None:
        config["audience"] = audience
    return {
        "type": "oauth2",
        "flows": {},
        "x-amazon-apigateway-authorizer": {
            "type": "jwt",
            "jwtConfiguration": config,
            "identitySource": "$request.header.Authorization",
        },
    }


def http_document(
    issuer: str, audience: list[str] | None, paths: dict[str, Any] | None = None, *, cors: bool = True
) -> dict[str, Any]:
    """An OpenAPI-first HTTP API: JWT security for every operation (document level), CORS, a greedy preflight."""
    operation = {"x-amazon-apigateway-integration": lambda_integration()}
    document: dict[str, Any] = {
        "openapi": "3.0.1",
        "info": {"title": "orders", "version": "1.0"},
        "security": [{"cognito": ["api/read"]}],
        "components": {
            "securitySchemes": {
                "cognito": jwt_scheme(issuer, audience),
                "docs_only": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            }
        },
        "paths": paths
        or {
            "/orders": {"get": operation, "post": {**operation, "security": [{"cognito": ["api/write"]}]}},
            "/orders/{id}": {"x-amazon-apigateway-any-method": operation},
            "/{proxy+}": {"options": {**operation, "security": []}},
        },
    }
    if cors:
        document["x-amazon-apigateway-cors"] = {
            "allowOrigins": ["https://app.example.com"],
            "allowHeaders": ["authorization", "content-type"],
            "allowMethods": ["GET", "POST", "DELETE"],
        }
    return document


def openapi_http_api(
    name: str = "orders",
    *,
    paths: dict[str, Any] | None = None,
    audience: list[str] | None = None,
    issuer: str | None = None,
    cors: bool = True,
    yaml_text: bool = False,
    parent: pulumi.Resource | None = None,
) -> aws.apigatewayv2.Api:
    """An HTTP API created from its OpenAPI body, an Output resolved from the user pool and client."""
    pool, client = identity(f"{name}-pool", scopes=("read", "write"), granted=("api/read", "api/write"), parent=parent)

    def render(values: list[Any]) -> str:
        endpoint, client_id = values
        document = http_document(
            issuer or f"https://{endpoint}", [client_id] if audience is None else audience, paths, cors=cors
        )
        if yaml_text:
            import yaml

            return str(yaml.safe_dump(document))
        return json.dumps(document)

    body = pulumi.Output.all(pool.endpoint, client.id).apply(render)
    return aws.apigatewayv2.Api(name, protocol_type="HTTP", body=body, opts=pulumi.ResourceOptions(parent=parent))


class OrdersService(pulumi.ComponentResource):
    """A team's own component wrapping an OpenAPI-first HTTP API."""

    def __init__(self, name: str, paths: dict[str, Any] | None = None) -> None:
        super().__init__("acme:orders:Service", name, None, None)
        openapi_http_api(f"{name}-api", paths=paths, parent=self)
        self.register_outputs({})


def rest_document(paths: dict[str, Any], *, policy: Any = None) -> dict[str, Any]:
    """A Swagger 2 REST API document with a Cognito user pool authorizer, an IAM scheme and an API key scheme."""
    document: dict[str, Any] = {
        "swagger": "2.0",
        "info": {"title": "catalogue", "version": "1.0"},
        "securityDefinitions": {
            "cognito": {
                "type": "apiKey",
                "name": "Authorization",
                "in": "header",
                "x-amazon-apigateway-authtype": "cognito_user_pools",
                "x-amazon-apigateway-authorizer": {
                    "type": "cognito_user_pools",
                    "providerARNs": [f"arn:aws:cognito-idp:us-east-1:{ACCOUNT}:userpool/us-east-1_abc"],
                },
            },
            "sigv4": {
                "type": "apiKey",
                "name": "Authorization",
                "in": "header",
                "x-amazon-apigateway-authtype": "awsSigv4",
            },
            "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"},
        },
        "paths": paths,
    }
    if policy is not None:
        document["x-amazon-apigateway-policy"] = policy
    return document


def rest_operation(security: list[Any] | None, integration: str = "aws_proxy") -> dict[str, Any]:
    operation: dict[str, Any] = {"x-amazon-apigateway-integration": {"type": integration, "httpMethod": "POST"}}
    if security is not None:
        operation["security"] = security
    return operation


CATALOGUE = {
    "/items": {"get": rest_operation([{"cognito": []}]), "options": rest_operation(None, "mock")},
    "/items/{id}": {"put": rest_operation([{"sigv4": []}])},
}


# -- side doors around the gateway -------------------------------------------------------------------------------------


def function(name: str = "orders-fn", parent: pulumi.Resource | None = None) -> aws.lambda_.Function:
    return aws.lambda_.Function(
        name,
        role=f"arn:aws:iam::{ACCOUNT}:role/{name}",
        runtime="python3.12",
        handler="app.handler",
        code=pulumi.StringAsset("x"),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def api_backed_function(api: aws.apigatewayv2.Api) -> aws.lambda_.Function:
    """The function behind an API route, with the invoke permission scoped to that route."""
    fn = function()
    aws.lambda_.Permission(
        "orders-invoke",
        action="lambda:InvokeFunction",
        function=fn.name,
        principal="apigateway.amazonaws.com",
        source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/GET/orders"),
    )
    return fn


def iam_url_behind_cloudfront(fn: aws.lambda_.Function) -> None:
    """An IAM function URL that only CloudFront (with a lambda origin access control) may invoke."""
    url = aws.lambda_.FunctionUrl("orders-url", function_name=fn.name, authorization_type="AWS_IAM")
    oac = aws.cloudfront.OriginAccessControl(
        "orders-oac",
        origin_access_control_origin_type="lambda",
        signing_behavior="always",
        signing_protocol="sigv4",
    )
    distribution = aws.cloudfront.Distribution(
        "orders-cdn",
        enabled=True,
        origins=[
            {
                "origin_id": "lambda",
                "domain_name": url.function_url.apply(lambda u: (u or "https://x.lambda-url.on.aws/").split("/")[2]),
                "origin_access_control_id": oac.id,
                "custom_origin_config": {
                    "http_port": 80,
                    "https_port": 443,
                    "origin_protocol_policy": "https-only",
                    "origin_ssl_protocols": ["TLSv1.2"],
                },
            }
        ],
        default_cache_behavior={
            "target_origin_id": "lambda",
            "viewer_protocol_policy": "redirect-to-https",
            "allowed_methods": ["GET", "HEAD"],
            "cached_methods": ["GET", "HEAD"],
            "cache_policy_id": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        },
        restrictions={"geo_restriction": {"restriction_type": "none"}},
        viewer_certificate={"cloudfront_default_certificate": True},
    )
    for action in ("lambda:InvokeFunctionUrl", "lambda:InvokeFunction"):
        aws.lambda_.Permission(
            f"cdn-{action.split(':')[1].lower()}",
            action=action,
            function=fn.name,
            principal="cloudfront.amazonaws.com",
            source_arn=distribution.arn,
            function_url_auth_type="AWS_IAM" if action.endswith("Url") else None,
            invoked_via_function_url=None if action.endswith("Url") else True,
        )


def native(type_token: str, name: str, props: dict[str, Any], parent: pulumi.Resource | None = None) -> Any:
    """An aws-native resource as the aws-native SDK registers it (wire names), without the package."""
    return pulumi.CustomResource(type_token, name, props, opts=pulumi.ResourceOptions(parent=parent))


def program(*steps: Callable[[], Any]) -> Callable[[], None]:
    def run() -> None:
        for step in steps:
            step()

    return run


__all__ = ["CORS"]
