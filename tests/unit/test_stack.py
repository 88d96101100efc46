"""The project's own stack (dev and prod) under mocks: exports, wiring between identity, storage and API."""

import json
from pathlib import Path

import pytest

from tests.unit.conftest import dashboard

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", params=["dev", "prod"])
def stack(request):
    return dashboard(request.param)


def test_exports(stack):
    expected = {"apiUrl", "userPoolId", "userPoolClientId", "issuer", "jwksUri", "loginUrl", "tokenEndpoint"}
    assert expected <= set(stack.outputs)
    pool = stack.named("dashboard-identity-pool")
    assert stack.outputs["issuer"] == "https://" + pool.outputs["endpoint"]
    assert stack.outputs["userPoolClientId"] == stack.named("dashboard-identity-client").id
    assert stack.outputs["apiUrl"] == stack.named("dashboard-api-stage").outputs["invokeUrl"]


def test_authorizer_trusts_this_pool_and_client(stack):
    jwt = stack.named("dashboard-api-authorizer").inputs["jwtConfiguration"]
    reporting = stack.named("dashboard-identity-service-reporting").id
    assert stack.outputs["serviceClientIds"] == {"reporting": reporting}
    assert jwt == {"issuer": stack.outputs["issuer"], "audiences": [stack.outputs["userPoolClientId"], reporting]}


def test_reporting_service_client_reads_reports_only(stack):
    """The example service client: client credentials, only the report scope, which the browser's client lacks."""
    service = stack.named("dashboard-identity-service-reporting").inputs
    assert (service["allowedOauthFlows"], service["allowedOauthScopes"]) == (
        ["client_credentials"],
        ["dashboard/reports.read"],
    )
    assert service["generateSecret"] is True and "callbackUrls" not in service
    browser = stack.named("dashboard-identity-client").inputs["allowedOauthScopes"]
    assert "dashboard/reports.read" not in browser and "dashboard/api" in browser
    routes = {r.inputs["routeKey"]: r.inputs for r in stack.of_type("aws:apigatewayv2/route:Route")}
    assert routes["GET /reports/summary"]["authorizationScopes"] == ["dashboard/reports.read"]
    confidential = stack.named("dashboard-identity").outputs["confidentialClients"]
    assert list(confidential) == ["dashboard-identity-service-reporting"]


def test_backend_routes_and_auth(stack):
    routes = {r.inputs["routeKey"]: r.inputs for r in stack.of_type("aws:apigatewayv2/route:Route")}
    assert set(routes) == {
        "GET /health",
        "POST /upload-url",
        "GET /metadata/list",
        "GET /metadata/{id}",
        "DELETE /metadata/{id}",
        "GET /admin/metadata/list",
        "GET /reports/summary",
    }
    assert routes["GET /health"]["authorizationType"] == "NONE"
    assert all(r["authorizationType"] == "JWT" for k, r in routes.items() if k != "GET /health")
    function = stack.named("dashboard-api-fn-app-handler").inputs
    variables = function["environment"]["variables"]
    assert variables["TABLE_NAME"] == stack.named("dashboard-metadata").outputs["name"]
    assert variables["BUCKET_NAME"] == stack.named("dashboard-uploads").outputs["bucket"]
    assert json.loads(variables["ROUTE_GROUPS"]) == {"GET /admin/metadata/list": ["admin"]}
    assert function["handler"] == "app.handler"


def test_backend_policy_is_scoped_to_table_and_bucket(stack):
    policy = json.loads(stack.named("dashboard-api-role-policy-0").inputs["policy"])
    table = stack.named("dashboard-metadata").outputs["arn"]
    bucket = stack.named("dashboard-uploads").outputs["arn"]
    resources = [
        r for s in policy["Statement"] for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
    ]
    assert set(resources) == {table, f"{table}/index/byCreated", f"{bucket}/users/*"}


def test_prod_is_stricter(stack):
    pool = stack.named("dashboard-identity-pool").inputs
    routes = [r.inputs for r in stack.of_type("aws:apigatewayv2/route:Route")]
    if stack.stack == "prod":
        assert pool["mfaConfiguration"] == "ON"
        assert pool["deletionProtection"] == "ACTIVE"
        assert pool["userPoolAddOns"]["advancedSecurityMode"] == "ENFORCED"
        user_routes = [r for r in routes if r["authorizationType"] == "JWT" and r["routeKey"] != "GET /reports/summary"]
        assert all(r.get("authorizationScopes") == ["dashboard/api"] for r in user_routes)
        assert stack.named("dashboard-api-domain").inputs["domainName"] == "api.example.com"
        assert stack.named("dashboard-identity-domain").inputs["domain"] == "auth.example.com"
    else:
        assert pool["mfaConfiguration"] == "OPTIONAL"
        assert pool["deletionProtection"] == "INACTIVE"
        assert all("authorizationScopes" not in r for r in routes if r["routeKey"] != "GET /reports/summary")
