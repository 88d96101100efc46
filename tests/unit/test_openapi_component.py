"""SecuredHttpApi's `openapi` output: valid OpenAPI 3.1 that says exactly what the recorded graph deploys."""

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from pulumi.output import Unknown

from securedapi import CognitoIdentity, SecuredHttpApi
from securedapi.testing import Recording, run_program
from tests.unit.conftest import CERTIFICATE, api_args, identity_args
from tests.unit.test_openapi import EVERY_SHAPE, assert_valid
from tests.unit.test_validation import assert_rejected_before_any_resource

ROOT = Path(__file__).resolve().parents[2]
ROUTE = "aws:apigatewayv2/route:Route"
FUNCTION = "aws:lambda/function:Function"
API = "securedapi:index:SecuredHttpApi"


def document_of(rec: Recording, name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(rec.named(name).outputs["openapi"])
    assert_valid(doc)
    return doc


def operations_by_route(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for item in doc["paths"].values():
        for op in item.values():
            found.setdefault(op["x-securedapi-route"], []).append(op)
    return found


def assert_document_matches_graph(rec: Recording, name: str) -> dict[str, Any]:
    """Every Route resource of the component is in the document with the auth API Gateway enforces for it."""
    doc = document_of(rec, name)
    component = rec.named(name)
    routes = {r.inputs["routeKey"]: r.inputs for r in rec.of_type(ROUTE) if r.parent == component.urn}
    ops = operations_by_route(doc)
    assert set(ops) == set(routes)
    groups: dict[str, list[str]] = {}
    for function in rec.of_type(FUNCTION):
        if function.parent == component.urn:
            variables = (function.inputs.get("environment") or {}).get("variables") or {}
            groups.update(json.loads(variables.get("ROUTE_GROUPS", "{}")))
    for key, inputs in routes.items():
        if inputs["authorizationType"] == "NONE":
            expected = []
        else:
            expected = [{"oauth2": [s]} for s in inputs.get("authorizationScopes") or []] or [{"oauth2": []}]
        for op in ops[key]:
            assert op["security"] == expected, key
            assert op.get("x-securedapi-preflight", False) == ("target" not in inputs), key
            assert op.get("x-securedapi-groups", []) == groups.get(key, []), key
    return doc


@pytest.fixture(scope="module")
def shapes() -> Recording:
    def program() -> None:
        identity = CognitoIdentity("auth", identity_args(scopes={"read": "Read", "write": "Write"}))
        SecuredHttpApi(
            "shapes",
            api_args(
                routes=EVERY_SHAPE, issuer=identity.issuer, audiences=[identity.client_id], auth_domain=identity.domain
            ),
        )

    return run_program(program, project="test", stack="unit")


def test_a_program_with_every_route_shape_gets_a_document_of_every_route(shapes):
    doc = assert_document_matches_graph(shapes, "shapes")
    keys = set(operations_by_route(doc))
    assert set(EVERY_SHAPE) <= keys
    assert {"OPTIONS /things/{id}", "OPTIONS /{proxy+}", "OPTIONS /"} == keys - set(EVERY_SHAPE)  # CORS is on
    assert doc["info"]["title"] == "shapes"


def test_the_document_is_wired_to_the_identity_and_the_stage(shapes):
    doc = document_of(shapes, "shapes")
    pool = shapes.named("auth-pool")
    issuer = "https://" + pool.outputs["endpoint"]
    assert issuer in doc["info"]["description"]
    identity = shapes.named("auth").outputs
    flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]
    assert flows["authorizationCode"]["authorizationUrl"] == f"{identity['domain']}/oauth2/authorize"
    assert flows["authorizationCode"]["tokenUrl"] == identity["tokenEndpoint"]
    assert flows["clientCredentials"]["tokenUrl"] == identity["tokenEndpoint"]
    stage = shapes.named("shapes-stage").outputs["invokeUrl"]
    assert doc["servers"] == [{"url": stage.rstrip("/")}]
    assert shapes.named("shapes").outputs["apiUrl"] == stage


def test_without_auth_domain_the_scheme_is_the_issuers_openid_configuration(record):
    rec = record(lambda: SecuredHttpApi("web", api_args()))
    doc = document_of(rec, "web")
    scheme = doc["components"]["securitySchemes"]["oauth2"]
    assert scheme["type"] == "openIdConnect"
    assert scheme["openIdConnectUrl"] == f"{api_args()['issuer']}/.well-known/openid-configuration"
    assert_document_matches_graph(rec, "web")


def test_default_scopes_and_a_custom_domain(record):
    args = api_args(default_scopes=["api/all"], custom_domain="api.example.com", certificate_arn=CERTIFICATE)
    rec = record(lambda: SecuredHttpApi("web", args))
    doc = assert_document_matches_graph(rec, "web")
    assert doc["paths"]["/items"]["post"]["security"] == [{"oauth2": ["api/all"]}]
    stage = rec.named("web-stage").outputs["invokeUrl"]
    assert doc["servers"] == [{"url": "https://api.example.com"}, {"url": stage.rstrip("/")}]


def test_preview_leaves_the_document_unknown_without_failing():
    rec = run_program(lambda: SecuredHttpApi("web", api_args()), project="test", stack="unit", preview=True)
    assert isinstance(rec.named("web").outputs["openapi"], Unknown)  # until the invoke URL is known


BAD_SCHEMA_CASES = [
    ("schema not a mapping", {"request_schema": ["object"]}, r"request_schema: expected a JSON Schema as a mapping"),
    ("unknown type", {"response_schema": {"type": "strin"}}, r"response_schema: not a valid JSON Schema: 'strin'"),
    (
        "bad nested keyword",
        {"request_schema": {"type": "object", "properties": {"n": {"maxLength": -1}}}},
        r"request_schema: not a valid JSON Schema: -1 .*\(at \['properties'\]\['n'\]\['maxLength'\]\)",
    ),
]


@pytest.mark.parametrize(("case", "extra", "message"), BAD_SCHEMA_CASES, ids=[c[0] for c in BAD_SCHEMA_CASES])
def test_route_schemas_are_rejected_before_any_resource(record, case, extra, message):
    routes = {"POST /items": {"handler": "app.handler", **extra}}
    args = api_args(routes=routes)
    assert_rejected_before_any_resource(
        record, lambda: SecuredHttpApi("web", args), r"SecuredHttpApi args.routes\['POST /items'\]\." + message
    )


@pytest.mark.parametrize(
    ("domain", "message"),
    [
        ("http://auth.example.com", r"must use https"),
        ("https://auth.example.com/oauth2/authorize", r"without a path"),
        (42, r"expected a URL string, got 42"),
    ],
)
def test_auth_domain_is_checked_before_any_resource(record, domain, message):
    args = api_args(auth_domain=domain)
    assert_rejected_before_any_resource(record, lambda: SecuredHttpApi("web", args), r"args.auth_domain: .*" + message)


def test_a_loopback_auth_domain_is_accepted(record):
    rec = record(lambda: SecuredHttpApi("web", api_args(auth_domain="http://localhost:5001")))
    flows = document_of(rec, "web")["components"]["securitySchemes"]["oauth2"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"] == "http://localhost:5001/oauth2/token"


# -- the dashboard stack ----------------------------------------------------------------------------------------------


def declared_routes(program: Path) -> set[str]:
    """The route keys written in the program's source: the keys of the ``"routes"`` mapping it passes."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(program.read_text())):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "routes" and isinstance(value, ast.Dict):
                    found |= {k.value for k in value.keys if isinstance(k, ast.Constant)}
    assert found, f"no routes mapping found in {program}"
    return found


@pytest.fixture(scope="module", params=["dev", "prod"])
def dashboard(request) -> Recording:
    return run_program(ROOT, stack=request.param)


def test_the_dashboard_document_has_every_route_of_the_program(dashboard):
    doc = assert_document_matches_graph(dashboard, "dashboard-api")
    documented = set(operations_by_route(doc))
    assert declared_routes(ROOT / "__main__.py") <= documented
    assert documented - declared_routes(ROOT / "__main__.py") <= {"OPTIONS /{proxy+}", "OPTIONS /"}
    assert doc["paths"]["/health"]["get"]["security"] == []
    assert "uptime checks" in doc["paths"]["/health"]["get"]["description"]
    assert doc["paths"]["/admin/metadata/list"]["get"]["x-securedapi-groups"] == ["admin"]
    assert [p["name"] for p in doc["paths"]["/metadata/{id}"]["delete"]["parameters"]] == ["id"]


def test_the_dashboard_document_points_at_its_identity_and_api(dashboard):
    doc = document_of(dashboard, "dashboard-api")
    outputs = dashboard.outputs
    flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]
    assert flows["authorizationCode"]["tokenUrl"] == outputs["tokenEndpoint"]
    assert flows["clientCredentials"]["tokenUrl"] == outputs["tokenEndpoint"]
    authorize = flows["authorizationCode"]["authorizationUrl"]
    assert outputs["loginUrl"].startswith(authorize.removesuffix("/oauth2/authorize"))
    assert {"url": outputs["apiUrl"].rstrip("/")} in doc["servers"]
    assert outputs["issuer"] in doc["info"]["description"]
    assert dashboard.named("dashboard-api").type == API


def test_schemas_from_other_languages_keep_their_keys_and_numbers():
    """Through the provider's Construct (TypeScript, YAML, ...): camelCase args, the schema's own keys untouched."""
    from tests.package.test_plugin import API_INPUTS, construct

    schema = {"type": "object", "additionalProperties": False, "properties": {"someName": {"maxLength": 5.0}}}
    routes = {**API_INPUTS["routes"], "POST /x": {"handler": "api.handler", "requestSchema": schema}}
    rec, state = construct(API, {**API_INPUTS, "routes": routes, "authDomain": "https://auth.example.com"})
    doc = document_of(rec, "c")
    assert doc["components"]["schemas"]["PostXRequest"] == {
        "type": "object",
        "additionalProperties": False,
        "properties": {"someName": {"maxLength": 5}},
    }
    flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"] == "https://auth.example.com/oauth2/token"
    assert "openapi" in state  # the Construct result carries the output to the calling program
