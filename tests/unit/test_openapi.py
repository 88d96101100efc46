"""The OpenAPI 3.1 document built from the route model (pure: no Pulumi), checked with openapi-spec-validator."""

import json
from typing import Any

import pytest
from openapi_spec_validator import validate

from securedapi.openapi import ERRORS, build_document, render
from securedapi.routes import RouteError, parse_route, parse_routes, preflight_routes

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example"
DOMAIN = "https://example-auth.auth.us-east-1.amazoncognito.com"
INVOKE_URL = "https://abc123.execute-api.us-east-1.amazonaws.com/"
H = "app.handler"
ITEM = {
    "type": "object",
    "required": ["id"],
    "properties": {"id": {"$ref": "#/$defs/id"}},
    "$defs": {"id": {"type": "string"}},
}
NEW_ITEM = {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "maxLength": 64}}}

# Every route shape the component accepts.
EVERY_SHAPE: dict[str, dict[str, Any]] = {
    "GET /health": {"handler": H, "public": "uptime checks"},
    "GET /items": {"handler": H},
    "GET /items/{id}": {"handler": H, "scopes": ["api/read", "api/write"], "response_schema": ITEM},
    "POST /items": {"handler": H, "scopes": ["api/write"], "request_schema": NEW_ITEM, "response_schema": ITEM},
    "DELETE /items/{itemId}": {"handler": H, "groups": ["admin", "editors"]},
    "GET /files/{proxy+}": {"handler": H},
    "PUT /things/{id}": {"handler": H, "scopes": ["api/write"]},
    "ANY /things/{id}": {"handler": H, "request_schema": NEW_ITEM},
    "$default": {"handler": H},
}
ALL_METHODS = ["get", "post", "put", "patch", "delete", "head", "options"]


_VALID: set[str] = set()


def assert_valid(doc: dict[str, Any]) -> None:
    """openapi-spec-validator: a valid OpenAPI 3.1 document, every $ref resolvable (each distinct document once)."""
    text = json.dumps(doc, sort_keys=True)
    if text not in _VALID:
        validate(doc)
        _VALID.add(text)


def document(routes: dict[str, dict[str, Any]] = EVERY_SHAPE, *, cors: bool = True, **kwargs: Any) -> dict[str, Any]:
    parsed = parse_routes(routes)
    options: dict[str, Any] = {"issuer": ISSUER, "servers": [INVOKE_URL], "auth_domain": DOMAIN, **kwargs}
    doc = build_document("shapes", parsed, preflight=preflight_routes(parsed) if cors else [], **options)
    assert_valid(doc)
    return doc


def operations(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(path, method): op for path, item in doc["paths"].items() for method, op in item.items()}


def by_route(doc: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for place, op in operations(doc).items():
        found.setdefault(op["x-securedapi-route"], []).append(place)
    return found


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return document()


def test_every_route_and_every_preflight_route_is_in_the_document(doc):
    parsed = parse_routes(EVERY_SHAPE)
    expected = {r.key for r in parsed} | {r.key for r in preflight_routes(parsed)}
    assert set(by_route(doc)) == expected
    assert doc["openapi"] == "3.1.0"
    assert len({op["operationId"] for op in operations(doc).values()}) == len(operations(doc))


def test_a_public_route_has_no_security_and_says_why(doc):
    health = doc["paths"]["/health"]["get"]
    assert health["security"] == []
    assert "uptime checks" in health["description"]
    assert health["x-securedapi-public"] == "uptime checks"
    assert "x-securedapi-preflight" not in health


def test_a_jwt_route_without_scopes_still_requires_the_scheme(doc):
    items = doc["paths"]["/items"]["get"]
    assert items["security"] == [{"oauth2": []}]
    assert "ID token" in items["description"]


def test_a_token_with_any_one_of_the_routes_scopes_is_enough(doc):
    """API Gateway accepts a token carrying any one of authorizationScopes: one requirement per scope (OR)."""
    assert doc["paths"]["/items/{id}"]["get"]["security"] == [{"oauth2": ["api/read"]}, {"oauth2": ["api/write"]}]
    assert doc["paths"]["/items"]["post"]["security"] == [{"oauth2": ["api/write"]}]


def test_default_scopes_apply_to_jwt_routes_without_their_own():
    doc = document(default_scopes=["api/all"])
    assert doc["paths"]["/items"]["get"]["security"] == [{"oauth2": ["api/all"]}]
    assert doc["paths"]["/items/{id}"]["get"]["security"] == [{"oauth2": ["api/read"]}, {"oauth2": ["api/write"]}]
    assert doc["paths"]["/health"]["get"]["security"] == []
    flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]
    assert set(flows["authorizationCode"]["scopes"]) == {"api/all", "api/read", "api/write"}


def test_groups_are_an_extension_and_in_the_description(doc):
    delete = doc["paths"]["/items/{id}"]["delete"]
    assert delete["x-securedapi-groups"] == ["admin", "editors"]
    assert "admin, editors" in delete["description"] and "403" in delete["description"]
    assert "x-securedapi-groups" not in doc["paths"]["/items"]["get"]


def test_path_parameters_follow_the_path_template(doc):
    get = doc["paths"]["/items/{id}"]["get"]
    assert get["parameters"] == [
        {
            "name": "id",
            "in": "path",
            "required": True,
            "description": "One path segment.",
            "schema": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"},
        }
    ]
    # DELETE /items/{itemId} is the same OpenAPI path as /items/{id}: it is written under the first one's names
    delete = doc["paths"]["/items/{id}"]["delete"]
    assert delete["x-securedapi-route"] == "DELETE /items/{itemId}"
    assert [p["name"] for p in delete["parameters"]] == ["id"]
    assert "/items/{itemId}" not in doc["paths"]


def test_a_greedy_parameter_keeps_its_api_gateway_name(doc):
    files = doc["paths"]["/files/{proxy+}"]["get"]
    (parameter,) = files["parameters"]
    assert parameter["name"] == "proxy+" and parameter["required"] is True
    assert "one or more path segments" in parameter["description"]
    assert "pattern" not in parameter["schema"]  # slashes are part of the value


def test_any_takes_the_methods_no_specific_route_takes(doc):
    item = doc["paths"]["/things/{id}"]
    assert list(item) == ALL_METHODS
    assert item["put"]["x-securedapi-route"] == "PUT /things/{id}"
    assert item["options"]["x-securedapi-route"] == "OPTIONS /things/{id}"  # the preflight route, with CORS
    assert item["options"]["x-securedapi-preflight"] is True
    for method in ("get", "post", "patch", "delete", "head"):
        assert item[method]["x-securedapi-route"] == "ANY /things/{id}"
        assert item[method]["security"] == [{"oauth2": []}]
    # the ANY route's request schema goes to the methods with a body only
    assert {m for m in item if "requestBody" in item[m]} == {"post", "patch"}


def test_without_cors_any_also_answers_options():
    doc = document(cors=False)
    options = doc["paths"]["/things/{id}"]["options"]
    assert options["x-securedapi-route"] == "ANY /things/{id}"
    assert options["security"] == [{"oauth2": []}]
    assert not [op for op in operations(doc).values() if op.get("x-securedapi-preflight")]


def test_default_answers_the_root_and_every_path_no_route_matches(doc):
    for path in ("/", "/{proxy+}"):
        item = doc["paths"][path]
        assert list(item) == ALL_METHODS
        methods = [m for m in ALL_METHODS if m != "options"]
        assert {item[m]["x-securedapi-route"] for m in methods} == {"$default"}
        assert all(item[m]["security"] == [{"oauth2": []}] for m in methods)
        assert "catch-all" in item["get"]["description"]
        # its preflight routes (OPTIONS / and OPTIONS /{proxy+}) keep browsers' preflights away from the authorizer
        assert item["options"]["x-securedapi-preflight"] is True
        assert item["options"]["security"] == []
    assert [p["name"] for p in doc["paths"]["/{proxy+}"]["get"]["parameters"]] == ["proxy+"]
    assert "parameters" not in doc["paths"]["/"]["get"]


def test_default_yields_to_greedy_routes_at_the_root():
    doc = document({"GET /{path+}": {"handler": H}, "ANY /x": {"handler": H}, "$default": {"handler": H}}, cors=False)
    root_greedy = doc["paths"]["/{path+}"]
    assert root_greedy["get"]["x-securedapi-route"] == "GET /{path+}"
    assert {root_greedy[m]["x-securedapi-route"] for m in ALL_METHODS if m != "get"} == {"$default"}
    assert "/{proxy+}" not in doc["paths"]  # one OpenAPI path per template shape
    assert {op["x-securedapi-route"] for op in doc["paths"]["/"].values()} == {"$default"}
    only_any = document({"ANY /{proxy+}": {"handler": H}, "$default": {"handler": H}}, cors=False)
    assert {op["x-securedapi-route"] for op in only_any["paths"]["/{proxy+}"].values()} == {"ANY /{proxy+}"}
    assert {op["x-securedapi-route"] for op in only_any["paths"]["/"].values()} == {"$default"}


def test_preflight_operations_are_marked_and_answer_204(doc):
    preflights = [op for op in operations(doc).values() if op.get("x-securedapi-preflight")]
    assert {op["x-securedapi-route"] for op in preflights} == {"OPTIONS /things/{id}", "OPTIONS /{proxy+}", "OPTIONS /"}
    for op in preflights:
        assert op["security"] == [] and "preflight" in op["description"]
        assert "Access-Control-Allow-Origin" in op["responses"]["204"]["headers"]
        assert "2XX" not in op["responses"]


def test_request_and_response_schemas_are_component_schemas(doc):
    post = doc["paths"]["/items"]["post"]
    assert post["requestBody"] == {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PostItemsRequest"}}},
    }
    assert post["responses"]["2XX"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PostItemsResponse"
    }
    schemas = doc["components"]["schemas"]
    assert schemas["PostItemsRequest"] == NEW_ITEM
    # the schema's own "#/$defs/id" now points into the document, where the schema sits
    item = schemas["GetItemsIdResponse"]
    assert item["properties"]["id"] == {"$ref": "#/components/schemas/GetItemsIdResponse/$defs/id"}
    assert item["$defs"] == ITEM["$defs"]
    assert ITEM["properties"]["id"] == {"$ref": "#/$defs/id"}  # the route's own schema is left alone
    assert "content" not in doc["paths"]["/items"]["get"]["responses"]["2XX"]  # no schema declared: no content


def test_a_schema_is_identified_by_its_place_in_the_document_not_by_its_own_id():
    schema = {"$id": "https://schemas.example.com/item", "$ref": "#/$defs/x", "$defs": {"x": {"type": "string"}}}
    doc = document({"GET /x": {"handler": H, "response_schema": schema}}, cors=False)
    assert doc["components"]["schemas"]["GetXResponse"] == {
        "$ref": "#/components/schemas/GetXResponse/$defs/x",
        "$defs": {"x": {"type": "string"}},
    }


def test_every_operation_documents_the_error_bodies(doc):
    statuses = {"400", "401", "403", "404", "429", "500"}
    assert set(ERRORS) == statuses
    for op in operations(doc).values():
        assert statuses <= set(op["responses"])
        for status in statuses:
            name = ERRORS[status][0]
            assert op["responses"][status] == {"$ref": f"#/components/responses/{name}"}
    for name, _ in ERRORS.values():
        response = doc["components"]["responses"][name]
        assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert doc["components"]["schemas"]["Error"] == {
        "type": "object",
        "required": ["message"],
        "properties": {"message": {"type": "string", "description": "What went wrong."}},
    }
    assert "WWW-Authenticate" in doc["components"]["responses"]["Unauthorized"]["headers"]


def test_the_oauth2_scheme_has_the_pools_code_and_client_credentials_flows(doc):
    scheme = doc["components"]["securitySchemes"]["oauth2"]
    assert scheme["type"] == "oauth2" and ISSUER in scheme["description"]
    code = scheme["flows"]["authorizationCode"]
    assert code["authorizationUrl"] == f"{DOMAIN}/oauth2/authorize"
    assert code["tokenUrl"] == code["refreshUrl"] == f"{DOMAIN}/oauth2/token"
    assert scheme["flows"]["clientCredentials"]["tokenUrl"] == f"{DOMAIN}/oauth2/token"
    scopes = code["scopes"]
    assert set(scopes) == {"api/read", "api/write"} == set(scheme["flows"]["clientCredentials"]["scopes"])
    assert "GET /items/{id}" in scopes["api/read"] and "PUT /things/{id}" in scopes["api/write"]


def test_scope_descriptions_and_an_explicit_token_endpoint():
    doc = document(
        scope_descriptions={"api/read": "Read items"}, token_endpoint="https://auth.example.com/oauth2/token"
    )
    flows = doc["components"]["securitySchemes"]["oauth2"]["flows"]
    assert flows["authorizationCode"]["scopes"]["api/read"] == "Read items"
    assert flows["clientCredentials"]["tokenUrl"] == "https://auth.example.com/oauth2/token"
    assert flows["authorizationCode"]["authorizationUrl"] == f"{DOMAIN}/oauth2/authorize"


def test_without_a_domain_the_scheme_is_the_issuers_openid_configuration():
    doc = document(auth_domain=None)
    scheme = doc["components"]["securitySchemes"]["oauth2"]
    assert scheme == {
        "type": "openIdConnect",
        "openIdConnectUrl": f"{ISSUER}/.well-known/openid-configuration",
        "description": scheme["description"],
    }
    assert doc["paths"]["/items/{id}"]["get"]["security"] == [{"oauth2": ["api/read"]}, {"oauth2": ["api/write"]}]


def test_servers_are_the_api_urls_without_trailing_slash():
    doc = document(servers=["https://api.example.com", INVOKE_URL, INVOKE_URL])
    assert doc["servers"] == [{"url": "https://api.example.com"}, {"url": INVOKE_URL.rstrip("/")}]


def test_render_is_json_that_reads_back(doc):
    compact, pretty = render(doc), render(doc, pretty=True)
    assert json.loads(compact) == json.loads(pretty) == doc
    assert "\n" not in compact and pretty.startswith('{\n  "openapi": "3.1.0"')
    assert list(json.loads(compact)) == ["openapi", "info", "servers", "paths", "components"]


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ("{}", r"request_schema: expected a JSON Schema as a mapping"),
        ({"enum": [object()]}, r"request_schema\.enum\[0\]: .* is not a JSON value"),
        ({1: "x"}, r"request_schema: keys must be strings"),
        ({"maximum": float("nan")}, r"request_schema\.maximum: nan is not a JSON number"),
    ],
)
def test_a_schema_must_be_plain_json(schema, message):
    with pytest.raises(RouteError, match=message):
        parse_route("POST /x", {"handler": H, "request_schema": schema})


def test_schemas_are_copied_and_whole_number_doubles_become_integers():
    """Numbers arrive as doubles from other Pulumi languages."""
    given = {"type": "string", "maxLength": 64.0, "multipleOf": 0.5}
    route = parse_route("POST /x", {"handler": H, "response_schema": given})
    assert route.response_schema == {"type": "string", "maxLength": 64, "multipleOf": 0.5}
    assert isinstance(route.response_schema["maxLength"], int)
    given["type"] = "integer"
    assert route.response_schema["type"] == "string"


def test_other_route_fields_are_still_refused():
    with pytest.raises(RouteError, match=r"unknown field\(s\) \['request_body'\]; expected handler, .*request_schema"):
        parse_route("POST /x", {"handler": H, "request_body": {"type": "object"}})
