"""The Cognito API of the emulator where managed login depends on it: auth flows are those the app client
declares (nothing added), sign-up codes go to the mailbox and are checked, and the issuer's discovery
document points at the local managed login (API reference: InitiateAuth, SignUp, ConfirmSignUp)."""

import secrets

import pytest
import requests
from botocore.exceptions import ClientError

from .auth_harness import PASSWORD, AuthStack


def test_the_seed_cli_flow_works_where_the_client_allows_it(auth: AuthStack) -> None:
    cognito = auth.cognito()
    client = auth.outputs["passwordClientId"]
    name = f"cli-{secrets.token_hex(4)}@example.com"
    cognito.sign_up(ClientId=client, Username=name, Password=PASSWORD)
    mail = requests.get(f"{auth.domain}/_local/mailbox.json", params={"to": name}, timeout=10).json()["messages"]
    assert mail[0]["purpose"] == "sign-up"
    with pytest.raises(ClientError) as wrong:
        cognito.confirm_sign_up(ClientId=client, Username=name, ConfirmationCode="not-the-code")
    assert wrong.value.response["Error"]["Code"] == "CodeMismatchException"
    cognito.confirm_sign_up(ClientId=client, Username=name, ConfirmationCode=mail[0]["code"])
    result = cognito.initiate_auth(
        ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD}
    )
    assert result["AuthenticationResult"]["AccessToken"]


def test_the_seed_cli_flow_fails_as_cognito_fails_where_the_client_does_not_allow_it(auth: AuthStack) -> None:
    name = auth.user(f"cli-{secrets.token_hex(4)}@example.com")
    with pytest.raises(ClientError) as refused:
        auth.cognito().initiate_auth(
            ClientId=auth.web, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD}
        )
    error = refused.value.response["Error"]
    assert error["Code"] == "InvalidParameterException"
    assert error["Message"] == "USER_PASSWORD_AUTH flow not enabled for this client"


def test_the_emulated_clients_have_exactly_the_declared_auth_flows(auth: AuthStack) -> None:
    cognito = auth.cognito()
    declared = {
        "webClientId": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "passwordClientId": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }
    for key, flows in declared.items():
        pool = auth.outputs["poolId"]
        client = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=auth.outputs[key])["UserPoolClient"]
        assert client["ExplicitAuthFlows"] == flows
    service = cognito.describe_user_pool_client(UserPoolId=pool, ClientId=auth.outputs["serviceClientId"])
    assert "ExplicitAuthFlows" not in service["UserPoolClient"]


def test_issuer_discovery_document_points_at_the_local_managed_login(auth: AuthStack) -> None:
    pool = auth.outputs["poolId"]
    document = requests.get(f"{auth.endpoint}/{pool}/.well-known/openid-configuration", timeout=10).json()
    assert document["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool}"
    assert document["authorization_endpoint"] == f"{auth.domain}/oauth2/authorize"
    assert document["token_endpoint"] == f"{auth.domain}/oauth2/token"
    assert document["userinfo_endpoint"] == f"{auth.domain}/oauth2/userInfo"
    assert document["end_session_endpoint"] == f"{auth.domain}/logout"
    jwks = requests.get(document["jwks_uri"], timeout=10).json()
    assert jwks["keys"][0]["kid"]


def test_global_sign_out_ends_managed_login_sessions(auth: AuthStack) -> None:
    name = auth.user(f"api-{secrets.token_hex(4)}@example.com")
    tokens = auth.code_tokens(name)
    auth.cognito().admin_user_global_sign_out(UserPoolId=auth.outputs["poolId"], Username=name)
    refresh = auth.token(grant_type="refresh_token", client_id=auth.web, refresh_token=tokens["refresh_token"])
    assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"
    info = requests.get(
        f"{auth.domain}/oauth2/userInfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10
    )
    assert info.status_code == 401
