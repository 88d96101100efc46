"""APIs owned by another stack, WebSocket APIs, Lambda function URLs and wildcard source ARNs."""

from collections.abc import Callable

import pulumi
import pulumi_aws as aws
import pytest
from policy_programs import CORS, found, http_api, route
from side_door_programs import (
    ACCOUNT,
    SHARED,
    api_backed_function,
    function,
    iam_url_behind_cloudfront,
    shared_mocks,
)

from securedapi.policy.engine import Report

ROUTE = "apigw-route-requires-auth"
REST = "apigw-rest-method-requires-auth"
URL = "lambda-function-url-requires-auth"
PERMISSION = "lambda-permission-requires-source"
Evaluate = Callable[..., Report]


def mandatory(report: Report) -> list[str]:
    return [f"{v.policy}: {v.message}" for v in report.mandatory]


# -- 2. APIs outside the stack -----------------------------------------------------------------------------------------


def shared_rest_methods(authorization: str, *, http_method: str = "GET", mock: bool = False) -> Callable[[], None]:
    """Methods added to the platform team's REST API, known only by ids from a StackReference."""

    def program() -> None:
        shared = pulumi.StackReference("acme/platform/prod")
        api_id = shared.get_output("restApiId")
        orders = aws.apigateway.Resource(
            "orders", rest_api=api_id, parent_id=shared.get_output("rootResourceId"), path_part="orders"
        )
        aws.apigateway.Method(
            "orders-get", rest_api=api_id, resource_id=orders.id, http_method=http_method, authorization=authorization
        )
        if mock:
            aws.apigateway.Integration(
                "orders-mock", rest_api=api_id, resource_id=orders.id, http_method="OPTIONS", type="MOCK"
            )

    return program


@pytest.mark.parametrize("preview", [False, True])
def test_open_method_on_a_shared_rest_api_is_judged_by_itself(evaluate: Evaluate, preview: bool) -> None:
    [violation] = found(evaluate(shared_rest_methods("NONE"), mocks=shared_mocks, preview=preview), REST)
    assert violation.enforcement == "mandatory" and violation.name == "orders-get"
    assert f"on API {SHARED['restApiId']!r} (not in this stack)" in violation.message
    assert "'GET /orders'" in violation.message and f"relative to resource {SHARED['rootResourceId']!r}" in (
        violation.message
    )


def test_authorized_methods_and_preflights_on_a_shared_api_pass(evaluate: Evaluate) -> None:
    for program in (
        shared_rest_methods("COGNITO_USER_POOLS"),
        shared_rest_methods("NONE", http_method="OPTIONS", mock=True),
    ):
        for preview in (False, True):
            assert found(evaluate(program, mocks=shared_mocks, preview=preview), REST) == []
    [violation] = found(evaluate(shared_rest_methods("NONE", http_method="OPTIONS"), mocks=shared_mocks), REST)
    assert "MOCK integration" in violation.message


def test_shared_api_method_exemption_by_api_id(evaluate: Evaluate) -> None:
    entry = {"api": SHARED["restApiId"], "route": "GET /orders", "reason": "public order tracking"}
    report = evaluate(shared_rest_methods("NONE"), mocks=shared_mocks, config={REST: {"publicRoutes": [entry]}})
    assert found(report, REST) == []


def test_method_on_a_rest_api_id_from_config_at_its_root(evaluate: Evaluate) -> None:
    def program() -> None:
        config = pulumi.Config()
        aws.apigateway.Method(
            "status",
            rest_api=config.get("sharedRestApiId") or "cfgapi0001",
            resource_id=config.get("sharedRootId") or "cfgroot001",
            http_method="GET",
            authorization="NONE",
        )

    [violation] = found(evaluate(program), REST)
    assert "'GET /'" in violation.message and "'cfgapi0001' (not in this stack)" in violation.message


def test_open_route_on_a_shared_http_api_is_caught_and_websocket_keys_are_not(evaluate: Evaluate) -> None:
    def program() -> None:
        for name, key in (("open", "GET /orders"), ("ws-message", "sendMessage"), ("ws-disconnect", "$disconnect")):
            aws.apigatewayv2.Route(name, api_id="sharedhttp1", route_key=key, authorization_type="NONE")
        aws.apigatewayv2.Route(
            "ws-default", api_id="sharedws01", route_key="$default", route_response_selection_expression="$default"
        )

    assert [v.name for v in found(evaluate(program), ROUTE)] == ["open"]


# -- 3. WebSocket APIs -------------------------------------------------------------------------------------------------


def websocket(
    *, connect: str | None = "CUSTOM", extra: tuple[str, ...] = ("$disconnect", "$default", "sendMessage")
) -> Callable[[], None]:
    """A chat WebSocket API; ``$connect`` authorized by a Lambda REQUEST authorizer reading the token parameter."""

    def program() -> None:
        api = aws.apigatewayv2.Api("chat", protocol_type="WEBSOCKET", route_selection_expression="$request.body.action")
        authorizer = aws.apigatewayv2.Authorizer(
            "chat-auth",
            api_id=api.id,
            authorizer_type="REQUEST",
            authorizer_uri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:{ACCOUNT}:function:auth/invocations",
            identity_sources=["route.request.querystring.token"],
        )
        if connect is not None:
            aws.apigatewayv2.Route(
                "chat-connect",
                api_id=api.id,
                route_key="$connect",
                authorization_type=connect,
                authorizer_id=authorizer.id if connect == "CUSTOM" else None,
            )
        for key in extra:
            aws.apigatewayv2.Route(f"chat-{key.strip('$').lower()}", api_id=api.id, route_key=key)

    return program


def test_websocket_api_with_a_lambda_authorizer_on_connect_passes(evaluate: Evaluate) -> None:
    for preview in (False, True):
        report = evaluate(websocket(), preview=preview)
        assert mandatory(report) == [] and report.notes == []
    assert found(evaluate(websocket(connect="AWS_IAM")), ROUTE) == []


def test_websocket_connect_without_authorization_is_open(evaluate: Evaluate) -> None:
    for preview in (False, True):
        [violation] = found(evaluate(websocket(connect="NONE"), preview=preview), ROUTE)
        assert violation.name == "chat-connect" and "WebSocket route '$connect'" in violation.message
        assert "'CUSTOM'" in violation.message and "JWT" not in violation.message
        assert "SecuredHttpApi" not in violation.message  # its fix cannot apply to WebSocket APIs


def test_websocket_api_without_connect_route_is_open(evaluate: Evaluate) -> None:
    for preview in (False, True):
        [violation] = found(evaluate(websocket(connect=None), preview=preview), ROUTE)
        assert violation.resource_type == "aws:apigatewayv2/api:Api" and violation.name == "chat"
        assert "no '$connect' route" in violation.message


def test_websocket_connect_declared_public_with_a_reason(evaluate: Evaluate) -> None:
    config = {ROUTE: {"publicRoutes": [{"api": "chat", "route": "$connect", "reason": "public live scores feed"}]}}
    assert found(evaluate(websocket(connect="NONE"), config=config), ROUTE) == []
    assert found(evaluate(websocket(connect=None), config=config), ROUTE) == []
    config[ROUTE]["publicRoutes"][0]["expires"] = "2001-02-03"
    for connect in ("NONE", None):
        [expired] = found(evaluate(websocket(connect=connect), config=config), ROUTE)
        assert "expired on 2001-02-03" in expired.message


# -- 5. function URLs and source ARNs ----------------------------------------------------------------------------------


def test_public_function_url_on_the_function_behind_the_api_is_a_side_door(evaluate: Evaluate) -> None:
    def program() -> None:
        api = http_api(cors=CORS)
        fn = api_backed_function(api)
        aws.lambda_.FunctionUrl("orders-url", function_name=fn.name, authorization_type="NONE")

    for preview in (False, True):
        [violation] = found(evaluate(program, preview=preview), URL)
        assert violation.enforcement == "mandatory" and violation.name == "orders-url"
        assert "function 'orders-fn' has authorization NONE" in violation.message
        assert "Permission 'orders-invoke' lets API Gateway invoke it" in violation.message
        assert "bypasses the API's authorizer" in violation.message and "origin access control" in violation.message


def test_iam_function_url_behind_cloudfront_passes(evaluate: Evaluate) -> None:
    def program() -> None:
        iam_url_behind_cloudfront(api_backed_function(http_api(cors=CORS)))

    for preview in (False, True):
        report = evaluate(program, preview=preview)
        assert mandatory(report) == [] and report.notes == []


def test_function_url_declared_public_with_a_reason(evaluate: Evaluate) -> None:
    def program() -> None:
        fn = function("webhook-fn")
        aws.lambda_.FunctionUrl("webhook-url", function_name=fn.name, authorization_type="NONE")
        aws.lambda_.Permission(
            "webhook-public",
            action="lambda:InvokeFunction",
            function=fn.name,
            principal="*",
            invoked_via_function_url=True,
        )

    report = evaluate(program)
    assert sorted(v.name for v in found(report, URL)) == ["webhook-public", "webhook-url"]
    assert found(report, PERMISSION) == []  # the function URL rule owns function-URL grants
    config = {URL: {"publicFunctionUrls": [{"function": "webhook-fn", "reason": "verifies the HMAC signature"}]}}
    assert found(evaluate(program, config=config), URL) == []
    config[URL]["publicFunctionUrls"][0]["expires"] = "2001-02-03"
    expired = found(evaluate(program, config=config), URL)
    assert len(expired) == 2 and all("expired on 2001-02-03" in v.message for v in expired)


class Webhooks(pulumi.ComponentResource):
    """A team's component: a function with a public URL for a provider's signed webhooks."""

    def __init__(self, name: str) -> None:
        super().__init__("acme:hooks:Webhooks", name, None, None)
        fn = function(f"{name}-fn", parent=self)
        aws.lambda_.FunctionUrl(
            f"{name}-url", function_name=fn.name, authorization_type="NONE", opts=pulumi.ResourceOptions(parent=self)
        )
        self.register_outputs({})


def test_function_url_inside_a_component_is_exempted_by_the_component_name(evaluate: Evaluate) -> None:
    [violation] = found(evaluate(lambda: Webhooks("hooks")), URL)
    assert violation.name == "hooks-url" and "acme:hooks:Webhooks$aws:lambda/functionUrl:FunctionUrl" in violation.urn
    config = {URL: {"publicFunctionUrls": [{"function": "hooks", "reason": "signed by the payment provider"}]}}
    assert found(evaluate(lambda: Webhooks("hooks"), config=config), URL) == []


@pytest.mark.parametrize(
    ("auth", "principal", "bad"), [("NONE", "*", True), ("AWS_IAM", "*", True), ("AWS_IAM", ACCOUNT, False)]
)
def test_function_url_permissions(evaluate: Evaluate, auth: str, principal: str, bad: bool) -> None:
    def program() -> None:
        aws.lambda_.Permission(
            "url-invoke",
            action="lambda:InvokeFunctionUrl",
            function="orders-fn",
            principal=principal,
            function_url_auth_type=auth,
        )

    violations = found(evaluate(program), URL)
    assert bool(violations) is bad
    if bad:
        assert f"functionUrlAuthType {auth}" in violations[0].message and "'orders-fn'" in violations[0].message


def test_function_url_auth_type_from_an_output(evaluate: Evaluate) -> None:
    def program() -> None:
        fn = function()
        aws.lambda_.FunctionUrl("orders-url", function_name=fn.name, authorization_type=fn.arn.apply(lambda _: "NONE"))

    assert len(found(evaluate(program), URL)) == 1
    report = evaluate(program, preview=True)
    assert found(report, URL) == [] and report.notes == []  # unknown in preview: not a violation by itself


@pytest.mark.parametrize(
    ("source", "mandatory_", "advisory"),
    [
        (f"arn:aws:execute-api:us-east-1:{ACCOUNT}:*/*/*/*", True, False),
        (f"arn:aws:execute-api:us-east-1:{ACCOUNT}:*", True, False),
        ("*", True, False),
        (f"arn:aws:execute-api:us-east-1:{ACCOUNT}:abc123/*/*/*", False, True),
        (f"arn:aws:execute-api:us-east-1:{ACCOUNT}:abc123/*/GET/orders", False, False),
    ],
)
def test_source_arn_with_a_wildcard_api_id_is_as_bad_as_none(
    evaluate: Evaluate, source: str, mandatory_: bool, advisory: bool
) -> None:
    def program() -> None:
        aws.lambda_.Permission(
            "invoke",
            action="lambda:InvokeFunction",
            function="fn",
            principal="apigateway.amazonaws.com",
            source_arn=source,
        )

    report = evaluate(program)
    violations = found(report, PERMISSION)
    assert bool(violations) is mandatory_ and bool(found(report, "lambda-permission-route-scoped")) is advisory
    if mandatory_:
        assert violations[0].enforcement == "mandatory" and "API id is a wildcard" in violations[0].message


def test_wildcard_source_arn_built_from_an_output(evaluate: Evaluate) -> None:
    def program() -> None:
        identity = aws.get_caller_identity_output()
        aws.lambda_.Permission(
            "invoke",
            action="lambda:InvokeFunction",
            function="fn",
            principal="apigateway.amazonaws.com",
            source_arn=identity.account_id.apply(lambda account: f"arn:aws:execute-api:us-east-1:{account}:*/*/*/*"),
        )

    assert len(found(evaluate(program), PERMISSION)) == 1


# -- 7. preview --------------------------------------------------------------------------------------------------------


def test_rest_preflight_on_the_root_resource_in_preview(evaluate: Evaluate) -> None:
    """The root resource's id is unknown during preview: the MOCK OPTIONS method there is still a preflight."""

    def program() -> None:
        api = aws.apigateway.RestApi("rest")
        aws.apigateway.Method(
            "root-options",
            rest_api=api.id,
            resource_id=api.root_resource_id,
            http_method="OPTIONS",
            authorization="NONE",
        )
        aws.apigateway.Integration(
            "root-mock", rest_api=api.id, resource_id=api.root_resource_id, http_method="OPTIONS", type="MOCK"
        )

    for preview in (False, True):
        assert found(evaluate(program, preview=preview), REST) == []


def test_unknown_values_of_new_rules_in_preview_are_not_violations(evaluate: Evaluate) -> None:
    def program() -> None:
        api = aws.apigatewayv2.Api("ws", protocol_type="WEBSOCKET", route_selection_expression="$request.body.action")
        key = api.id.apply(lambda _: "$connect")
        aws.apigatewayv2.Route("r", api_id=api.id, route_key=key, authorization_type="NONE")
        aws.lambda_.Permission(
            "p",
            action="lambda:InvokeFunction",
            function="fn",
            principal="apigateway.amazonaws.com",
            source_arn=api.execution_arn.apply(lambda _: "*"),
        )
        fn = function()
        aws.lambda_.FunctionUrl("u", function_name=fn.name, authorization_type=fn.arn.apply(lambda _: "NONE"))

    report = evaluate(program, preview=True)
    assert mandatory(report) == [] and report.notes == []
    assert sorted(v.policy for v in evaluate(program).mandatory) == [ROUTE, URL, PERMISSION]


def test_http_routes_are_unaffected_by_websocket_handling(evaluate: Evaluate) -> None:
    report = evaluate(lambda: route("open", http_api(), "GET /items", authorization_type="NONE"))
    assert [v.name for v in found(report, ROUTE)] == ["open"]
