"""The package schema, inferred in-process by Pulumi's component analyzer, and the committed schema.json."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from securedapi import CognitoIdentityArgs, IdentityProviderArgs, RouteArgs, SecuredHttpApiArgs, __version__
from securedapi.components.schema_gen import COMPONENTS, PACKAGE_NAME, SCHEMA_FILE, generate, main, render

IDENTITY = "securedapi:index:CognitoIdentity"
API = "securedapi:index:SecuredHttpApi"
STR, INT, NUM, BOOL = "string", "integer", "number", "boolean"
ANY = "pulumi.json#/Any"


def arr(item: Any) -> tuple[str, Any]:
    return ("array", item)


def mapping(value: Any) -> tuple[str, Any]:
    return ("map", value)


def shape(prop: dict[str, Any]) -> Any:
    """A property's type as a small comparable value: "string", ("array", "string"), ("map", ref)..."""
    if "$ref" in prop:
        return prop["$ref"]
    if prop.get("type") == "array":
        return arr(shape(prop["items"]))
    if prop.get("type") == "object" and "additionalProperties" in prop:
        return mapping(shape(prop["additionalProperties"]))
    return prop.get("type")


# Every documented input and output with its schema type (DESIGN.md "Components" + the args TypedDicts).
IDENTITY_INPUTS = {
    "callbackUrls": arr(STR), "logoutUrls": arr(STR), "domainPrefix": STR, "customDomain": STR,
    "certificateArn": STR, "mfa": STR, "featurePlan": STR, "threatProtection": STR, "deletionProtection": BOOL,
    "passwordMinimumLength": INT, "accessTokenValidityMinutes": INT, "idTokenValidityMinutes": INT,
    "refreshTokenValidityDays": INT, "refreshTokenRotation": BOOL, "resourceServerIdentifier": STR,
    "scopes": mapping(STR), "groups": mapping(STR),
    "identityProviders": arr("#/types/securedapi:index:IdentityProviderArgs"), "hostedZoneId": STR,
    "emailSourceArn": STR, "emailFrom": STR, "emailConfigurationSet": STR, "clientScopes": arr(STR),
    "serviceClients": mapping("#/types/securedapi:index:ServiceClientArgs"),
}  # fmt: skip
IDENTITY_OUTPUTS = {
    "userPoolId": STR, "userPoolArn": STR, "clientId": STR, "issuer": STR, "jwksUri": STR, "domain": STR,
    "loginUrl": STR, "tokenEndpoint": STR, "scopes": arr(STR), "customDomainTarget": STR, "customDomainZoneId": STR,
    "serviceClientIds": mapping(STR), "serviceClientSecrets": mapping(STR), "confidentialClients": mapping(STR),
}  # fmt: skip
API_INPUTS = {
    "routes": mapping("#/types/securedapi:index:RouteArgs"), "codePath": STR, "issuer": STR, "audiences": arr(STR),
    "defaultScopes": arr(STR), "environment": mapping(STR), "policyDocuments": arr(STR), "runtime": STR,
    "memorySize": INT, "timeout": INT, "corsOrigins": arr(STR), "corsAllowHeaders": arr(STR),
    "corsExposeHeaders": arr(STR), "corsAllowCredentials": BOOL, "corsMaxAge": INT, "throttlingBurstLimit": INT,
    "throttlingRateLimit": NUM, "logRetentionDays": INT, "customDomain": STR, "certificateArn": STR,
    "hostedZoneId": STR, "authDomain": STR,
}  # fmt: skip
API_OUTPUTS = {
    "apiId": STR, "apiUrl": STR, "authorizerId": STR, "routes": mapping(STR), "publicRoutes": mapping(STR),
    "customDomainTarget": STR, "customDomainZoneId": STR, "openapi": STR,
}  # fmt: skip
ROUTE_PROPERTIES = {
    "handler": STR, "public": STR, "scopes": arr(STR), "groups": arr(STR),
    "requestSchema": mapping(ANY), "responseSchema": mapping(ANY),
}  # fmt: skip
IDP_PROPERTIES = {"providerName": STR, "providerType": STR, "providerDetails": mapping(STR),
                  "attributeMapping": mapping(STR)}  # fmt: skip
SERVICE_CLIENT_PROPERTIES = {"scopes": arr(STR), "description": STR, "tokenValidityMinutes": INT}
TYPES = {
    "securedapi:index:RouteArgs": ROUTE_PROPERTIES,
    "securedapi:index:IdentityProviderArgs": IDP_PROPERTIES,
    "securedapi:index:ServiceClientArgs": SERVICE_CLIENT_PROPERTIES,
}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return generate()


def test_committed_schema_is_current(schema):
    """Fails when the components' annotations/docstrings change without `python -m securedapi.components.schema_gen`."""
    assert SCHEMA_FILE.read_text() == render(schema), (
        "components/schema.json is stale: run python -m securedapi.components.schema_gen"
    )
    assert main(["--check"]) == 0


def test_check_mode_detects_drift(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "schema.json"
    stale.write_text(SCHEMA_FILE.read_text().replace("Id of the HTTP API.", "Id of the API."))
    monkeypatch.setattr("securedapi.components.schema_gen.SCHEMA_FILE", stale)
    assert main(["--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main([]) == 0
    assert stale.read_text() == SCHEMA_FILE.read_text()


def test_package_metadata(schema):
    assert schema["name"] == PACKAGE_NAME == "securedapi"
    assert schema["version"] == __version__
    assert set(schema["resources"]) == {IDENTITY, API}
    assert [c.__name__ for c in COMPONENTS] == ["CognitoIdentity", "SecuredHttpApi"]
    assert set(schema["types"]) == set(TYPES)
    assert schema.get("dependencies", []) == []  # no resource references to other packages' SDKs
    assert all(r["isComponent"] for r in schema["resources"].values())


@pytest.mark.parametrize(
    ("token", "inputs", "outputs"),
    [(IDENTITY, IDENTITY_INPUTS, IDENTITY_OUTPUTS), (API, API_INPUTS, API_OUTPUTS)],
)
def test_every_documented_property_with_its_type(schema, token, inputs, outputs):
    resource = schema["resources"][token]
    assert {k: shape(v) for k, v in resource["inputProperties"].items()} == inputs
    assert {k: shape(v) for k, v in resource["properties"].items()} == outputs


@pytest.mark.parametrize(
    ("token", "properties"),
    list(TYPES.items()),
)
def test_nested_types(schema, token, properties):
    assert {k: shape(v) for k, v in schema["types"][token]["properties"].items()} == properties
    assert schema["types"][token]["type"] == "object"


def test_required_inputs(schema):
    assert schema["resources"][API]["requiredInputs"] == ["audiences", "codePath", "issuer", "routes"]
    assert schema["resources"][IDENTITY]["requiredInputs"] == ["callbackUrls"]
    assert schema["types"]["securedapi:index:RouteArgs"]["required"] == ["handler"]
    assert schema["types"]["securedapi:index:IdentityProviderArgs"]["required"] == [
        "providerDetails",
        "providerName",
        "providerType",
    ]
    assert schema["types"]["securedapi:index:ServiceClientArgs"]["required"] == ["description", "scopes"]
    # Outputs: all always set except the custom domain's DNS target and zone (only with customDomain).
    dns = {"customDomainTarget", "customDomainZoneId"}
    assert schema["resources"][API]["required"] == sorted(set(API_OUTPUTS) - dns)
    assert schema["resources"][IDENTITY]["required"] == sorted(set(IDENTITY_OUTPUTS) - dns)


def test_required_ness_comes_from_the_typeddicts(schema):
    """Required[...] in the args TypedDicts is the single source of required-ness (schema and mypy agree)."""
    from pulumi.provider.experimental.util import camel_case

    for args, token in ((CognitoIdentityArgs, IDENTITY), (SecuredHttpApiArgs, API)):
        assert sorted(camel_case(k) for k in args.__required_keys__) == schema["resources"][token]["requiredInputs"]
        inputs = schema["resources"][token]["inputProperties"]
        assert sorted(camel_case(k) for k in args.__annotations__) == sorted(inputs)  # every arg key, nothing else
    assert RouteArgs.__required_keys__ == {"handler"}
    assert IdentityProviderArgs.__required_keys__ == {"provider_name", "provider_type", "provider_details"}


def test_plain_inputs_are_the_ones_validated_before_any_child_exists(schema):
    """Values the component must see at construction are plain (no Outputs from other languages)."""
    api = schema["resources"][API]["inputProperties"]
    identity = schema["resources"][IDENTITY]["inputProperties"]
    for prop in (api["routes"], api["codePath"], api["corsOrigins"], identity["callbackUrls"], identity["mfa"]):
        assert prop.get("plain") is True
    # Wired from another resource's outputs: may be Outputs.
    for prop in (api["issuer"], api["audiences"]["items"], api["environment"]["additionalProperties"],
                 api["policyDocuments"]["items"], identity["certificateArn"], api["certificateArn"]):  # fmt: skip
        assert "plain" not in prop


def property_nodes(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of every resource and type, and the items/values of lists and maps, recursively."""

    def nested(path: str, prop: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        yield path, prop
        for key in ("items", "additionalProperties"):
            if key in prop:
                yield from nested(f"{path}.{key}", prop[key])

    for token, resource in schema["resources"].items():
        for kind in ("inputProperties", "properties"):
            for name, prop in resource[kind].items():
                yield from nested(f"{token}.{kind}.{name}", prop)
    for token, type_spec in schema["types"].items():
        for name, prop in type_spec["properties"].items():
            yield from nested(f"{token}.{name}", prop)


# A JSON Schema is arbitrary JSON: these two maps, and only these, hold values of Pulumi's Any type.
ANY_VALUES = {
    "securedapi:index:RouteArgs.requestSchema.additionalProperties",
    "securedapi:index:RouteArgs.responseSchema.additionalProperties",
}


def test_no_property_is_any_but_the_json_schemas(schema):
    nodes = list(property_nodes(schema))
    assert len(nodes) > 60
    untyped = [path for path, prop in nodes if not ("type" in prop) ^ ("$ref" in prop)]
    assert untyped == []
    refs = {prop["$ref"] for path, prop in nodes if "$ref" in prop and path not in ANY_VALUES}
    assert refs == {f"#/types/{token}" for token in TYPES}
    assert {path for path, prop in nodes if prop.get("$ref") == ANY} == ANY_VALUES
    assert json.dumps(schema).count(ANY) == len(ANY_VALUES)


def test_every_property_is_documented_on_one_line(schema):
    """Descriptions come from the docstrings. One line each: Python 3.13 dedents multi-line class docstrings and
    3.11 does not, which would make schema.json depend on the Python version that generated it."""
    described = 0
    for token, resource in schema["resources"].items():
        assert resource["description"] and "\n" not in resource["description"], token
        for kind in ("inputProperties", "properties"):
            for name, prop in resource[kind].items():
                assert prop.get("description"), f"{token}.{kind}.{name} has no description"
                assert "\n" not in prop["description"], f"{token}.{name}"
                described += 1
    for token, type_spec in schema["types"].items():
        assert type_spec.get("description"), token
        for name, prop in type_spec["properties"].items():
            assert prop.get("description") and "\n" not in prop["description"], f"{token}.{name}"
            described += 1
    assert described == sum(map(len, (IDENTITY_INPUTS, IDENTITY_OUTPUTS, API_INPUTS, API_OUTPUTS,
                                      *TYPES.values())))  # fmt: skip


def test_documented_defaults_are_in_the_descriptions(schema):
    api = schema["resources"][API]["inputProperties"]
    identity = schema["resources"][IDENTITY]["inputProperties"]
    assert "Default: python3.12" in api["runtime"]["description"]
    assert "Default: 256" in api["memorySize"]["description"]
    assert "Default: 60" in identity["accessTokenValidityMinutes"]["description"]
    assert "ID tokens" in api["defaultScopes"]["description"]
    assert json.dumps(schema).count("Default:") >= 20
