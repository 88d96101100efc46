"""Tokens from the local user pool, by the Cognito CLI flow against the emulator.

``sign-up`` (if the user does not exist) -> ``admin-confirm-sign-up`` -> ``admin-add-user-to-group``
(``--group``) -> ``initiate-auth`` with ``USER_PASSWORD_AUTH``. The app client the program declares may
not allow that flow (a public code-flow client should not); the local stack adds
``ALLOW_USER_PASSWORD_AUTH`` to the emulator's copy of the client (see :mod:`securedapi.local.mocks`).

What the emulator's tokens carry (moto 5.2): access tokens have ``iss``, ``sub``, ``client_id`` (no
``aud``), ``token_use: access``, ``scope: aws.cognito.signin.user.admin``, ``username`` and
``cognito:groups``; ID tokens have ``aud`` (the client id), ``email`` and ``cognito:groups``. Real
Cognito puts custom scopes (e.g. ``dashboard/api``) only in access tokens from the OAuth endpoints
(managed login), which the emulator does not serve, so routes that require custom scopes answer 403 to
``initiate-auth`` tokens — locally and on AWS. ``--scope`` makes them usable locally: the running stack's
emulator re-issues the access token with those scopes if the app client is allowed them
(:class:`local.emulator.ScopedTokenApp`), standing in for the managed-login code flow.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_PASSWORD = "Local-Passw0rd!"
EMAIL_DOMAIN = "example.com"


class TokenCliError(RuntimeError):
    """The flow failed; the message says what to do."""


def read_outputs(state_dir: Path) -> dict[str, Any]:
    from securedapi.local.state import StaleOutputsError, read_live_outputs

    path = state_dir / "outputs.json"
    try:
        outputs = read_live_outputs(path)
    except FileNotFoundError:
        raise TokenCliError(f"{path} not found: start the local stack first (make local / securedapi local)") from None
    except StaleOutputsError as exc:
        raise TokenCliError(str(exc)) from None
    for key in ("userPoolId", "userPoolClientId", "awsEndpointUrl", "region"):
        if not outputs.get(key):
            raise TokenCliError(f"{path} has no {key!r}; restart the local stack")
    return outputs


@dataclass
class Tokens:
    """The AuthenticationResult of initiate-auth."""

    username: str
    access_token: str
    id_token: str
    refresh_token: str
    expires_in: int


def cognito_client(outputs: dict[str, Any]) -> Any:
    import boto3

    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=outputs["region"]
    ).client("cognito-idp", endpoint_url=outputs["awsEndpointUrl"])


def username_for(user: str, username_attributes: list[str]) -> str:
    """Pools that sign in by email need an email: ``alice`` becomes ``alice@example.com``."""
    if "email" in username_attributes and "@" not in user:
        return f"{user}@{EMAIL_DOMAIN}"
    return user


def scoped_access_token(outputs: dict[str, Any], access_token: str, scopes: list[str]) -> str:
    """The access token re-issued by the emulator with ``scopes`` (each must be allowed for the client)."""
    import requests

    from securedapi.local.emulator import SCOPED_TOKEN_PATH

    response = requests.post(
        outputs["awsEndpointUrl"] + SCOPED_TOKEN_PATH, timeout=10, json={"accessToken": access_token, "scopes": scopes}
    )
    body = response.json()
    if response.status_code != 200:
        raise TokenCliError(
            f"cannot get a token with scopes {scopes}: {body.get('error')}: {body.get('error_description', '')}"
        )
    return str(body["access_token"])


def get_tokens(
    outputs: dict[str, Any], user: str, password: str = DEFAULT_PASSWORD, groups: tuple[str, ...] = ()
) -> Tokens:
    """Create (if needed), confirm and sign in ``user``; add it to ``groups`` first."""
    from botocore.exceptions import ClientError

    cognito = cognito_client(outputs)
    pool_id, client_id = outputs["userPoolId"], outputs["userPoolClientId"]
    try:
        pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    except ClientError as exc:
        raise TokenCliError(
            f"user pool {pool_id} not found in the emulator; is the local stack running? ({exc})"
        ) from None
    username = username_for(user, pool.get("UsernameAttributes") or [])
    attributes = [{"Name": "email", "Value": username if "@" in username else f"{user}@{EMAIL_DOMAIN}"}]
    try:
        cognito.sign_up(ClientId=client_id, Username=username, Password=password, UserAttributes=attributes)
        cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username=username)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code != "UsernameExistsException":
            raise TokenCliError(f"sign-up failed: {code}: {exc.response['Error'].get('Message')}") from None
    for group in groups:
        try:
            cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
        except ClientError as exc:
            known = [g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id).get("Groups", [])]
            raise TokenCliError(
                f"cannot add {username} to group {group!r} ({exc.response['Error']['Code']}); "
                f"groups of the pool: {', '.join(known) or 'none'}"
            ) from None
    try:
        result = cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    except ClientError as exc:
        error = exc.response["Error"]
        raise TokenCliError(
            f"initiate-auth failed: {error['Code']}: {error.get('Message')} "
            "(an existing user keeps the password it was created with; pass --password)"
        ) from None
    auth = result.get("AuthenticationResult")
    if not auth:
        raise TokenCliError(
            f"initiate-auth returned the challenge {result.get('ChallengeName')!r}; "
            "the token command supports users without MFA only"
        )
    return Tokens(
        username=username,
        access_token=auth["AccessToken"],
        id_token=auth["IdToken"],
        refresh_token=auth.get("RefreshToken", ""),
        expires_in=int(auth.get("ExpiresIn", 3600)),
    )
