"""Cognito user-pool APIs as Cognito answers them, where moto (5.2) does not: WSGI middleware in front of moto.

* ``SignUp`` / ``ResendConfirmationCode`` / ``ForgotPassword`` send a 6-digit code (valid 24 h / 1 h) to the
  user's email, i.e. to :attr:`CognitoCompatApp.deliver` (the console unless a mailbox is plugged in), and
  answer ``CodeDeliveryDetails`` with the masked address; ``ConfirmSignUp`` / ``ConfirmForgotPassword``
  check it (``CodeMismatchException``, ``ExpiredCodeException``). moto has no ``ResendConfirmationCode``
  (a 500) and accepts any confirmation code.
* User existence errors are hidden when the app client's ``PreventUserExistenceErrors`` is ``ENABLED``
  (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pool-managing-errors.html):
  authentication with an unknown user is ``NotAuthorizedException`` "Incorrect username or password.";
  confirmation of an unknown user is ``CodeMismatchException``; code delivery for an unknown user answers a
  simulated ``CodeDeliveryDetails``. Without it, unknown users are ``UserNotFoundException``.

Everything else goes to moto unchanged.
"""

import io
import json
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

TARGET_PREFIX = "AWSCognitoIdentityProviderService."
SIGN_UP_CODE_TTL = 24 * 3600
RESET_CODE_TTL = 3600
Deliver = Callable[[str, str, str, str], None]
"""``deliver(purpose, pool_id, email, code)``: purpose is "sign-up" or "password-reset"."""


class CodeStore(Protocol):
    """Where codes are issued and checked instead of here: the managed login's mailbox, so a code sent
    through the API can be entered on the login pages and the other way round."""

    def send_code(self, pool_id: str, username: str, to: str, purpose: str) -> str: ...

    def issued(self, pool_id: str, username: str, purpose: str) -> bool: ...

    def check_code(self, pool_id: str, username: str, purpose: str, code: str) -> bool: ...


STORE_PURPOSE = {"sign-up": "sign-up", "password-reset": "reset"}
"""This module's purposes -> the mailbox's."""


class CognitoError(Exception):
    """A Cognito error response (400 with ``__type`` and ``message``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class _Code:
    code: str
    expires: float


def console_delivery(purpose: str, pool_id: str, email: str, code: str) -> None:
    """Print the code as the message Cognito would email (no mail leaves this machine)."""
    print(f"[cognito] {purpose} code for {email} (pool {pool_id}): {code}", flush=True)


def mask(email: str) -> str:
    """Cognito's masked destination, e.g. ``a***@e***``."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***" if domain else f"{email[:1]}***"


class CognitoCompatApp:
    """Answers the actions above (see the module docstring) and passes the rest to ``app``."""

    def __init__(self, app: Any, deliver: Deliver = console_delivery, codes: CodeStore | None = None) -> None:
        self.app = app
        self.deliver = deliver
        self.codes = codes
        self._codes: dict[tuple[str, str, str], _Code] = {}
        self._actions: dict[str, Callable[[dict[str, Any], dict[str, Any], Any], dict[str, Any] | None]] = {
            "SignUp": self._sign_up,
            "ResendConfirmationCode": self._resend,
            "ConfirmSignUp": self._confirm_sign_up,
            "ForgotPassword": self._forgot_password,
            "ConfirmForgotPassword": self._confirm_forgot_password,
            "InitiateAuth": self._authenticate,
            "AdminInitiateAuth": self._authenticate,
        }

    # -- WSGI ---------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        action = self._actions.get(target.removeprefix(TARGET_PREFIX)) if target.startswith(TARGET_PREFIX) else None
        if action is None:
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        raw = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(raw)
        try:
            request = json.loads(raw or b"{}")
            response = action(request, environ, start_response)
        except CognitoError as error:
            return self._reply(start_response, "400 Bad Request", {"__type": error.kind, "message": str(error)})
        except ValueError:
            return self._reply(start_response, "400 Bad Request", {"__type": "SerializationException"})
        if response is None:
            return self.app(environ, start_response)  # type: ignore[no-any-return]
        return self._reply(start_response, "200 OK", response)

    @staticmethod
    def _reply(start_response: Any, status: str, body: dict[str, Any]) -> list[bytes]:
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(data)))])
        return [data]

    def _call_moto(self, environ: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Run the request through moto and return its status and JSON body."""
        captured: dict[str, str] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
            captured["status"] = status
            return lambda data: None

        body = b"".join(self.app(environ, capture))
        return captured.get("status", "500"), json.loads(body or b"{}")

    # -- lookups (moto's backend) -------------------------------------------------------------------
    @staticmethod
    def _pool_and_client(client_id: str) -> tuple[Any, Any]:
        from moto.cognitoidp.models import cognitoidp_backends

        for account in list(cognitoidp_backends):
            for region in list(cognitoidp_backends[account]):
                for pool in list(cognitoidp_backends[account][region].user_pools.values()):
                    if client_id in pool.clients:
                        return pool, pool.clients[client_id]
        raise CognitoError("ResourceNotFoundException", f"User pool client {client_id} does not exist.")

    @staticmethod
    def _hides(client: Any) -> bool:
        return bool(client.extended_config.get("PreventUserExistenceErrors") == "ENABLED")

    @staticmethod
    def _email(user: Any) -> str:
        attributes = {a["Name"]: a["Value"] for a in user.attributes}
        return str(attributes.get("email") or user.username)

    def _issue(self, purpose: str, pool: Any, user: Any, ttl: int) -> dict[str, Any]:
        email = self._email(user)
        if self.codes is not None:
            self.codes.send_code(pool.id, user.username, email, STORE_PURPOSE[purpose])
        else:
            code = f"{secrets.randbelow(1_000_000):06d}"
            self._codes[(purpose, pool.id, user.username)] = _Code(code, time.time() + ttl)
            self.deliver(purpose, pool.id, email, code)
        return {"Destination": mask(email), "DeliveryMedium": "EMAIL", "AttributeName": "email"}

    def _check(self, purpose: str, pool: Any, user: Any, code: str) -> None:
        if self.codes is not None:
            store_purpose = STORE_PURPOSE[purpose]
            if not self.codes.issued(pool.id, user.username, store_purpose):
                return  # not issued (e.g. a user made with admin APIs): moto decides
            if not self.codes.check_code(pool.id, user.username, store_purpose, str(code)):
                raise CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.")
            return
        issued = self._codes.get((purpose, pool.id, user.username))
        if issued is None:
            return  # not issued here (e.g. a user made with admin APIs): moto decides
        if time.time() > issued.expires:
            raise CognitoError("ExpiredCodeException", "Invalid code provided, please request a code again.")
        if not secrets.compare_digest(issued.code, str(code)):
            raise CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.")
        del self._codes[(purpose, pool.id, user.username)]

    def _user_or_hidden(self, request: dict[str, Any]) -> tuple[Any, Any, Any]:
        """(pool, client, user); user is None only when the client hides user existence."""
        pool, client = self._pool_and_client(str(request.get("ClientId", "")))
        user = pool._get_user(str(request.get("Username", "")))
        if user is None and not self._hides(client):
            raise CognitoError("UserNotFoundException", "Username/client id combination not found.")
        return pool, client, user

    @staticmethod
    def _simulated(request: dict[str, Any]) -> dict[str, Any]:
        name = str(request.get("Username", ""))
        return {"Destination": mask(name), "DeliveryMedium": "EMAIL", "AttributeName": "email"}

    # -- actions -----------------------------------------------------------------------
    def _sign_up(self, request: dict[str, Any], environ: dict[str, Any], start_response: Any) -> dict[str, Any] | None:
        status, body = self._call_moto(environ)
        if not status.startswith("200"):
            raise CognitoError(str(body.get("__type", "InternalErrorException")), str(body.get("message", "")))
        pool, _ = self._pool_and_client(str(request.get("ClientId", "")))
        user = pool._get_user(str(request.get("Username", "")))
        body.pop("CodeDeliveryDetails", None)
        if user is not None and not body.get("UserConfirmed") and "email" in {a["Name"] for a in user.attributes}:
            body["CodeDeliveryDetails"] = self._issue("sign-up", pool, user, SIGN_UP_CODE_TTL)
        return body

    def _resend(self, request: dict[str, Any], environ: dict[str, Any], start_response: Any) -> dict[str, Any]:
        pool, _, user = self._user_or_hidden(request)
        if user is None:
            return {"CodeDeliveryDetails": self._simulated(request)}
        if user.status == "CONFIRMED":
            raise CognitoError("InvalidParameterException", "User is already confirmed.")
        return {"CodeDeliveryDetails": self._issue("sign-up", pool, user, SIGN_UP_CODE_TTL)}

    def _confirm_sign_up(self, request: dict[str, Any], environ: dict[str, Any], start_response: Any) -> None:
        pool, _, user = self._user_or_hidden(request)
        if user is None:
            raise CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.")
        self._check("sign-up", pool, user, str(request.get("ConfirmationCode", "")))

    def _forgot_password(self, request: dict[str, Any], environ: dict[str, Any], start_response: Any) -> dict[str, Any]:
        pool, _, user = self._user_or_hidden(request)
        if user is None:
            return {"CodeDeliveryDetails": self._simulated(request)}
        return {"CodeDeliveryDetails": self._issue("password-reset", pool, user, RESET_CODE_TTL)}

    def _confirm_forgot_password(
        self, request: dict[str, Any], environ: dict[str, Any], start_response: Any
    ) -> dict[str, Any] | None:
        pool, _, user = self._user_or_hidden(request)
        if user is None:
            raise CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.")
        self._check("password-reset", pool, user, str(request.get("ConfirmationCode", "")))
        return None

    def _authenticate(self, request: dict[str, Any], environ: dict[str, Any], start_response: Any) -> dict[str, Any]:
        status, body = self._call_moto(environ)
        if status.startswith("200"):
            return body
        kind = str(body.get("__type", "InternalErrorException"))
        _, client = self._pool_and_client(str(request.get("ClientId", "")))
        if kind == "UserNotFoundException" and self._hides(client):
            raise CognitoError("NotAuthorizedException", "Incorrect username or password.")
        raise CognitoError(kind, str(body.get("message", "")))
