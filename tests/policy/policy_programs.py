"""Small Pulumi programs (callables for run_program) that violate or satisfy the pack's rules."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from securedapi.policy.engine import Report, Violation

CORS = {
    "allow_origins": ["https://app.example.com"],
    "allow_headers": ["authorization", "content-type"],
    "allow_methods": ["GET", "POST"],
}


def http_api(
    name: str = "api", cors: dict[str, Any] | None = None, parent: pulumi.Resource | None = None, **kwargs: Any
) -> aws.apigatewayv2.Api:
    return aws.apigatewayv2.Api(
        name, protocol_type="HTTP", cors_configuration=cors, opts=pulumi.ResourceOptions(parent=parent), **kwargs
    )


def identity(
    name: str = "pool",
    *,
    scopes: tuple[str, ...] = ("read",),
    granted: tuple[str, ...] = ("api/read",),
    parent: pulumi.Resource | None = None,
    **client_args: Any,
) -> tuple[aws.cognito.UserPool, aws.cognito.UserPoolClient]:
    """A hardened user pool, a resource server 'api' with ``scopes`` and a public client granted ``granted``."""
    opts = pulumi.ResourceOptions(parent=parent)
    pool = aws.cognito.UserPool(
        name,
        mfa_configuration="OPTIONAL",
        software_token_mfa_configuration={"enabled": True},
        user_pool_tier="PLUS",
        user_pool_add_ons={"advanced_security_mode": "ENFORCED"},
        password_policy={
            "minimum_length": 12,
            "require_lowercase": True,
            "require_uppercase": True,
            "require_numbers": True,
            "require_symbols": True,
        },
        opts=opts,
    )
    server = aws.cognito.ResourceServer(
        f"{name}-rs",
        user_pool_id=pool.id,
        identifier="api",
        name="api",
        scopes=[{"scope_name": s, "scope_description": s} for s in scopes],
        opts=opts,
    )
    args: dict[str, Any] = {
        "user_pool_id": pool.id,
        "generate_secret": False,
        "allowed_oauth_flows": ["code"],
        "allowed_oauth_flows_user_pool_client": True,
        "allowed_oauth_scopes": ["openid", *granted],
        "callback_urls": ["https://app.example.com/callback"],
        "supported_identity_providers": ["COGNITO"],
        "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "prevent_user_existence_errors": "ENABLED",
        "enable_token_revocation": True,
    }
    args.update(client_args)
    client = aws.cognito.UserPoolClient(
        f"{name}-client", **args, opts=pulumi.ResourceOptions(parent=parent, depends_on=[server])
    )
    return pool, client


def authorizer(
    api: aws.apigatewayv2.Api,
    pool: aws.cognito.UserPool,
    client: aws.cognito.UserPoolClient,
    name: str = "jwt",
    parent: pulumi.Resource | None = None,
    **jwt: Any,
) -> aws.apigatewayv2.Authorizer:
    config = {"issuer": pool.endpoint.apply(lambda e: f"https://{e}"), "audiences": [client.id], **jwt}
    return aws.apigatewayv2.Authorizer(
        name,
        api_id=api.id,
        authorizer_type="JWT",
        identity_sources=["$request.header.Authorization"],
        jwt_configuration=config,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def route(
    name: str, api: aws.apigatewayv2.Api, key: str, parent: pulumi.Resource | None = None, **kwargs: Any
) -> aws.apigatewayv2.Route:
    return aws.apigatewayv2.Route(
        name, api_id=api.id, route_key=key, opts=pulumi.ResourceOptions(parent=parent), **kwargs
    )


def secure_stack() -> None:
    """Satisfies every rule: the baseline the other programs break one thing of."""
    api = http_api(cors=CORS)
    pool, client = identity()
    jwt = authorizer(api, pool, client)
    route("items", api, "GET /items", authorization_type="JWT", authorizer_id=jwt.id, authorization_scopes=["api/read"])
    route("preflight", api, "OPTIONS /{proxy+}", authorization_type="NONE")
    logs = aws.cloudwatch.LogGroup("logs")
    aws.apigatewayv2.Stage(
        "stage",
        api_id=api.id,
        name="$default",
        auto_deploy=True,
        access_log_settings={"destination_arn": logs.arn, "format": "$context.requestId"},
        default_route_settings={"throttling_burst_limit": 10, "throttling_rate_limit": 5},
    )
    fn = aws.lambda_.Function(
        "fn",
        role="arn:aws:iam::123456789012:role/fn",
        runtime="python3.12",
        handler="app.handler",
        code=pulumi.StringAsset("x"),
    )
    aws.lambda_.Permission(
        "invoke",
        action="lambda:InvokeFunction",
        function=fn.name,
        principal="apigateway.amazonaws.com",
        source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/GET/items"),
    )


def with_api(
    build: Callable[[aws.apigatewayv2.Api], Any], cors: dict[str, Any] | None = None, **api_args: Any
) -> Callable[[], None]:
    """A program with one HTTP API; ``build(api)`` adds the resources under test."""

    def program() -> None:
        build(http_api(cors=cors, **api_args))

    return program


class Platform(pulumi.ComponentResource):
    """A user's own component (not SecuredHttpApi): resources inside it count like any other."""

    def __init__(self, name: str, open_route: bool) -> None:
        super().__init__("acme:platform:Platform", name, None, None)
        api = http_api(f"{name}-api", parent=self)
        route(
            f"{name}-route", api, "GET /internal", parent=self, authorization_type="NONE" if open_route else "AWS_IAM"
        )
        self.register_outputs({})


class FakeSecuredHttpApi(pulumi.ComponentResource):
    """Registers like SecuredHttpApi (type token and publicRoutes output) without its validation."""

    def __init__(self, name: str, routes: dict[str, str | None], cors: bool = True) -> None:
        super().__init__("securedapi:index:SecuredHttpApi", name, None, None)
        api = http_api(f"{name}-api", cors=CORS if cors else None, parent=self)
        for i, key in enumerate(routes):
            route(f"{name}-route-{i}", api, key, parent=self, authorization_type="NONE")
        public = {k: r for k, r in routes.items() if r}
        self.register_outputs({"apiId": api.id, "publicRoutes": public, "routes": {k: "NONE" for k in routes}})


def secured_api(code: Path, routes: dict[str, dict[str, Any]], **args: Any) -> Callable[[], None]:
    """A program with a hardened identity and the real SecuredHttpApi "svc" (handlers ``app.handler`` in ``code``)."""
    (code / "app.py").write_text("def handler(event, context):\n    return {}\n")

    def program() -> None:
        from securedapi import SecuredHttpApi

        pool, client = identity()
        SecuredHttpApi(
            "svc",
            {
                "code_path": str(code),
                "issuer": pool.endpoint.apply(lambda e: f"https://{e}"),
                "audiences": [client.id],
                "default_scopes": ["api/read"],
                "routes": routes,
                **args,
            },
        )

    return program


def found(report: Report, policy: str) -> list[Violation]:
    """The violations of one policy."""
    return [v for v in report.violations if v.policy == policy]
