"""Which clients `securedapi token --client` knows: the program's client-credentials clients, by name."""

import pulumi
import pulumi_aws as aws
import pytest

from securedapi import CognitoIdentity
from securedapi.local.service_tokens import resolve, service_clients
from securedapi.local.tokens import TokenCliError
from tests.unit.conftest import identity_args


def program() -> None:
    identity = CognitoIdentity(
        "auth",
        identity_args(service_clients={"reporting": {"scopes": ["read"], "description": "the report job"}}),
    )
    pool = aws.cognito.UserPool("other-pool")
    aws.cognito.UserPoolClient(
        "plain-service",
        user_pool_id=pool.id,
        generate_secret=True,
        allowed_oauth_flows=["client_credentials"],
        allowed_oauth_flows_user_pool_client=True,
        allowed_oauth_scopes=["x/y"],
    )
    aws.cognito.UserPoolClient("browser", user_pool_id=pool.id, allowed_oauth_flows=["code"])
    pulumi.export("poolId", identity.user_pool_id)


def test_service_clients_by_name(record) -> None:
    recording = record(program)
    found = service_clients(recording)
    reporting = recording.named("auth-service-reporting")
    plain = recording.named("plain-service")
    assert found == {
        "reporting": {"clientId": reporting.id, "userPoolId": recording.named("auth-pool").id},
        "plain-service": {"clientId": plain.id, "userPoolId": recording.named("other-pool").id},
    }  # the component's service clients by their name (once), other client-credentials clients by logical name
    outputs = {"serviceClients": found}
    assert resolve(outputs, "reporting") == found["reporting"]
    assert resolve(outputs, plain.id) == found["plain-service"]  # a client id works too
    with pytest.raises(TokenCliError, match=r"no service client 'browser' \(its service clients: plain-service, "):
        resolve(outputs, "browser")
