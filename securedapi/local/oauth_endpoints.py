"""The machine-facing endpoints of the local user pool domain: token, revoke, userInfo; and the mailbox.

* ``POST /oauth2/token``: form-encoded only; errors are HTTP 400 ``{"error", "error_description"}`` with
  Cognito's codes (developer guide, "Token endpoint").
* ``POST /oauth2/revoke``: 200 with an empty body when revoked or unknown; ``invalid_client`` is 401
  ("Revoke endpoint").
* ``GET|POST /oauth2/userInfo``: the user's attributes for an access token with ``openid`` that is
  neither expired nor revoked nor signed out; 401 ``invalid_token`` otherwise ("userInfo endpoint").
* Browsers call these from the app's origin: CORS allows any origin, as Cognito's endpoints do.
* ``GET /_local/mailbox`` (page) and ``/_local/mailbox.json``: the mail Cognito would have sent.
"""

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import jwt
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from securedapi.local import pages
from securedapi.local.oauth import FormRequest

if TYPE_CHECKING:
    from securedapi.local.authserver import AuthServer

FORM = "application/x-www-form-urlencoded"
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "authorization, content-type",
    "Access-Control-Max-Age": "600",
}
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
INVALID_TOKEN = "Access token is expired, disabled, or deleted, or the user has globally signed out."


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    text = "" if body in ("", None) else json.dumps(body, separators=(",", ":"))
    media = "application/json;charset=UTF-8"
    return Response(text, status_code=status, media_type=media, headers={**CORS, **NO_STORE, **(headers or {})})


class MachineEndpoints:
    """Token, revoke, userInfo and mailbox endpoints of one :class:`AuthServer`."""

    def __init__(self, auth: "AuthServer") -> None:
        self.auth = auth

    def routes(self) -> list[Route]:
        return [
            Route("/oauth2/token", self.token, methods=["POST", "OPTIONS"]),
            Route("/oauth2/revoke", self.revoke, methods=["POST", "OPTIONS"]),
            Route("/oauth2/userInfo", self.userinfo, methods=["GET", "POST", "OPTIONS"]),
            Route("/_local/mailbox", self.mailbox, methods=["GET"]),
            Route("/_local/mailbox.json", self.mailbox_json, methods=["GET"]),
        ]

    @staticmethod
    def _preflight() -> Response:
        return Response(status_code=204, headers=CORS)

    async def _form_request(self, request: Request) -> FormRequest | Response:
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM:
            return _json(400, {"error": "invalid_request", "error_description": f"Content-Type must be {FORM}"})
        pairs = parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
        return FormRequest(request.method, str(request.url), request.headers, pairs)  # case-insensitive headers

    async def token(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return self._preflight()
        oauth_request = await self._form_request(request)
        if isinstance(oauth_request, Response):
            return oauth_request
        status, body, _ = self.auth.oauth.create_token_response(oauth_request)
        if status != 200:
            self.auth.say(f"token endpoint: {body.get('error')}: {body.get('error_description', '')}")
            return _json(400, {k: v for k, v in body.items() if k in ("error", "error_description")})
        return _json(200, body)

    async def revoke(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return self._preflight()
        oauth_request = await self._form_request(request)
        if isinstance(oauth_request, Response):
            return oauth_request
        status, body, _ = self.auth.oauth.create_endpoint_response("revocation", oauth_request)
        if status != 200:
            self.auth.say(f"revoke endpoint: {body.get('error')}: {body.get('error_description', '')}")
            status = 401 if body.get("error") == "invalid_client" else 400
            return _json(status, {k: v for k, v in body.items() if k in ("error", "error_description")})
        return _json(200, "")

    async def userinfo(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return self._preflight()
        authorization = request.headers.get("authorization", "")
        if not authorization.lower().startswith("bearer ") or not authorization[7:].strip():
            challenge = 'error="invalid_request", error_description="Bad OAuth2 request at UserInfo Endpoint"'
            return _json(400, {"error": "invalid_request"}, {"WWW-Authenticate": challenge})
        claims = self.auth.verify_access_token(authorization[7:].strip())
        if claims is None:
            challenge = f'error="invalid_token", error_description="{INVALID_TOKEN}"'
            body = {"error": "invalid_token", "error_description": INVALID_TOKEN}
            return _json(401, body, {"WWW-Authenticate": challenge})
        if "openid" not in str(claims.get("scope", "")).split():
            challenge = 'error="insufficient_scope", error_description="the access token has no openid scope"'
            return _json(403, {"error": "insufficient_scope"}, {"WWW-Authenticate": challenge})
        user = self.auth.pools.user(claims["iss"].rsplit("/", 1)[1], claims["username"])
        if user is None:
            return _json(401, {"error": "invalid_token", "error_description": INVALID_TOKEN})
        return _json(200, {**user.attributes, "username": user.username})

    async def mailbox(self, request: Request) -> Response:
        to = request.query_params.get("to")
        return HTMLResponse(
            pages.mailbox_page(self.auth.mailbox.messages(to), to), headers={"Cache-Control": "no-store"}
        )

    async def mailbox_json(self, request: Request) -> Response:
        mail = self.auth.mailbox.messages(request.query_params.get("to"))
        return JSONResponse({"messages": [m.public() for m in mail]}, headers={"Cache-Control": "no-store"})


def decode_unverified(token: str) -> dict[str, Any] | None:
    try:
        return jwt.decode(token, options={"verify_signature": False})  # type: ignore[no-any-return]
    except jwt.PyJWTError:
        return None
