"""The OAuth 2.0 protocol of the local managed login, with authlib's authorization server and grants.

Cognito's rules on top of authlib's (Cognito developer guide: "Authorize endpoint", "Token endpoint",
"Revoke endpoint", "Using PKCE in authorization code grants"):

* ``redirect_uri`` is required and must equal one of the client's callback URLs exactly.
* No ``scope``: every scope the client allows; a scope the client does not allow: ``invalid_scope``.
* PKCE: only ``S256``; a challenge without ``code_challenge_method`` is ``invalid_request``; a challenge
  sent makes the verifier required and checked (``invalid_grant`` when wrong).
* A token request whose ``redirect_uri`` differs from the authorize request's is ``unauthorized_client``
  (what Cognito answers, although RFC 6749 names ``invalid_grant``).
* Public clients authenticate with ``client_id`` only; clients with a secret with HTTP Basic (or
  ``client_secret`` in the body). ``client_credentials`` needs a secret and grants custom scopes only.
* Refresh tokens are rotated when the client enables rotation; the old one lasts the grace period.
* ``/oauth2/revoke`` takes refresh tokens only; an unknown token is 200.
"""

import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.errors import (
    InvalidGrantError,
    InvalidRequestError,
    InvalidScopeError,
    UnauthorizedClientError,
    UnsupportedTokenTypeError,
)
from authlib.oauth2.rfc6749.requests import OAuth2Payload
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge

from securedapi.local.authstore import CODE_SECONDS, AuthorizationCode, AuthStore, RefreshRecord
from securedapi.local.minting import Grant, TokenMinter
from securedapi.local.strict import CODE_REPLAY, PKCE_REQUIRED, REFRESH_ROTATION, Strictness
from securedapi.local.userpool import AppClient, User, UserPools


class FormPayload(OAuth2Payload):
    """Query or form parameters, first value wins (authlib rejects repeated authorize parameters)."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in pairs:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class FormRequest(OAuth2Request):
    """An already parsed HTTP request, whatever the web framework."""

    def __init__(self, method: str, uri: str, headers: Mapping[str, str], pairs: list[tuple[str, str]]) -> None:
        super().__init__(method, uri, headers=headers)
        self.payload = FormPayload(pairs)

    @property
    def args(self) -> dict[str, str]:
        return self.payload.data  # type: ignore[no-any-return]

    @property
    def form(self) -> dict[str, str]:
        return self.payload.data  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Principal:
    """The signed-in user behind a grant."""

    user: User
    auth_time: int
    nonce: str | None = None
    origin_jti: str | None = None
    refresh: RefreshRecord | None = None


def _scope_list(scope: str | None) -> list[str]:
    return [s for s in (scope or "").split(" ") if s]


class OAuthClient(ClientMixin):  # type: ignore[misc]
    """authlib's view of an :class:`AppClient`."""

    def __init__(self, app: AppClient) -> None:
        self.app = app

    def get_client_id(self) -> str:
        return self.app.id

    def get_default_redirect_uri(self) -> None:
        return None  # Cognito requires redirect_uri

    def get_allowed_scope(self, scope: str | None) -> str | None:
        requested = _scope_list(scope)
        if not requested:
            return " ".join(self.app.scopes)
        return " ".join(requested) if set(requested) <= set(self.app.scopes) else None

    def custom_scopes(self, scope: str | None) -> str | None:
        """Scopes of a client-credentials token: custom ones the client allows (all when none are asked for)."""
        custom = [s for s in self.app.scopes if "/" in s]
        requested = _scope_list(scope)
        if not requested:
            return " ".join(custom) if custom else None
        return " ".join(requested) if set(requested) <= set(custom) else None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.app.callback_urls

    def check_client_secret(self, client_secret: str) -> bool:
        return self.app.check_secret(client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.app.public:
            return method == "none"
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and self.app.oauth_enabled and "code" in self.app.oauth_flows

    def check_grant_type(self, grant_type: str) -> bool:
        if grant_type == "refresh_token":
            return "ALLOW_REFRESH_TOKEN_AUTH" in self.app.auth_flows
        flow = {"authorization_code": "code", "client_credentials": "client_credentials"}.get(grant_type)
        ok = flow is not None and self.app.oauth_enabled and flow in self.app.oauth_flows
        return ok and (grant_type != "client_credentials" or not self.app.public)


class S256Challenge(CodeChallenge):  # type: ignore[misc]
    """PKCE as Cognito supports it: S256 only, the method always named."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if data.get("code_challenge") and not data.get("code_challenge_method"):
            raise InvalidRequestError("code_challenge_method is required (S256)", redirect_uri=redirect_uri)
        if data.get("code_challenge_method") and data["code_challenge_method"] != "S256":
            raise InvalidRequestError("code_challenge_method must be S256", redirect_uri=redirect_uri)
        super().validate_code_challenge(grant, redirect_uri)
        server: LocalAuthorizationServer = grant.server
        if not data.get("code_challenge") and grant.request.client.app.public and server.strictness.strict:
            raise InvalidRequestError("code_challenge is required (--strict, RFC 9700 section 2.1.1)")


class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    """``authorization_code``: codes live in the :class:`AuthStore`."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    server: "LocalAuthorizationServer"

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        principal: Principal = request.user
        data = request.payload.data
        client: AppClient = request.client.app
        if client.public and not data.get("code_challenge"):
            self.server.strictness.allows(False, PKCE_REQUIRED, client=client.name)
        self.server.store.add_code(
            AuthorizationCode(
                code=code,
                client_id=client.id,
                redirect_uri=request.payload.redirect_uri,
                scope=request.scope,
                pool_id=principal.user.pool_id,
                username=principal.user.username,
                auth_time=principal.auth_time,
                expires_at=self.server.store.clock() + CODE_SECONDS,
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                nonce=data.get("nonce"),
            )
        )

    def query_authorization_code(self, code: str, client: OAuthClient) -> AuthorizationCode | None:
        found, reused = self.server.store.take_code(code)
        if reused:
            self.server.code_replayed(code, client.app)
        return found if found is not None and found.client_id == client.app.id else None

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        """Already removed when it was looked up (single use, even when the exchange then fails)."""

    def authenticate_user(self, authorization_code: AuthorizationCode) -> Principal | None:
        user = self.server.pools.user(authorization_code.pool_id, authorization_code.username)
        if user is None or not user.enabled:
            return None
        return Principal(user, authorization_code.auth_time, authorization_code.nonce)

    def validate_token_request(self) -> None:
        try:
            super().validate_token_request()
        except InvalidGrantError as exc:
            if "redirect_uri" in (exc.description or ""):
                raise UnauthorizedClientError("redirect_uri does not match the authorize request") from None
            raise


class RefreshGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    """``refresh_token``: rotation and its grace period per client; global sign-out ends the token."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    server: "LocalAuthorizationServer"

    def authenticate_refresh_token(self, refresh_token: str) -> RefreshRecord | None:
        record = self.server.store.refresh(refresh_token)
        if record is None or not self.server.pools.refresh_token_valid(record.pool_id, refresh_token):
            return None
        return record

    def authenticate_user(self, record: RefreshRecord) -> Principal | None:
        user = self.server.pools.user(record.pool_id, record.username)
        if user is None or not user.enabled:
            return None
        return Principal(user, record.auth_time, origin_jti=record.origin_jti, refresh=record)

    def validate_token_request(self) -> None:
        super().validate_token_request()
        app: AppClient = self.request.client.app
        if not self.server.strictness.allows(not app.public or app.rotation, REFRESH_ROTATION, client=app.name):
            raise InvalidGrantError("refresh token rotation is required (--strict, RFC 9700 section 2.2.2)")

    def issue_token(self, user: Principal, refresh_token: RefreshRecord) -> dict[str, Any]:
        app: AppClient = self.request.client.app
        return self.generate_token(user=user, scope=refresh_token.scope, include_refresh_token=app.rotation)  # type: ignore[no-any-return]

    def revoke_old_credential(self, refresh_token: RefreshRecord) -> None:
        app: AppClient = self.request.client.app
        if app.rotation:
            self.server.store.retire_refresh(refresh_token.token, app.rotation_grace_seconds)


class ClientCredentialsGrant(grants.ClientCredentialsGrant):  # type: ignore[misc]
    """``client_credentials`` for clients with a secret: custom scopes the client is allowed."""

    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

    def validate_token_request(self) -> None:
        super().validate_token_request()
        if self.request.client.custom_scopes(self.request.payload.scope) is None:
            raise InvalidScopeError()

    def create_token_response(self) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
        scope = self.request.client.custom_scopes(self.request.payload.scope)
        token = self.generate_token(scope=scope, include_refresh_token=False)
        return 200, token, self.TOKEN_RESPONSE_HEADER


class Revocation(RevocationEndpoint):  # type: ignore[misc]
    """``/oauth2/revoke``: a refresh token and every access token issued from it."""

    CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
    server: "LocalAuthorizationServer"

    def authenticate_token(self, request: OAuth2Request, client: OAuthClient) -> RefreshRecord | None:
        if not client.app.token_revocation:
            raise InvalidRequestError("token revocation is disabled for this client")
        if "token" not in request.form:
            raise InvalidRequestError("token is required")
        token = request.form["token"]
        if token.count(".") == 2:
            raise UnsupportedTokenTypeError("only refresh tokens can be revoked")
        record = self.server.store.refresh(token)
        return record if record is not None and record.check_client(client) else None

    def revoke_token(self, token: RefreshRecord, request: OAuth2Request) -> None:
        self.server.revoke(token)


class LocalAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    """authlib's authorization server over the emulator's pools; responses stay ``(status, body, headers)``."""

    def __init__(self, pools: UserPools, store: AuthStore, minter: TokenMinter, strictness: Strictness) -> None:
        super().__init__()
        self.pools = pools
        self.store = store
        self.minter = minter
        self.strictness = strictness
        self.revoked_origins: set[str] = set()
        self.register_grant(CodeGrant, [S256Challenge(required=False)])
        self.register_grant(RefreshGrant)
        self.register_grant(ClientCredentialsGrant)
        self.register_endpoint(Revocation)
        self.register_token_generator("default", self.generate)

    def query_client(self, client_id: str) -> OAuthClient | None:
        app = self.pools.client(client_id)
        return OAuthClient(app) if app is not None else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        code = request.authorization_code
        if code is not None and token.get("refresh_token"):
            self.store.link_code(code.code, token["refresh_token"])

    def create_oauth2_request(self, request: FormRequest) -> FormRequest:
        return request

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> tuple[int, Any, Any]:
        return status, body, headers

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals locally."""

    def generate(
        self,
        grant_type: str,
        client: OAuthClient,
        user: Principal | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        """The token response: access token, ID token (``openid``), refresh token when one is due."""
        app = client.app
        scopes = tuple(_scope_list(scope))
        now = int(self.store.clock())
        if user is None:
            access = self.minter.access_token(app, Grant(None, scopes, now, ""))
            return {"access_token": access, "expires_in": app.access_token_seconds, "token_type": "Bearer"}
        origin_jti = user.origin_jti or str(uuid.uuid4())
        grant = Grant(user.user, scopes, user.auth_time, origin_jti, user.nonce)
        access = self.minter.access_token(app, grant)
        token: dict[str, Any] = {}
        if "openid" in scopes:
            token["id_token"] = self.minter.id_token(app, grant, access)
        token.update({"access_token": access, "expires_in": app.access_token_seconds, "token_type": "Bearer"})
        refresh = None
        if include_refresh_token:
            record = RefreshRecord(
                token=self.store.new_id(64),
                client_id=app.id,
                pool_id=app.pool_id,
                username=user.user.username,
                scope=scope or "",
                auth_time=user.auth_time,
                origin_jti=origin_jti,
                expires_at=now + app.refresh_token_seconds,
            )
            record.access_tokens.add(access)
            self.store.add_refresh(record)
            token["refresh_token"] = refresh = record.token
        elif user.refresh is not None:
            user.refresh.access_tokens.add(access)
        self.pools.register_tokens(
            app.pool_id, app.id, user.user.username, access, (refresh, origin_jti) if refresh else None
        )
        return token

    def revoke(self, record: RefreshRecord) -> None:
        """End a refresh token and the access tokens issued from it (for the Cognito API and userInfo)."""
        self.store.drop_refresh(record.token)
        self.revoked_origins.add(record.origin_jti)
        self.pools.revoke_refresh_token(record.pool_id, record.token, record.access_tokens)

    def sign_out(self, pool_id: str, username: str) -> None:
        """Global sign-out: every refresh token of the user and the access tokens issued from them."""
        for record in self.store.refresh_of_user(pool_id, username):
            self.revoke(record)

    def code_replayed(self, code: str, app: AppClient) -> None:
        """A spent code was presented again: denied; under --strict its tokens are revoked too."""
        if not self.strictness.allows(False, CODE_REPLAY, client=app.name):
            for token in self.store.tokens_of_code(code):
                record = self.store.refresh(token)
                if record is not None:
                    self.revoke(record)
