"""The emulator's user pools as the local managed login sees them: app clients, users, groups, tokens.

Managed login and the Cognito API are one service on AWS, so the local authorization server reads and
writes the very objects the moto server answers the Cognito API with (it runs in the same process):
users, passwords, confirmation state and groups are those of ``aws cognito-idp ... --endpoint-url``.
Everything this module touches of moto's models (``cognitoidp_backends``, ``CognitoIdpUserPool``,
``CognitoIdpUserPoolClient``, ``CognitoIdpUser``) stays behind the functions below.
"""

import hmac
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# Cognito's defaults when the client sets no TokenValidityUnits (API reference, CreateUserPoolClient).
DEFAULT_VALIDITY = {"AccessToken": (60, "minutes"), "IdToken": (60, "minutes"), "RefreshToken": (30, "days")}
DEFAULT_UNITS = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}
# A client without ExplicitAuthFlows gets these (CreateUserPoolClient, ExplicitAuthFlows).
DEFAULT_AUTH_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")


@dataclass(frozen=True)
class AppClient:
    """An app client of a user pool, as the emulator holds it (exactly what the program declared)."""

    id: str
    pool_id: str
    name: str
    secret: str | None
    oauth_enabled: bool
    oauth_flows: tuple[str, ...]
    scopes: tuple[str, ...]
    callback_urls: tuple[str, ...]
    logout_urls: tuple[str, ...]
    auth_flows: tuple[str, ...]
    prevent_user_existence_errors: bool
    token_revocation: bool
    access_token_seconds: int
    id_token_seconds: int
    refresh_token_seconds: int
    rotation: bool
    rotation_grace_seconds: int
    read_attributes: tuple[str, ...]

    @property
    def public(self) -> bool:
        return self.secret is None

    def check_secret(self, secret: str) -> bool:
        return self.secret is not None and hmac.compare_digest(self.secret.encode(), secret.encode())


@dataclass(frozen=True)
class PoolSettings:
    """What managed login needs to know about a user pool."""

    id: str
    region: str
    mfa: str
    password_policy: dict[str, Any]
    username_attributes: tuple[str, ...]
    case_sensitive: bool
    auto_verified: tuple[str, ...]

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.id}"


def _validity(config: dict[str, Any], key: str) -> int:
    value = config.get(f"{key}Validity")
    units = (config.get("TokenValidityUnits") or {}).get(key)
    if value is None:
        value, units = DEFAULT_VALIDITY[key]
    return int(value) * UNITS[units or DEFAULT_UNITS[key]]


def app_client(pool_id: str, client: Any) -> AppClient:
    """An :class:`AppClient` from moto's ``CognitoIdpUserPoolClient``."""
    config = client.extended_config
    rotation = config.get("RefreshTokenRotation") or {}
    return AppClient(
        id=client.id,
        pool_id=pool_id,
        name=str(config.get("ClientName") or client.id),
        secret=client.secret if client.generate_secret else None,
        oauth_enabled=bool(config.get("AllowedOAuthFlowsUserPoolClient")),
        oauth_flows=tuple(config.get("AllowedOAuthFlows") or ()),
        scopes=tuple(config.get("AllowedOAuthScopes") or ()),
        callback_urls=tuple(config.get("CallbackURLs") or ()),
        logout_urls=tuple(config.get("LogoutURLs") or ()),
        auth_flows=tuple(config.get("ExplicitAuthFlows") or DEFAULT_AUTH_FLOWS),
        prevent_user_existence_errors=config.get("PreventUserExistenceErrors", "ENABLED") == "ENABLED",
        token_revocation=bool(config.get("EnableTokenRevocation", True)),
        access_token_seconds=_validity(config, "AccessToken"),
        id_token_seconds=_validity(config, "IdToken"),
        refresh_token_seconds=_validity(config, "RefreshToken"),
        rotation=rotation.get("Feature") == "ENABLED",
        rotation_grace_seconds=int(rotation.get("RetryGracePeriodSeconds") or 0),
        read_attributes=tuple(config.get("ReadAttributes") or ()),
    )


@dataclass(frozen=True)
class User:
    """A user of a pool: the moto user's identity, state and groups at the time of the lookup."""

    pool_id: str
    username: str
    sub: str
    status: str
    enabled: bool
    attributes: dict[str, str]
    groups: tuple[str, ...]
    mfa_enabled: bool

    @property
    def email(self) -> str | None:
        return self.attributes.get("email")

    @property
    def confirmed(self) -> bool:
        return self.status == "CONFIRMED"


class SignUpError(ValueError):
    """Sign-up was refused; ``code`` is the Cognito exception name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class UserPools:
    """The Cognito backends of the in-process moto server (every account and region it has seen)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()

    @staticmethod
    def _backends() -> Iterator[Any]:
        from moto.cognitoidp.models import cognitoidp_backends

        for account in list(cognitoidp_backends):
            for region in list(cognitoidp_backends[account]):
                yield cognitoidp_backends[account][region]

    def _pool(self, pool_id: str) -> Any:
        for backend in self._backends():
            pool = backend.user_pools.get(pool_id)
            if pool is not None:
                return pool
        raise KeyError(pool_id)

    def settings(self, pool_id: str) -> PoolSettings:
        pool = self._pool(pool_id)
        config = pool.extended_config
        return PoolSettings(
            id=pool.id,
            region=pool.region,
            mfa=str(pool.mfa_config or "OFF"),
            password_policy=dict((config.get("Policies") or {}).get("PasswordPolicy") or {}),
            username_attributes=tuple(config.get("UsernameAttributes") or ()),
            case_sensitive=bool((config.get("UsernameConfiguration") or {}).get("CaseSensitive", True)),
            auto_verified=tuple(config.get("AutoVerifiedAttributes") or ()),
        )

    def signing_key(self, pool_id: str) -> Any:
        """The pool's private JWK (what the emulator's JWKS publishes the public half of)."""
        return self._pool(pool_id).json_web_key

    def client(self, client_id: str) -> AppClient | None:
        """The app client with this id in any pool, or None."""
        with self.lock:
            for backend in self._backends():
                for pool in backend.user_pools.values():
                    client = pool.clients.get(client_id)
                    if client is not None:
                        return app_client(pool.id, client)
        return None

    def has_domain(self, pool_id: str) -> bool:
        return any(d.user_pool_id == pool_id for b in self._backends() for d in b.user_pool_domains.values())

    # -- users ---------------------------------------------------------------------------------
    def _moto_user(self, pool_id: str, name: str) -> Any:
        pool = self._pool(pool_id)
        settings = self.settings(pool_id)
        wanted = name if settings.case_sensitive else name.lower()

        def norm(value: str | None) -> str | None:
            return value if value is None or settings.case_sensitive else value.lower()

        for user in pool.users.values():
            if norm(user.username) == wanted:
                return user
            if any(norm(user.attribute_lookup.get(a)) == wanted for a in settings.username_attributes):
                return user
        return None

    def user(self, pool_id: str, name: str) -> User | None:
        """The user signed in as ``name`` (user name or a username attribute such as email), or None."""
        with self.lock:
            found = self._moto_user(pool_id, name)
            return None if found is None else self._snapshot(pool_id, found)

    @staticmethod
    def _snapshot(pool_id: str, user: Any) -> User:
        groups = sorted(user.groups, key=lambda g: (g.precedence is None, g.precedence or 0, g.group_name))
        return User(
            pool_id=pool_id,
            username=user.username,
            sub=user.id,
            status=str(getattr(user.status, "value", user.status)),
            enabled=bool(user.enabled),
            attributes=dict(user.attribute_lookup),
            groups=tuple(g.group_name for g in groups),
            mfa_enabled=bool(user.software_token_mfa_enabled),
        )

    def check_password(self, pool_id: str, name: str, password: str) -> User | None:
        """The user if ``password`` is theirs (and the account enabled), else None."""
        with self.lock:
            found = self._moto_user(pool_id, name)
            if found is None or found.password is None or not found.enabled:
                return None
            if not hmac.compare_digest(str(found.password).encode(), password.encode()):
                return None
            return self._snapshot(pool_id, found)

    def sign_up(self, client_id: str, pool_id: str, email: str, password: str) -> User:
        """Create an unconfirmed user (the Cognito ``SignUp`` operation)."""
        from moto.cognitoidp.exceptions import InvalidPasswordException, UsernameExistsException

        with self.lock:
            if self._moto_user(pool_id, email) is not None:
                raise SignUpError("UsernameExistsException", "An account with the given email already exists.")
            backend = next(b for b in self._backends() if pool_id in b.user_pools)
            try:
                created, _ = backend.sign_up(client_id, email, password, [{"Name": "email", "Value": email}])
            except UsernameExistsException:
                raise SignUpError(
                    "UsernameExistsException", "An account with the given email already exists."
                ) from None
            except InvalidPasswordException:
                raise SignUpError("InvalidPasswordException", "Password did not conform with policy") from None
            return self._snapshot(pool_id, created)

    def confirm(self, pool_id: str, username: str) -> None:
        """Mark the user confirmed and its email verified (what confirming with the mailed code does)."""
        with self.lock:
            from moto.cognitoidp.models import UserStatus

            user = self._moto_user(pool_id, username)
            user.status = UserStatus.CONFIRMED
            if "email" in user.attribute_lookup:
                user.update_attributes([{"Name": "email_verified", "Value": "true"}])

    def set_password(self, pool_id: str, username: str, password: str) -> None:
        with self.lock:
            self._moto_user(pool_id, username).password = password

    def enable_totp(self, pool_id: str, username: str) -> None:
        """The user has verified a TOTP authenticator and prefers it (SetUserMFAPreference)."""
        with self.lock:
            user = self._moto_user(pool_id, username)
            user.token_verified = True
            user.software_token_mfa_enabled = True
            user.preferred_mfa_setting = "SOFTWARE_TOKEN_MFA"

    # -- tokens the Cognito API should know ----------------------------------------------------
    def register_tokens(
        self, pool_id: str, client_id: str, username: str, access_token: str, refresh: tuple[str, str] | None
    ) -> None:
        """Let the Cognito API accept these tokens as it accepts its own (GetUser, GlobalSignOut, REFRESH_TOKEN_AUTH).

        ``refresh`` is ``(refresh_token, origin_jti)``."""
        with self.lock:
            pool = self._pool(pool_id)
            pool.access_tokens[access_token] = (client_id, username)
            if refresh is not None:
                pool.refresh_tokens[refresh[0]] = (client_id, username, refresh[1])

    def refresh_token_valid(self, pool_id: str, refresh_token: str) -> bool:
        """False once revoked or signed out globally (moto sets the entry to None)."""
        with self.lock:
            return self._pool(pool_id).refresh_tokens.get(refresh_token) is not None

    def revoke_refresh_token(self, pool_id: str, refresh_token: str, access_tokens: set[str]) -> None:
        with self.lock:
            pool = self._pool(pool_id)
            if refresh_token in pool.refresh_tokens:
                pool.refresh_tokens[refresh_token] = None
            for token in access_tokens:
                pool.access_tokens.pop(token, None)

    def access_token_known(self, pool_id: str, access_token: str) -> bool:
        with self.lock:
            return access_token in self._pool(pool_id).access_tokens
