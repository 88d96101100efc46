"""The local managed login's token endpoint over real HTTP: code + PKCE, codes, scopes, refresh and
rotation, revocation, client credentials, userInfo, --strict (Cognito developer guide: "Token endpoint",
"Authorize endpoint", "Revoke endpoint", "userInfo endpoint"; RFC 9700)."""

import secrets

import jwt
import pytest
import requests
from authlib.oidc.core.util import create_half_hash

from .auth_harness import CALLBACK, AuthStack, pkce


def new_user(auth: AuthStack, **kwargs: object) -> str:
    return auth.user(f"tok-{secrets.token_hex(4)}@example.com", **kwargs)  # type: ignore[arg-type]


def verified(auth: AuthStack, token: str, **options: object) -> dict[str, object]:
    """Claims checked against the issuer's JWKS served by the emulator (what the gateway fetches)."""
    header = jwt.get_unverified_header(token)
    issuer = f"https://cognito-idp.us-east-1.amazonaws.com/{auth.outputs['poolId']}"
    keys = requests.get(f"{auth.endpoint}/{auth.outputs['poolId']}/.well-known/jwks.json", timeout=10).json()
    key = next(jwt.PyJWK(k) for k in keys["keys"] if k["kid"] == header["kid"])
    return jwt.decode(token, key.key, algorithms=["RS256"], issuer=issuer, **options)  # type: ignore[arg-type]


def test_code_flow_with_pkce_returns_cognito_shaped_tokens(auth: AuthStack) -> None:
    email = new_user(auth, groups=("admin",))
    tokens = auth.code_tokens(email, nonce="n-0S6_WzA2Mj", scope="openid email ax/read")
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 300  # the client's 5-minute access token validity
    access = verified(auth, tokens["access_token"])
    assert access["token_use"] == "access" and access["client_id"] == auth.web and "aud" not in access
    assert access["scope"] == "openid email ax/read"
    assert access["cognito:groups"] == ["admin"]
    assert access["exp"] - access["iat"] == 300  # type: ignore[operator]
    for claim in ("sub", "auth_time", "jti", "username", "origin_jti", "event_id"):
        assert access.get(claim), claim
    idt = verified(auth, tokens["id_token"], audience=auth.web)
    assert idt["token_use"] == "id" and idt["aud"] == auth.web
    assert idt["email"] == email and idt["email_verified"] is False  # admin-confirmed: email not verified
    assert idt["cognito:username"] == access["username"] and idt["sub"] == access["sub"]
    assert idt["nonce"] == "n-0S6_WzA2Mj"
    assert idt["at_hash"] == create_half_hash(tokens["access_token"], "RS256").decode()
    assert tokens["refresh_token"]


def test_no_scope_grants_every_scope_of_the_client(auth: AuthStack) -> None:
    tokens = auth.code_tokens(new_user(auth))
    assert jwt.decode(tokens["access_token"], options={"verify_signature": False})["scope"] == "openid email ax/read"


def test_state_is_returned_unchanged(auth: AuthStack) -> None:
    state = "a b/c?d=e&f=%41~é"
    _, back = auth.sign_in(new_user(auth), state=state)
    assert back["state"] == state


def exchange(auth: AuthStack, code: str, verifier: str | None, **extra: str) -> requests.Response:
    form = {"grant_type": "authorization_code", "client_id": auth.web, "code": code, "redirect_uri": CALLBACK}
    if verifier is not None:
        form["code_verifier"] = verifier
    form.update(extra)
    return auth.token(**form)


def pkce_code(auth: AuthStack, email: str) -> tuple[str, str]:
    verifier, challenge = pkce()
    _, back = auth.sign_in(email, code_challenge=challenge, code_challenge_method="S256")
    return back["code"], verifier


def assert_error(response: requests.Response, error: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json()["error"] == error


def test_wrong_or_missing_verifier_is_invalid_grant_and_spends_the_code(auth: AuthStack) -> None:
    email = new_user(auth)
    code, verifier = pkce_code(auth, email)
    assert_error(exchange(auth, code, pkce()[0]), "invalid_grant")
    assert_error(exchange(auth, code, verifier), "invalid_grant")  # single use, even after a failure
    code, _ = pkce_code(auth, email)
    assert_error(exchange(auth, code, None), "invalid_request")  # a challenge was sent: verifier required


def test_code_is_single_use(auth: AuthStack) -> None:
    code, verifier = pkce_code(auth, new_user(auth))
    assert exchange(auth, code, verifier).status_code == 200
    assert_error(exchange(auth, code, verifier), "invalid_grant")


def test_code_expires_after_five_minutes(auth: AuthStack) -> None:
    code, verifier = pkce_code(auth, new_user(auth))
    auth.clock.advance(301)
    assert_error(exchange(auth, code, verifier), "invalid_grant")


def test_code_is_bound_to_client_and_redirect_uri(auth: AuthStack) -> None:
    email = new_user(auth)
    code, verifier = pkce_code(auth, email)
    assert_error(exchange(auth, code, verifier, client_id=auth.outputs["legacyClientId"]), "invalid_grant")
    code, verifier = pkce_code(auth, email)
    # Cognito answers unauthorized_client for a redirect_uri that differs from the authorize request's.
    assert_error(exchange(auth, code, verifier, redirect_uri="https://app.example.com/cb"), "unauthorized_client")


def test_token_endpoint_errors(auth: AuthStack) -> None:
    assert_error(auth.token(grant_type="password", client_id=auth.web), "unsupported_grant_type")
    assert_error(auth.token(grant_type="authorization_code", client_id="nope", code="x"), "invalid_client")
    assert_error(auth.token(grant_type="authorization_code", client_id=auth.web), "invalid_request")
    response = requests.post(
        f"{auth.domain}/oauth2/token", json={"grant_type": "authorization_code"}, timeout=10
    )  # not form-encoded
    assert_error(response, "invalid_request")


def test_refresh_without_rotation_keeps_the_refresh_token(auth: AuthStack) -> None:
    tokens = auth.code_tokens(new_user(auth))
    for _ in range(2):
        response = auth.token(grant_type="refresh_token", client_id=auth.web, refresh_token=tokens["refresh_token"])
        assert response.status_code == 200, response.text
        body = response.json()
        assert "refresh_token" not in body and body["id_token"] and body["access_token"]
    renewed = verified(auth, body["access_token"])
    first = verified(auth, tokens["access_token"])
    assert renewed["origin_jti"] == first["origin_jti"] and renewed["auth_time"] == first["auth_time"]
    assert any("RFC 9700 section 2.2.2" in line for line in auth.log)  # would fail under --strict


def test_refresh_rotation_with_grace_period(auth: AuthStack) -> None:
    rotating = auth.outputs["rotatingClientId"]
    tokens = auth.code_tokens(new_user(auth), client_id=rotating)
    old = tokens["refresh_token"]
    first = auth.token(grant_type="refresh_token", client_id=rotating, refresh_token=old)
    assert first.status_code == 200 and first.json()["refresh_token"] != old
    retry = auth.token(grant_type="refresh_token", client_id=rotating, refresh_token=old)
    assert retry.status_code == 200, "within the 10 s grace period the old token still works"
    auth.clock.advance(11)
    assert_error(auth.token(grant_type="refresh_token", client_id=rotating, refresh_token=old), "invalid_grant")
    new = first.json()["refresh_token"]
    assert auth.token(grant_type="refresh_token", client_id=rotating, refresh_token=new).status_code == 200
    assert_error(auth.token(grant_type="refresh_token", client_id=auth.web, refresh_token=new), "invalid_grant")


def test_revoke_then_refresh_fails_and_userinfo_refuses(auth: AuthStack) -> None:
    tokens = auth.code_tokens(new_user(auth))
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert requests.get(f"{auth.domain}/oauth2/userInfo", headers=bearer, timeout=10).status_code == 200
    revoke = requests.post(
        f"{auth.domain}/oauth2/revoke", data={"token": tokens["refresh_token"], "client_id": auth.web}, timeout=10
    )
    assert revoke.status_code == 200 and revoke.text == ""
    refresh = auth.token(grant_type="refresh_token", client_id=auth.web, refresh_token=tokens["refresh_token"])
    assert_error(refresh, "invalid_grant")
    userinfo = requests.get(f"{auth.domain}/oauth2/userInfo", headers=bearer, timeout=10)
    assert userinfo.status_code == 401 and 'error="invalid_token"' in userinfo.headers["www-authenticate"]


def test_revoke_rules(auth: AuthStack) -> None:
    tokens = auth.code_tokens(new_user(auth))
    url = f"{auth.domain}/oauth2/revoke"
    access = requests.post(url, data={"token": tokens["access_token"], "client_id": auth.web}, timeout=10)
    assert access.status_code == 400 and access.json()["error"] == "unsupported_token_type"
    unknown = requests.post(url, data={"token": "not-a-token", "client_id": auth.web}, timeout=10)
    assert unknown.status_code == 200
    other = requests.post(url, data={"token": tokens["refresh_token"], "client_id": "nope"}, timeout=10)
    assert other.status_code == 401 and other.json()["error"] == "invalid_client"
    still = auth.token(grant_type="refresh_token", client_id=auth.web, refresh_token=tokens["refresh_token"])
    assert still.status_code == 200


def test_client_credentials(auth: AuthStack) -> None:
    service, secret = auth.outputs["serviceClientId"], auth.outputs["serviceClientSecret"]
    response = auth.token(grant_type="client_credentials", basic=f"{service}:{secret}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    claims = verified(auth, body["access_token"])
    assert claims["sub"] == service and claims["client_id"] == service and claims["scope"] == "ax/read"
    assert "username" not in claims and "cognito:groups" not in claims
    assert_error(auth.token(grant_type="client_credentials", basic=f"{service}:wrong"), "invalid_client")
    scoped = auth.token(grant_type="client_credentials", scope="ax/write", basic=f"{service}:{secret}")
    assert_error(scoped, "invalid_scope")
    assert_error(auth.token(grant_type="client_credentials", client_id=auth.web), "invalid_client")


def test_userinfo(auth: AuthStack) -> None:
    email = new_user(auth)
    tokens = auth.code_tokens(email)
    info = requests.get(
        f"{auth.domain}/oauth2/userInfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}, timeout=10
    )
    assert info.status_code == 200
    assert info.json()["email"] == email and info.json()["sub"]
    no_openid = auth.code_tokens(email, scope="ax/read")["access_token"]
    refused = requests.get(
        f"{auth.domain}/oauth2/userInfo", headers={"Authorization": f"Bearer {no_openid}"}, timeout=10
    )
    assert refused.status_code == 403
    assert requests.get(f"{auth.domain}/oauth2/userInfo", timeout=10).status_code == 400


def test_public_client_without_pkce_works_but_warns_and_strict_refuses(auth: AuthStack) -> None:
    email = new_user(auth)
    _, back = auth.sign_in(email)
    response = exchange(auth, back["code"], None)
    assert response.status_code == 200, response.text
    assert any("RFC 9700 section 2.1.1" in line and "fails under --strict" in line for line in auth.log)
    auth.server.strictness.strict = True
    sent = auth.authorize_query()
    refused = requests.get(f"{auth.domain}/oauth2/authorize", params=sent, allow_redirects=False, timeout=10)
    assert refused.status_code == 302
    assert refused.headers["location"].startswith(CALLBACK + "?error=invalid_request")
    assert auth.code_tokens(email)["access_token"]  # with PKCE it works under --strict


def test_strict_refuses_refresh_without_rotation_and_revokes_replayed_codes(auth: AuthStack) -> None:
    auth.server.strictness.strict = True
    email = new_user(auth)
    tokens = auth.code_tokens(email)
    assert_error(
        auth.token(grant_type="refresh_token", client_id=auth.web, refresh_token=tokens["refresh_token"]),
        "invalid_grant",
    )
    rotating = auth.outputs["rotatingClientId"]
    verifier, challenge = pkce()
    _, back = auth.sign_in(email, client_id=rotating, code_challenge=challenge, code_challenge_method="S256")
    form = {"grant_type": "authorization_code", "client_id": rotating, "code": back["code"]}
    form |= {"redirect_uri": CALLBACK, "code_verifier": verifier}
    first = auth.token(**form)
    assert first.status_code == 200
    assert_error(auth.token(**form), "invalid_grant")
    # The replay revoked the refresh token issued for that code.
    refresh = auth.token(grant_type="refresh_token", client_id=rotating, refresh_token=first.json()["refresh_token"])
    assert_error(refresh, "invalid_grant")


@pytest.mark.parametrize(
    "query, error",
    [
        ({"scope": "openid ax/write"}, "invalid_scope"),
        ({"code_challenge": "x" * 43, "code_challenge_method": "plain"}, "invalid_request"),
        ({"code_challenge": "x" * 43}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
def test_authorize_errors_go_back_to_the_client_with_state(auth: AuthStack, query: dict[str, str], error: str) -> None:
    sent = auth.authorize_query(**query)
    response = requests.get(f"{auth.domain}/oauth2/authorize", params=sent, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?")
    assert f"error={error}" in location and f"state={sent['state']}" in location
