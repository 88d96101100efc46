"""The mandatory rules: each has a program that violates it and one that passes, incl. tricky shapes."""

from collections.abc import Callable
from typing import Any

import pulumi_aws as aws
import pytest
from policy_programs import (
    CORS,
    FakeSecuredHttpApi,
    Platform,
    authorizer,
    found,
    http_api,
    identity,
    route,
    secure_stack,
    secured_api,
    with_api,
)

from securedapi.policy.engine import Report
from securedapi.testing import record

ROUTE = "apigw-route-requires-auth"
REST = "apigw-rest-method-requires-auth"

Evaluate = Callable[..., Report]


def test_secure_baseline_passes_every_rule(evaluate: Evaluate) -> None:
    for preview in (False, True):
        report = evaluate(secure_stack, preview=preview)
        assert report.violations == []
        assert report.notes == []  # no policy gave up on unknown values


# -- 1. HTTP API routes ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs", [{"authorization_type": "NONE"}, {}], ids=["NONE", "omitted"])
def test_open_route_is_mandatory_violation(evaluate: Evaluate, kwargs: dict[str, Any]) -> None:
    report = evaluate(with_api(lambda api: route("open", api, "GET /items", **kwargs)))
    [violation] = found(report, ROUTE)
    assert violation.enforcement == "mandatory" and violation.severity == "critical"
    assert violation.name == "open" and violation.resource_type == "aws:apigatewayv2/route:Route"
    assert violation.urn.endswith("::open")
    assert "'GET /items'" in violation.message and "on API 'api'" in violation.message
    assert "authorizationType 'JWT'" in violation.message and "publicRoutes" in violation.message


@pytest.mark.parametrize("auth", ["JWT", "AWS_IAM", "CUSTOM"])
def test_authorized_route_passes(evaluate: Evaluate, auth: str) -> None:
    report = evaluate(with_api(lambda api: route("r", api, "GET /items", authorization_type=auth)))
    assert found(report, ROUTE) == []


@pytest.mark.parametrize("key", ["$default", "ANY /{proxy+}"])
def test_catch_all_routes_can_never_be_public(evaluate: Evaluate, key: str) -> None:
    config = {ROUTE: {"publicRoutes": [{"api": "*", "route": "GET /other", "reason": "unrelated"}]}}
    report = evaluate(lambda: FakeSecuredHttpApi("svc", {key: "declared public"}), config=config)
    [violation] = found(report, ROUTE)
    assert "can never be public" in violation.message and key in violation.message


def test_catch_all_exemption_is_a_config_error(analyzer: Any) -> None:
    from securedapi.policy.config import ConfigError, parse_policy_config

    with pytest.raises(ConfigError, match="can never be public"):
        analyzer.reconcile(
            parse_policy_config(
                {ROUTE: {"publicRoutes": [{"api": "*", "route": "ANY /{proxy+}", "reason": "everything"}]}}
            )
        )


def test_options_preflight_passes_with_cors_and_fails_without(evaluate: Evaluate) -> None:
    def build(api: aws.apigatewayv2.Api) -> None:
        route("preflight", api, "OPTIONS /{proxy+}", authorization_type="NONE")

    assert found(evaluate(with_api(build, cors=CORS)), ROUTE) == []
    [violation] = found(evaluate(with_api(build)), ROUTE)
    assert "CORS preflight" in violation.message and "corsConfiguration" in violation.message


def test_route_declared_public_by_the_component_passes(evaluate: Evaluate) -> None:
    report = evaluate(lambda: FakeSecuredHttpApi("svc", {"GET /health": "uptime checks", "GET /secret": None}))
    [violation] = found(report, ROUTE)
    assert "'GET /secret'" in violation.message  # only the route the component did not declare public


def test_open_route_inside_a_users_component_counts(evaluate: Evaluate) -> None:
    report = evaluate(lambda: Platform("platform", open_route=True))
    [violation] = found(report, ROUTE)
    assert violation.name == "platform-route"
    assert "acme:platform:Platform$aws:apigatewayv2/route:Route" in violation.urn
    assert found(evaluate(lambda: Platform("platform", open_route=False)), ROUTE) == []


def test_values_through_output_apply(evaluate: Evaluate) -> None:
    def build(api: aws.apigatewayv2.Api) -> None:
        route("r", api, api.id.apply(lambda _: "GET /items"), authorization_type=api.id.apply(lambda _: "NONE"))

    assert len(found(evaluate(with_api(build)), ROUTE)) == 1
    # In preview the applied values are unknown: not a violation by itself, and no policy gives up.
    report = evaluate(with_api(build), preview=True)
    assert found(report, ROUTE) == [] and report.notes == []


def test_preview_links_route_to_api_through_property_dependencies(evaluate: Evaluate) -> None:
    """In preview api.id is unknown: the OPTIONS route still finds its CORS-enabled API (and the open one fails)."""

    def program() -> None:
        cors_api = http_api("cors-api", cors=CORS)
        plain_api = http_api("plain-api")
        route("preflight", cors_api, "OPTIONS /items", authorization_type="NONE")
        route("open", plain_api, "OPTIONS /items", authorization_type="NONE")

    report = evaluate(program, preview=True)
    assert [v.name for v in found(report, ROUTE)] == ["open"]


def test_websocket_routes_other_than_connect_are_not_authorized_by_api_gateway(evaluate: Evaluate) -> None:
    def build(api: aws.apigatewayv2.Api) -> None:
        route("message", api, "sendMessage", authorization_type="NONE")
        route("connect", api, "$connect", authorization_type="NONE")

    report = evaluate(
        lambda: build(
            aws.apigatewayv2.Api("ws", protocol_type="WEBSOCKET", route_selection_expression="$request.body.action")
        )
    )
    assert [v.name for v in found(report, ROUTE)] == ["connect"]


# -- 2. REST API methods --------------------------------------------------------------------------------------------


def rest_program(
    *,
    method: str = "GET",
    authorization: str = "NONE",
    preflight: bool = False,
    root: bool = False,
    api_key: bool = False,
) -> Callable[[], None]:
    def program() -> None:
        api = aws.apigateway.RestApi("rest")
        items = aws.apigateway.Resource("items", rest_api=api.id, parent_id=api.root_resource_id, path_part="items")
        one = aws.apigateway.Resource("item", rest_api=api.id, parent_id=items.id, path_part="{id}")
        resource_id = api.root_resource_id if root else one.id
        aws.apigateway.Method(
            "m",
            rest_api=api.id,
            resource_id=resource_id,
            http_method=method,
            authorization=authorization,
            api_key_required=api_key,
        )
        if preflight:
            aws.apigateway.Integration(
                "mock", rest_api=api.id, resource_id=resource_id, http_method="OPTIONS", type="MOCK"
            )

    return program


def test_rest_method_without_authorization_fails_even_with_api_key(evaluate: Evaluate) -> None:
    [violation] = found(evaluate(rest_program(api_key=True)), REST)
    assert violation.enforcement == "mandatory"
    assert "'GET /items/{id}'" in violation.message and "API keys identify callers" in violation.message
    assert "publicRoutes" in violation.message and "SecuredHttpApi" not in violation.message  # it builds HTTP APIs


def test_rest_method_paths_and_authorized_methods(evaluate: Evaluate) -> None:
    assert "'POST /'" in found(evaluate(rest_program(method="POST", root=True)), REST)[0].message
    assert found(evaluate(rest_program(authorization="COGNITO_USER_POOLS")), REST) == []
    assert "'GET /items/{id}'" in found(evaluate(rest_program(), preview=True), REST)[0].message


def test_rest_options_is_preflight_only_with_mock_integration(evaluate: Evaluate) -> None:
    assert found(evaluate(rest_program(method="OPTIONS", preflight=True)), REST) == []
    assert "MOCK integration" in found(evaluate(rest_program(method="OPTIONS")), REST)[0].message


def test_rest_method_exemption(evaluate: Evaluate) -> None:
    config = {REST: {"publicRoutes": [{"api": "rest", "route": "GET /items/{id}", "reason": "public catalogue"}]}}
    assert found(evaluate(rest_program(), config=config), REST) == []
    config[REST]["publicRoutes"][0]["expires"] = "2001-02-03"
    [expired] = found(evaluate(rest_program(), config=config), REST)
    assert "expired on 2001-02-03" in expired.message


# -- 3. quick create ------------------------------------------------------------------------------------------------


def test_quick_create_target_fails(evaluate: Evaluate) -> None:
    def program() -> None:
        http_api("quick", target="arn:aws:lambda:us-east-1:123456789012:function:f")

    [violation] = found(evaluate(program), "apigw-no-quick-create")
    assert violation.enforcement == "mandatory" and "$default" in violation.message
    assert found(evaluate(with_api(lambda api: None)), "apigw-no-quick-create") == []


# -- 4. client secrets ------------------------------------------------------------------------------------------------


def test_client_with_secret_must_be_declared_confidential(evaluate: Evaluate) -> None:
    def program() -> None:
        identity(generate_secret=True)

    [violation] = found(evaluate(program), "cognito-client-secret-requires-confidential")
    assert violation.name == "pool-client" and "confidentialClients" in violation.message
    config = {
        "cognito-client-secret-requires-confidential": {
            "confidentialClients": [{"client": "pool-client", "reason": "server-side BFF"}]
        }
    }
    assert found(evaluate(program, config=config), "cognito-client-secret-requires-confidential") == []
    config["cognito-client-secret-requires-confidential"]["confidentialClients"][0]["expires"] = "2001-02-03"
    [expired] = found(evaluate(program, config=config), "cognito-client-secret-requires-confidential")
    assert "expired on 2001-02-03" in expired.message
    assert found(evaluate(secure_stack), "cognito-client-secret-requires-confidential") == []


# -- 5. implicit grant ------------------------------------------------------------------------------------------------


def test_implicit_grant_fails(evaluate: Evaluate) -> None:
    report = evaluate(lambda: identity(allowed_oauth_flows=["code", "implicit"]))
    [violation] = found(report, "cognito-client-no-implicit-grant")
    assert violation.enforcement == "mandatory" and "PKCE" in violation.message


# -- 6. JWT authorizer ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jwt", "expected"),
    [
        ({"audiences": []}, "no audience"),
        ({"audiences": ["*"]}, "wildcard"),
        ({"issuer": "http://cognito-idp.us-east-1.amazonaws.com/pool"}, "https URL"),
    ],
)
def test_jwt_authorizer_problems(evaluate: Evaluate, jwt: dict[str, Any], expected: str) -> None:
    def program() -> None:
        pool, client = identity()
        authorizer(http_api(), pool, client, **jwt)

    [violation] = found(evaluate(program), "apigw-jwt-authorizer-valid")
    assert violation.enforcement == "mandatory" and expected in violation.message


def test_jwt_authorizer_with_unknown_values_in_preview_passes(evaluate: Evaluate) -> None:
    report = evaluate(secure_stack, preview=True)
    assert found(report, "apigw-jwt-authorizer-valid") == [] and report.notes == []


# -- 7. Lambda permissions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "source", "bad"),
    [
        ("*", "arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/items", True),
        ("apigateway.amazonaws.com", None, True),
        ("apigateway.amazonaws.com", "arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/items", False),
        ("s3.amazonaws.com", None, False),
    ],
)
def test_lambda_permission_principal_and_source(
    evaluate: Evaluate, principal: str, source: str | None, bad: bool
) -> None:
    def program() -> None:
        aws.lambda_.Permission(
            "perm", action="lambda:InvokeFunction", function="fn", principal=principal, source_arn=source
        )

    assert bool(found(evaluate(program), "lambda-permission-requires-source")) is bad


def test_unknown_source_arn_in_preview_is_not_a_violation(evaluate: Evaluate) -> None:
    def program() -> None:
        api = http_api()
        aws.lambda_.Permission(
            "perm",
            action="lambda:InvokeFunction",
            function="fn",
            principal="apigateway.amazonaws.com",
            source_arn=api.execution_arn.apply(lambda a: f"{a}/*/*"),
        )

    report = evaluate(program, preview=True)
    assert found(report, "lambda-permission-requires-source") == []
    assert found(report, "lambda-permission-route-scoped") == []  # unknown: not a violation by itself
    assert found(evaluate(program), "lambda-permission-route-scoped")


def test_secured_http_api_component_stack_passes(evaluate: Evaluate, tmp_path: Any) -> None:
    """The real component: public route with a reason, ANY /{proxy+} JWT route + CORS -> public OPTIONS preflight."""
    routes = {
        "GET /health": {"handler": "app.handler", "public": "uptime checks"},
        "ANY /{proxy+}": {"handler": "app.handler"},
    }
    program = secured_api(tmp_path, routes, cors_origins=["https://app.example.com"])

    for preview in (False, True):
        report = evaluate(program, preview=preview)
        assert [v for v in report.violations if v.enforcement == "mandatory"] == []
        assert found(report, ROUTE) == [] and report.notes == []
    recording = record(program)
    routes = recording.of_type("aws:apigatewayv2/route:Route")
    keys = {r.inputs["routeKey"]: r.inputs["authorizationType"] for r in routes}
    assert keys == {"GET /health": "NONE", "ANY /{proxy+}": "JWT", "OPTIONS /{proxy+}": "NONE"}
