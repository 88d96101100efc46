"""The advisory rules and the cross-resource (stack) rules: a violating and a passing program each."""

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from policy_programs import CORS, authorizer, found, http_api, identity, route

from securedapi.policy.engine import Report
from securedapi.policy.rules.lambda_permissions import whole_api_scope

Evaluate = Callable[..., Report]


def pool_program(**pool_args: Any) -> Callable[[], None]:
    return lambda: aws.cognito.UserPool("pool", **pool_args)


def client_program(**client_args: Any) -> Callable[[], None]:
    return lambda: identity(**client_args)


CASES: list[tuple[str, Callable[[], None], str]] = [
    ("cognito-mfa-enabled", pool_program(mfa_configuration="OFF"), "MFA off"),
    ("cognito-mfa-enabled", pool_program(), "mfaConfiguration missing"),
    ("cognito-threat-protection", pool_program(user_pool_tier="ESSENTIALS"), "no threat protection"),
    ("cognito-password-policy", pool_program(password_policy={"minimum_length": 8}), "minimum length 8"),
    (
        "cognito-password-policy",
        pool_program(
            password_policy={
                "minimum_length": 14,
                "require_lowercase": True,
                "require_uppercase": True,
                "require_numbers": True,
                "require_symbols": False,
            }
        ),
        "does not require symbols",
    ),
    (
        "cognito-password-policy",
        pool_program(password_policy={"minimum_length": 14, "require_lowercase": True}),
        "does not require uppercase, numbers, symbols",  # omitted in a declared policy = not required
    ),
    (
        "cognito-client-no-user-password-auth",
        client_program(explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH"]),
        "ALLOW_USER_PASSWORD_AUTH",
    ),
    ("cognito-client-redirect-urls", client_program(callback_urls=["http://app.example.com/cb"]), "https"),
    ("cognito-client-redirect-urls", client_program(logout_urls=["https://*.example.com/"]), "wildcards"),
    ("cognito-client-prevent-user-existence-errors", client_program(prevent_user_existence_errors="LEGACY"), "LEGACY"),
    ("cognito-client-token-revocation", client_program(enable_token_revocation=False), "revocation"),
    (
        "cognito-identity-pool-no-unauthenticated",
        lambda: aws.cognito.IdentityPool("ids", identity_pool_name="ids", allow_unauthenticated_identities=True),
        "unauthenticated",
    ),
    (
        "apigw-stage-access-logs",
        lambda: aws.apigatewayv2.Stage("stage", api_id="abc", name="$default"),
        "no access logs",
    ),
    (
        "apigw-stage-access-logs",
        lambda: aws.apigateway.Stage("rest-stage", rest_api="abc", deployment="dep", stage_name="prod"),
        "no access logs",
    ),
    (
        "apigw-stage-throttling",
        lambda: aws.apigatewayv2.Stage(
            "stage", api_id="abc", name="$default", default_route_settings={"throttling_burst_limit": 10}
        ),
        "throttlingRateLimit",
    ),
    (
        "apigw-jwt-route-scopes",
        lambda: route("r", http_api(), "GET /items", authorization_type="JWT", authorizer_id="authz"),
        "ID tokens",
    ),
    ("apigw-cors-no-wildcard-origin", lambda: http_api(cors={"allow_origins": ["*"]}), "any origin"),
    (
        "lambda-permission-route-scoped",
        lambda: aws.lambda_.Permission(
            "perm",
            action="lambda:InvokeFunction",
            function="fn",
            principal="apigateway.amazonaws.com",
            source_arn="arn:aws:execute-api:us-east-1:123456789012:abc/*/*",
        ),
        "whole API",
    ),
]


@pytest.mark.parametrize(("policy", "program", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_advisory_rule_reports(evaluate: Evaluate, policy: str, program: Callable[[], None], expected: str) -> None:
    report = evaluate(program)
    violations = found(report, policy)
    assert violations, report.violations
    assert all(v.enforcement == "advisory" for v in violations)
    assert any(expected in v.message for v in violations), [v.message for v in violations]
    assert report.mandatory == []


PASSING: list[tuple[str, Callable[[], None]]] = [
    (
        "cognito-identity-pool-no-unauthenticated",
        lambda: aws.cognito.IdentityPool("ids", identity_pool_name="ids", allow_unauthenticated_identities=False),
    ),
    (
        "apigw-stage-access-logs",
        lambda: aws.apigateway.Stage(
            "rest-stage",
            rest_api="abc",
            deployment="dep",
            stage_name="prod",
            access_log_settings={
                "destination_arn": "arn:aws:logs:us-east-1:1:log-group:l",
                "format": "$context.requestId",
            },
        ),
    ),
]


@pytest.mark.parametrize(("policy", "program"), PASSING, ids=[c[0] for c in PASSING])
def test_advisory_rule_passes(evaluate: Evaluate, policy: str, program: Callable[[], None]) -> None:
    """Rules the secure baseline (test_secure_baseline_passes_every_rule) has no resource for."""
    assert found(evaluate(program), policy) == []


def test_loopback_http_callback_is_fine(evaluate: Evaluate) -> None:
    report = evaluate(client_program(callback_urls=["http://localhost:5173/callback", "http://127.0.0.1/cb"]))
    assert found(report, "cognito-client-redirect-urls") == []


@pytest.mark.parametrize(
    ("arn", "whole"),
    [
        ("arn:aws:execute-api:us-east-1:1:abc/*", True),
        ("arn:aws:execute-api:us-east-1:1:abc/*/*", True),
        ("arn:aws:execute-api:us-east-1:1:abc/*/*/*", True),
        ("arn:aws:execute-api:us-east-1:1:abc/*/GET/items", False),
        ("arn:aws:execute-api:us-east-1:1:abc/*/$default", False),
        ("arn:aws:execute-api:us-east-1:1:abc/*/*/$default", False),
        ("arn:aws:sns:us-east-1:1:topic", False),
    ],
)
def test_whole_api_scope(arn: str, whole: bool) -> None:
    assert whole_api_scope(arn) is whole


def test_cors_wildcard_headers_only_matter_with_jwt_routes(evaluate: Evaluate) -> None:
    def program(jwt: bool, headers: list[str]) -> Callable[[], None]:
        def run() -> None:
            api = http_api(cors={"allow_origins": ["https://app.example.com"], "allow_headers": headers})
            route(
                "r",
                api,
                "GET /items",
                **(
                    {"authorization_type": "JWT", "authorizer_id": "a", "authorization_scopes": ["api/read"]}
                    if jwt
                    else {"authorization_type": "AWS_IAM"}
                ),
            )

        return run

    policy = "apigw-cors-headers-allow-authorization"
    [violation] = found(evaluate(program(True, ["*"])), policy)
    assert violation.resource_type == "aws:apigatewayv2/api:Api" and "Authorization" in violation.message
    assert found(evaluate(program(False, ["*"])), policy) == []
    assert found(evaluate(program(True, ["*", "Authorization"])), policy) == []
    assert found(evaluate(program(True, ["authorization"])), policy) == []


# -- cross-resource wiring --------------------------------------------------------------------------------------------

WIRED = "apigw-jwt-authorizer-wired-to-pool"
SCOPES = "apigw-route-scopes-grantable"


def wired_program(
    *,
    issuer: str | None = None,
    other_pool_client: bool = False,
    audience: str | None = None,
    route_scopes: tuple[str, ...] = ("api/read",),
    defined: tuple[str, ...] = ("read",),
    granted: tuple[str, ...] = ("api/read",),
) -> Callable[[], None]:
    def program() -> None:
        api = http_api(cors=CORS)
        pool, client = identity(scopes=defined, granted=granted)
        jwt: dict[str, Any] = {}
        if issuer is not None:
            jwt["issuer"] = issuer
        if other_pool_client:
            jwt["audiences"] = [identity("other")[1].id]
        if audience is not None:
            jwt["audiences"] = [audience]
        authz = authorizer(api, pool, client, **jwt)
        route(
            "r",
            api,
            "GET /items",
            authorization_type="JWT",
            authorizer_id=authz.id,
            authorization_scopes=list(route_scopes),
        )

    return program


def test_wired_authorizer_passes_with_known_and_unknown_values(evaluate: Evaluate) -> None:
    for preview in (False, True):
        report = evaluate(wired_program(), preview=preview)
        assert found(report, WIRED) == [] and found(report, SCOPES) == [] and report.notes == []


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_elsewhere"},
            "not 'https://' + the endpoint",
        ),
        ({"audience": "not-a-client"}, "not the id of an app client"),
        ({"other_pool_client": True}, "of user pool 'other'"),
    ],
)
def test_miswired_authorizer(evaluate: Evaluate, kwargs: dict[str, Any], expected: str) -> None:
    [violation] = found(evaluate(wired_program(**kwargs)), WIRED)
    assert violation.enforcement == "advisory" and expected in violation.message
    assert violation.resource_type == "aws:apigatewayv2/authorizer:Authorizer"


def test_external_identity_provider_is_not_miswired(evaluate: Evaluate) -> None:
    assert found(evaluate(wired_program(issuer="https://login.example.com/")), WIRED) == []


def test_miswired_audience_in_preview_through_property_dependencies(evaluate: Evaluate) -> None:
    [violation] = found(evaluate(wired_program(other_pool_client=True), preview=True), WIRED)
    assert "of user pool 'other'" in violation.message


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"route_scopes": ("api/write",)}, "no resource server"),
        ({"route_scopes": ("api/write",), "defined": ("read", "write")}, "not granted"),
    ],
)
def test_route_scope_that_can_never_be_granted(evaluate: Evaluate, kwargs: dict[str, Any], expected: str) -> None:
    for preview in (False, True):
        [violation] = found(evaluate(wired_program(**kwargs), preview=preview), SCOPES)
        assert expected in violation.message and "can never be called" in violation.message


def test_standard_scopes_need_no_resource_server(evaluate: Evaluate) -> None:
    assert found(evaluate(wired_program(route_scopes=("openid",))), SCOPES) == []


def test_resource_server_of_unknown_pool_is_not_a_missing_scope(evaluate: Evaluate) -> None:
    """In preview a resource server whose userPoolId is unknown (and carries no dependency) may define the scope."""

    def program() -> None:
        api = http_api(cors=CORS)
        pool, client = identity(granted=("api/read", "api2/read"))
        detached = pulumi.Output(set(), pool.id.future(), pool.id.is_known())  # the value, without the dependency
        aws.cognito.ResourceServer(
            "rs2",
            user_pool_id=detached,
            identifier="api2",
            name="api2",
            scopes=[{"scope_name": "read", "scope_description": "r"}],
        )
        authz = authorizer(api, pool, client)
        route(
            "r", api, "GET /items", authorization_type="JWT", authorizer_id=authz.id, authorization_scopes=["api2/read"]
        )

    for preview in (False, True):
        assert found(evaluate(program, preview=preview), SCOPES) == []


# -- REST API stage throttling (a stack view: MethodSettings and usage plans name the stage) --------------------------

THROTTLING = "apigw-stage-throttling"
LIMITS = {"throttling_burst_limit": 20, "throttling_rate_limit": 10}
Build = Callable[[aws.apigateway.RestApi, aws.apigateway.Stage], Any]


def rest_stage(build: Build | None = None) -> Callable[[], None]:
    """A REST API with a stage 'prod' (logical name 'rest-stage'); ``build(api, stage)`` adds the throttling."""

    def program() -> None:
        api = aws.apigateway.RestApi("rest", name="rest")
        deployment = aws.apigateway.Deployment("deployment", rest_api=api.id)
        stage = aws.apigateway.Stage("rest-stage", rest_api=api.id, deployment=deployment.id, stage_name="prod")
        if build is not None:
            build(api, stage)

    return program


def method_settings(api_id: Any, stage_name: Any, path: str = "*/*", **settings: Any) -> None:
    aws.apigateway.MethodSettings(
        "settings", rest_api=api_id, stage_name=stage_name, method_path=path, settings=settings
    )


def usage_plan(api_id: Any, stage_name: Any, **throttle: Any) -> None:
    aws.apigateway.UsagePlan(
        "plan", api_stages=[{"api_id": api_id, "stage": stage_name}], throttle_settings=throttle or None
    )


def other_api(build: Callable[[aws.apigateway.RestApi], Any]) -> Build:
    return lambda _api, _stage: build(aws.apigateway.RestApi("other", name="other"))


def detached(output: pulumi.Output[Any]) -> pulumi.Output[Any]:
    """The value of ``output`` without its dependency (unknown in preview, and then nothing links it)."""
    return pulumi.Output(set(), output.future(), output.is_known())


UNTHROTTLED: list[tuple[str, Build | None, str]] = [
    ("no method settings", None, "no MethodSettings for all methods ('*/*')"),
    ("limits -1", lambda a, s: method_settings(a.id, s.stage_name, throttling_burst_limit=-1, throttling_rate_limit=-1),
     "throttlingBurstLimit -1 (no limit), throttlingRateLimit -1 (no limit)"),
    ("no rate limit", lambda a, s: method_settings(a.id, s.stage_name, throttling_burst_limit=20),
     "'*/*' has no throttlingRateLimit"),
    ("one method only", lambda a, s: method_settings(a.id, s.stage_name, "items/GET", **LIMITS),
     "applies to 'items/GET' only"),
    ("another stage", lambda a, _s: method_settings(a.id, "dev", **LIMITS), "REST API stage 'prod'"),
    ("another api", other_api(lambda o: method_settings(o.id, "prod", **LIMITS)), "of API 'rest'"),
    ("plan without throttle", lambda a, s: usage_plan(a.id, s.stage_name),
     "Usage plan 'plan' has no burstLimit, no rateLimit"),
    ("plan of another api", other_api(lambda o: usage_plan(o.id, "prod", burst_limit=20, rate_limit=10)),
     "is not throttled"),
]  # fmt: skip


@pytest.mark.parametrize("preview", [False, True], ids=["known", "preview"])
@pytest.mark.parametrize(("build", "expected"), [c[1:] for c in UNTHROTTLED], ids=[c[0] for c in UNTHROTTLED])
def test_rest_stage_without_throttling_is_reported(
    evaluate: Evaluate, build: Build | None, expected: str, preview: bool
) -> None:
    """Property dependencies link the resources in preview too, when the ids are unknown."""
    report = evaluate(rest_stage(build), preview=preview)
    [violation] = found(report, THROTTLING)
    assert violation.enforcement == "advisory" and violation.resource_type == "aws:apigateway/stage:Stage"
    assert violation.name == "rest-stage" and violation.urn.endswith("::rest-stage")
    assert expected in violation.message, violation.message
    assert "REST API stage 'prod' (Stage 'rest-stage')" in violation.message
    assert "Fix: add aws.apigateway.MethodSettings(" in violation.message and "method_path='*/*'" in violation.message
    assert report.mandatory == [] and report.notes == []


THROTTLED: list[tuple[str, Build]] = [
    ("method settings */*", lambda a, s: method_settings(a.id, s.stage_name, **LIMITS)),
    ("method settings by name", lambda a, _s: method_settings(a.id, "prod", **LIMITS)),
    ("usage plan", lambda a, s: usage_plan(a.id, s.stage_name, burst_limit=20, rate_limit=10)),
    ("zero is a limit", lambda a, s: method_settings(a.id, s.stage_name, throttling_burst_limit=0,
                                                     throttling_rate_limit=0)),
]  # fmt: skip


@pytest.mark.parametrize("preview", [False, True], ids=["known", "preview"])
@pytest.mark.parametrize("build", [c[1] for c in THROTTLED], ids=[c[0] for c in THROTTLED])
def test_throttled_rest_stage_passes(evaluate: Evaluate, build: Build, preview: bool) -> None:
    report = evaluate(rest_stage(build), preview=preview)
    assert found(report, THROTTLING) == [] and report.notes == []


@pytest.mark.parametrize(
    "build",
    [
        lambda a, s: method_settings(detached(a.id), s.stage_name, **LIMITS),
        lambda a, _s: method_settings(a.id, detached(a.id.apply(lambda _: "prod")), **LIMITS),
        lambda a, s: usage_plan(detached(a.id), s.stage_name, burst_limit=20, rate_limit=10),
    ],
    ids=["method settings api", "method settings stage", "usage plan api"],
)
def test_rest_stage_throttling_unknown_in_preview_is_no_violation(evaluate: Evaluate, build: Build) -> None:
    """An unknown id with no dependency to link it by may name this stage: never a violation by itself.
    With the values known, the ids link the same resources."""
    for preview in (False, True):
        assert found(evaluate(rest_stage(build), preview=preview), THROTTLING) == []
