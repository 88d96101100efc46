"""Cognito API rules the emulator lacks and managed login depends on (WSGI middleware in front of moto).

* ``InitiateAuth`` / ``AdminInitiateAuth`` refuse an auth flow the app client does not allow, with
  Cognito's ``InvalidParameterException`` (API reference, InitiateAuth: "the auth flow must be enabled
  for the app client"; ExplicitAuthFlows). moto accepts every flow on every client.
* (Sign-up and reset codes are issued and checked by :mod:`securedapi.local.cognito_compat`, in the
  local mailbox.)
* ``GlobalSignOut`` / ``AdminUserGlobalSignOut`` also end the user's managed-login refresh tokens (moto
  matches users by user name only, so a pool that signs in by email would keep them).
* ``GET /<poolId>/.well-known/openid-configuration`` is the issuer's full discovery document, with the
  local managed login's endpoints.
"""

import io
import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from securedapi.local.authserver import AuthServer

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
FLOW_SWITCH = {
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
}
DISCOVERY_SUFFIX = "/.well-known/openid-configuration"

StartResponse = Callable[..., Any]


def _error(start_response: StartResponse, code: str, message: str) -> list[bytes]:
    start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.1")])
    return [json.dumps({"__type": code, "message": message}).encode()]


class CognitoApiRules:
    """WSGI middleware: the rules above, everything else passed to moto unchanged."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]], auth: "AuthServer") -> None:
        self.app = app
        self.auth = auth

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") == "GET" and path.endswith(DISCOVERY_SUFFIX):
            return self._discovery(environ, start_response, path)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith(TARGET_PREFIX):
            return self.app(environ, start_response)
        operation = target[len(TARGET_PREFIX) :]
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            return self.app(environ, start_response)
        if operation in ("InitiateAuth", "AdminInitiateAuth"):
            return self._initiate_auth(environ, start_response, request)
        if operation in ("GlobalSignOut", "AdminUserGlobalSignOut"):
            self._sign_out(request)
        return self.app(environ, start_response)

    def _sign_out(self, request: dict[str, Any]) -> None:
        if "AccessToken" in request:
            claims = self.auth.verify_access_token(str(request["AccessToken"]))
            if claims is not None:
                self.auth.oauth.sign_out(str(claims["iss"]).rsplit("/", 1)[1], str(claims["username"]))
            return
        try:
            user = self.auth.pools.user(str(request.get("UserPoolId", "")), str(request.get("Username", "")))
        except KeyError:
            return
        if user is not None:
            self.auth.oauth.sign_out(user.pool_id, user.username)

    def _discovery(self, environ: dict[str, Any], start_response: StartResponse, path: str) -> Iterable[bytes]:
        pool_id = path[: -len(DISCOVERY_SUFFIX)].strip("/")
        try:
            host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
            document = self.auth.openid_configuration(pool_id, f"http://{host}/{pool_id}/.well-known/jwks.json")
        except KeyError:
            return self.app(environ, start_response)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(document).encode()]

    def _initiate_auth(
        self, environ: dict[str, Any], start_response: StartResponse, request: dict[str, Any]
    ) -> Iterable[bytes]:
        flow = str(request.get("AuthFlow", ""))
        client = self.auth.pools.client(str(request.get("ClientId", "")))
        switch = FLOW_SWITCH.get(flow)
        if client is not None and switch is not None and switch not in client.auth_flows:
            self.auth.say(f"cognito-idp: {flow} refused: app client {client.name} does not allow {switch}")
            message = (
                f"{flow} flow not enabled for this client"
                if "USER_PASSWORD" in flow
                else "Auth flow not enabled for this client"
            )
            return _error(start_response, "InvalidParameterException", message)
        return self.app(environ, start_response)
