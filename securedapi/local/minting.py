"""Tokens shaped like Cognito's, signed with the user pool's key (the one the emulator's JWKS publishes).

Claims follow the Cognito developer guide, "Understanding the access token" and "Understanding the
identity (ID) token": access tokens carry ``sub, cognito:groups, iss, version, client_id, origin_jti,
event_id, token_use: access, scope, auth_time, exp, iat, jti, username``; ID tokens carry ``at_hash,
sub, cognito:groups, email_verified, iss, cognito:username, origin_jti, aud, event_id, token_use: id,
auth_time, nonce, exp, iat, jti, email`` (plus the other attributes the client may read). Client
credentials tokens have the client id as ``sub`` and no user claims. The gateway verifies them against
the issuer's JWKS like any other token.
"""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import jwt
from authlib.oidc.core.util import create_half_hash

from securedapi.local.userpool import AppClient, User, UserPools

# Attributes that never go into an ID token as attributes (they have their own claims or are internal).
_NOT_CLAIMS = {"sub", "email_verified", "phone_number_verified"}


@dataclass(frozen=True)
class Grant:
    """Who a token is for: a signed-in user (with when and how) or, for client credentials, nobody."""

    user: User | None
    scopes: tuple[str, ...]
    auth_time: int
    origin_jti: str
    nonce: str | None = None


class TokenMinter:
    """Signs access and ID tokens for a pool's clients."""

    def __init__(self, pools: UserPools, clock: Callable[[], float]) -> None:
        self.pools = pools
        self.clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}

    def _key(self, pool_id: str) -> jwt.PyJWK:
        if pool_id not in self._keys:
            self._keys[pool_id] = jwt.PyJWK(self.pools.signing_key(pool_id).as_dict(private=True))
        return self._keys[pool_id]

    def _sign(self, pool_id: str, claims: dict[str, Any]) -> str:
        key = self._key(pool_id)
        return jwt.encode(claims, key.key, algorithm="RS256", headers={"kid": key.key_id})

    def _base(self, client: AppClient, grant: Grant, token_use: str, lifetime: int) -> dict[str, Any]:
        now = int(self.clock())
        issuer = self.pools.settings(client.pool_id).issuer
        claims: dict[str, Any] = {"iss": issuer, "token_use": token_use, "auth_time": grant.auth_time}
        claims.update({"iat": now, "exp": now + lifetime, "jti": str(uuid.uuid4())})
        if grant.user is not None:
            claims["sub"] = grant.user.sub
            claims["origin_jti"] = grant.origin_jti
            claims["event_id"] = str(uuid.uuid4())
            if grant.user.groups:
                claims["cognito:groups"] = list(grant.user.groups)
        return claims

    def access_token(self, client: AppClient, grant: Grant) -> str:
        claims = self._base(client, grant, "access", client.access_token_seconds)
        claims.update({"version": 2, "client_id": client.id, "scope": " ".join(grant.scopes)})
        if grant.user is None:
            claims["sub"] = client.id
        else:
            claims["username"] = grant.user.username
        return self._sign(client.pool_id, claims)

    def id_token(self, client: AppClient, grant: Grant, access_token: str) -> str:
        assert grant.user is not None
        claims = self._base(client, grant, "id", client.id_token_seconds)
        at_hash = create_half_hash(access_token, "RS256")
        claims.update({"aud": client.id, "cognito:username": grant.user.username, "at_hash": at_hash.decode()})
        if grant.nonce:
            claims["nonce"] = grant.nonce
        claims.update(id_token_attributes(grant.user, grant.scopes, client.read_attributes))
        return self._sign(client.pool_id, claims)


def id_token_attributes(user: User, scopes: Sequence[str], readable: Sequence[str]) -> dict[str, Any]:
    """User attributes for the ID token: those the client may read (all when it declares none)."""
    claims: dict[str, Any] = {}
    for name, value in user.attributes.items():
        if name in _NOT_CLAIMS or (readable and name not in readable):
            continue
        claims[name] = value
    for attribute, flag in (("email", "email_verified"), ("phone_number", "phone_number_verified")):
        if attribute in claims and (not readable or flag in readable):
            claims[flag] = user.attributes.get(flag) == "true"  # false until verified, as Cognito puts it
    return claims
