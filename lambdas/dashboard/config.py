"""Settings from environment variables, read on every invocation.

Nothing is cached at import: the local stack runs several functions in one process and switches the
environment between calls. A missing or malformed setting is a deployment error (:class:`ConfigError`):
the router logs it and answers 500, failing closed.

=====================  ==========================================================================
``TABLE_NAME``         DynamoDB table of upload metadata (required by the data routes)
``BUCKET_NAME``        S3 bucket of the uploads (required by upload and delete)
``UPLOAD_URL_EXPIRES`` lifetime of presigned upload URLs in seconds, 60..3600, default 300
``ROUTE_GROUPS``       optional JSON object: route key -> groups, any one of which the caller needs
``LOG_LEVEL``          DEBUG, INFO (default), WARNING or ERROR
=====================  ==========================================================================
"""

import functools
import json
import os
from collections.abc import Mapping
from types import MappingProxyType

UPLOAD_URL_EXPIRES_DEFAULT = 300
UPLOAD_URL_EXPIRES_MIN = 60
UPLOAD_URL_EXPIRES_MAX = 3600


class ConfigError(RuntimeError):
    """The function's environment is missing or has a malformed setting."""


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"environment variable {name} is not set")
    return value


def table_name() -> str:
    """``TABLE_NAME``."""
    return _required("TABLE_NAME")


def bucket_name() -> str:
    """``BUCKET_NAME``."""
    return _required("BUCKET_NAME")


def upload_url_expires() -> int:
    """``UPLOAD_URL_EXPIRES`` in seconds (default 300, allowed 60..3600)."""
    raw = os.environ.get("UPLOAD_URL_EXPIRES", "").strip()
    if not raw:
        return UPLOAD_URL_EXPIRES_DEFAULT
    if not raw.isdigit() or not UPLOAD_URL_EXPIRES_MIN <= int(raw) <= UPLOAD_URL_EXPIRES_MAX:
        raise ConfigError(
            f"UPLOAD_URL_EXPIRES must be an integer from {UPLOAD_URL_EXPIRES_MIN} to {UPLOAD_URL_EXPIRES_MAX}"
        )
    return int(raw)


def route_groups() -> Mapping[str, frozenset[str]]:
    """``ROUTE_GROUPS``: route key -> groups allowed to call it (any one). Empty when unset.

    Read on every call; the parse is remembered per raw value, so warm invocations skip the JSON decode.
    """
    return _parse_route_groups(os.environ.get("ROUTE_GROUPS", "").strip())


@functools.lru_cache(maxsize=4)
def _parse_route_groups(raw: str) -> Mapping[str, frozenset[str]]:
    if not raw:
        return MappingProxyType({})
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise ConfigError("ROUTE_GROUPS is not valid JSON") from None
    if not isinstance(value, dict):
        raise ConfigError("ROUTE_GROUPS must be a JSON object of route key -> list of groups")
    result: dict[str, frozenset[str]] = {}
    for key, groups in value.items():
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise ConfigError(f"ROUTE_GROUPS[{key!r}] must be a list of group names")
        result[key] = frozenset(groups)
    return MappingProxyType(result)


def log_level() -> str:
    """``LOG_LEVEL`` (upper-cased), default INFO."""
    return os.environ.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
