"""Identifiers: item ids and callers' subs.

Item ids are ULIDs (26 Crockford base32 characters, 48-bit millisecond timestamp + 80 random bits).

They sort by creation time (a user's listing is a key-ordered query) and carry their creation time, so
the admin index key (``<createdAt>#<id>``) can be recomputed from an id alone. Within one process ids are
monotonic (same millisecond: the random part is incremented), so a container's ids sort in issue order.
"""

import os
import re
import threading
import time
from datetime import UTC, datetime

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ID_RE = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
"""Canonical (upper-case) ULID; the first character is at most 7 (128-bit value). Use with ``fullmatch``."""
SUB_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}")
"""A usable caller ``sub``: Cognito subs are UUIDs; any opaque id is accepted that cannot break a DynamoDB
key (``#``) or an S3 prefix (``/``). Use with ``fullmatch`` (``$`` would let a trailing newline through)."""

_DECODE = {c: i for i, c in enumerate(ALPHABET)}
_RANDOM_BITS = 80
_lock = threading.Lock()
_last = (-1, 0)  # (ms, random part) of the previous id


def new_id(now_ms: int | None = None) -> str:
    """A fresh ULID for ``now_ms`` (default: now), greater than every id issued before in this process."""
    global _last
    ms = int(time.time() * 1000) if now_ms is None else now_ms
    with _lock:
        last_ms, last_random = _last
        if ms <= last_ms and last_random + 1 < 1 << _RANDOM_BITS:
            ms, random_part = last_ms, last_random + 1
        else:
            ms, random_part = max(ms, last_ms + 1), int.from_bytes(os.urandom(10), "big")
        _last = (ms, random_part)
    value = (ms << _RANDOM_BITS) | random_part
    chars = []
    for _ in range(26):
        value, digit = divmod(value, 32)
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def is_valid(item_id: str) -> bool:
    """Whether ``item_id`` is a canonical ULID."""
    return ID_RE.fullmatch(item_id) is not None


def is_valid_sub(sub: str) -> bool:
    """Whether ``sub`` is usable as an owner in keys and object prefixes."""
    return SUB_RE.fullmatch(sub) is not None


def timestamp_ms(item_id: str) -> int:
    """The millisecond timestamp in a valid ULID."""
    value = 0
    for char in item_id[:10]:
        value = value * 32 + _DECODE[char]
    return value


def format_time(ms: int) -> str:
    """ISO 8601 UTC with milliseconds (``2025-01-31T12:00:00.123Z``): sorts like the time it shows."""
    moment = datetime.fromtimestamp(ms // 1000, tz=UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def created_at(item_id: str) -> str | None:
    """Creation time of a valid ULID, or None when it lies outside the representable years (no item has it)."""
    try:
        return format_time(timestamp_ms(item_id))
    except (OverflowError, ValueError, OSError):
        return None
