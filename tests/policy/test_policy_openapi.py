"""Routes and methods defined by OpenAPI bodies (HTTP API, REST API, RestApiPut) and their JWT authorizers."""

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from policy_programs import found
from side_door_programs import (
    CATALOGUE,
    SHARED,
    OrdersService,
    lambda_integration,
    openapi_http_api,
    rest_document,
    rest_operation,
    shared_mocks,
)

from securedapi.policy.engine import Report
from securedapi.policy.openapi import OpenApiError, load

ROUTE = "apigw-route-requires-auth"
REST = "apigw-rest-method-requires-auth"
JWT = "apigw-jwt-authorizer-valid"
Evaluate = Callable[..., Report]
OPERATION = {"x-amazon-apigateway-integration": lambda_integration()}


def mandatory(report: Report) -> list[str]:
    return [f"{v.policy}: {v.message}" for v in report.mandatory]


# -- HTTP APIs ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("yaml_text", [False, True], ids=["json", "yaml"])
def test_openapi_first_http_api_with_jwt_on_every_operation_passes(evaluate: Evaluate, yaml_text: bool) -> None:
    """Document-level JWT security, one operation with its own scopes, a CORS preflight with 'security: []'."""
    for preview in (False, True):
        report = evaluate(lambda: openapi_http_api(yaml_text=yaml_text), preview=preview)
        assert mandatory(report) == [] and report.notes == []


@pytest.mark.parametrize(
    ("operation", "why"),
    [
        ({**OPERATION, "security": []}, "security requirement is empty"),
        ({**OPERATION, "security": [{"cognito": []}, {}]}, "empty ('{}')"),
        ({**OPERATION, "security": [{"undefined": []}]}, "'undefined' is not defined"),
        ({**OPERATION, "security": [{"docs_only": []}]}, "API Gateway does not enforce it"),
    ],
    ids=["empty", "anonymous-alternative", "undefined-scheme", "documentation-scheme"],
)
def test_http_operation_without_effective_security_is_an_open_route(
    evaluate: Evaluate, operation: dict[str, Any], why: str
) -> None:
    paths = {"/orders": {"get": OPERATION}, "/reports/{id}": {"get": operation}}

    def program() -> None:
        api = openapi_http_api(paths=paths)
        assert api is not None

    report = evaluate(program)
    [violation] = found(report, ROUTE)
    assert violation.enforcement == "mandatory" and violation.resource_type == "aws:apigatewayv2/api:Api"
    assert violation.name == "orders" and "GET /reports/{id}" in violation.message and why in violation.message
    assert "x-amazon-apigateway-authorizer" in violation.message and "publicRoutes" in violation.message


def test_document_without_any_security_opens_every_operation_including_any_method(evaluate: Evaluate) -> None:
    paths = {"/orders": {"get": OPERATION}, "/orders/{id}": {"x-amazon-apigateway-any-method": OPERATION}}

    def program() -> None:
        pulumi_body = json.dumps({"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": paths})
        aws.apigatewayv2.Api("bare", protocol_type="HTTP", body=pulumi_body)

    messages = sorted(v.message for v in found(evaluate(program), ROUTE))
    assert len(messages) == 2
    assert "route 'ANY /orders/{id}'" in messages[0] and "no security requirement" in messages[0]
    assert "route 'GET /orders'" in messages[1]


def test_greedy_and_default_operations_can_never_be_public(evaluate: Evaluate) -> None:
    paths = {"/$default": {"x-amazon-apigateway-any-method": {**OPERATION, "security": []}}}
    config = {ROUTE: {"publicRoutes": [{"api": "orders", "route": "GET /x", "reason": "unrelated"}]}}
    [violation] = found(evaluate(lambda: openapi_http_api(paths=paths), config=config), ROUTE)
    assert "'$default'" in violation.message and "can never be public" in violation.message


def test_options_operation_is_a_preflight_only_with_cors(evaluate: Evaluate) -> None:
    paths = {"/orders": {"get": OPERATION, "options": {**OPERATION, "security": []}}}
    assert found(evaluate(lambda: openapi_http_api(paths=paths)), ROUTE) == []
    [violation] = found(evaluate(lambda: openapi_http_api(paths=paths, cors=False)), ROUTE)
    assert "OPTIONS /orders" in violation.message and "x-amazon-apigateway-cors" in violation.message


def test_body_route_exemptions_work_like_route_exemptions(evaluate: Evaluate) -> None:
    paths = {"/orders": {"get": OPERATION}, "/health": {"get": {**OPERATION, "security": []}}}
    entry = {"api": "orders", "route": "GET /health", "reason": "uptime checks"}
    assert (
        found(evaluate(lambda: openapi_http_api(paths=paths), config={ROUTE: {"publicRoutes": [entry]}}), ROUTE) == []
    )
    expired = {ROUTE: {"publicRoutes": [{**entry, "expires": "2001-01-01"}]}}
    [violation] = found(evaluate(lambda: openapi_http_api(paths=paths), config=expired), ROUTE)
    assert "expired on 2001-01-01" in violation.message


def test_open_body_route_inside_a_component_counts_and_the_component_name_exempts(evaluate: Evaluate) -> None:
    paths = {"/orders": {"get": OPERATION}, "/internal": {"post": {**OPERATION, "security": []}}}
    [violation] = found(evaluate(lambda: OrdersService("svc", paths)), ROUTE)
    assert violation.name == "svc-api" and "acme:orders:Service$aws:apigatewayv2/api:Api" in violation.urn
    config = {ROUTE: {"publicRoutes": [{"api": "svc", "route": "POST /internal", "reason": "VPN only"}]}}
    assert found(evaluate(lambda: OrdersService("svc", paths), config=config), ROUTE) == []
    assert found(evaluate(lambda: OrdersService("svc")), ROUTE) == []


def test_unknown_body_in_preview_is_not_a_violation_and_unreadable_body_is(evaluate: Evaluate) -> None:
    paths = {"/reports": {"get": {**OPERATION, "security": []}}}
    report = evaluate(lambda: openapi_http_api(paths=paths), preview=True)
    assert mandatory(report) == [] and report.notes == []

    def broken() -> None:
        aws.apigatewayv2.Api("broken", protocol_type="HTTP", body="openapi: [3.0")

    [violation] = found(evaluate(broken), ROUTE)
    assert "not an OpenAPI document" in violation.message and "neither JSON nor YAML" in violation.message


@pytest.mark.parametrize(
    ("audience", "issuer", "expected"),
    [
        ([], None, "no audience"),
        (["*"], None, "wildcard"),
        (None, "http://cognito-idp.us-east-1.amazonaws.com/pool", "https URL"),
    ],
)
def test_jwt_authorizer_declared_in_the_body_is_checked(
    evaluate: Evaluate, audience: list[str] | None, issuer: str | None, expected: str
) -> None:
    [violation] = found(evaluate(lambda: openapi_http_api(audience=audience, issuer=issuer)), JWT)
    assert violation.enforcement == "mandatory" and violation.resource_type == "aws:apigatewayv2/api:Api"
    assert "'cognito' in the OpenAPI body of HTTP API 'orders'" in violation.message and expected in violation.message


# -- REST APIs ---------------------------------------------------------------------------------------------------------


def rest_api(paths: dict[str, Any]) -> Callable[[], None]:
    return lambda: aws.apigateway.RestApi("catalogue", body=json.dumps(rest_document(paths)))


def test_swagger_rest_body_with_cognito_iam_and_mock_preflight_passes(evaluate: Evaluate) -> None:
    for preview in (False, True):
        assert mandatory(evaluate(rest_api(CATALOGUE), preview=preview)) == []


@pytest.mark.parametrize(
    ("security", "why"),
    [
        ([{"api_key": []}], "is an API key"),
        (None, "no security requirement"),
    ],
)
def test_rest_body_operation_without_authorizer_is_an_open_method(
    evaluate: Evaluate, security: list[Any] | None, why: str
) -> None:
    paths = {**CATALOGUE, "/prices": {"get": rest_operation(security)}}
    [violation] = found(evaluate(rest_api(paths)), REST)
    assert violation.resource_type == "aws:apigateway/restApi:RestApi" and violation.enforcement == "mandatory"
    assert "method 'GET /prices'" in violation.message and why in violation.message


def test_rest_body_options_without_mock_is_not_a_preflight(evaluate: Evaluate) -> None:
    paths = {"/items": {"get": rest_operation([{"cognito": []}]), "options": rest_operation(None)}}
    [violation] = found(evaluate(rest_api(paths)), REST)
    assert "'OPTIONS /items'" in violation.message and "mock" in violation.message


def test_rest_api_put_on_a_shared_api_is_checked_and_exempted_by_its_id(evaluate: Evaluate) -> None:
    paths = {**CATALOGUE, "/status": {"get": rest_operation(None)}}

    def program() -> None:
        shared = pulumi.StackReference("acme/platform/prod")
        aws.apigateway.RestApiPut(
            "catalogue-put",
            rest_api_id=shared.get_output("restApiId"),
            body=json.dumps(rest_document(paths)),
            fail_on_warnings=True,
        )

    [violation] = found(evaluate(program, mocks=shared_mocks), REST)
    assert violation.resource_type == "aws:apigateway/restApiPut:RestApiPut" and "GET /status" in violation.message
    config = {REST: {"publicRoutes": [{"api": SHARED["restApiId"], "route": "GET /status", "reason": "status page"}]}}
    assert found(evaluate(program, mocks=shared_mocks, config=config), REST) == []


def test_rest_api_put_on_an_api_of_the_stack_uses_its_name(evaluate: Evaluate) -> None:
    paths = {"/status": {"get": rest_operation(None)}}

    def program() -> None:
        api = aws.apigateway.RestApi("catalogue", put_rest_api_mode="merge")
        aws.apigateway.RestApiPut("catalogue-put", rest_api_id=api.id, body=json.dumps(rest_document(paths)))

    config = {REST: {"publicRoutes": [{"api": "catalogue", "route": "GET /status", "reason": "status page"}]}}
    assert len(found(evaluate(program), REST)) == 1
    assert found(evaluate(program, config=config), REST) == []


# -- the reader --------------------------------------------------------------------------------------------------------


def test_reader_rejects_what_api_gateway_cannot_import() -> None:
    with pytest.raises(OpenApiError, match="neither JSON nor YAML"):
        load("{not json")
    with pytest.raises(OpenApiError, match="not an OpenAPI object"):
        load("- a\n- b\n")
    with pytest.raises(OpenApiError, match="'paths' is not an object"):
        load({"paths": ["/x"]})
    with pytest.raises(OpenApiError, match="expected an OpenAPI document"):
        load(42)


def test_reader_reads_yaml_flow_style_and_odd_security() -> None:
    document = load("{openapi: 3.0.1, paths: {/x: {get: {security: oops}}}}")
    [operation] = document.operations
    assert operation.key == "GET /x" and operation.authorization is None and "not a list" in operation.why_open


def test_reader_operations_and_authorization() -> None:
    document = load(json.dumps(rest_document(CATALOGUE)))
    assert {(op.key, op.authorization, op.mock) for op in document.operations} == {
        ("GET /items", "COGNITO_USER_POOLS", False),
        ("OPTIONS /items", None, True),
        ("PUT /items/{id}", "AWS_IAM", False),
    }
