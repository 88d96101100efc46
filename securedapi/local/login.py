"""The interactive managed-login endpoints: authorize, sign in, sign up, confirm, reset, MFA, sign out.

As Cognito serves them on the user pool domain (developer guide, "User pool endpoints and managed login
reference"): ``/oauth2/authorize`` validates the request and sends the browser to ``/login`` with the
same parameters (or straight back with a code when the session cookie is still valid); a mismatched
``redirect_uri`` or an unknown client shows an error page and never redirects; other errors go back to
the client's ``redirect_uri`` with ``error`` and the unchanged ``state``. Forms are protected by a
double-submit CSRF token (the ``XSRF-TOKEN`` cookie and ``_csrf`` field, as Cognito's pages use).
"""

import secrets
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

import pyotp
from authlib.oauth2.rfc6749.errors import OAuth2Error
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from securedapi.local import pages
from securedapi.local.mailbox import RESET, SIGN_UP
from securedapi.local.oauth import FormRequest, Principal
from securedapi.local.passwords import password_problem, policy_summary
from securedapi.local.userpool import SignUpError, User

if TYPE_CHECKING:
    from securedapi.local.authserver import AuthServer

SESSION_COOKIE = "cognito"
CSRF_COOKIE = "XSRF-TOKEN"
WRONG_CREDENTIALS = "Incorrect username or password."
NO_SUCH_USER = "User does not exist."
WRONG_CODE = "Invalid verification code provided, please try again."


class UserGoneError(LookupError):
    """The user of a pending sign-in step no longer exists."""


class Pages:
    """The endpoints, bound to one :class:`AuthServer`."""

    def __init__(self, auth: "AuthServer") -> None:
        self.auth = auth

    def routes(self) -> list[Route]:
        get, both = ["GET"], ["GET", "POST"]
        return [
            Route("/oauth2/authorize", self.authorize, methods=get),
            Route("/login", self.login, methods=both),
            Route("/signup", self.signup, methods=both),
            Route("/confirm", self.confirm, methods=both),
            Route("/resendcode", self.resend, methods=["POST"]),
            Route("/forgotPassword", self.forgot, methods=both),
            Route("/confirmForgotPassword", self.reset, methods=both),
            Route("/mfa", self.mfa, methods=both),
            Route("/mfa-setup", self.mfa_setup, methods=both),
            Route("/logout", self.logout, methods=get),
        ]

    # -- helpers -------------------------------------------------------------------------------
    def _validate(self, params: str) -> Any:
        """authlib's consent grant for the authorize request in ``params``, or the error response."""
        request = FormRequest("GET", f"{self.auth.domain}/oauth2/authorize?{params}", {}, parse_qsl(params))
        try:
            return self.auth.oauth.get_consent_grant(request=request, end_user=None)
        except OAuth2Error as error:
            return self._oauth_error(error)

    def _oauth_error(self, error: OAuth2Error) -> Response:
        if error.redirect_uri:
            status, _, headers = error()
            return RedirectResponse(dict(headers)["Location"], status_code=status)
        code = error.error
        if code == "invalid_request" and "is not supported by client" in (error.description or ""):
            code = "redirect_mismatch"
        self.auth.say(f"managed login: {code}: {error.get_error_description()}")
        return self._html(pages.error_page(code, error.get_error_description()), 400)

    @staticmethod
    def _html(body: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    def _page(self, request: Request, render: Any, *args: Any, status: int = 200, **kwargs: Any) -> HTMLResponse:
        """Render a form page with the CSRF token (cookie and field)."""
        token = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        html = render(*args, **kwargs).replace("</form>", f'<input type="hidden" name="_csrf" value="{token}"></form>')
        response = self._html(html, status)
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax", path="/")
        return response

    async def _form(self, request: Request) -> dict[str, str] | None:
        """The posted form, or None when its CSRF token does not match the cookie."""
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))
        cookie = request.cookies.get(CSRF_COOKIE, "")
        return form if cookie and secrets.compare_digest(cookie, form.get("_csrf", "")) else None

    def _csrf_error(self) -> Response:
        return self._html(pages.error_page("invalid_request", "The form expired or its CSRF token is wrong."), 403)

    def _sign_in(self, params: str, user: User, auth_time: int | None = None) -> Response:
        """Start the session and return to the client with a code."""
        grant = self._validate(params)
        if isinstance(grant, Response):
            return grant
        auth_time = auth_time or int(self.auth.store.clock())
        principal = Principal(user, auth_time, grant.request.payload.data.get("nonce"))
        status, _, headers = self.auth.oauth.create_authorization_response(
            request=grant.request, grant_user=principal, grant=grant
        )
        response = RedirectResponse(dict(headers)["Location"], status_code=status)
        session = self.auth.store.start_session(user.pool_id, user.username, auth_time)
        response.set_cookie(SESSION_COOKIE, session.id, httponly=True, samesite="lax", path="/")
        return response

    def _after_password(self, params: str, user: User, password: str | None) -> Response:
        """Confirmation, MFA challenge or enrolment, or the code."""
        store = self.auth.store
        if user.status in ("FORCE_CHANGE_PASSWORD", "RESET_REQUIRED"):
            message = (
                f"This account ({user.status}) must set a new password, which the local managed login does not "
                "offer yet: use admin-set-user-password --permanent."
            )
            return self._html(pages.error_page("invalid_request", message), 400)
        if not user.confirmed:
            self.auth.mailbox.send_code(user.pool_id, user.username, user.email or user.username, SIGN_UP)
            step = store.start_step("confirm", user.pool_id, user.username, params, password=password)
            return RedirectResponse(f"/confirm?step={step.id}", status_code=302)
        mfa = self.auth.pools.settings(user.pool_id).mfa
        if user.mfa_enabled and mfa != "OFF":
            step = store.start_step("mfa", user.pool_id, user.username, params)
            return RedirectResponse(f"/mfa?step={step.id}", status_code=302)
        if mfa == "ON":
            step = store.start_step("mfa-setup", user.pool_id, user.username, params, secret=pyotp.random_base32())
            return RedirectResponse(f"/mfa-setup?step={step.id}", status_code=302)
        return self._sign_in(params, user)

    def _user(self, pool_id: str, username: str) -> User:
        user = self.auth.pools.user(pool_id, username)
        if user is None:
            raise UserGoneError(username)
        return user

    @staticmethod
    async def user_gone(request: Request, exc: Exception) -> Response:
        """A user deleted (through the Cognito API) in the middle of a sign-in."""
        return Pages._html(pages.error_page("invalid_request", "This account no longer exists."), 400)

    # -- endpoints -----------------------------------------------------------------------------
    async def authorize(self, request: Request) -> Response:
        params = request.url.query
        grant = self._validate(params)
        if isinstance(grant, Response):
            return grant
        data = grant.request.payload.data
        if data.get("identity_provider", "COGNITO") != "COGNITO" or data.get("idp_identifier"):
            return self._html(pages.error_page("invalid_request", "Federated sign-in is not emulated locally."), 400)
        session = self.auth.store.session(request.cookies.get(SESSION_COOKIE))
        app = grant.request.client.app
        if session is not None and session.pool_id == app.pool_id and data.get("prompt") != "login":
            user = self.auth.pools.user(session.pool_id, session.username)
            if user is not None and user.enabled:
                return self._sign_in(params, user, session.auth_time)
        return RedirectResponse(f"/login?{params}", status_code=302)

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            params = request.url.query
            grant = self._validate(params)
            return grant if isinstance(grant, Response) else self._page(request, pages.login_page, params)
        form = await self._form(request)
        if form is None:
            return self._csrf_error()
        params = form.get("params", "")
        grant = self._validate(params)
        if isinstance(grant, Response):
            return grant
        app = grant.request.client.app
        username, password = form.get("username", "").strip(), form.get("password", "")
        user = self.auth.pools.check_password(app.pool_id, username, password)
        if user is None:
            exists = self.auth.pools.user(app.pool_id, username) is not None
            message = WRONG_CREDENTIALS if exists or app.prevent_user_existence_errors else NO_SUCH_USER
            return self._page(request, pages.login_page, params, username=username, error=message)
        return self._after_password(params, user, password)

    async def signup(self, request: Request) -> Response:
        params = request.url.query if request.method == "GET" else ""
        form: dict[str, str] | None = {}
        if request.method == "POST":
            form = await self._form(request)
            if form is None:
                return self._csrf_error()
            params = form.get("params", "")
        grant = self._validate(params)
        if isinstance(grant, Response):
            return grant
        app = grant.request.client.app
        settings = self.auth.pools.settings(app.pool_id)
        policy = policy_summary(settings.password_policy)
        if request.method == "GET":
            return self._page(request, pages.signup_page, params, policy)
        assert form is not None
        email, password = form.get("username", "").strip(), form.get("password", "")
        problem = password_problem(settings.password_policy, password)
        if problem:
            return self._page(request, pages.signup_page, params, policy, email=email, error=problem)
        try:
            user = self.auth.pools.sign_up(app.id, app.pool_id, email, password)
        except SignUpError as exc:
            return self._page(request, pages.signup_page, params, policy, email=email, error=str(exc))
        self.auth.say(f"managed login: {email} signed up in {app.pool_id}")
        if "email" not in settings.auto_verified:
            notice = "Your account was created; an administrator has to confirm it before you can sign in."
            return self._page(request, pages.login_page, params, username=email, notice=notice)
        return self._after_password(params, user, password)

    async def confirm(self, request: Request) -> Response:
        form = await self._form(request) if request.method == "POST" else dict(request.query_params)
        if form is None:
            return self._csrf_error()
        step = self.auth.store.step(form.get("step"), "confirm")
        if step is None:
            return self._html(pages.error_page("invalid_request", "This sign-up session has expired."), 400)
        user = self._user(step.pool_id, step.username)
        destination = user.email or user.username
        if request.method == "GET":
            return self._page(request, pages.confirm_page, step.id, destination)
        if not self.auth.mailbox.check_code(step.pool_id, step.username, SIGN_UP, form.get("code", "")):
            return self._page(request, pages.confirm_page, step.id, destination, error=WRONG_CODE)
        self.auth.pools.confirm(step.pool_id, step.username)
        self.auth.store.end_step(step.id)
        if step.password is None:
            notice = "Your account is confirmed. Sign in."
            return self._page(request, pages.login_page, step.params, username=destination, notice=notice)
        return self._after_password(step.params, self._user(step.pool_id, step.username), step.password)

    async def resend(self, request: Request) -> Response:
        form = await self._form(request)
        step = self.auth.store.step(form.get("step") if form else None, "confirm")
        if form is None or step is None:
            return self._csrf_error()
        user = self._user(step.pool_id, step.username)
        self.auth.mailbox.send_code(step.pool_id, step.username, user.email or user.username, SIGN_UP)
        notice = "We have sent a new code."
        return self._page(request, pages.confirm_page, step.id, user.email or user.username, notice=notice)

    async def forgot(self, request: Request) -> Response:
        form = await self._form(request) if request.method == "POST" else {"params": request.url.query}
        if form is None:
            return self._csrf_error()
        grant = self._validate(form.get("params", ""))
        if isinstance(grant, Response):
            return grant
        if request.method == "GET":
            return self._page(request, pages.forgot_page, form["params"])
        app = grant.request.client.app
        name = form.get("username", "").strip()
        user = self.auth.pools.user(app.pool_id, name)
        if user is None and not app.prevent_user_existence_errors:
            return self._page(request, pages.forgot_page, form["params"], error=NO_SUCH_USER)
        if user is not None and user.email:
            self.auth.mailbox.send_code(app.pool_id, user.username, user.email, RESET)
        step = self.auth.store.start_step("reset", app.pool_id, user.username if user else name, form["params"])
        return RedirectResponse(f"/confirmForgotPassword?step={step.id}", status_code=302)

    async def reset(self, request: Request) -> Response:
        form = await self._form(request) if request.method == "POST" else dict(request.query_params)
        if form is None:
            return self._csrf_error()
        step = self.auth.store.step(form.get("step"), "reset")
        if step is None:
            return self._html(pages.error_page("invalid_request", "This password reset has expired."), 400)
        policy = self.auth.pools.settings(step.pool_id).password_policy
        if request.method == "GET":
            return self._page(request, pages.reset_page, step.id, policy_summary(policy))
        password = form.get("password", "")
        problem = password_problem(policy, password)
        if not problem and not self.auth.mailbox.check_code(step.pool_id, step.username, RESET, form.get("code", "")):
            problem = WRONG_CODE
        if problem:
            return self._page(request, pages.reset_page, step.id, policy_summary(policy), error=problem)
        self.auth.pools.set_password(step.pool_id, step.username, password)
        self.auth.store.end_step(step.id)
        notice = "Your password has been changed. Sign in with the new password."
        return self._page(request, pages.login_page, step.params, notice=notice)

    async def mfa(self, request: Request) -> Response:
        return await self._totp(request, "mfa")

    async def mfa_setup(self, request: Request) -> Response:
        return await self._totp(request, "mfa-setup")

    async def _totp(self, request: Request, kind: str) -> Response:
        form = await self._form(request) if request.method == "POST" else dict(request.query_params)
        if form is None:
            return self._csrf_error()
        step = self.auth.store.step(form.get("step"), kind)
        if step is None:
            return self._html(pages.error_page("invalid_request", "This sign-in session has expired."), 400)
        user = self._user(step.pool_id, step.username)
        secret = step.secret or self.auth.totp_secret(step.pool_id, step.username)
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.email or user.username, issuer_name="securedapi local")
        render, args = (pages.mfa_page, (step.id,)) if kind == "mfa" else (pages.mfa_setup_page, (step.id, secret, uri))
        if request.method == "GET":
            return self._page(request, render, *args)
        if not pyotp.TOTP(secret).verify(form.get("code", "").strip(), for_time=time.time(), valid_window=1):
            return self._page(request, render, *args, error="Invalid code received for user")
        if kind == "mfa-setup":
            self.auth.store.set_totp_secret(step.pool_id, step.username, secret)
            self.auth.pools.enable_totp(step.pool_id, step.username)
        self.auth.store.end_step(step.id)
        return self._sign_in(step.params, self._user(step.pool_id, step.username))

    async def logout(self, request: Request) -> Response:
        query = request.query_params
        app = self.auth.pools.client(query.get("client_id", ""))
        if app is None:
            return self._html(pages.error_page("invalid_request", "client_id is missing or unknown."), 400)
        if "logout_uri" in query:
            target = query["logout_uri"]
            if target not in app.logout_urls:
                message = f"logout_uri {target!r} is not a sign-out URL of the app client."
                return self._html(pages.error_page("invalid_request", message), 400)
        elif "redirect_uri" in query and "response_type" in query:
            grant = self._validate(request.url.query)
            if isinstance(grant, Response):
                return grant
            target = "/login?" + urlencode(list(query.multi_items()))
        else:
            message = "Pass logout_uri, or redirect_uri and response_type to sign in again."
            return self._html(pages.error_page("invalid_request", message), 400)
        self.auth.store.end_session(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse(target, status_code=302)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
