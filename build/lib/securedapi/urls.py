"""URL and origin rules shared by the components and the policy pack.

Browsers and Cognito treat loopback specially: ``http://localhost`` (and
``127.0.0.1`` / ``[::1]``) is acceptable for development, every other
callback URL or CORS origin must be https.
"""

from urllib.parse import urlsplit

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


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
    """An origin as browsers send it: no trailing slash (``*`` unchanged)."""
    return origin if origin == "*" else origin.rstrip("/")
