"""URL and origin rules shared by the components and the policy pack.

Browsers and Cognito treat loopback specially: ``http://localhost`` (and
``127.0.0.1`` / ``[::1]``) is acceptable for development, every other
callback URL or CORS origin must be https.
"""

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def is_loopback(url: str) -> bool:
    """True when the URL's host is localhost, 127.0.0.1 or [::1]."""
    try:
        return (urlsplit(url).hostname or "") in LOOPBACK_HOSTS
    except ValueError:
        return False


def url_problem(url: str) -> str | None:
    """Why ``url`` is not acceptable as a callback/logout URL, or None if it is."""
    if not isinstance(url, str) or not url:
        return "must be a non-empty string"
    if "*" in url:
        return "must not contain wildcards"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "is not a valid URL"
    if not parts.hostname:
        return "must be an absolute URL with a host"
    if parts.fragment:
        return "must not contain a fragment"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and is_loopback(url):
        return None
    return "must use https (http is allowed only for localhost/127.0.0.1/[::1])"


def callback_url_problem(url: str) -> str | None:
    """Why Cognito would refuse ``url`` as an app client's callback or sign-out URL, or None.

    Cognito requires https "except for http://localhost for testing purposes only" (CreateUserPoolClient,
    CallbackURLs: https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolClient.html):
    unlike browsers, it does not treat ``127.0.0.1`` or ``[::1]`` as loopback. At most 1024 characters.
    """
    problem = url_problem(url)
    if problem:
        return problem
    if len(url) > 1024:
        return "must be at most 1024 characters (Cognito's limit)"
    parts = urlsplit(url)
    if parts.scheme == "http" and parts.hostname != "localhost":
        return "must use https (Cognito allows http only for http://localhost, not 127.0.0.1 or [::1])"
    return None


def host_problem(name: object) -> str | None:
    """Why ``name`` is not a DNS host name such as ``api.example.com`` (RFC 1123 labels, at least two), or None."""
    if not isinstance(name, str) or not name:
        return "must be a host name such as api.example.com"
    labels = name.lower().rstrip(".").split(".")
    if len(name) > 253 or len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return "must be a host name such as api.example.com (letters, digits and hyphens; no scheme, port or path)"
    return None


def origin_problem(origin: str) -> str | None:
    """Why ``origin`` is not a valid CORS origin (``scheme://host[:port]``), or None."""
    if origin == "*":
        return None
    problem = url_problem(origin)
    if problem:
        return problem
    parts = urlsplit(origin)
    if parts.path not in ("", "/") or parts.query:
        return "must be an origin (scheme://host[:port]) without path or query"
    return None


def normalize_origin(origin: str) -> str:
    """An origin exactly as browsers send it in the ``Origin`` header (``*`` unchanged).

    Scheme and host lower-cased, the scheme's default port dropped, no trailing slash:
    ``HTTPS://App.Example.com:443/`` -> ``https://app.example.com``. S3 compares CORS origins as
    strings, so an origin that differs from the browser's in any of these never matches there.
    """
    if origin == "*":
        return origin
    parts = urlsplit(origin.rstrip("/"))
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    return f"{scheme}://{host}" if port is None or port == DEFAULT_PORTS.get(scheme) else f"{scheme}://{host}:{port}"


def normalize_origins(origins: Iterable[str]) -> list[str]:
    """The one list of browser origins: each normalized (:func:`normalize_origin`), duplicates dropped, order kept."""
    return list(dict.fromkeys(normalize_origin(o) for o in origins))
