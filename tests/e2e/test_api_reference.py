"""The local stack's API reference over real HTTP: the program's OpenAPI document with the local API as its
server and the local managed login's OAuth endpoints, a Swagger UI page from the installed package (a
Content-Security-Policy that allows this origin only), and a document built from the served routes for a
program of plain aws:apigatewayv2 resources."""

from types import SimpleNamespace

import requests
from openapi_spec_validator import validate

from securedapi.local.apidocs import CSP, localize, program_document

from .conftest import FixtureApi, RunningStack


def test_the_document_is_the_programs_with_local_endpoints(stack: RunningStack, http: requests.Session) -> None:
    assert stack.outputs["openapiUrl"] == stack.outputs["apiDocsUrl"] + "openapi.json"
    response = http.get(stack.outputs["openapiUrl"], timeout=10)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    document = response.json()
    validate(document)
    assert document["info"]["title"] == "dashboard-api"
    assert document["servers"] == [{"url": stack.api_url, "description": "the local stack"}]
    flows = document["components"]["securitySchemes"]["oauth2"]["flows"]
    domain = stack.outputs["domain"]
    assert flows["authorizationCode"]["authorizationUrl"] == f"{domain}/oauth2/authorize"
    assert flows["authorizationCode"]["tokenUrl"] == flows["clientCredentials"]["tokenUrl"] == f"{domain}/oauth2/token"
    summary = document["paths"]["/reports/summary"]["get"]
    assert summary["security"] == [{"oauth2": ["dashboard/reports.read"]}]
    assert set(stack.outputs["routes"]) == {op["x-securedapi-route"] for item in document["paths"].values()
                                            for op in item.values() if isinstance(op, dict)}  # fmt: skip


def test_the_reference_page_and_its_assets(stack: RunningStack, http: requests.Session) -> None:
    page = http.get(stack.outputs["apiDocsUrl"], timeout=10)
    assert page.status_code == 200 and page.headers["content-security-policy"] == CSP
    assert "default-src 'self'" in CSP and "http" not in CSP  # no CDN can be reached from the page
    assert '<script src="/swagger-ui/swagger-ui-bundle.js">' in page.text and "//" not in page.text.split("<body>")[1]
    bundle = http.get(stack.outputs["apiDocsUrl"] + "swagger-ui/swagger-ui-bundle.js", timeout=10)
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text
    init = http.get(stack.outputs["apiDocsUrl"] + "init.js", timeout=10).text
    assert '"/openapi.json"' in init and "supportedSubmitMethods: []" in init
    # The API itself does not serve the reference: it lives outside the emulated API's routes.
    assert http.get(stack.api_url + "/openapi.json", timeout=10).status_code in (401, 404)


def test_a_program_without_securedapi_gets_a_document_of_its_served_routes(fixture_api: FixtureApi) -> None:
    no_components = SimpleNamespace(of_type=lambda _type: [])
    model = fixture_api.gateway.model
    document = localize(program_document(no_components, model), fixture_api.url, fixture_api.outputs["domain"])
    validate(document)
    assert document["servers"] == [{"url": fixture_api.url, "description": "the local stack"}]
    report = document["paths"]["/report"]["get"]
    assert report["security"] == [{"oauth2": ["fx/report"]}]
    assert document["paths"]["/echo"]["post"]["security"] == []  # authorizationType NONE: open, and said so
    assert "authorizationType NONE" in document["paths"]["/echo"]["post"]["description"]
