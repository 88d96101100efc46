"""Every app client type, and the rules on aws-native resources (registered by type token, as its SDK does)."""

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from policy_programs import found, identity
from side_door_programs import ACCOUNT, CLIENT_SECRET, native, shared_mocks

from securedapi.policy.engine import Report

ROUTE = "apigw-route-requires-auth"
REST = "apigw-rest-method-requires-auth"
SECRET = "cognito-client-secret-requires-confidential"
IMPLICIT = "cognito-client-no-implicit-grant"
Evaluate = Callable[..., Report]


def mandatory(report: Report) -> list[str]:
    return [f"{v.policy}: {v.name}" for v in report.mandatory]


# -- 4. every client type ----------------------------------------------------------------------------------------------


def managed_client(**args: Any) -> Callable[[], None]:
    """A client another AWS service created (e.g. OpenSearch Dashboards), adopted by name pattern."""

    def program() -> None:
        pool, _client = identity()
        aws.cognito.ManagedUserPoolClient(
            "dashboards", user_pool_id=pool.id, name_pattern="^AmazonOpenSearchService-", **args
        )

    return program


def test_managed_client_allowing_the_implicit_grant_fails(evaluate: Evaluate) -> None:
    report = evaluate(managed_client(allowed_oauth_flows=["implicit"]), mocks=shared_mocks)
    [violation] = found(report, IMPLICIT)
    assert violation.name == "dashboards" and violation.enforcement == "mandatory"
    report = evaluate(managed_client(explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"]), mocks=shared_mocks)
    assert [v.name for v in found(report, "cognito-client-no-user-password-auth")] == ["dashboards"]


def test_managed_client_secret_must_be_declared_confidential(evaluate: Evaluate) -> None:
    program = managed_client(allowed_oauth_flows=["code"])
    [violation] = found(evaluate(program, mocks=shared_mocks), SECRET)
    assert violation.name == "dashboards" and "clientSecret is set" in violation.message
    assert CLIENT_SECRET not in violation.message  # never echo a secret
    config = {SECRET: {"confidentialClients": [{"client": "dashboards", "reason": "OpenSearch server-side login"}]}}
    assert found(evaluate(program, mocks=shared_mocks, config=config), SECRET) == []
    report = evaluate(program, mocks=shared_mocks, preview=True)  # the secret is unknown until it exists
    assert found(report, SECRET) == [] and report.notes == []


# -- 6. aws-native -----------------------------------------------------------------------------------------------------


def native_http_api(*, route_auth: str = "JWT", audience: Any = None, implicit: bool = False) -> Callable[[], None]:
    """An HTTP API written with aws-native: API, JWT authorizer, route, client, permission."""

    def program() -> None:
        pool = aws.cognito.UserPool("pool", mfa_configuration="OPTIONAL")
        client = native(
            "aws-native:cognito:UserPoolClient",
            "web",
            {
                "userPoolId": pool.id,
                "generateSecret": False,
                "allowedOAuthFlows": ["code", "implicit"] if implicit else ["code"],
                "allowedOAuthFlowsUserPoolClient": True,
                "allowedOAuthScopes": ["openid"],
                "callbackUrls": ["https://app.example.com/callback"],
                "clientId": None,
            },
        )
        api = native(
            "aws-native:apigatewayv2:Api",
            "orders",
            {"name": "orders", "protocolType": "HTTP", "apiId": None, "apiEndpoint": None},
        )
        authorizer = native(
            "aws-native:apigatewayv2:Authorizer",
            "jwt",
            {
                "apiId": api.apiId,
                "authorizerType": "JWT",
                "identitySource": ["$request.header.Authorization"],
                "jwtConfiguration": {
                    "issuer": pool.endpoint.apply(lambda e: f"https://{e}"),
                    "audience": [client.clientId] if audience is None else audience,
                },
                "authorizerId": None,
            },
        )
        native(
            "aws-native:apigatewayv2:Route",
            "orders-get",
            {
                "apiId": api.apiId,
                "routeKey": "GET /orders",
                "authorizationType": route_auth,
                "authorizerId": authorizer.authorizerId if route_auth == "JWT" else None,
                "authorizationScopes": ["openid"],
            },
        )
        native(
            "aws-native:lambda:Permission",
            "orders-invoke",
            {
                "action": "lambda:InvokeFunction",
                "functionName": "orders-fn",
                "principal": "apigateway.amazonaws.com",
                "sourceArn": api.apiId.apply(lambda i: f"arn:aws:execute-api:us-east-1:{ACCOUNT}:{i}/*/GET/orders"),
            },
        )

    return program


def test_native_http_api_written_carefully_passes(evaluate: Evaluate) -> None:
    for preview in (False, True):
        report = evaluate(native_http_api(), mocks=shared_mocks, preview=preview)
        assert mandatory(report) == [] and report.notes == []


def test_native_route_authorizer_and_client_mistakes(evaluate: Evaluate) -> None:
    report = evaluate(native_http_api(route_auth="NONE", audience=["*"], implicit=True), mocks=shared_mocks)
    assert sorted(mandatory(report)) == [
        "apigw-jwt-authorizer-valid: jwt",
        "apigw-route-requires-auth: orders-get",
        "cognito-client-no-implicit-grant: web",
    ]
    [route] = found(report, ROUTE)
    assert route.resource_type == "aws-native:apigatewayv2:Route" and "on API 'orders'" in route.message


def test_native_resources_each_kind(evaluate: Evaluate) -> None:
    def program() -> None:
        native(
            "aws-native:apigatewayv2:Api", "quick", {"protocolType": "HTTP", "target": "arn:aws:lambda:::function:f"}
        )
        native(
            "aws-native:cognito:UserPoolClient",
            "bff",
            {"userPoolId": "pool", "generateSecret": True, "callbackUrls": ["http://app.example.com/cb"]},
        )
        native(
            "aws-native:lambda:Permission",
            "anyone",
            {"action": "lambda:InvokeFunction", "functionName": "f", "principal": "*"},
        )
        native(
            "aws-native:lambda:Permission",
            "any-api",
            {"action": "lambda:InvokeFunction", "functionName": "f", "principal": "apigateway.amazonaws.com"},
        )
        native(
            "aws-native:lambda:Url",
            "open-url",
            {"authType": "NONE", "targetFunctionArn": "arn:aws:lambda:us-east-1:1:function:f"},
        )
        native(
            "aws-native:lambda:Url",
            "iam-url",
            {"authType": "AWS_IAM", "targetFunctionArn": "arn:aws:lambda:us-east-1:1:function:f"},
        )

    report = evaluate(program, mocks=shared_mocks)
    assert sorted(mandatory(report)) == [
        "apigw-no-quick-create: quick",
        "cognito-client-secret-requires-confidential: bff",
        "lambda-function-url-requires-auth: open-url",
        "lambda-permission-requires-source: any-api",
        "lambda-permission-requires-source: anyone",
    ]
    [redirect] = found(report, "cognito-client-redirect-urls")  # the advisory client rules read it too
    assert redirect.name == "bff" and "callbackUrls 'http://app.example.com/cb'" in redirect.message


def native_rest_api(authorization: str, *, body: dict[str, Any] | None = None) -> Callable[[], None]:
    def program() -> None:
        props: dict[str, Any] = {"name": "catalogue", "restApiId": None, "rootResourceId": None}
        if body is not None:
            props["body"] = body
        api = native("aws-native:apigateway:RestApi", "catalogue", props)
        items = native(
            "aws-native:apigateway:Resource",
            "items",
            {"restApiId": api.restApiId, "parentId": api.rootResourceId, "pathPart": "items", "resourceId": None},
        )
        native(
            "aws-native:apigateway:Method",
            "items-get",
            {
                "restApiId": api.restApiId,
                "resourceId": items.resourceId,
                "httpMethod": "GET",
                "authorizationType": authorization,
            },
        )
        native(
            "aws-native:apigateway:Method",
            "items-options",
            {
                "restApiId": api.restApiId,
                "resourceId": items.resourceId,
                "httpMethod": "OPTIONS",
                "authorizationType": "NONE",
                "integration": {"type": "MOCK", "requestTemplates": {"application/json": '{"statusCode": 200}'}},
            },
        )

    return program


def test_native_rest_methods(evaluate: Evaluate) -> None:
    for preview in (False, True):
        assert found(evaluate(native_rest_api("COGNITO_USER_POOLS"), mocks=shared_mocks, preview=preview), REST) == []
        [violation] = found(evaluate(native_rest_api("NONE"), mocks=shared_mocks, preview=preview), REST)
        assert (
            violation.name == "items-get"
            and "'GET /items'" in violation.message
            and "on API 'catalogue'" in violation.message
        )


def test_native_bodies_are_objects_and_may_hold_outputs(evaluate: Evaluate) -> None:
    def program() -> None:
        pool = aws.cognito.UserPool("pool")
        body = {
            "openapi": "3.0.1",
            "info": {"title": "orders", "version": "1"},
            "components": {
                "securitySchemes": {
                    "jwt": {
                        "type": "oauth2",
                        "x-amazon-apigateway-authorizer": {
                            "type": "jwt",
                            "jwtConfiguration": {
                                "issuer": pool.endpoint.apply(lambda e: f"https://{e}"),
                                "audience": [],
                            },
                        },
                    }
                }
            },
            "paths": {"/orders": {"get": {"security": [{"jwt": []}]}, "/open": {"get": {}}}},
        }
        body["paths"]["/open"] = {"get": {}}
        native("aws-native:apigatewayv2:Api", "orders", {"protocolType": "HTTP", "body": body})
        native("aws-native:apigateway:RestApi", "catalogue", {"body": {"swagger": "2.0", "paths": {"/x": {"get": {}}}}})

    report = evaluate(program, mocks=shared_mocks)
    assert sorted(mandatory(report)) == [
        "apigw-jwt-authorizer-valid: orders",
        "apigw-rest-method-requires-auth: catalogue",
        "apigw-route-requires-auth: orders",
    ]
    preview = evaluate(program, mocks=shared_mocks, preview=True)  # the HTTP body holds an unknown issuer
    assert mandatory(preview) == ["apigw-rest-method-requires-auth: catalogue"] and preview.notes == []


def test_native_websocket_api_without_connect(evaluate: Evaluate) -> None:
    def program() -> None:
        api = native("aws-native:apigatewayv2:Api", "chat", {"protocolType": "WEBSOCKET", "apiId": None})
        native("aws-native:apigatewayv2:Route", "chat-message", {"apiId": api.apiId, "routeKey": "sendMessage"})

    assert mandatory(evaluate(program, mocks=shared_mocks)) == [f"{ROUTE}: chat"]


def test_unfamiliar_types_and_odd_shapes_never_crash_the_pack(evaluate: Evaluate) -> None:
    def program() -> None:
        pulumi.CustomResource("acme:widgets:Gizmo", "gizmo", {"routeKey": 3, "body": {"paths": 5}, "policy": [1]})
        native("aws-native:apigatewayv2:Api", "odd-api", {"protocolType": ["HTTP"], "body": ["not", "a", "document"]})
        native("aws-native:apigatewayv2:Route", "odd-route", {"apiId": 7, "routeKey": 42, "authorizationType": None})
        native("aws-native:apigateway:Method", "odd-method", {"restApiId": "x", "httpMethod": 5, "integration": "MOCK"})
        native("aws-native:apigatewayv2:Authorizer", "odd-auth", {"authorizerType": "JWT", "jwtConfiguration": "x"})
        native("aws-native:apigateway:RestApi", "odd-rest", {"policy": "{not json", "body": "paths: 3"})
        native("aws-native:lambda:Url", "odd-url", {"authType": {"nested": True}})

    for preview in (False, True):
        report = evaluate(program, mocks=shared_mocks, preview=preview)
        assert report.notes == []
        assert all(v.policy for v in report.violations)  # reported, named rules; nothing crashed
    assert "not an OpenAPI document" in found(evaluate(program, mocks=shared_mocks), ROUTE)[0].message


@pytest.mark.parametrize("preview", [False, True])
def test_native_function_url_behind_the_api(evaluate: Evaluate, preview: bool) -> None:
    def program() -> None:
        fn = native("aws-native:lambda:Function", "orders-fn", {"functionName": "orders-fn", "arn": None})
        native(
            "aws-native:lambda:Permission",
            "orders-invoke",
            {
                "action": "lambda:InvokeFunction",
                "functionName": fn.arn,
                "principal": "apigateway.amazonaws.com",
                "sourceArn": f"arn:aws:execute-api:us-east-1:{ACCOUNT}:abc/*/GET/orders",
            },
        )
        native("aws-native:lambda:Url", "orders-url", {"authType": "NONE", "targetFunctionArn": fn.arn})

    [violation] = found(evaluate(program, mocks=shared_mocks, preview=preview), "lambda-function-url-requires-auth")
    assert "function 'orders-fn'" in violation.message and "Permission 'orders-invoke'" in violation.message


def test_advisory_rules_on_native_pools_stages_and_apis(evaluate: Evaluate) -> None:
    def program(hardened: bool) -> Callable[[], None]:
        def run() -> None:
            native(
                "aws-native:cognito:UserPool",
                "pool",
                {
                    "mfaConfiguration": "OPTIONAL" if hardened else "OFF",
                    "userPoolTier": "PLUS",
                    "userPoolAddOns": {"advancedSecurityMode": "ENFORCED"},
                    "policies": {
                        "passwordPolicy": {
                            "minimumLength": 12 if hardened else 8,
                            "requireLowercase": True,
                            "requireUppercase": True,
                            "requireNumbers": True,
                            "requireSymbols": True,
                        }
                    },
                },
            )
            api = native(
                "aws-native:apigatewayv2:Api",
                "orders",
                {
                    "protocolType": "HTTP",
                    "corsConfiguration": {"allowOrigins": ["https://app.example.com" if hardened else "*"]},
                    "apiId": None,
                },
            )
            logs = {"destinationArn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:api", "format": "$context.requestId"}
            native(
                "aws-native:apigatewayv2:Stage",
                "stage",
                {
                    "apiId": api.apiId,
                    "stageName": "$default",
                    "defaultRouteSettings": {"throttlingBurstLimit": 10, "throttlingRateLimit": 5},
                    **({"accessLogSettings": logs} if hardened else {}),
                },
            )
            native("aws-native:cognito:IdentityPool", "ids", {"allowUnauthenticatedIdentities": not hardened})

        return run

    weak = sorted(f"{v.policy}: {v.name}" for v in evaluate(program(False), mocks=shared_mocks).violations)
    assert weak == [
        "apigw-cors-no-wildcard-origin: orders",
        "apigw-stage-access-logs: stage",
        "cognito-identity-pool-no-unauthenticated: ids",
        "cognito-mfa-enabled: pool",
        "cognito-password-policy: pool",
    ]
    assert evaluate(program(True), mocks=shared_mocks).violations == []
