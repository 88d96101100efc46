"""Tokens for a user of the running local stack, through its managed login (code flow with PKCE).

``securedapi token`` signs the user up if needed (the Cognito ``SignUp`` operation, then
``AdminConfirmSignUp`` and ``AdminAddUserToGroup`` for ``--group``, with the emulator's admin
credentials), then does what a browser does: ``/oauth2/authorize`` with a PKCE S256 challenge and a
``state``, the ``/login`` form, the redirect to the client's first callback URL with ``?code=`` (not
followed), and ``/oauth2/token`` with the verifier. The app client is exactly the one the program
declared: a client without the code flow gets no token, as on AWS. ``--scope`` is requested at
``/oauth2/authorize`` (the client must allow it); without it every scope the client allows is granted.
"""

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

DEFAULT_PASSWORD = "Local-Passw0rd!"
EMAIL_DOMAIN = "example.com"
TIMEOUT = 10


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
    for key in ("userPoolId", "userPoolClientId", "awsEndpointUrl", "region", "domain"):
        if not outputs.get(key):
            raise TokenCliError(f"{path} has no {key!r}; restart the local stack")
    return outputs


@dataclass
class Tokens:
    """The token endpoint's answer."""

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


def ensure_user(outputs: dict[str, Any], user: str, password: str, groups: tuple[str, ...], client_id: str) -> str:
    """Sign ``user`` up and confirm it unless it exists; add it to ``groups``. Returns the sign-in name."""
    from botocore.exceptions import ClientError

    cognito = cognito_client(outputs)
    pool_id = outputs["userPoolId"]
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
    return username


def pkce_pair() -> tuple[str, str]:
    """A code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _page_text(html: str, css_class: str) -> str | None:
    match = re.search(rf'class="{css_class}"[^>]*>(.*?)</', html, re.S)
    return unescape(match.group(1)).strip() if match else None


def _redirect_params(location: str, redirect_uri: str) -> dict[str, str]:
    query = parse_qs(urlsplit(location).query)
    if not location.startswith(redirect_uri):
        raise TokenCliError(f"managed login did not return to {redirect_uri}: {location}")
    params = {k: v[0] for k, v in query.items()}
    if "error" in params:
        raise TokenCliError(
            f"managed login refused the request: {params['error']} {params.get('error_description', '')}"
        )
    return params


def client_config(outputs: dict[str, Any], client_id: str) -> dict[str, Any]:
    """The app client as the emulator holds it (``DescribeUserPoolClient``); it must allow the code flow."""
    client = cognito_client(outputs).describe_user_pool_client(UserPoolId=outputs["userPoolId"], ClientId=client_id)
    config: dict[str, Any] = client["UserPoolClient"]
    if "code" not in (config.get("AllowedOAuthFlows") or []) or not config.get("CallbackURLs"):
        raise TokenCliError(f"app client {client_id} does not allow the authorization code flow (no token without it)")
    return config


def sign_in(
    outputs: dict[str, Any], client_id: str, username: str, password: str, scopes: tuple[str, ...] = ()
) -> Tokens:
    """The code flow with PKCE against the local managed login, as a browser would drive it."""
    return code_flow(outputs["domain"], client_config(outputs, client_id), username, password, scopes)


def code_flow(
    domain: str, config: dict[str, Any], username: str, password: str, scopes: tuple[str, ...] = ()
) -> Tokens:
    """authorize -> login page -> ``POST /login`` -> the callback's code -> ``/oauth2/token`` with the verifier."""
    import requests

    client_id = config["ClientId"]
    callbacks = config["CallbackURLs"]
    domain = domain.rstrip("/")
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": callbacks[0], "state": state}
    query |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    if scopes:
        query["scope"] = " ".join(scopes)
    with requests.Session() as http:
        response = http.get(f"{domain}/oauth2/authorize", params=query, allow_redirects=False, timeout=TIMEOUT)
        if response.status_code != 302:
            raise TokenCliError(
                f"/oauth2/authorize answered {response.status_code}: {_page_text(response.text, 'error-description')}"
            )
        location = urljoin(domain + "/", response.headers["location"])
        if not location.startswith(domain):
            _redirect_params(location, callbacks[0])
        page = http.get(location, timeout=TIMEOUT).text
        csrf = re.search(r'name="_csrf" value="([^"]+)"', page)
        params = re.search(r'name="params" value="([^"]*)"', page)
        if not csrf or not params:
            raise TokenCliError(f"unexpected sign-in page from {location}")
        form = {"username": username, "password": password, "_csrf": csrf.group(1), "params": unescape(params.group(1))}
        response = http.post(f"{domain}/login", data=form, allow_redirects=False, timeout=TIMEOUT)
        if response.status_code != 302:
            error = _page_text(response.text, "error") or f"HTTP {response.status_code}"
            raise TokenCliError(
                f"sign-in failed: {error} (an existing user keeps the password it was created with; pass --password)"
            )
        location = urljoin(domain + "/", response.headers["location"])
        if location.startswith(domain + "/mfa"):
            raise TokenCliError(f"{username} has multi-factor authentication: sign in through the browser instead")
        if location.startswith(domain + "/confirm"):
            raise TokenCliError(f"{username} is not confirmed: confirm it with the code from the mailbox")
        code = _redirect_params(location, callbacks[0])
        if code.get("state") != state:
            raise TokenCliError("managed login returned another state than the one sent")
        body = {"grant_type": "authorization_code", "client_id": client_id, "code": code["code"]}
        body |= {"redirect_uri": callbacks[0], "code_verifier": verifier}
        secret = config.get("ClientSecret")
        response = http.post(
            f"{domain}/oauth2/token", data=body, auth=(client_id, secret) if secret else None, timeout=TIMEOUT
        )
    tokens = response.json()
    if response.status_code != 200:
        raise TokenCliError(
            f"/oauth2/token refused the code: {tokens.get('error')}: {tokens.get('error_description', '')}"
        )
    return Tokens(
        username=username,
        access_token=tokens["access_token"],
        id_token=tokens.get("id_token", ""),
        refresh_token=tokens.get("refresh_token", ""),
        expires_in=int(tokens.get("expires_in", 3600)),
    )


def get_tokens(
    outputs: dict[str, Any],
    user: str,
    password: str = DEFAULT_PASSWORD,
    groups: tuple[str, ...] = (),
    scopes: tuple[str, ...] = (),
    client_id: str | None = None,
) -> Tokens:
    """Create (if needed), confirm and sign in ``user`` through managed login; add it to ``groups`` first."""
    client_id = client_id or outputs["userPoolClientId"]
    username = ensure_user(outputs, user, password, groups, client_id)
    return sign_in(outputs, client_id, username, password, scopes)
