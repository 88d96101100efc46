"""SecuredHttpApi under mocks: assert the wiring of the recorded resource graph."""

import json
import logging

import pytest

from securedapi import SecuredHttpApi
from securedapi.lambda_policy import fits_function_policy
from tests.unit.conftest import CERTIFICATE, ISSUER, api_args

ROUTE = "aws:apigatewayv2/route:Route"
PERMISSION = "aws:lambda/permission:Permission"


@pytest.fixture
def graph(record):
    holder = {}

    def program():
        holder["api"] = SecuredHttpApi("web", api_args())

    rec = record(program)
    return rec


def routes_by_key(rec):
    return {r.inputs["routeKey"]: r for r in rec.of_type(ROUTE)}


def test_jwt_routes_reference_this_apis_authorizer(graph):
    authorizer = graph.named("web-authorizer")
    api = graph.named("web-api")
    routes = routes_by_key(graph)
    for key in ("GET /items/{id}", "POST /items"):
        assert routes[key].inputs["authorizationType"] == "JWT"
        assert routes[key].inputs["authorizerId"] == authorizer.id
        assert routes[key].inputs["apiId"] == api.id
    assert authorizer.inputs["apiId"] == api.id
    assert authorizer.inputs["identitySources"] == ["$request.header.Authorization"]
    assert authorizer.inputs["jwtConfiguration"] == {"issuer": ISSUER, "audiences": ["client-one"]}


def test_public_routes_have_no_authorizer_and_are_listed_with_reason(graph):
    health = routes_by_key(graph)["GET /health"]
    assert health.inputs["authorizationType"] == "NONE"
    assert "authorizerId" not in health.inputs
    component = graph.named("web")
    assert component.outputs["publicRoutes"] == {"GET /health": "uptime checks"}
    assert component.outputs["routes"] == {"GET /health": "NONE", "GET /items/{id}": "JWT", "POST /items": "JWT"}


def test_scopes_are_carried_to_the_route(graph):
    routes = routes_by_key(graph)
    assert routes["GET /items/{id}"].inputs["authorizationScopes"] == ["api/read"]
    assert "authorizationScopes" not in routes["POST /items"].inputs


def test_default_scopes_apply_to_jwt_routes_without_their_own(record):
    rec = record(lambda: SecuredHttpApi("web", api_args(default_scopes=["api/all"])))
    routes = routes_by_key(rec)
    assert routes["POST /items"].inputs["authorizationScopes"] == ["api/all"]
    assert routes["GET /items/{id}"].inputs["authorizationScopes"] == ["api/read"]
    assert "authorizationScopes" not in routes["GET /health"].inputs


def test_routes_target_the_integration_of_their_handler(graph):
    integrations = {r.name: r for r in graph.of_type("aws:apigatewayv2/integration:Integration")}
    functions = {r.name: r for r in graph.of_type("aws:lambda/function:Function")}
    assert set(functions) == {"web-fn-app-handler", "web-fn-items-create"}
    routes = routes_by_key(graph)
    app = integrations["web-integration-app-handler"]
    assert routes["GET /items/{id}"].inputs["target"] == f"integrations/{app.id}"
    assert app.inputs["integrationUri"] == functions["web-fn-app-handler"].outputs["invokeArn"]
    assert app.inputs["payloadFormatVersion"] == "2.0"
    assert app.inputs["integrationType"] == "AWS_PROXY"
    items = integrations["web-integration-items-create"]
    assert routes["POST /items"].inputs["target"] == f"integrations/{items.id}"


def test_groups_are_passed_to_the_backend(graph):
    items = graph.named("web-fn-items-create")
    assert json.loads(items.inputs["environment"]["variables"]["ROUTE_GROUPS"]) == {"POST /items": ["admin"]}
    assert "environment" not in graph.named("web-fn-app-handler").inputs


def test_permissions_are_scoped_to_api_method_and_route(graph):
    api = graph.named("web-api")
    arns = {p.name: p.inputs for p in graph.of_type(PERMISSION)}
    execution_arn = api.outputs["executionArn"]
    assert arns["web-permission-get-items-id"]["sourceArn"] == f"{execution_arn}/*/GET/items/{{id}}"
    assert arns["web-permission-post-items"]["sourceArn"] == f"{execution_arn}/*/POST/items"
    assert arns["web-permission-get-health"]["sourceArn"] == f"{execution_arn}/*/GET/health"
    for permission in arns.values():
        assert permission["principal"] == "apigateway.amazonaws.com"
        assert permission["action"] == "lambda:InvokeFunction"
    assert arns["web-permission-post-items"]["function"] == graph.named("web-fn-items-create").outputs["name"]


def test_cors_allows_authorization_explicitly(graph):
    cors = graph.named("web-api").inputs["corsConfiguration"]
    assert cors["allowOrigins"] == ["https://app.example.com"]
    assert cors["allowHeaders"][:2] == ["authorization", "content-type"]
    assert "*" not in cors["allowHeaders"]
    assert set(cors["allowMethods"]) == {"GET", "POST", "OPTIONS"}
    assert cors["allowCredentials"] is False
    assert cors["maxAge"] == 600


def test_no_cors_configuration_without_origins(record):
    rec = record(lambda: SecuredHttpApi("web", api_args(cors_origins=[])))
    assert "corsConfiguration" not in rec.named("web-api").inputs


@pytest.mark.parametrize(
    ("key", "preflights"),
    [
        ("ANY /items", ["OPTIONS /items"]),
        ("GET /files/{proxy+}", ["OPTIONS /{proxy+}"]),
        ("$default", ["OPTIONS /{proxy+}", "OPTIONS /"]),
    ],
)
def test_preflight_route_added_when_a_jwt_route_catches_options(record, key, preflights):
    routes = {"GET /health": {"handler": "app.handler", "public": "uptime"}, key: {"handler": "app.handler"}}
    rec = record(lambda: SecuredHttpApi("web", api_args(routes=routes)))
    by_key = routes_by_key(rec)
    assert sorted(k for k in by_key if k.startswith("OPTIONS ")) == sorted(preflights)
    for preflight_key in preflights:
        preflight = by_key[preflight_key]
        assert preflight.inputs["authorizationType"] == "NONE"
        assert "target" not in preflight.inputs
        assert rec.named("web").outputs["publicRoutes"][preflight_key] == "CORS preflight"
    assert by_key[key].inputs["authorizationType"] == "JWT"
    assert not [p for p in rec.of_type(PERMISSION) if p.name.startswith("web-permission-options")]


def test_no_preflight_route_when_not_needed(graph, record):
    assert "OPTIONS /{proxy+}" not in routes_by_key(graph)
    routes = {"ANY /items": {"handler": "app.handler"}}
    rec = record(lambda: SecuredHttpApi("web", api_args(routes=routes, cors_origins=[])))
    assert list(routes_by_key(rec)) == ["ANY /items"]


def test_any_route_permission_uses_wildcard_method(record):
    routes = {"ANY /items/{proxy+}": {"handler": "app.handler"}}
    rec = record(lambda: SecuredHttpApi("web", api_args(routes=routes, cors_origins=[])))
    (permission,) = rec.of_type(PERMISSION)
    assert permission.inputs["sourceArn"].endswith("/*/*/items/{proxy+}")


def test_default_route_permission_has_no_method_part(record):
    # API Gateway invokes $default as {apiId}/{stage}/$default: "/*/*/$default" would never match.
    routes = {"$default": {"handler": "app.handler"}}
    rec = record(lambda: SecuredHttpApi("web", api_args(routes=routes, cors_origins=[])))
    (permission,) = rec.of_type(PERMISSION)
    assert permission.inputs["sourceArn"] == f"{rec.named('web-api').outputs['executionArn']}/*/$default"


def item_routes(count, handler="app.handler"):
    return {f"GET /items{i}/{{id}}": {"handler": handler} for i in range(count)}


def most_item_routes_that_fit():
    """The most ``GET /itemsN/{id}`` routes whose per-route permissions fit one function's 20 KB policy."""
    n = 0
    while fits_function_policy([f"GET/items{i}/{{id}}" for i in range(n + 1)]):
        n += 1
    return n


def quota_warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "20 KB quota" in r.getMessage()]


def test_a_handler_under_the_policy_quota_keeps_one_permission_per_route(record, caplog):
    count = most_item_routes_that_fit()
    assert count > 30
    rec = record(lambda: SecuredHttpApi("web", api_args(routes=item_routes(count), cors_origins=[])))
    execution_arn = rec.named("web-api").outputs["executionArn"]
    function = rec.named("web-fn-app-handler").outputs["name"]
    permissions = {p.name: p.inputs for p in rec.of_type(PERMISSION)}
    assert {name: p["sourceArn"] for name, p in permissions.items()} == {
        f"web-permission-get-items{i}-id": f"{execution_arn}/*/GET/items{i}/{{id}}" for i in range(count)
    }
    assert {p["function"] for p in permissions.values()} == {function}
    assert quota_warnings(caplog) == []


def test_a_handler_past_the_policy_quota_gets_one_whole_api_permission_and_a_warning(record, caplog):
    """Lambda refuses a resource-based policy over 20 KB (PolicyLengthExceededException at pulumi up):
    https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"""
    rec = record(lambda: SecuredHttpApi("web", api_args(routes=item_routes(200), cors_origins=[])))
    (permission,) = rec.of_type(PERMISSION)
    assert permission.name == "web-permission-app-handler"  # the function's own suffix: web-fn-app-handler
    assert permission.inputs["sourceArn"] == f"{rec.named('web-api').outputs['executionArn']}/*/*"
    assert permission.inputs["function"] == rec.named("web-fn-app-handler").outputs["name"]
    assert permission.inputs["principal"] == "apigateway.amazonaws.com"
    assert permission.parent == rec.named("web").urn
    assert len(rec.of_type(ROUTE)) == 200
    (warning,) = quota_warnings(caplog)
    assert "SecuredHttpApi 'web'" in warning and "handler 'app.handler' serves 200 routes" in warning
    assert "split these routes across at least" in warning and "PolicyLengthExceededException" in warning


def test_one_route_more_than_fits_switches_to_the_whole_api_permission(record, caplog):
    count = most_item_routes_that_fit() + 1
    rec = record(lambda: SecuredHttpApi("web", api_args(routes=item_routes(count), cors_origins=[])))
    assert [p.name for p in rec.of_type(PERMISSION)] == ["web-permission-app-handler"]
    assert len(quota_warnings(caplog)) == 1


def test_handlers_are_judged_separately(record, caplog):
    routes = {**item_routes(60), "POST /items": {"handler": "items.create"}, "GET /items": {"handler": "items.create"}}
    rec = record(lambda: SecuredHttpApi("web", api_args(routes=routes)))
    execution_arn = rec.named("web-api").outputs["executionArn"]
    by_function = {}
    for p in rec.of_type(PERMISSION):
        by_function.setdefault(p.inputs["function"], {})[p.name] = p.inputs["sourceArn"]
    assert by_function == {
        rec.named("web-fn-app-handler").outputs["name"]: {"web-permission-app-handler": f"{execution_arn}/*/*"},
        rec.named("web-fn-items-create").outputs["name"]: {
            "web-permission-post-items": f"{execution_arn}/*/POST/items",
            "web-permission-get-items": f"{execution_arn}/*/GET/items",
        },
    }
    (warning,) = quota_warnings(caplog)
    assert "'app.handler'" in warning and "items.create" not in warning


def test_the_whole_api_permission_never_takes_a_route_permission_name(record, tmp_path):
    (tmp_path / "get.py").write_text("def items(event, context):\n    return {}\n")
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    routes = {**item_routes(60, handler="get.items"), "GET /items": {"handler": "app.handler"}}
    rec = record(lambda: SecuredHttpApi("web", api_args(routes=routes, code_path=str(tmp_path), cors_origins=[])))
    names = {p.name: p.inputs["function"] for p in rec.of_type(PERMISSION)}
    assert names == {
        "web-permission-get-items": rec.named("web-fn-app-handler").outputs["name"],  # the route GET /items
        "web-permission-get-items-2": rec.named("web-fn-get-items").outputs["name"],  # get.items, whole API
    }


def test_stage_has_access_logs_and_throttling(graph):
    stage = graph.named("web-stage")
    logs = graph.named("web-access-logs")
    assert stage.inputs["name"] == "$default"
    assert stage.inputs["autoDeploy"] is True
    assert stage.inputs["apiId"] == graph.named("web-api").id
    assert stage.inputs["accessLogSettings"]["destinationArn"] == logs.outputs["arn"]
    fields = json.loads(stage.inputs["accessLogSettings"]["format"])
    assert {"requestId", "routeKey", "status", "authorizerError", "sub"} <= set(fields)
    assert stage.inputs["defaultRouteSettings"] == {"throttlingBurstLimit": 100, "throttlingRateLimit": 50}


def test_outputs_are_wired(graph):
    component = graph.named("web")
    assert component.outputs["apiUrl"] == graph.named("web-stage").outputs["invokeUrl"]
    assert component.outputs["apiId"] == graph.named("web-api").id
    assert component.outputs["authorizerId"] == graph.named("web-authorizer").id


def test_every_child_is_parented_to_the_component(graph):
    component = graph.named("web")
    children = [r for r in graph.resources if r is not component]
    assert children
    for child in children:
        assert child.parent == component.urn, child.name
        assert child.name.startswith("web-")


def test_role_is_least_privilege(graph):
    role = graph.named("web-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    logs_policy = json.loads(graph.named("web-role-logs").inputs["policy"])
    resources = logs_policy["Statement"][0]["Resource"]
    log_groups = {g.outputs["arn"] for g in graph.of_type("aws:cloudwatch/logGroup:LogGroup")} - {
        graph.named("web-access-logs").outputs["arn"]
    }
    assert sorted(resources) == sorted(f"{arn}:*" for arn in log_groups)
    for function in graph.of_type("aws:lambda/function:Function"):
        assert function.inputs["role"] == role.outputs["arn"]
        assert function.inputs["loggingConfig"]["logFormat"] == "JSON"


def test_custom_domain_maps_the_stage(record):
    rec = record(lambda: SecuredHttpApi("web", api_args(custom_domain="api.example.com", certificate_arn=CERTIFICATE)))
    domain = rec.named("web-domain")
    mapping = rec.named("web-mapping")
    assert domain.inputs["domainNameConfiguration"]["endpointType"] == "REGIONAL"
    assert mapping.inputs["domainName"] == domain.id
    assert mapping.inputs["stage"] == rec.named("web-stage").id
    assert (
        rec.named("web").outputs["customDomainTarget"] == domain.outputs["domainNameConfiguration"]["targetDomainName"]
    )


def test_several_audiences(record):
    rec = record(lambda: SecuredHttpApi("web", api_args(audiences=["web-client", "cli-client"])))
    assert rec.named("web-authorizer").inputs["jwtConfiguration"]["audiences"] == ["web-client", "cli-client"]
