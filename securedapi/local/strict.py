"""``--strict``: refuse what the OAuth 2.0 Security Best Current Practice (RFC 9700) forbids.

By default the local authorization server behaves like Cognito, which allows these flows; in both modes
the stack's log warns whenever a flow would fail under ``--strict``, so the difference shows up before
a stricter server (or a security review) finds it.
"""

from collections.abc import Callable
from dataclasses import dataclass

PKCE_REQUIRED = (
    "RFC 9700 section 2.1.1: public client {client} used the code flow without PKCE; "
    "send code_challenge (S256) to /oauth2/authorize and code_verifier to /oauth2/token"
)
REFRESH_ROTATION = (
    "RFC 9700 section 2.2.2: public client {client} refreshed tokens without refresh token rotation; "
    "turn on refresh token rotation for the app client"
)
CODE_REPLAY = (
    "RFC 6749 section 4.1.2 (and RFC 9700 section 4.5): an authorization code of client {client} was "
    "used twice; the tokens issued for it are revoked under --strict"
)


@dataclass
class Strictness:
    """Decides whether a flow that RFC 9700 forbids goes on, and warns either way."""

    strict: bool
    warn: Callable[[str], None]

    def allows(self, ok: bool, rule: str, **values: str) -> bool:
        """True when the flow may go on: always when ``ok``; otherwise warn, and refuse only under --strict."""
        if ok:
            return True
        outcome = "refused (--strict)" if self.strict else "allowed as Cognito does; it fails under --strict"
        self.warn(f"warning: {rule.format(**values)} -- {outcome}")
        return not self.strict
