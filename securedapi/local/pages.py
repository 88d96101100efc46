"""The managed-login pages: plain HTML forms, every field labelled, usable with the keyboard alone.

Each form carries the original authorize request (``params``, its query string) and, for multi-step
sign-ins, the step id. Every value is HTML-escaped here and nowhere else.
"""

from collections.abc import Iterable
from html import escape
from urllib.parse import quote

from securedapi.local.mailbox import Mail

STYLE = """
body{font:16px/1.5 system-ui,sans-serif;background:#f3f5f8;color:#1b1f24;margin:0}
main{max-width:26rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;
box-shadow:0 1px 4px #0002}
h1{font-size:1.4rem;margin-top:0}
label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.55rem;border:1px solid #8a94a3;border-radius:4px;font:inherit}
button{margin-top:1.2rem;width:100%;padding:.65rem;border:0;border-radius:4px;background:#1f5fbf;color:#fff;
font:inherit;font-weight:600;cursor:pointer}
a,button,input{outline-offset:2px}
:focus-visible{outline:3px solid #f0a500}
.error{background:#fde8e8;border-left:4px solid #c62828;padding:.6rem}
.notice{background:#e8f2fd;border-left:4px solid #1f5fbf;padding:.6rem}
.links{margin-top:1rem;display:flex;justify-content:space-between;gap:1rem}
code,.secret{word-break:break-all;background:#f0f0f0;padding:.1rem .3rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left}
.wide{max-width:60rem}
"""


def layout(title: str, body: str, *, error: str | None = None, notice: str | None = None, wide: bool = False) -> str:
    alerts = ""
    if error:
        alerts += f'<p class="error" role="alert" id="error">{escape(error)}</p>'
    if notice:
        alerts += f'<p class="notice" role="status" id="notice">{escape(notice)}</p>'
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head>'
        f"<body><main{' class=wide' if wide else ''}><h1>{escape(title)}</h1>{alerts}{body}</main></body></html>"
    )


def _hidden(**values: str | None) -> str:
    return "".join(f'<input type="hidden" name="{k}" value="{escape(v)}">' for k, v in values.items() if v is not None)


def _field(name: str, label: str, kind: str = "text", value: str = "", *, autofocus: bool = False, **attrs: str) -> str:
    extra = " autofocus" if autofocus else ""
    extra += "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    return (
        f'<label for="{name}">{escape(label)}</label>'
        f'<input id="{name}" name="{name}" type="{kind}" value="{escape(value)}" required{extra}>'
    )


def _link(path: str, params: str, text: str, link_id: str) -> str:
    return f'<a id="{link_id}" href="{escape(path + ("?" + params if params else ""))}">{escape(text)}</a>'


def login_page(params: str, *, username: str = "", error: str | None = None, notice: str | None = None) -> str:
    body = (
        f'<form method="post" action="/login">{_hidden(params=params)}'
        + _field("username", "Email address", "email", username, autofocus=not username, autocomplete="username")
        + _field("password", "Password", "password", autofocus=bool(username), autocomplete="current-password")
        + '<button type="submit" id="signin">Sign in</button></form><div class="links">'
        + _link("/forgotPassword", params, "Forgot your password?", "forgot")
        + _link("/signup", params, "Sign up", "signup")
        + "</div>"
    )
    return layout("Sign in", body, error=error, notice=notice)


def signup_page(params: str, policy: str, *, email: str = "", error: str | None = None) -> str:
    body = (
        f'<form method="post" action="/signup">{_hidden(params=params)}'
        + _field("username", "Email address", "email", email, autofocus=True, autocomplete="email")
        + _field("password", "Password", "password", autocomplete="new-password", aria_describedby="policy")
        + f'<p id="policy">{escape(policy)}</p>'
        + '<button type="submit" id="create">Create account</button></form><div class="links">'
        + _link("/login", params, "Already have an account? Sign in", "to-login")
        + "</div>"
    )
    return layout("Sign up", body, error=error)


def confirm_page(step: str, destination: str, *, error: str | None = None, notice: str | None = None) -> str:
    body = (
        f"<p>We have sent a code by email to {escape(destination)}. Enter it below to confirm your account.</p>"
        f'<form method="post" action="/confirm">{_hidden(step=step)}'
        + _field("code", "Verification code", "text", autofocus=True, inputmode="numeric", autocomplete="one-time-code")
        + '<button type="submit" id="confirm">Confirm account</button></form>'
        f'<form method="post" action="/resendcode">{_hidden(step=step)}'
        '<button type="submit" id="resend">Send a new code</button></form>'
    )
    return layout("Confirm your account", body, error=error, notice=notice)


def forgot_page(params: str, *, error: str | None = None) -> str:
    body = (
        "<p>Enter your email address and we will send you a code to reset your password.</p>"
        f'<form method="post" action="/forgotPassword">{_hidden(params=params)}'
        + _field("username", "Email address", "email", autofocus=True, autocomplete="username")
        + '<button type="submit" id="send-reset">Reset my password</button></form>'
    )
    return layout("Forgot your password?", body, error=error)


def reset_page(step: str, policy: str, *, error: str | None = None) -> str:
    body = (
        "<p>If the account exists, we have sent a code by email. Enter it with your new password.</p>"
        f'<form method="post" action="/confirmForgotPassword">{_hidden(step=step)}'
        + _field("code", "Code", "text", autofocus=True, inputmode="numeric", autocomplete="one-time-code")
        + _field("password", "New password", "password", autocomplete="new-password", aria_describedby="policy")
        + f'<p id="policy">{escape(policy)}</p><button type="submit" id="reset">Change password</button></form>'
    )
    return layout("Reset your password", body, error=error)


def mfa_page(step: str, *, error: str | None = None) -> str:
    body = (
        "<p>Enter the code from your authenticator app.</p>"
        f'<form method="post" action="/mfa">{_hidden(step=step)}'
        + _field(
            "code", "Authentication code", "text", autofocus=True, inputmode="numeric", autocomplete="one-time-code"
        )
        + '<button type="submit" id="verify">Sign in</button></form>'
    )
    return layout("Multi-factor authentication", body, error=error)


def mfa_setup_page(step: str, secret: str, uri: str, *, error: str | None = None) -> str:
    body = (
        "<p>This account requires multi-factor authentication. Add this key to an authenticator app "
        "(or open the link on a device that has one), then enter the code it shows.</p>"
        f'<p>Secret key: <code class="secret" id="totp-secret">{escape(secret)}</code></p>'
        f'<p><a id="totp-uri" href="{escape(uri)}">{escape(uri)}</a></p>'
        f'<form method="post" action="/mfa-setup">{_hidden(step=step)}'
        + _field("code", "Code from the app", "text", autofocus=True, inputmode="numeric", autocomplete="one-time-code")
        + '<button type="submit" id="verify">Verify and sign in</button></form>'
    )
    return layout("Set up an authenticator app", body, error=error)


def error_page(error: str, description: str) -> str:
    body = (
        f'<p>An error was encountered with the requested page.</p><p><code id="error-code">{escape(error)}</code></p>'
        f'<p id="error-description">{escape(description)}</p>'
    )
    return layout("Something went wrong", body)


def signed_out_page() -> str:
    return layout("Signed out", "<p>You have been signed out.</p>")


def mailbox_page(mail: Iterable[Mail], to: str | None) -> str:
    rows = "".join(
        f'<tr><td>{escape(m.to)}</td><td>{escape(m.subject)}</td><td class="body">{escape(m.body)}</td>'
        f'<td><code class="code">{escape(m.code)}</code></td></tr>'
        for m in mail
    )
    head = "<tr><th>To</th><th>Subject</th><th>Message</th><th>Code</th></tr>"
    scope = f"Messages to {to}" if to else "Every message of this local stack"
    body = (
        f"<p>{escape(scope)}. Nothing is really sent: these are the emails Cognito would send. "
        f'<a href="/_local/mailbox{"?to=" + quote(to) if to else ""}">Refresh</a></p>'
        f'<table id="mail"><thead>{head}</thead><tbody>{rows}</tbody></table>'
    )
    return layout("Local mailbox", body, wide=True)
