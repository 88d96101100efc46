"""Client-credentials tokens for the service clients of the running local stack (``securedapi token --client``).

The local stack lists the program's service clients in ``outputs.json`` (``serviceClients``: name ->
client id and user pool): the ``service_clients`` of each ``CognitoIdentity`` by their name, and any other
app client that allows the ``client_credentials`` grant by its logical name. The secret is the emulated
client's own (``DescribeUserPoolClient`` with the emulator's admin credentials), and the token comes from
the local managed login's ``/oauth2/token`` with HTTP Basic client authentication, as a service calls
Cognito's token endpoint (Cognito developer guide, "Token endpoint": ``grant_type=client_credentials``).
"""

from dataclasses import dataclass
from typing import Any

import jwt

from securedapi.local.tokens import TIMEOUT, TokenCliError, cognito_client

COGNITO_IDENTITY = "securedapi:index:CognitoIdentity"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"


@dataclass(frozen=True)
class ServiceToken:
    """The token endpoint's answer for a service client."""

    name: str
    client_id: str
    access_token: str
    expires_in: int
    scope: str


def service_clients(recording: Any) -> dict[str, dict[str, str]]:
    """``name -> {"clientId", "userPoolId"}`` of every client-credentials client the program declares."""
    found: dict[str, dict[str, str]] = {}
    for component in recording.of_type(COGNITO_IDENTITY):
        ids = component.outputs.get("serviceClientIds") or {}
        for name, client_id in ids.items():
            found[name] = {"clientId": client_id, "userPoolId": component.outputs.get("userPoolId")}
    taken = {entry["clientId"] for entry in found.values()}
    for client in recording.of_type(CLIENT):
        flows = client.inputs.get("allowedOauthFlows") or []
        if "client_credentials" in flows and client.id not in taken and client.name not in found:
            found[client.name] = {"clientId": client.id, "userPoolId": client.inputs.get("userPoolId")}
    return found


def resolve(outputs: dict[str, Any], name: str) -> dict[str, str]:
    """The service client called ``name`` (or whose client id is ``name``) in ``outputs.json``."""
    known: dict[str, dict[str, str]] = outputs.get("serviceClients") or {}
    entry = known.get(name) or next((e for e in known.values() if e.get("clientId") == name), None)
    if entry is None:
        listed = ", ".join(sorted(known)) or "none"
        raise TokenCliError(
            f"the running stack has no service client {name!r} (its service clients: {listed}); declare one "
            "with CognitoIdentity's service_clients, or an app client that allows the client_credentials flow"
        )
    return entry


def client_secret(outputs: dict[str, Any], client_id: str, pool_id: str) -> str:
    """The emulated client's secret; a client without one cannot use the client-credentials grant."""
    from botocore.exceptions import ClientError

    try:
        client = cognito_client(outputs).describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    except ClientError as exc:
        raise TokenCliError(
            f"app client {client_id} not found in the emulator; is the local stack running? ({exc})"
        ) from None
    secret = client["UserPoolClient"].get("ClientSecret")
    if not secret:
        raise TokenCliError(f"app client {client_id} has no secret: the client_credentials grant needs one")
    return str(secret)


def client_credentials_token(outputs: dict[str, Any], name: str, scopes: tuple[str, ...] = ()) -> ServiceToken:
    """A client-credentials access token for the service client ``name`` from the local token endpoint."""
    import requests

    entry = resolve(outputs, name)
    client_id = entry["clientId"]
    secret = client_secret(outputs, client_id, entry["userPoolId"])
    body = {"grant_type": "client_credentials", **({"scope": " ".join(scopes)} if scopes else {})}
    endpoint = outputs.get("tokenEndpoint") or f"{outputs['domain'].rstrip('/')}/oauth2/token"
    try:
        response = requests.post(endpoint, data=body, auth=(client_id, secret), timeout=TIMEOUT)
        answer = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise TokenCliError(f"the local token endpoint {endpoint} did not answer: {exc}") from None
    if response.status_code != 200:
        raise TokenCliError(
            f"/oauth2/token refused the client credentials of {name!r}: {answer.get('error')}"
            + (f": {answer['error_description']}" if answer.get("error_description") else "")
            + (" (ask only for scopes granted to the client)" if answer.get("error") == "invalid_scope" else "")
        )
    token = answer["access_token"]
    granted = str(jwt.decode(token, options={"verify_signature": False}).get("scope", ""))  # as the token says
    return ServiceToken(name, client_id, token, int(answer.get("expires_in", 3600)), granted)
