"""REST API resource policies that allow Principal '*' without a condition on the source.

Mandatory where AWS's evaluation makes it a door: PRIVATE APIs (VPC endpoints of any account) and AWS_IAM
methods (identities of any account). Elsewhere the methods' own authorization decides (not reported)."""

import json
from collections.abc import Callable
from typing import Any

import pulumi_aws as aws
import pytest
from policy_programs import found
from side_door_programs import ACCOUNT, rest_document, rest_operation

from securedapi.policy.engine import Report

POLICY = "apigw-rest-resource-policy-restricted"
Evaluate = Callable[..., Report]
EVERYONE = {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}
FROM_VPCE = {**EVERYONE, "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}}}
DENY_UNLESS_VPCE = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "execute-api:Invoke",
    "Resource": "execute-api:/*",
    "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}},
}


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def private_api(*statements: dict[str, Any], attached: bool = False) -> Callable[[], None]:
    """A PRIVATE REST API with its resource policy inline or attached with RestApiPolicy."""

    def program() -> None:
        api = aws.apigateway.RestApi(
            "internal",
            endpoint_configuration={"types": "PRIVATE", "vpc_endpoint_ids": ["vpce-0123456789abcdef0"]},
            policy=None if attached else document(*statements),
        )
        if attached:
            aws.apigateway.RestApiPolicy("internal-policy", rest_api_id=api.id, policy=document(*statements))

    return program


@pytest.mark.parametrize("attached", [False, True], ids=["inline", "RestApiPolicy"])
def test_private_api_open_to_every_vpc_endpoint_fails(evaluate: Evaluate, attached: bool) -> None:
    [violation] = found(evaluate(private_api(EVERYONE, attached=attached)), POLICY)
    assert violation.enforcement == "mandatory" and "PRIVATE API" in violation.message
    assert violation.name == ("internal-policy" if attached else "internal") and "aws:SourceVpce" in violation.message


@pytest.mark.parametrize(
    "statements", [(FROM_VPCE,), (EVERYONE, DENY_UNLESS_VPCE)], ids=["allow-from-vpce", "deny-unless-vpce"]
)
def test_private_api_restricted_to_its_vpc_endpoint_passes(evaluate: Evaluate, statements: tuple[Any, ...]) -> None:
    for preview in (False, True):
        assert found(evaluate(private_api(*statements), preview=preview), POLICY) == []


def test_iam_methods_with_an_everyone_policy_fail(evaluate: Evaluate) -> None:
    everyone = {**EVERYONE, "Principal": {"AWS": ["*"]}}

    def program(authorization: str, statement: dict[str, Any]) -> Callable[[], None]:
        def run() -> None:
            api = aws.apigateway.RestApi("partners", policy=document(statement))
            aws.apigateway.Method(
                "orders",
                rest_api=api.id,
                resource_id=api.root_resource_id,
                http_method="GET",
                authorization=authorization,
            )

        return run

    [violation] = found(evaluate(program("AWS_IAM", everyone)), POLICY)
    assert "AWS_IAM" in violation.message and "every AWS account" in violation.message
    org = {**everyone, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}
    assert found(evaluate(program("AWS_IAM", org)), POLICY) == []
    # Regional API with Cognito methods: an Allow to '*' grants no more than no policy (AWS table A).
    assert found(evaluate(program("COGNITO_USER_POOLS", everyone)), POLICY) == []


def test_policy_and_iam_operations_in_an_openapi_body(evaluate: Evaluate) -> None:
    paths = {"/items/{id}": {"put": rest_operation([{"sigv4": []}])}}

    def program(statement: dict[str, Any]) -> Callable[[], None]:
        body = json.dumps(rest_document(paths, policy={"Version": "2012-10-17", "Statement": [statement]}))
        return lambda: aws.apigateway.RestApi("catalogue", body=body)

    [violation] = found(evaluate(program(EVERYONE)), POLICY)
    assert "'PUT /items/{id}'" in violation.message
    account = {**EVERYONE, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}}
    assert found(evaluate(program(account)), POLICY) == []


def test_policy_from_an_output_is_unknown_in_preview(evaluate: Evaluate) -> None:
    def program() -> None:
        logs = aws.cloudwatch.LogGroup("logs")
        api = aws.apigateway.RestApi("internal", endpoint_configuration={"types": "PRIVATE"})
        aws.apigateway.RestApiPolicy(
            "internal-policy", rest_api_id=api.id, policy=logs.arn.apply(lambda _: document(EVERYONE))
        )

    assert len(found(evaluate(program), POLICY)) == 1
    report = evaluate(program, preview=True)
    assert found(report, POLICY) == [] and report.notes == []
