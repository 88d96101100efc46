"""What the local authorization server remembers: codes, refresh tokens, sign-in sessions, pending steps.

All in memory (a restarted stack starts signed out, as a new emulator has new users anyway). Every
expiry is measured with the store's ``clock`` so tests can move time forward.

* Authorization codes: single use, 5 minutes, bound to client, redirect URI, scopes, PKCE challenge and
  nonce (Cognito developer guide, "Authorize endpoint": "a one time use code that is valid for five
  minutes").
* Refresh tokens: the client's refresh-token validity; with rotation a used token stays valid for the
  client's retry grace period (RefreshTokenRotationType.RetryGracePeriodSeconds).
* Sign-in sessions: the managed-login session cookie, valid 1 hour, ended by ``/logout``.
* Pending steps of a sign-in (MFA code, TOTP enrolment, confirmation after sign-up, password reset).
"""

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CODE_SECONDS = 300
SESSION_SECONDS = 3600
STEP_SECONDS = {"mfa": 180, "mfa-setup": 180, "confirm": 3600, "reset": 3600}


@dataclass
class AuthorizationCode:
    """An issued authorization code (authlib's ``AuthorizationCodeMixin`` interface)."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    pool_id: str
    username: str
    auth_time: int
    expires_at: float
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    nonce: str | None = None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope


@dataclass
class RefreshRecord:
    """A refresh token and what it may renew (authlib's ``TokenMixin`` interface)."""

    token: str
    client_id: str
    pool_id: str
    username: str
    scope: str
    auth_time: int
    origin_jti: str
    expires_at: float
    retired_until: float | None = None
    access_tokens: set[str] = field(default_factory=set)

    def check_client(self, client: Any) -> bool:
        return bool(client.get_client_id() == self.client_id)

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int(self.expires_at - time.time())

    def is_expired(self) -> bool:
        return False

    def is_revoked(self) -> bool:
        return False


@dataclass
class Session:
    """A signed-in browser (the managed-login session cookie)."""

    id: str
    pool_id: str
    username: str
    auth_time: int
    expires_at: float


@dataclass
class Step:
    """A sign-in that waits for the user: an MFA code, TOTP enrolment, a confirmation code, a reset."""

    id: str
    kind: str
    pool_id: str
    username: str
    params: str
    expires_at: float
    password: str | None = None
    secret: str | None = None


class AuthStore:
    """Thread-safe in-memory state of the authorization server."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, AuthorizationCode] = {}
        self._spent: dict[str, set[str]] = {}
        self._refresh: dict[str, RefreshRecord] = {}
        self._sessions: dict[str, Session] = {}
        self._steps: dict[str, Step] = {}
        self._totp: dict[tuple[str, str], str] = {}

    @staticmethod
    def new_id(length: int = 32) -> str:
        return secrets.token_urlsafe(length)

    # -- codes ---------------------------------------------------------------------------------
    def add_code(self, code: AuthorizationCode) -> None:
        with self._lock:
            self._codes[code.code] = code

    def take_code(self, code: str) -> tuple[AuthorizationCode | None, bool]:
        """``(code, reused)``: the code is removed on first use; a second use reports ``reused``."""
        with self._lock:
            found = self._codes.pop(code, None)
            if found is None:
                return None, code in self._spent
            self._spent[code] = set()
            if self.clock() > found.expires_at:
                return None, False
            return found, False

    def link_code(self, code: str, refresh_token: str) -> None:
        with self._lock:
            self._spent.setdefault(code, set()).add(refresh_token)

    def tokens_of_code(self, code: str) -> set[str]:
        with self._lock:
            return set(self._spent.get(code, set()))

    # -- refresh tokens ------------------------------------------------------------------------
    def add_refresh(self, record: RefreshRecord) -> None:
        with self._lock:
            self._refresh[record.token] = record

    def refresh(self, token: str) -> RefreshRecord | None:
        """The record while the token is usable (not expired, not past its rotation grace period)."""
        with self._lock:
            record = self._refresh.get(token)
        now = self.clock()
        if record is None or now > record.expires_at:
            return None
        if record.retired_until is not None and now > record.retired_until:
            return None
        return record

    def retire_refresh(self, token: str, grace_seconds: int) -> None:
        with self._lock:
            record = self._refresh.get(token)
            if record is not None and record.retired_until is None:
                record.retired_until = self.clock() + grace_seconds

    def refresh_of_user(self, pool_id: str, username: str) -> list[RefreshRecord]:
        with self._lock:
            return [r for r in self._refresh.values() if r.pool_id == pool_id and r.username == username]

    def drop_refresh(self, token: str) -> RefreshRecord | None:
        with self._lock:
            return self._refresh.pop(token, None)

    # -- sessions and steps --------------------------------------------------------------------
    def start_session(self, pool_id: str, username: str, auth_time: int) -> Session:
        session = Session(self.new_id(), pool_id, username, auth_time, self.clock() + SESSION_SECONDS)
        with self._lock:
            self._sessions[session.id] = session
        return session

    def session(self, session_id: str | None) -> Session | None:
        with self._lock:
            session = self._sessions.get(session_id or "")
        return session if session is not None and self.clock() <= session.expires_at else None

    def end_session(self, session_id: str | None) -> None:
        with self._lock:
            self._sessions.pop(session_id or "", None)

    def start_step(self, kind: str, pool_id: str, username: str, params: str, **extra: Any) -> Step:
        step = Step(self.new_id(), kind, pool_id, username, params, self.clock() + STEP_SECONDS[kind], **extra)
        with self._lock:
            self._steps[step.id] = step
        return step

    def step(self, step_id: str | None, kind: str) -> Step | None:
        with self._lock:
            step = self._steps.get(step_id or "")
        if step is None or step.kind != kind or self.clock() > step.expires_at:
            return None
        return step

    def end_step(self, step_id: str) -> None:
        with self._lock:
            self._steps.pop(step_id, None)

    # -- TOTP secrets enrolled through managed login -------------------------------------------
    def totp_secret(self, pool_id: str, username: str) -> str | None:
        with self._lock:
            return self._totp.get((pool_id, username))

    def set_totp_secret(self, pool_id: str, username: str, secret: str) -> None:
        with self._lock:
            self._totp[(pool_id, username)] = secret
