"""The JWT authorizer of the local gateway, on the project's own stack, over real HTTP."""

import json
import time

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from .conftest import RunningStack, access_claims, mint

ROUTE = "/metadata/list"  # a JWT route of the project's program


def get(
    stack: RunningStack,
    http: requests.Session,
    authorization: str | None,
    path: str = ROUTE,
) -> requests.Response:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return http.get(stack.api_url + path, headers=headers, timeout=10)


def assert_unauthorized(response: requests.Response, *, invalid: bool) -> None:
    assert response.status_code == 401, response.text
    assert response.json() == {"message": "Unauthorized"}
    challenge = response.headers.get("www-authenticate")
    if invalid:
        assert challenge is not None
        assert challenge.startswith('Bearer scope="" error="invalid_token" error_description="')
    else:
        assert challenge is None


def test_missing_token_is_401_without_challenge(stack: RunningStack, http: requests.Session) -> None:
    assert_unauthorized(get(stack, http, None), invalid=False)
    assert_unauthorized(get(stack, http, ""), invalid=False)


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "Bearer", "eyJhbGciOiJSUzI1NiJ9.e30."])
def test_garbage_token_is_401_invalid(stack: RunningStack, http: requests.Session, token: str) -> None:
    assert_unauthorized(get(stack, http, f"Bearer {token}x"), invalid=True)


def test_valid_access_token_bare_and_bearer(stack: RunningStack, http: requests.Session) -> None:
    token = stack.token("auth-alice")
    for value in (token, f"Bearer {token}", f"bearer {token}"):
        response = get(stack, http, value)
        assert response.status_code == 200, response.text


def test_id_token_is_accepted_by_audience(stack: RunningStack, http: requests.Session) -> None:
    # Routes without scopes accept ID tokens (aud = client id), as on AWS.
    response = get(stack, http, f"Bearer {stack.token('auth-alice', id_token=True)}")
    assert response.status_code == 200, response.text


def _claims(stack: RunningStack, **overrides: object) -> dict[str, object]:
    return access_claims(stack.outputs["issuer"], stack.outputs["userPoolClientId"], **overrides)


def test_minted_token_with_moto_key_is_accepted(stack: RunningStack, http: requests.Session) -> None:
    # Control for the negative cases below: the same minting path with good claims passes.
    response = get(stack, http, f"Bearer {mint(_claims(stack))}")
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"exp": int(time.time()) - 5}, "expired"),
        ({"nbf": int(time.time()) + 300}, "not valid yet"),
        ({"iat": int(time.time()) + 300}, "not valid yet"),
        ({"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"}, "issuer"),
        ({"client_id": "some-other-client"}, "audience"),
        ({"client_id": None}, "audience"),
        ({"aud": "some-other-client"}, "audience"),
        ({"exp": None}, "exp"),
    ],
)
def test_bad_claims_are_401(
    stack: RunningStack, http: requests.Session, overrides: dict[str, object], reason: str
) -> None:
    response = get(stack, http, f"Bearer {mint(_claims(stack, **overrides))}")
    assert_unauthorized(response, invalid=True)
    assert reason in response.headers["www-authenticate"]


def test_issuer_must_match_exactly(stack: RunningStack, http: requests.Session) -> None:
    response = get(stack, http, f"Bearer {mint(_claims(stack, iss=stack.outputs['issuer'] + '/'))}")
    assert_unauthorized(response, invalid=True)


def test_aud_takes_precedence_over_client_id(stack: RunningStack, http: requests.Session) -> None:
    client = stack.outputs["userPoolClientId"]
    ok = get(stack, http, f"Bearer {mint(_claims(stack, client_id='x', aud=client))}")
    assert ok.status_code == 200, ok.text
    bad = get(stack, http, f"Bearer {mint(_claims(stack, aud=['x', 'y']))}")
    assert_unauthorized(bad, invalid=True)


def test_tampered_signature_is_401(stack: RunningStack, http: requests.Session) -> None:
    header, payload, signature = mint(_claims(stack)).split(".")
    forged_payload = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"minted"', b'"forged"')
    ).decode()
    response = get(stack, http, f"Bearer {header}.{forged_payload}.{signature}")
    assert_unauthorized(response, invalid=True)
    flipped = signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")
    assert_unauthorized(get(stack, http, f"Bearer {header}.{payload}.{flipped}"), invalid=True)


def test_other_key_same_kid_is_401(stack: RunningStack, http: requests.Session) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = get(stack, http, f"Bearer {mint(_claims(stack), key=other)}")
    assert_unauthorized(response, invalid=True)
    assert "signature" in response.headers["www-authenticate"]


def test_unknown_kid_is_401(stack: RunningStack, http: requests.Session) -> None:
    response = get(stack, http, f"Bearer {mint(_claims(stack), kid='rotated-away')}")
    assert_unauthorized(response, invalid=True)


def test_alg_none_and_hs256_are_401(stack: RunningStack, http: requests.Session) -> None:
    unsigned = jwt.encode(_claims(stack), None, algorithm="none", headers={"kid": "dummy"})
    assert_unauthorized(get(stack, http, f"Bearer {unsigned}"), invalid=True)
    # HS256 keyed with the public key material (the classic confusion attack) must not pass either.
    modulus = http.get(stack.outputs["jwksUri"], timeout=10).json()["keys"][0]["n"].encode()
    hs256 = mint(_claims(stack), key=modulus, algorithm="HS256")
    response = get(stack, http, f"Bearer {hs256}")
    assert_unauthorized(response, invalid=True)
    assert "RS256" in response.headers["www-authenticate"]


def test_unknown_route_is_404_even_without_token(stack: RunningStack, http: requests.Session) -> None:
    for method, path in (
        ("GET", "/nope"),
        ("GET", "/metadata"),
        ("POST", "/metadata/list"),
        ("GET", "/health/"),
        ("PUT", "/upload-url"),
    ):
        response = http.request(method, stack.api_url + path, timeout=10)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json() == {"message": "Not Found"}


def test_public_route_needs_no_token(stack: RunningStack, http: requests.Session) -> None:
    response = http.get(stack.api_url + "/health", timeout=10)
    assert response.status_code == 200, response.text
    # A bad token on a public route is ignored, as API Gateway does (no authorizer runs).
    assert http.get(stack.api_url + "/health", headers={"Authorization": "garbage"}, timeout=10).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "RS256", "kid": "clé-日本"},
        {"alg": "RS256", "kid": "k" * 5000},
        {"alg": "RS256\u2028日", "kid": "dummy"},
    ],
)
def test_hostile_token_header_is_401_not_500(
    stack: RunningStack, http: requests.Session, header: dict[str, str]
) -> None:
    # Attacker-controlled header values must not break (non-latin-1) or bloat the www-authenticate challenge.
    _, payload, signature = mint(_claims(stack)).split(".")
    head = jwt.utils.base64url_encode(json.dumps(header).encode()).decode()
    response = get(stack, http, f"Bearer {head}.{payload}.{signature}")
    assert_unauthorized(response, invalid=True)
    challenge = response.headers["www-authenticate"]
    assert challenge.isascii() and len(challenge) < 400
