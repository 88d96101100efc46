"""Service clients: CognitoIdentity declares them confidential (no pack config), the pool's M2M client count,
and routes whose scopes a service client's tokens carry that also require groups. Violating and passing
programs each."""

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from policy_programs import authorizer, found, http_api, identity, route

from securedapi import CognitoIdentity
from securedapi.policy.engine import Report

Evaluate = Callable[..., Report]
SECRET = "cognito-client-secret-requires-confidential"
COUNT = "cognito-m2m-client-count"
GROUPS = "apigw-service-client-route-groups"


def cognito_identity(**extra: Any) -> CognitoIdentity:
    return CognitoIdentity(
        "auth",
        {
            "callback_urls": ["https://app.example.com/callback"],
            "domain_prefix": "example-auth",
            "resource_server_identifier": "api",
            "scopes": {"read": "Read items", "report": "Read reports"},
            "client_scopes": ["read"],
            "service_clients": {"reporting": {"scopes": ["report"], "description": "the nightly report job"}},
            **extra,
        },
    )


@pytest.mark.parametrize("preview", [False, True])
def test_cognito_identity_service_clients_need_no_pack_config(evaluate: Evaluate, preview: bool) -> None:
    report = evaluate(cognito_identity, preview=preview)
    assert found(report, SECRET) == []
    [declared] = [d for d in report.declarations if d.policy == SECRET]
    assert (declared.target, declared.component) == ("auth-service-reporting", "CognitoIdentity 'auth'")
    assert declared.reason.endswith("the nightly report job")


class FakeIdentity(pulumi.ComponentResource):
    """Registers like CognitoIdentity (type token and confidentialClients) without its validation."""

    def __init__(self, name: str, declared: dict[str, str], child_secret: bool = True) -> None:
        super().__init__("securedapi:index:CognitoIdentity", name, None, None)
        pool = aws.cognito.UserPool(f"{name}-pool", opts=pulumi.ResourceOptions(parent=self))
        aws.cognito.UserPoolClient(
            f"{name}-service-job",
            user_pool_id=pool.id,
            generate_secret=child_secret,
            allowed_oauth_flows=["client_credentials"],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"confidentialClients": declared})


def test_a_declaration_covers_only_the_components_own_clients_with_a_reason(evaluate: Evaluate) -> None:
    def outside() -> None:
        FakeIdentity("auth", {"auth-service-job": "a job", "rogue": "declared from inside a component"})
        pool = aws.cognito.UserPool("other-pool")
        aws.cognito.UserPoolClient("rogue", user_pool_id=pool.id, generate_secret=True)

    [violation] = found(evaluate(outside), SECRET)
    assert violation.name == "rogue"  # a component declares its own children only
    assert "CognitoIdentity service client" in violation.message

    [blank] = found(evaluate(lambda: FakeIdentity("auth", {"auth-service-job": "  "})), SECRET)
    assert blank.name == "auth-service-job"  # a declaration without a reason is none
    assert found(evaluate(lambda: FakeIdentity("auth", {"auth-service-job": "a job"})), SECRET) == []


def m2m_clients(count: int) -> Callable[[], None]:
    def program() -> None:
        pool, _ = identity()
        for i in range(count):
            aws.cognito.UserPoolClient(
                f"job-{i}",
                user_pool_id=pool.id,
                generate_secret=True,
                allowed_oauth_flows=["client_credentials"],
                allowed_oauth_flows_user_pool_client=True,
                allowed_oauth_scopes=["api/read"],
            )

    return program


def test_too_many_m2m_clients_in_a_pool(evaluate: Evaluate) -> None:
    config = {SECRET: {"enforcementLevel": "disabled"}}
    [violation] = found(evaluate(m2m_clients(6), config=config), COUNT)
    assert violation.enforcement == "advisory" and violation.name == "pool"
    assert "6 machine-to-machine clients" in violation.message and "more than 5" in violation.message
    assert "per token request" in violation.message and "job-0, job-1" in violation.message
    assert found(evaluate(m2m_clients(5), config=config), COUNT) == []  # the default limit is 5
    [configured] = found(evaluate(m2m_clients(3), config={**config, COUNT: {"maxClients": 2}}), COUNT)
    assert "more than 2" in configured.message
    assert found(evaluate(m2m_clients(6), config={**config, COUNT: {"maxClients": 6}}), COUNT) == []


def service_route(scopes: list[str] | None, groups: dict[str, list[str]] | None, granted: str = "api/report"):
    """An API whose authorizer accepts a public client and a service client granted ``granted``, with one route
    ``GET /r`` (``scopes``) backed by a function whose ROUTE_GROUPS is ``groups``."""

    def program() -> None:
        pool, client = identity(scopes=("read", "report"))
        service = aws.cognito.UserPoolClient(
            "service",
            user_pool_id=pool.id,
            generate_secret=True,
            allowed_oauth_flows=["client_credentials"],
            allowed_oauth_flows_user_pool_client=True,
            allowed_oauth_scopes=[granted],
        )
        api = http_api()
        jwt = authorizer(api, pool, client, audiences=[client.id, service.id])
        fn = aws.lambda_.Function(
            "fn",
            role="arn:aws:iam::123456789012:role/fn",
            runtime="python3.12",
            handler="app.handler",
            code=pulumi.StringAsset("x"),
            environment={"variables": {"ROUTE_GROUPS": json.dumps(groups)}} if groups else None,
        )
        integration = aws.apigatewayv2.Integration(
            "integration", api_id=api.id, integration_type="AWS_PROXY", integration_uri=fn.invoke_arn
        )
        route(
            "r",
            api,
            "GET /r",
            authorization_type="JWT",
            authorizer_id=jwt.id,
            authorization_scopes=scopes,
            target=integration.id.apply(lambda i: f"integrations/{i}"),
        )

    return program


CONFIG = {SECRET: {"confidentialClients": [{"client": "service", "reason": "test service"}]}}


@pytest.mark.parametrize("preview", [False, True])
def test_a_group_route_a_service_client_reaches_is_reported(evaluate: Evaluate, preview: bool) -> None:
    program = service_route(["api/read", "api/report"], {"GET /r": ["admin"]})
    [violation] = found(evaluate(program, config=CONFIG, preview=preview), GROUPS)
    assert violation.name == "r" and violation.enforcement == "advisory"
    assert "service client 'service' (it is granted the route's scope 'api/report')" in violation.message
    assert "['admin']" in violation.message and "carry no cognito:groups" in violation.message
    # A route without scopes takes every audience client's token, the service client's too.
    [scopeless] = found(evaluate(service_route(None, {"GET /r": ["admin"]}), config=CONFIG), GROUPS)
    assert "the route requires no scope" in scopeless.message


@pytest.mark.parametrize(
    ("scopes", "groups", "granted"),
    [
        (["api/report"], None, "api/report"),  # no groups: the service client is served
        (["api/report"], {"GET /other": ["admin"]}, "api/report"),  # groups of another route
        (["api/read"], {"GET /r": ["admin"]}, "api/report"),  # the service client lacks the route's scope
    ],
)
def test_routes_service_clients_cannot_reach_or_that_have_no_groups_pass(
    evaluate: Evaluate, scopes: list[str], groups: dict[str, list[str]] | None, granted: str
) -> None:
    assert found(evaluate(service_route(scopes, groups, granted), config=CONFIG), GROUPS) == []
