"""Cognito user-pool APIs as Cognito answers them, where moto (5.2) does not: WSGI middleware in front of moto.

* ``SignUp`` / ``ResendConfirmationCode`` / ``ForgotPassword`` send a 6-digit code (valid 24 h / 1 h) to the
  user's email, i.e. to the local mailbox (:attr:`CognitoCompatApp.codes`), and
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
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from securedapi.local.mailbox import RESET, SIGN_UP

TARGET_PREFIX = "AWSCognitoIdentityProviderService."


class CodeStore(Protocol):
    """Where codes are issued and checked: the local mailbox (:class:`securedapi.local.mailbox.Mailbox`), so a
    code sent through the API can be entered on the login pages and the other way round."""

    def send_code(self, pool_id: str, username: str, to: str, purpose: str) -> str: ...

    def verify(self, pool_id: str, username: str, purpose: str, code: str) -> str: ...


class CognitoError(Exception):
    """A Cognito error response (400 with ``__type`` and ``message``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def mask(email: str) -> str:
    """Cognito's masked destination, e.g. ``a***@e***``."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***" if domain else f"{email[:1]}***"


class CognitoCompatApp:
    """Answers the actions above (see the module docstring) and passes the rest to ``app``."""

    def __init__(self, app: Any, codes: CodeStore) -> None:
        self.app = app
        self.codes = codes
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

    def _issue(self, purpose: str, pool: Any, user: Any) -> dict[str, Any]:
        email = self._email(user)
        self.codes.send_code(pool.id, user.username, email, purpose)
        return {"Destination": mask(email), "DeliveryMedium": "EMAIL", "AttributeName": "email"}

    def _check(self, purpose: str, pool: Any, user: Any, code: str) -> None:
        outcome = self.codes.verify(pool.id, user.username, purpose, str(code))
        if outcome == "expired":
            raise CognitoError("ExpiredCodeException", "Invalid code provided, please request a code again.")
        if outcome == "mismatch":
            raise CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.")
        # "missing": not issued here (e.g. a user made with admin APIs): moto decides

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
            body["CodeDeliveryDetails"] = self._issue(SIGN_UP, pool, user)
        return body

    def _resend(self, request: dict[str, Any], environ: dict[str, Any], start_response: Any) -> dict[str, Any]:
        pool, _, user = self._user_or_hidden(request)
        if user is None:
            return {"CodeDeliveryDetails": self._simulated(request)}
        if user.status == "CONFIRMED":
            raise CognitoError("InvalidParameterException", "User is already confirmed.")
        return {"CodeDeliveryDetails": self._issue(SIGN_UP, pool, user)}

    def _confirm_sign_up(self, request: dict[str, Any], environ: dict[str, Any], start_response: Any) -> None:
        pool, _, user = self._user_or_hidden(request)
        if user is None:
            raise CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.")
        self._check(SIGN_UP, pool, user, str(request.get("ConfirmationCode", "")))

    def _forgot_password(self, request: dict[str, Any], environ: dict[str, Any], start_response: Any) -> dict[str, Any]:
        pool, _, user = self._user_or_hidden(request)
        if user is None:
            return {"CodeDeliveryDetails": self._simulated(request)}
        return {"CodeDeliveryDetails": self._issue(RESET, pool, user)}

    def _confirm_forgot_password(
        self, request: dict[str, Any], environ: dict[str, Any], start_response: Any
    ) -> dict[str, Any] | None:
        pool, _, user = self._user_or_hidden(request)
        if user is None:
            raise CognitoError("CodeMismatchException", "Invalid verification code provided, please try again.")
        self._check(RESET, pool, user, str(request.get("ConfirmationCode", "")))
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
