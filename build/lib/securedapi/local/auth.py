"""The JWT authorizer of API Gateway HTTP APIs, with PyJWT.

Rules (as AWS documents them for JWT authorizers): the token comes from the ``Authorization`` header,
with or without a ``Bearer`` prefix; ``alg`` must be RS256 and ``kid`` must name a key of the issuer's
JWKS; the signature must verify; ``iss`` must equal the configured issuer exactly; ``aud`` must be one
of the audiences, or ``client_id`` when the token has no ``aud`` (Cognito access tokens); ``exp``,
``nbf`` and ``iat`` are checked against the clock. Route scopes need any one of the token's ``scope``
(space separated) or ``scp`` values. The JWKS is fetched once per issuer and cached.
"""

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from securedapi.local.model import JwtAuthorizerSpec


class TokenError(Exception):
    """The token is present but invalid; ``description`` goes into ``www-authenticate``."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class JwksCache:
    """JWKS of one issuer, fetched once with :class:`jwt.PyJWKClient` and kept as ``kid -> key``."""

    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url = url
        self.fetches = 0
        self._client = jwt.PyJWKClient(url, cache_jwk_set=True, lifespan=7200, timeout=timeout)
        self._keys: dict[str, jwt.PyJWK] | None = None
        self._lock = threading.Lock()

    def key(self, kid: str) -> jwt.PyJWK | None:
        keys = self._keys
        if keys is None:
            with self._lock:
                if self._keys is None:
                    try:
                        jwk_set = self._client.get_jwk_set()
                    except jwt.PyJWKClientError as exc:
                        raise TokenError(f"unable to fetch the JWKS of the issuer: {exc}") from exc
                    finally:
                        self.fetches += 1
                    self._keys = {k.key_id: k for k in jwk_set.keys if k.key_id}
                keys = self._keys
        return keys.get(kid)


def extract_token(authorization: str | None) -> str | None:
    """The token from an ``Authorization`` value (bare or ``Bearer <token>``), None when absent/empty."""
    if authorization is None:
        return None
    value = authorization.strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return value or None


def token_scopes(claims: Mapping[str, Any]) -> list[str]:
    """The token's scopes from ``scope`` (space separated) or ``scp`` (list or string)."""
    scopes: list[str] = []
    for claim in ("scope", "scp"):
        value = claims.get(claim)
        if isinstance(value, str):
            scopes += value.split()
        elif isinstance(value, list):
            scopes += [str(v) for v in value]
    return scopes


@dataclass(frozen=True)
class VerifiedToken:
    """A token that passed signature, issuer and audience checks; time claims are checked on every use."""

    claims: dict[str, Any]
    context_claims: dict[str, str]
    """The claims stringified as API Gateway passes them to the integration."""
    scopes: list[str]
    exp: float
    nbf: float | None
    iat: float | None


class JwtAuthorizer:
    """Validates tokens for one JWT authorizer.

    Hot path: a token that verified once is remembered (bounded cache keyed by the token string), so
    repeated calls skip the RSA verification; ``exp``/``nbf``/``iat`` are still checked on every call.
    Failures are never cached.
    """

    CACHE_SIZE = 4096

    def __init__(self, spec: JwtAuthorizerSpec, jwks: JwksCache, *, leeway: float = 0.0) -> None:
        self.spec = spec
        self.jwks = jwks
        self.leeway = leeway
        self._audiences = frozenset(spec.audiences)
        self._verified: dict[str, VerifiedToken] = {}

    def authorize(self, token: str) -> VerifiedToken:
        """Verify ``token`` (or reuse its earlier verification) and check its time claims now."""
        verified = self._verified.get(token)
        if verified is None:
            claims = self.verify(token)
            verified = VerifiedToken(
                claims=claims,
                context_claims={k: stringify_claim(v) for k, v in claims.items()},
                scopes=token_scopes(claims),
                exp=float(claims["exp"]),
                nbf=_number(claims.get("nbf")),
                iat=_number(claims.get("iat")),
            )
            if len(self._verified) >= self.CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = verified
            return verified
        now = time.time()
        if verified.exp <= now - self.leeway:
            self._verified.pop(token, None)
            raise TokenError("the token has expired")
        if (verified.nbf is not None and verified.nbf > now + self.leeway) or (
            verified.iat is not None and verified.iat > now + self.leeway
        ):
            raise TokenError("the token is not valid yet")
        return verified

    def verify(self, token: str) -> dict[str, Any]:
        """Return the verified claims or raise :class:`TokenError` (no cache)."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise TokenError("the token is malformed") from None
        alg = header.get("alg")
        if alg != "RS256":
            raise TokenError(f"the token's signing algorithm {alg!r} is not supported; expected RS256")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("the token has no kid")
        key = self.jwks.key(kid)
        if key is None:
            raise TokenError(f"the signing key {kid!r} is not in the issuer's JWKS")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                issuer=self.spec.issuer,
                leeway=self.leeway,
                options={"verify_aud": False, "require": ["exp", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenError("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise TokenError("the token is not valid yet") from None
        except jwt.InvalidIssuerError:
            raise TokenError("the token issuer does not match the authorizer's issuer") from None
        except jwt.InvalidSignatureError:
            raise TokenError("signature is invalid") from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenError(f"the token has no {exc.claim!r} claim") from None
        except jwt.PyJWTError as exc:
            raise TokenError(f"the token is invalid: {exc}") from None
        if "aud" in claims:
            aud = claims["aud"]
            audiences = [aud] if isinstance(aud, str) else list(aud) if isinstance(aud, list) else []
            if not self._audiences.intersection(audiences):
                raise TokenError("the token does not have a valid audience")
        elif claims.get("client_id") not in self._audiences:
            raise TokenError("the token does not have a valid audience (client_id)")
        return claims


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def has_scope(scopes: Sequence[str], required: Sequence[str]) -> bool:
    """True when the route needs no scopes or the token's ``scopes`` include any one of them."""
    return not required or not set(required).isdisjoint(scopes)


def stringify_claim(value: Any) -> str:
    """A claim as API Gateway puts it in ``requestContext.authorizer.jwt.claims``: strings only
    (numbers as decimal text, booleans lowercase, arrays as ``[a b]``, maps as ``map[k:v]``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + " ".join(stringify_claim(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{stringify_claim(v)}" for k, v in sorted(value.items())) + "]"
    if value is None:
        return ""
    return str(value)


def authorizers_for(specs: Sequence[JwtAuthorizerSpec], jwks_url: Callable[[str], str]) -> dict[str, JwtAuthorizer]:
    """One :class:`JwtAuthorizer` per spec; authorizers with the same issuer share one JWKS cache."""
    caches: dict[str, JwksCache] = {}
    result: dict[str, JwtAuthorizer] = {}
    for spec in specs:
        url = jwks_url(spec.issuer)
        cache = caches.setdefault(url, JwksCache(url))
        result[spec.id] = JwtAuthorizer(spec, cache)
    return result
