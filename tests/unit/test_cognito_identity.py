"""CognitoIdentity under mocks: secure defaults and output wiring."""

from urllib.parse import parse_qs, urlsplit

import pytest

from securedapi import CognitoIdentity
from tests.unit.conftest import CERTIFICATE, identity_args


@pytest.fixture
def graph(record):
    return record(lambda: CognitoIdentity("auth", identity_args()))


def test_pool_secure_defaults(graph):
    pool = graph.named("auth-pool").inputs
    assert pool["usernameAttributes"] == ["email"]
    assert pool["autoVerifiedAttributes"] == ["email"]
    assert pool["verificationMessageTemplate"]["defaultEmailOption"] == "CONFIRM_WITH_CODE"
    policy = pool["passwordPolicy"]
    assert policy["minimumLength"] == 12
    assert all(policy[k] for k in ("requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"))
    assert pool["mfaConfiguration"] == "OPTIONAL"
    assert pool["softwareTokenMfaConfiguration"] == {"enabled": True}
    assert pool["deletionProtection"] == "ACTIVE"
    assert pool["userPoolTier"] == "ESSENTIALS"
    assert pool["userPoolAddOns"] == {"advancedSecurityMode": "OFF"}


def test_feature_plan_and_threat_protection(record):
    rec = record(
        lambda: CognitoIdentity(
            "auth",
            identity_args(feature_plan="PLUS", threat_protection="ENFORCED", mfa="ON", deletion_protection=False),
        )
    )
    pool = rec.named("auth-pool").inputs
    assert pool["userPoolTier"] == "PLUS"
    assert pool["userPoolAddOns"] == {"advancedSecurityMode": "ENFORCED"}
    assert pool["mfaConfiguration"] == "ON"
    assert pool["deletionProtection"] == "INACTIVE"


def test_client_is_public_code_flow_only(graph):
    client = graph.named("auth-client").inputs
    pool = graph.named("auth-pool")
    assert client["userPoolId"] == pool.id
    assert client["generateSecret"] is False
    assert client["allowedOauthFlows"] == ["code"]
    assert client["allowedOauthFlowsUserPoolClient"] is True
    assert "ALLOW_USER_PASSWORD_AUTH" not in client["explicitAuthFlows"]
    assert client["preventUserExistenceErrors"] == "ENABLED"
    assert client["enableTokenRevocation"] is True
    assert (client["accessTokenValidity"], client["idTokenValidity"]) == (60, 60)
    assert client["tokenValidityUnits"] == {"accessToken": "minutes", "idToken": "minutes", "refreshToken": "days"}
    assert client["allowedOauthScopes"] == ["openid", "email", "profile", "api/read"]
    assert client["callbackUrls"] == ["https://app.example.com/callback", "http://localhost:5173/callback"]


def test_refresh_token_rotation(graph, record):
    assert "refreshTokenRotation" not in graph.named("auth-client").inputs
    rec = record(lambda: CognitoIdentity("auth", identity_args(refresh_token_rotation=True)))
    assert rec.named("auth-client").inputs["refreshTokenRotation"] == {
        "feature": "ENABLED",
        "retryGracePeriodSeconds": 10,
    }


def test_client_depends_on_resource_server(graph):
    client = graph.named("auth-client")
    server = graph.named("auth-resource-server")
    assert server.urn in client.options["dependencies"]
    assert server.inputs["identifier"] == "api"
    assert server.inputs["scopes"] == [{"scopeName": "read", "scopeDescription": "Read items"}]
    assert server.inputs["userPoolId"] == graph.named("auth-pool").id


def test_domain_groups_and_branding(graph):
    pool = graph.named("auth-pool")
    domain = graph.named("auth-domain").inputs
    assert domain == {"domain": "example-auth", "userPoolId": pool.id, "managedLoginVersion": 2}
    group = graph.named("auth-group-admin").inputs
    assert (group["name"], group["userPoolId"]) == ("admin", pool.id)
    branding = graph.named("auth-branding").inputs
    assert branding["clientId"] == graph.named("auth-client").id


def test_outputs_are_wired(graph):
    pool = graph.named("auth-pool")
    client = graph.named("auth-client")
    out = graph.named("auth").outputs
    assert out["userPoolId"] == pool.id
    assert out["userPoolArn"] == pool.outputs["arn"]
    assert out["clientId"] == client.id
    assert out["issuer"] == "https://" + pool.outputs["endpoint"]
    assert out["jwksUri"] == out["issuer"] + "/.well-known/jwks.json"
    assert out["domain"] == "https://example-auth.auth.us-east-1.amazoncognito.com"
    assert out["tokenEndpoint"] == out["domain"] + "/oauth2/token"
    login = urlsplit(out["loginUrl"])
    assert f"{login.scheme}://{login.netloc}{login.path}" == out["domain"] + "/oauth2/authorize"
    query = parse_qs(login.query)
    assert query == {
        "response_type": ["code"],
        "client_id": [client.id],
        "redirect_uri": ["https://app.example.com/callback"],
        "scope": ["openid email profile api/read"],
    }
    assert out["scopes"] == ["api/read"]


def test_custom_domain(record):
    args = identity_args(custom_domain="auth.example.com", certificate_arn=CERTIFICATE)
    del args["domain_prefix"]
    rec = record(lambda: CognitoIdentity("auth", args))
    assert rec.named("auth-domain").inputs["domain"] == "auth.example.com"
    assert rec.named("auth-domain").inputs["certificateArn"] == CERTIFICATE
    assert rec.named("auth").outputs["tokenEndpoint"] == "https://auth.example.com/oauth2/token"


def test_identity_providers(record):
    rec = record(
        lambda: CognitoIdentity(
            "auth",
            identity_args(
                identity_providers=[
                    {
                        "provider_name": "Google",
                        "provider_type": "Google",
                        "provider_details": {"client_id": "g", "client_secret": "s", "authorize_scopes": "email"},
                    },
                    {
                        "provider_name": "Okta",
                        "provider_type": "SAML",
                        "provider_details": {"MetadataURL": "https://x/m"},
                    },
                ]
            ),
        )
    )
    google = rec.named("auth-idp-google").inputs
    assert google["attributeMapping"] == {"email": "email"}
    okta = rec.named("auth-idp-okta").inputs
    assert okta["providerType"] == "SAML"
    client = rec.named("auth-client")
    assert client.inputs["supportedIdentityProviders"] == ["COGNITO", "Google", "Okta"]
    assert rec.named("auth-idp-okta").urn in client.options["dependencies"]


def test_every_child_is_parented_to_the_component(graph):
    component = graph.named("auth")
    for child in graph.resources:
        if child is not component:
            assert child.parent == component.urn, child.name


SECRET_SIG = "4dabf18193072939515e22adb298388d"
"""The special signature key of a secret value in Pulumi's wire format (sdk/proto, "Property values")."""


@pytest.fixture(scope="module")
def services():
    from securedapi.testing import run_program

    args = identity_args(
        scopes={"read": "Read items", "reports.read": "Read reports", "reports.write": "Write reports"},
        client_scopes=["read"],
        service_clients={
            "reporting": {"scopes": ["reports.read"], "description": "nightly report job"},
            "Billing_Sync": {
                "scopes": ["api/reports.read", "reports.write"],
                "description": " invoices ",
                "token_validity_minutes": 15,
            },
        },
    )
    return run_program(lambda: CognitoIdentity("auth", args), project="test", stack="unit")


def test_service_clients_are_confidential_client_credentials_clients(services):
    pool = services.named("auth-pool")
    server = services.named("auth-resource-server")
    reporting = services.named("auth-service-reporting")
    billing = services.named("auth-service-billing_sync")
    for client in (reporting, billing):
        inputs = client.inputs
        assert inputs["userPoolId"] == pool.id
        assert inputs["generateSecret"] is True
        assert inputs["allowedOauthFlows"] == ["client_credentials"]
        assert inputs["allowedOauthFlowsUserPoolClient"] is True
        assert inputs["explicitAuthFlows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]  # no user sign-in flow
        assert not {"callbackUrls", "logoutUrls", "supportedIdentityProviders"} & set(inputs)
        assert (inputs["preventUserExistenceErrors"], inputs["enableTokenRevocation"]) == ("ENABLED", True)
        assert inputs["tokenValidityUnits"] == {"accessToken": "minutes"}
        assert server.urn in client.options["dependencies"]  # the scopes exist before they are granted
        assert client.parent == services.named("auth").urn
    assert reporting.inputs["allowedOauthScopes"] == ["api/reports.read"]
    assert reporting.inputs["accessTokenValidity"] == 60
    assert billing.inputs["allowedOauthScopes"] == ["api/reports.read", "api/reports.write"]
    assert billing.inputs["accessTokenValidity"] == 15
    # No branding: managed login is for people.
    assert [
        b.inputs["clientId"] for b in services.of_type("aws:cognito/managedLoginBranding:ManagedLoginBranding")
    ] == [services.named("auth-client").id]


def test_public_client_gets_only_client_scopes(services):
    client = services.named("auth-client").inputs
    assert client["allowedOauthScopes"] == ["openid", "email", "profile", "api/read"]
    out = services.named("auth").outputs
    assert out["scopes"] == ["api/read"]
    assert parse_qs(urlsplit(out["loginUrl"]).query)["scope"] == ["openid email profile api/read"]


def test_service_client_outputs(services):
    out = services.named("auth").outputs
    reporting = services.named("auth-service-reporting")
    billing = services.named("auth-service-billing_sync")
    assert out["serviceClientIds"] == {"reporting": reporting.id, "Billing_Sync": billing.id}
    secrets = out["serviceClientSecrets"]
    assert set(secrets) == {SECRET_SIG, "value"}  # a Pulumi secret, never a plain output
    assert secrets["value"] == {
        "reporting": reporting.outputs["clientSecret"],
        "Billing_Sync": billing.outputs["clientSecret"],
    }
    assert out["confidentialClients"] == {
        "auth-service-reporting": "service client 'reporting' of CognitoIdentity (client_credentials only): "
        "nightly report job",
        "auth-service-billing_sync": "service client 'Billing_Sync' of CognitoIdentity (client_credentials only): "
        "invoices",
    }


def test_no_service_clients_by_default(graph):
    out = graph.named("auth").outputs
    assert (out["serviceClientIds"], out["confidentialClients"]) == ({}, {})
    assert [c.name for c in graph.of_type("aws:cognito/userPoolClient:UserPoolClient")] == ["auth-client"]
