"""The local mailbox: what Cognito would email (verification and password-reset codes), kept in memory.

Nothing is sent. Each message is printed on the stack's console and listed on the mailbox page
(``mailboxUrl``). Codes are six digits, the latest one per user and purpose is the valid one, a
sign-up code lasts 24 hours and a reset code 1 hour (Cognito developer guide, "Signing up and
confirming user accounts" and "Forgot password"), and a code is spent when used.
"""

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

SIGN_UP = "sign-up"
RESET = "reset"
CODE_SECONDS = {SIGN_UP: 24 * 3600, RESET: 3600}
SUBJECTS = {SIGN_UP: "Your verification code", RESET: "Your password reset code"}


@dataclass(frozen=True)
class Mail:
    """One message as it would have been emailed."""

    id: int
    sent_at: float
    to: str
    subject: str
    body: str
    code: str
    purpose: str

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "sentAt": self.sent_at,
            "to": self.to,
            "subject": self.subject,
            "body": self.body,
            "code": self.code,
            "purpose": self.purpose,
        }


@dataclass
class Mailbox:
    """Codes by ``(pool, username, purpose)`` and every message, newest last."""

    say: Callable[[str], None] = field(default=lambda line: print(line, flush=True))
    clock: Callable[[], float] = time.time
    _codes: dict[tuple[str, str, str], tuple[str, float]] = field(default_factory=dict)
    _mail: list[Mail] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send_code(self, pool_id: str, username: str, to: str, purpose: str) -> str:
        """Issue a new code for ``purpose`` (replacing the previous one) and "email" it to ``to``."""
        code = f"{secrets.randbelow(10**6):06d}"
        now = self.clock()
        body = f"Your verification code is {code}."
        with self._lock:
            self._codes[(pool_id, username, purpose)] = (code, now + CODE_SECONDS[purpose])
            mail = Mail(len(self._mail) + 1, now, to, SUBJECTS[purpose], body, code, purpose)
            self._mail.append(mail)
        self.say(f"mail to {to} ({mail.subject.lower()}): {body}")
        return code

    def verify(self, pool_id: str, username: str, purpose: str, code: str) -> str:
        """``"ok"`` (and the code is spent) when ``code`` is the valid code for this user and purpose, else
        ``"missing"`` (none was sent), ``"expired"`` or ``"mismatch"``."""
        key = (pool_id, username, purpose)
        with self._lock:
            issued = self._codes.get(key)
            if issued is None:
                return "missing"
            if self.clock() > issued[1]:
                return "expired"
            if not secrets.compare_digest(issued[0], code.strip()):
                return "mismatch"
            del self._codes[key]
            return "ok"

    def check_code(self, pool_id: str, username: str, purpose: str, code: str) -> bool:
        """True (and the code is spent) when ``code`` is the valid code for this user and purpose."""
        return self.verify(pool_id, username, purpose, code) == "ok"

    def messages(self, to: str | None = None) -> list[Mail]:
        """Every message (or those to ``to``, compared case-insensitively), newest first."""
        with self._lock:
            mail = list(self._mail)
        if to is not None:
            mail = [m for m in mail if m.to.lower() == to.lower()]
        return mail[::-1]
