"""The YAML, TypeScript and Python examples: consistent with the schema, and the graph they build."""

import copy
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from securedapi.components.schema_gen import generate
from securedapi.testing import Recording, run_program

from .programs import ConfigRef, Program, Ref, check_program, load_typescript, load_yaml, run_through_provider

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ROUTES = {"GET /health": "NONE", "GET /me": "JWT", "GET /admin/ping": "JWT"}
LOADERS = {"yaml": lambda: load_yaml(EXAMPLES / "yaml" / "Pulumi.yaml"),
           "typescript": lambda: load_typescript(EXAMPLES / "typescript" / "index.ts")}  # fmt: skip


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return generate()


@pytest.fixture(scope="module", params=sorted(LOADERS))
def example(request) -> tuple[str, Program]:
    return request.param, LOADERS[request.param]()


def assert_secured_api(recording: Recording) -> None:
    """What every example must build: a pool + public client, and an API whose authorizer trusts exactly them."""
    pool, client = recording.named("identity-pool"), recording.named("identity-client")
    assert client.inputs["generateSecret"] is False
    assert "example/read" in client.inputs["allowedOauthScopes"]
    authorizer = recording.named("api-authorizer")
    assert authorizer.inputs["jwtConfiguration"] == {
        "issuer": "https://" + pool.outputs["endpoint"],
        "audiences": [client.id],
    }
    routes = {r.inputs["routeKey"]: r.inputs for r in recording.of_type("aws:apigatewayv2/route:Route")}
    assert {key: route["authorizationType"] for key, route in routes.items()} == ROUTES
    for key in ("GET /me", "GET /admin/ping"):
        assert routes[key]["authorizerId"] == authorizer.id
        assert routes[key]["authorizationScopes"] == ["example/read"]
    assert "authorizerId" not in routes["GET /health"]
    (function,) = recording.of_type("aws:lambda/function:Function")
    assert function.inputs["handler"] == "api.handler"
    assert function.inputs["code"].path == "../handlers"  # relative to the example's project directory
    assert (EXAMPLES / "python" / "../handlers" / "api.py").is_file()
    assert json.loads(function.inputs["environment"]["variables"]["ROUTE_GROUPS"]) == {"GET /admin/ping": ["admin"]}
    cors = recording.named("api-api").inputs["corsConfiguration"]
    assert cors["allowOrigins"] == ["https://app.example.com"]
    assert "authorization" in cors["allowHeaders"]
    assert recording.outputs["routes"] == ROUTES
    assert recording.outputs["publicRoutes"] == {"GET /health": "uptime checks"}
    assert recording.outputs["issuer"] == authorizer.inputs["jwtConfiguration"]["issuer"]
    assert recording.outputs["clientId"] == client.id
    assert recording.outputs["apiUrl"] == recording.named("api-stage").outputs["invokeUrl"]


# -- YAML and TypeScript: static checks against the schema ----------------------------------------------


def test_example_is_consistent_with_the_schema(example, schema):
    _, program = example
    assert check_program(program, schema) == []
    assert {r.token for r in program.resources.values()} == {
        "securedapi:index:CognitoIdentity",
        "securedapi:index:SecuredHttpApi",
    }
    api = next(r for r in program.resources.values() if r.token.endswith("SecuredHttpApi"))
    assert api.properties["issuer"] == Ref("identity", "issuer")
    assert api.properties["audiences"] == [Ref("identity", "clientId")]
    assert set(program.outputs) >= {"apiUrl", "routes", "issuer", "clientId", "loginUrl"}


def test_example_declares_the_package_it_uses(example):
    name, _ = example
    project = yaml.safe_load((EXAMPLES / name / "Pulumi.yaml").read_text())
    source = EXAMPLES / name / project["packages"]["securedapi"]
    assert source.resolve() == ROOT / "provider"
    assert (source / "PulumiPlugin.yaml").is_file()


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda p: p.resources["api"].properties.update(codepath="../handlers"), "api.codepath: no such input"),
        (lambda p: p.resources["api"].properties.pop("codePath"), "required input 'codePath' is missing"),
        (lambda p: p.resources["api"].properties.update(memorySize="256"), "api.memorySize: expected integer"),
        (lambda p: p.resources["api"].properties.update(memorySize=256.5), "api.memorySize: expected integer"),
        (lambda p: p.resources["api"].properties.update(audiences="client-id"), "api.audiences: expected a list"),
        (lambda p: p.resources["api"].properties.update(audiences=Ref("identity", "clientId")), "takes a plain value"),
        (lambda p: p.resources["api"].properties.update(codePath=Ref("identity", "domain")), "takes a plain value"),
        (lambda p: p.resources["api"].properties.update(issuer=Ref("identity", "scopes")), "output scopes is"),
        (lambda p: p.resources["api"].properties.update(issuer=Ref("identity", "issuerUrl")), "no output 'issuerUrl'"),
        (lambda p: p.resources["api"].properties["routes"]["GET /me"].pop("handler"), "required 'handler'"),
        (lambda p: p.resources["api"].properties["routes"]["GET /me"].update(scope=["x"]), "no such property"),
        (lambda p: p.resources["identity"].properties.update(domainPrefix=ConfigRef("nope")), "not declared"),
        (lambda p: p.outputs.update(url=Ref("api", "url")), "outputs.url: securedapi:index:SecuredHttpApi has no"),
    ],
)
def test_the_check_catches_broken_examples(example, schema, mutate, problem):
    """The consistency check is not vacuous: each of these edits to an example is reported."""
    _, program = example
    broken = copy.deepcopy(program)
    mutate(broken)
    problems = check_program(broken, schema)
    assert any(problem in p for p in problems), problems


# -- all three examples build the same secured graph ------------------------------------------------------


def test_yaml_and_typescript_examples_run_through_the_provider(example):
    name, program = example
    assert_secured_api(run_through_provider(program, EXAMPLES / name))


def test_python_example_runs_under_mocks():
    recording = run_program(EXAMPLES / "python", stack="dev")
    assert recording.project == "securedapi-example-python"
    assert_secured_api(recording)
    component_types = {r.type for r in recording.resources if not r.custom}
    assert component_types == {"securedapi:index:CognitoIdentity", "securedapi:index:SecuredHttpApi"}


def test_examples_agree_with_each_other():
    """The three examples are translations of one program: same component inputs (after name mapping)."""
    from pulumi.provider.experimental.util import camel_case

    python_source = (EXAMPLES / "python" / "__main__.py").read_text()
    programs = {name: load() for name, load in LOADERS.items()}
    reference = programs["yaml"].resources
    for name, program in programs.items():
        assert {k: (r.name, r.token) for k, r in program.resources.items()} == {
            k: (r.name, r.token) for k, r in reference.items()
        }, name
        for var, resource in program.resources.items():
            assert resource.properties == reference[var].properties, (name, var)
            python_keys = {camel_case(k) for k in _python_keys(python_source)}
            missing = set(resource.properties) - python_keys  # the Python example passes the same keys, snake_cased
            assert not missing, (var, missing)


def _python_keys(source: str) -> set[str]:
    import re

    return set(re.findall(r'^\s+"([a-z_]+)":', source, re.MULTILINE))


# -- the example backend --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def handler_module():
    spec = importlib.util.spec_from_file_location("example_api", EXAMPLES / "handlers" / "api.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def event(route: str, claims: dict[str, Any] | None = None) -> dict[str, Any]:
    context: dict[str, Any] = {"authorizer": {"jwt": {"claims": claims, "scopes": None}}} if claims else {}
    return {"version": "2.0", "routeKey": route, "requestContext": context}


def test_example_handler(handler_module, monkeypatch):
    monkeypatch.setenv("ROUTE_GROUPS", json.dumps({"GET /admin/ping": ["admin"]}))
    call = handler_module.handler
    assert call(event("GET /health"), None)["statusCode"] == 200
    me = call(event("GET /me", {"sub": "u-1", "cognito:groups": "[admin editors]"}), None)
    assert me["statusCode"] == 200 and json.loads(me["body"]) == {"sub": "u-1", "groups": ["admin", "editors"]}
    assert call(event("GET /admin/ping", {"sub": "u-2"}), None)["statusCode"] == 403
    assert call(event("GET /admin/ping", {"sub": "u-2", "cognito:groups": "[editors]"}), None)["statusCode"] == 403
    assert call(event("GET /admin/ping", {"sub": "u-1", "cognito:groups": ["admin"]}), None)["statusCode"] == 200
    assert call(event("GET /nope", {"sub": "u-1"}), None)["statusCode"] == 404
