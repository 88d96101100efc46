"""Values the AWS provider (or the AWS API behind it) would refuse at preview or at ``pulumi up`` are refused
by the components first, before any child exists, naming the arg and what is allowed."""

from pathlib import Path

import pytest

from securedapi import CognitoIdentity, SecuredHttpApi
from securedapi.components.checks import LOG_RETENTION_DAYS
from securedapi.testing import ProgramError, run_program
from tests.unit.conftest import CERTIFICATE, api_args, identity_args
from tests.unit.test_validation import assert_rejected_before_any_resource

LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


def code_dir(tmp_path: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return str(tmp_path)


def one_route(handler: str) -> dict:
    return {"GET /x": {"handler": handler}}


def test_log_retention_must_be_a_cloudwatch_period(record):
    assert_rejected_before_any_resource(
        record,
        lambda: SecuredHttpApi("web", api_args(log_retention_days=8)),
        r"log_retention_days: must be one of CloudWatch Logs' retention periods 1, 3, 5, 7, 14, 30, .*3653"
        r" \(or 0: never expire\), got 8",
    )


@pytest.mark.parametrize("days", [LOG_RETENTION_DAYS[0], LOG_RETENTION_DAYS[-1], 0])
def test_every_cloudwatch_period_is_accepted(record, days):
    rec = record(lambda: SecuredHttpApi("web", api_args(log_retention_days=days)))
    assert {g.inputs["retentionInDays"] for g in rec.of_type(LOG_GROUP)} == {days}


@pytest.mark.parametrize(
    "build", [lambda: SecuredHttpApi("web", api_args()), lambda: CognitoIdentity("a", identity_args())]
)
def test_the_stacks_region_must_be_an_aws_region(build):
    with pytest.raises(ProgramError, match=r"aws:region 'us-east1' is not an AWS region; did you mean 'us-east-1'\?"):
        run_program(build, project="test", stack="unit", config={"aws:region": "us-east1"})
    recording = run_program(build, project="test", stack="unit", config={"aws:region": "eu-central-2"})
    assert recording.resources


def test_code_path_must_be_an_existing_directory(record, tmp_path):
    missing = str(tmp_path / "nope")
    assert_rejected_before_any_resource(
        record, lambda: SecuredHttpApi("web", api_args(code_path=missing)), r"code_path: '.*nope' does not exist"
    )
    a_file = code_dir(tmp_path, {"app.py": "def handler(e, c):\n    return {}\n"}) + "/app.py"
    assert_rejected_before_any_resource(
        record, lambda: SecuredHttpApi("web", api_args(code_path=a_file)), r"code_path: '.*app.py' is not a directory"
    )


@pytest.mark.parametrize(
    ("files", "handler", "message"),
    [
        ({}, "app.handler", r"no module 'app' in code_path .* \(expected app.py or app/__init__.py\)"),
        ({"app.py": "def handle(e, c): ...\n"}, "app.handler", r"app.py defines no 'handler'; it defines handle"),
        ({"app.py": "def handler(e, c):\n  return (\n"}, "app.handler", r"app.py cannot be imported: SyntaxError"),
        ({"pkg/mod.py": "x = 1\n"}, "pkg.other.handler", r"no module 'pkg.other' .*pkg/other.py or pkg/other/__init__"),
        ({"app.py": "def handler(e, c): ...\n"}, "app." + "h" * 130, r"is longer than Lambda's 128 characters"),
    ],
)
def test_every_handler_names_a_function_of_a_module_in_the_code_path(record, tmp_path, files, handler, message):
    code = code_dir(tmp_path, files)
    build = lambda: SecuredHttpApi("web", api_args(code_path=code, routes=one_route(handler)))  # noqa: E731
    assert_rejected_before_any_resource(record, build, r"args.routes\['GET /x'\].handler: '[^']+':? " + message)


@pytest.mark.parametrize(
    ("files", "handler"),
    [
        ({"pkg/mod.py": "async def handler(e, c): ...\n"}, "pkg.mod.handler"),  # namespace package, dotted module
        ({"pkg/__init__.py": "from pkg.impl import run as handler\n"}, "pkg.handler"),  # re-exported
        ({"app.py": "try:\n    import fast\n    handler = fast.h\nexcept ImportError:\n    def handler(e, c): ...\n"},
         "app.handler"),
        ({"app.py": "from impl import *\n"}, "app.handler"),  # cannot be known without importing: not refused
        ({"app.py": "raise SystemExit('user code ran')\ndef handler(e, c): ...\n"}, "app.handler"),  # not run
    ],
)  # fmt: skip
def test_handlers_are_found_by_parsing_not_importing(record, tmp_path, files, handler):
    code = code_dir(tmp_path, files)
    rec = record(lambda: SecuredHttpApi("web", api_args(code_path=code, routes=one_route(handler))))
    (function,) = rec.of_type("aws:lambda/function:Function")
    assert function.inputs["handler"] == handler


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"environment": {"A": "x"}}, r"environment: invalid or reserved variable name 'A'"),
        ({"environment": {"LAMBDA_TASK_ROOT": "x"}}, r"invalid or reserved variable name 'LAMBDA_TASK_ROOT'"),
        ({"environment": {"BIG": "x" * 4100}}, r"environment: 4103 bytes of variables; Lambda allows 4096"),
        ({"environment": {"PORT": 8080}}, r"environment\['PORT'\]: must be a string, got 8080"),
        ({"policy_documents": ["{not json"]}, r"policy_documents\[0\]: is not valid JSON"),
        ({"policy_documents": ['{"Version": "2012-10-17"}']}, r"policy_documents\[0\]: must be an IAM policy"),
        (
            {"custom_domain": "https://api.example.com", "certificate_arn": CERTIFICATE},
            r"custom_domain: 'https://api.example.com' must be a host name",
        ),
        (
            {"custom_domain": "api.example.com", "certificate_arn": "arn:aws:iam::123456789012:server-certificate/x"},
            r"certificate_arn: must be an ARN like arn:aws:acm:",
        ),
    ],
)
def test_api_values_the_provider_refuses(record, overrides, message):
    assert_rejected_before_any_resource(record, lambda: SecuredHttpApi("web", api_args(**overrides)), message)


def test_api_certificate_must_be_in_the_stacks_region():
    args = api_args(custom_domain="api.example.com", certificate_arn=CERTIFICATE)  # a us-east-1 certificate
    with pytest.raises(ProgramError, match=r"certificate_arn: must be in eu-west-1, got .* \(in us-east-1\)"):
        run_program(lambda: SecuredHttpApi("web", args), project="t", stack="u", config={"aws:region": "eu-west-1"})


def test_component_name_must_leave_room_for_the_authorizer_name(record):
    assert_rejected_before_any_resource(
        record, lambda: SecuredHttpApi("w" * 125, api_args()), r"at most 124 characters"
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"callback_urls": ["http://127.0.0.1:5173/callback"]},
            r"callback_urls: 'http://127.0.0.1:5173/callback' must use https \(Cognito allows http only for "
            r"http://localhost",
        ),
        ({"logout_urls": ["http://[::1]:5173/"]}, r"logout_urls: .*Cognito allows http only for http://localhost"),
        ({"callback_urls": [f"https://app.example.com/{i}" for i in range(101)]}, r"at most 100 URLs"),
        ({"callback_urls": ["https://app.example.com/" + "x" * 1024]}, r"at most 1024 characters"),
        ({"scopes": {"read": ""}}, r"scopes\['read'\]: the description must be 1-256 characters"),
        ({"scopes": {f"s{i}": "d" for i in range(48)}}, r"scopes: at most 47 custom scopes"),
        ({"mfa": False}, r"mfa: must be one of OFF, OPTIONAL, ON, got False \(YAML reads an unquoted OFF as the"),
        ({"mfa": "true"}, r"got 'true' \(YAML reads an unquoted ON as the boolean true: quote it"),
        ({"threat_protection": "false"}, r"threat_protection: .*unquoted OFF as the boolean false"),
        (
            {
                "identity_providers": [
                    {"provider_name": "P" * 33, "provider_type": "OIDC", "provider_details": {"a": "b"}}
                ]
            },
            r"provider_name: must be a non-empty name of at most 32 characters",
        ),
    ],
)
def test_identity_values_cognito_refuses(record, overrides, message):
    assert_rejected_before_any_resource(record, lambda: CognitoIdentity("auth", identity_args(**overrides)), message)


@pytest.mark.parametrize(
    ("domain", "certificate", "message"),
    [
        ("auth.example.com", CERTIFICATE.replace("us-east-1", "eu-west-1"), r"certificate_arn: must be in us-east-1"),
        ("https://auth.example.com", CERTIFICATE, r"custom_domain: 'https://auth.example.com' must be a host name"),
    ],
)
def test_login_custom_domain_values_cognito_refuses(record, domain, certificate, message):
    args = identity_args(custom_domain=domain, certificate_arn=certificate)
    del args["domain_prefix"]
    assert_rejected_before_any_resource(record, lambda: CognitoIdentity("auth", args), message)


def test_a_url_identifier_gets_a_resource_server_name_cognito_accepts(record):
    rec = record(lambda: CognitoIdentity("auth", identity_args(resource_server_identifier="https://api.example.com")))
    server = rec.named("auth-resource-server").inputs
    assert (server["identifier"], server["name"]) == ("https://api.example.com", "https---api.example.com")
    assert "https://api.example.com/read" in rec.named("auth-client").inputs["allowedOauthScopes"]


def test_localhost_callbacks_stay_allowed(record):
    rec = record(lambda: CognitoIdentity("auth", identity_args(callback_urls=["http://localhost:5173/callback"])))
    assert rec.named("auth-client").inputs["callbackUrls"] == ["http://localhost:5173/callback"]
