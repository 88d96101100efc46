"""A user pool's password policy, checked as Cognito checks it on sign-up and password reset.

Messages are Cognito's ``InvalidPasswordException`` texts. Symbols are the characters the Cognito
developer guide lists under "Password requirements" (user-pool-settings-policies.html).
"""

from collections.abc import Mapping
from typing import Any

SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ")
PREFIX = "Password did not conform with policy: "


def password_problem(policy: Mapping[str, Any], password: str) -> str | None:
    """The first rule ``password`` breaks, in Cognito's words, or None when it conforms.

    Cognito's defaults apply to keys the policy omits (8 characters, every character class required).
    """
    if password != password.strip():
        return PREFIX + "Password must not begin or end with a space"
    if len(password) < int(policy.get("MinimumLength", 8)):
        return PREFIX + "Password not long enough"
    checks = (
        ("RequireUppercase", str.isupper, "uppercase"),
        ("RequireLowercase", str.islower, "lowercase"),
        ("RequireNumbers", str.isdigit, "numeric"),
        ("RequireSymbols", lambda c: c in SYMBOLS, "symbol"),
    )
    for key, test, name in checks:
        if policy.get(key, True) and not any(test(c) for c in password):
            return PREFIX + f"Password must have {name} characters"
    return None


def policy_summary(policy: Mapping[str, Any]) -> str:
    """The policy in one sentence for the sign-up page."""
    parts = [f"at least {int(policy.get('MinimumLength', 8))} characters"]
    names = {"RequireUppercase": "an uppercase letter", "RequireLowercase": "a lowercase letter"}
    names |= {"RequireNumbers": "a number", "RequireSymbols": "a symbol"}
    parts += [text for key, text in names.items() if policy.get(key, True)]
    return "Passwords need " + ", ".join(parts) + "."
