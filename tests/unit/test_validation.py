"""Bad component args fail with an error naming the arg and value, before any child resource exists."""

import pytest

from securedapi import CognitoIdentity, SecuredHttpApi
from securedapi.testing import ProgramError
from tests.unit.conftest import api_args, identity_args

H = {"handler": "app.handler"}


def routes(**extra):
    return {"GET /health": {"handler": "app.handler", "public": "uptime"}, **extra}


API_CASES = [
    ("malformed route key", dict(routes={"GET/items": H}), r"routes\['GET/items'\].*METHOD /path"),
    ("unknown method", dict(routes={"FETCH /items": H}), r"unknown method 'FETCH'"),
    ("path without slash", dict(routes={"GET items": H}), r"routes\['GET items'\].*must start with '/'"),
    ("greedy not last", dict(routes={"GET /{proxy+}/x": H}), r"greedy parameter"),
    ("duplicate route", dict(routes={"GET /a/{x}": H, "GET /a/{y}": H}), r"duplicate of route 'GET /a/\{x\}'"),
    ("public without reason", dict(routes={"GET /x": {**H, "public": "  "}}), r"\['GET /x'\]\.public.*not be empty"),
    ("$default public", dict(routes={"$default": {**H, "public": "all"}}), r"\$default.*can never be public"),
    ("ANY proxy public", dict(routes={"ANY /{proxy+}": {**H, "public": "all"}}), r"can never be public"),
    ("ANY greedy root public", dict(routes={"ANY /{path+}": {**H, "public": "all"}}), r"can never be public"),
    ("bad default scope", dict(default_scopes=["api read"]), r"args.default_scopes: invalid value 'api read'"),
    (
        "scopes on public route",
        dict(routes={"GET /x": {**H, "public": "ok", "scopes": ["a/b"]}}),
        r"public route cannot require scopes",
    ),
    ("bad handler", dict(routes={"GET /x": {"handler": "nomodule"}}), r"\.handler: expected 'module.function'"),
    ("no routes", dict(routes={}), r"args.routes: at least one route"),
    (
        "star origin with credentials",
        dict(cors_origins=["*"], cors_allow_credentials=True),
        r"cors_allow_credentials: cannot be true with a '\*' origin",
    ),
    ("http origin", dict(cors_origins=["http://app.example.com"]), r"cors_origins.*must use https"),
    ("origin with path", dict(cors_origins=["https://app.example.com/x"]), r"cors_origins.*without path"),
    ("star header", dict(cors_allow_headers=["*"]), r"cors_allow_headers.*does not cover Authorization"),
    ("empty audience", dict(audiences=[]), r"args.audiences: at least one audience"),
    ("wildcard audience", dict(audiences=["*"]), r"args.audiences: invalid audience '\*'"),
    ("http issuer", dict(issuer="http://issuer.example.com"), r"args.issuer: must be an https URL"),
    ("missing code path", dict(code_path=None), r"args.code_path: is required"),
    ("bad runtime", dict(runtime="python2.7"), r"args.runtime: must be one of"),
    ("timeout too long", dict(timeout=60), r"args.timeout: must be a number between 1 and 29, got 60"),
    ("reserved env var", dict(environment={"AWS_REGION": "x"}), r"args.environment: invalid or reserved.*AWS_REGION"),
    ("unknown arg", dict(colour="blue"), r"args.colour: unknown argument"),
    ("custom domain without certificate", dict(custom_domain="api.example.com"), r"args.certificate_arn: is required"),
]


def assert_rejected_before_any_resource(record, build, message):
    """``build`` raises a ValueError matching ``message``, and a program that catches it registered nothing."""
    with pytest.raises(ProgramError, match=message) as failure:
        record(build)
    assert isinstance(failure.value.cause, ValueError)
    raised: list[str] = []

    def program():
        try:
            build()
        except ValueError:
            raised.append("raised")

    assert record(program).resources == []
    assert raised == ["raised"]


@pytest.mark.parametrize(("case", "overrides", "message"), API_CASES, ids=[c[0] for c in API_CASES])
def test_api_args_are_rejected_before_any_resource(record, case, overrides, message):
    args = {k: v for k, v in api_args(**overrides).items() if v is not None}
    assert_rejected_before_any_resource(record, lambda: SecuredHttpApi("web", args), message)


SERVICE = {"scopes": ["read"], "description": "a nightly job"}

IDENTITY_CASES = [
    (
        "http callback",
        dict(callback_urls=["http://app.example.com/cb"]),
        r"callback_urls: 'http://app.example.com/cb' must use https",
    ),
    ("wildcard callback", dict(callback_urls=["https://*.example.com/cb"]), r"callback_urls:.*wildcards"),
    ("no callback", dict(callback_urls=[]), r"callback_urls: expected a non-empty list"),
    ("http logout", dict(logout_urls=["http://x.example.com"]), r"logout_urls:.*must use https"),
    ("unknown mfa", dict(mfa="SOMETIMES"), r"args.mfa: must be one of OFF, OPTIONAL, ON, got 'SOMETIMES'"),
    (
        "threat protection without PLUS",
        dict(threat_protection="ENFORCED"),
        r"threat_protection: 'ENFORCED' needs feature_plan 'PLUS'",
    ),
    ("bad feature plan", dict(feature_plan="GOLD"), r"feature_plan: must be one of"),
    ("bad domain prefix", dict(domain_prefix="My_Domain"), r"domain_prefix: 'My_Domain'"),
    ("reserved domain prefix", dict(domain_prefix="my-cognito"), r"must not contain 'aws', 'amazon' or 'cognito'"),
    ("both domains", dict(custom_domain="auth.example.com"), r"set exactly one of domain_prefix and custom_domain"),
    (
        "short password",
        dict(password_minimum_length=6),
        r"password_minimum_length: must be an integer between 8 and 99",
    ),
    ("token validity", dict(access_token_validity_minutes=2000), r"access_token_validity_minutes"),
    ("scopes without identifier", dict(resource_server_identifier=None), r"scopes: custom scopes need"),
    ("bad scope", dict(scopes={"read all": "x"}), r"invalid scope name 'read all'"),
    ("groups differing in case", dict(groups={"admin": "a", "Admin": "b"}), r"groups: 'Admin' differs from another"),
    (
        "idp names differing in case",
        dict(
            identity_providers=[
                {"provider_name": "Okta", "provider_type": "SAML", "provider_details": {"MetadataURL": "https://x/m"}},
                {"provider_name": "okta", "provider_type": "SAML", "provider_details": {"MetadataURL": "https://x/m"}},
            ]
        ),
        r"identity_providers\[1\].provider_name: must be a non-empty name.*unique regardless of case",
    ),
    ("client scope unknown", dict(client_scopes=["write"]), r"client_scopes: unknown scope 'write'; .* defines 'read'"),
    ("client scopes a string", dict(client_scopes="read"), r"client_scopes: expected a list"),
    (
        "service clients without custom scopes",
        dict(
            resource_server_identifier=None,
            scopes=None,
            service_clients={"job": {"scopes": ["read"], "description": "d"}},
        ),
        r"args.service_clients: service clients need custom scopes .*resource_server_identifier and scopes",
    ),
    ("service client empty name", dict(service_clients={"": SERVICE}), r"invalid service client name ''"),
    ("service client bad name", dict(service_clients={"my job": SERVICE}), r"invalid service client name 'my job'"),
    (
        "service client names differing in case",
        dict(service_clients={"Job": SERVICE, "job": SERVICE}),
        r"service_clients: 'job' differs from another service client name only in case",
    ),
    (
        "service client unknown scope",
        dict(service_clients={"job": {**SERVICE, "scopes": ["write"]}}),
        r"service_clients\['job'\].scopes: unknown scope 'write'; the resource server 'api' defines 'read'",
    ),
    (
        "service client standard scope",
        dict(service_clients={"job": {**SERVICE, "scopes": ["openid"]}}),
        r"unknown scope 'openid' \(client-credentials tokens carry custom scopes only\)",
    ),
    (
        "service client without scopes",
        dict(service_clients={"job": {**SERVICE, "scopes": []}}),
        r"service_clients\['job'\].scopes: expected a non-empty list of scope names \(e.g. \['read'\]\)",
    ),
    (
        "service client scope twice",
        dict(service_clients={"job": {**SERVICE, "scopes": ["read", "api/read"]}}),
        r"scope 'api/read' is listed twice",
    ),
    (
        "service client without description",
        dict(service_clients={"job": {"scopes": ["read"]}}),
        r"service_clients\['job'\].description: say who calls the API with this client and why",
    ),
    (
        "service client blank description",
        dict(service_clients={"job": {**SERVICE, "description": "  "}}),
        r"service_clients\['job'\].description",
    ),
    (
        "service client token validity",
        dict(service_clients={"job": {**SERVICE, "token_validity_minutes": 2}}),
        r"service_clients\['job'\].token_validity_minutes: must be an integer between 5 and 1440, got 2",
    ),
    (
        "service client unknown key",
        dict(service_clients={"job": {**SERVICE, "callback_urls": ["https://x"]}}),
        r"service_clients\['job'\].callback_urls: unknown key",
    ),
    ("service clients not a mapping", dict(service_clients=["job"]), r"service_clients: expected a mapping"),
    (
        "bad idp type",
        dict(identity_providers=[{"provider_name": "X", "provider_type": "LDAP", "provider_details": {"a": "b"}}]),
        r"identity_providers\[0\].provider_type: must be one of",
    ),
]


@pytest.mark.parametrize(("case", "overrides", "message"), IDENTITY_CASES, ids=[c[0] for c in IDENTITY_CASES])
def test_identity_args_are_rejected_before_any_resource(record, case, overrides, message):
    args = {k: v for k, v in identity_args(**overrides).items() if v is not None}
    assert_rejected_before_any_resource(record, lambda: CognitoIdentity("auth", args), message)
