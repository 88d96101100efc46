"""The local managed login: the user pool domain's endpoints on ``--auth-port``, over the emulator's pools.

One :class:`AuthServer` serves every user pool of the emulator (the pool is found from the client id),
with authlib for the OAuth 2.0 protocol (:mod:`securedapi.local.oauth`), the login pages
(:mod:`securedapi.local.login`), token/revoke/userInfo (:mod:`securedapi.local.oauth_endpoints`), the
mailbox (:mod:`securedapi.local.mailbox`) and, in front of the emulator, the Cognito API rules managed
login depends on (:mod:`securedapi.local.cognito_api`).
"""

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import jwt
from starlette.applications import Starlette

from securedapi.local.authstore import AuthStore
from securedapi.local.login import Pages, UserGoneError
from securedapi.local.mailbox import Mailbox
from securedapi.local.minting import TokenMinter
from securedapi.local.oauth import LocalAuthorizationServer
from securedapi.local.oauth_endpoints import MachineEndpoints, decode_unverified
from securedapi.local.strict import Strictness
from securedapi.local.userpool import AppClient, UserPools

MAILBOX_PATH = "/_local/mailbox"


class AuthServer:
    """The authorization server, its state and its Starlette application (``app``)."""

    def __init__(
        self,
        domain: str,
        *,
        strict: bool = False,
        say: Callable[[str], None] = lambda line: print(line, flush=True),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.domain = domain.rstrip("/")
        self.say = say
        self.pools = UserPools()
        self.mailbox = Mailbox(say=say, clock=clock)
        self.store = AuthStore(clock)
        self.minter = TokenMinter(self.pools, clock)
        self.strictness = Strictness(strict, say)
        self.oauth = LocalAuthorizationServer(self.pools, self.store, self.minter, self.strictness)
        login = Pages(self)
        self.app = Starlette(
            routes=login.routes() + MachineEndpoints(self).routes(), exception_handlers={UserGoneError: login.user_gone}
        )

    @property
    def token_endpoint(self) -> str:
        return f"{self.domain}/oauth2/token"

    @property
    def mailbox_url(self) -> str:
        return self.domain + MAILBOX_PATH

    def login_url(self, client: AppClient) -> str:
        """The authorize URL of ``client`` (first callback URL, every allowed scope), like the component's."""
        query: dict[str, str] = {"response_type": "code", "client_id": client.id}
        if client.callback_urls:
            query["redirect_uri"] = client.callback_urls[0]
        if client.scopes:
            query["scope"] = " ".join(client.scopes)
        return f"{self.domain}/oauth2/authorize?{urlencode(query)}"

    def openid_configuration(self, pool_id: str, jwks_uri: str) -> dict[str, Any]:
        """The issuer's discovery document, pointing at this server's endpoints."""
        return {
            "issuer": self.pools.settings(pool_id).issuer,
            "authorization_endpoint": f"{self.domain}/oauth2/authorize",
            "token_endpoint": self.token_endpoint,
            "userinfo_endpoint": f"{self.domain}/oauth2/userInfo",
            "revocation_endpoint": f"{self.domain}/oauth2/revoke",
            "end_session_endpoint": f"{self.domain}/logout",
            "jwks_uri": jwks_uri,
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def totp_secret(self, pool_id: str, username: str) -> str:
        """The user's TOTP secret: enrolled here, or the one the emulator's AssociateSoftwareToken hands out."""
        from moto.cognitoidp.models import COGNITO_TOTP_MFA_SECRET

        return self.store.totp_secret(pool_id, username) or COGNITO_TOTP_MFA_SECRET

    def verify_access_token(self, token: str) -> dict[str, Any] | None:
        """Claims of a valid, unrevoked access token of one of the pools (signature, issuer, expiry), else None."""
        unverified = decode_unverified(token) or {}
        issuer = str(unverified.get("iss", ""))
        pool_id = issuer.rsplit("/", 1)[-1]
        try:
            key = jwt.PyJWK(self.pools.signing_key(pool_id).as_dict(private=False))
            claims: dict[str, Any] = jwt.decode(token, key.key, algorithms=["RS256"], issuer=issuer)
        except (KeyError, jwt.PyJWTError):
            return None
        if claims.get("token_use") != "access" or claims.get("origin_jti") in self.oauth.revoked_origins:
            return None
        if "username" not in claims or not self.pools.access_token_known(pool_id, token):
            return None
        return claims

    def wrap_emulator(self, app: Any) -> Any:
        """The emulator's WSGI app with the Cognito API rules of :mod:`securedapi.local.cognito_api` in front."""
        from securedapi.local.cognito_api import CognitoApiRules

        return CognitoApiRules(app, self)
