"""Input rules. Each violation raises a 400 ``{"message": "<field>: <what is wrong>"}`` before any write."""

import json
import re
import unicodedata
from typing import Any, NamedTuple

from dashboard import ids
from dashboard.http import bad_request

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_FILENAME_CHARS = 255
MAX_CURSOR_CHARS = 2048
DEFAULT_LIMIT = 25
MAX_LIMIT = 100

UPLOAD_FIELDS = ("filename", "contentType", "size")
LIST_PARAMETERS = ("limit", "cursor")

# RFC 6838 section 4.2: restricted-name = restricted-name-first *126restricted-name-chars
_RESTRICTED_NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_CONTENT_TYPE_RE = re.compile(rf"{_RESTRICTED_NAME}/{_RESTRICTED_NAME}")  # fullmatch: no trailing newline
# Control, format (e.g. right-to-left override), surrogate, private-use and unassigned characters,
# and the Unicode line/paragraph separators.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


class UploadRequest(NamedTuple):
    """A validated ``POST /upload-url`` body."""

    filename: str
    content_type: str
    size: int


class ListRequest(NamedTuple):
    """Validated listing parameters (the cursor is still opaque here; storage decodes it)."""

    limit: int
    cursor: str | None


def _field_label(name: str) -> str:
    """A field name safe to echo in a message (bounded, printable)."""
    printable = "".join(c if c.isprintable() else "?" for c in name[:64])
    return (printable + ("..." if len(name) > 64 else "")) if printable.strip() else json.dumps(name[:64])


def reject_unknown(fields: dict[str, Any], allowed: tuple[str, ...], what: str = "field") -> None:
    """400 naming the first field not in ``allowed``."""
    for name in sorted(fields):
        if name not in allowed:
            raise bad_request(_field_label(name), f"unknown {what}")


def filename(value: Any) -> str:
    """1..255 characters; no ``/``, ``\\``, ``..``, control or invisible characters; not blank."""
    if not isinstance(value, str):
        raise bad_request("filename", "must be a string")
    if not 1 <= len(value) <= MAX_FILENAME_CHARS:
        raise bad_request("filename", f"must be 1 to {MAX_FILENAME_CHARS} characters")
    if "/" in value or "\\" in value:
        raise bad_request("filename", "must not contain '/' or '\\'")
    if ".." in value:
        raise bad_request("filename", "must not contain '..'")
    if any(unicodedata.category(c) in _FORBIDDEN_CATEGORIES for c in value):
        raise bad_request("filename", "must not contain control or invisible characters")
    if not value.strip() or value.strip() == ".":
        raise bad_request("filename", "must name a file")
    return value


def content_type(value: Any) -> str:
    """A media type ``type/subtype`` made of RFC 6838 restricted-name characters (no parameters)."""
    if not isinstance(value, str):
        raise bad_request("contentType", "must be a string")
    if not _CONTENT_TYPE_RE.fullmatch(value):
        raise bad_request("contentType", "must be a media type 'type/subtype' (RFC 6838), without parameters")
    return value


def size(value: Any) -> int:
    """An integer number of bytes, 1..10 MiB (booleans and floats are not integers)."""
    if type(value) is not int:
        raise bad_request("size", "must be an integer")
    if not 1 <= value <= MAX_UPLOAD_BYTES:
        raise bad_request("size", f"must be between 1 and {MAX_UPLOAD_BYTES} bytes")
    return value


def upload_request(body: dict[str, Any]) -> UploadRequest:
    """Validate a ``POST /upload-url`` body."""
    reject_unknown(body, UPLOAD_FIELDS)
    for name in UPLOAD_FIELDS:
        if name not in body:
            raise bad_request(name, "required")
    return UploadRequest(
        filename=filename(body["filename"]),
        content_type=content_type(body["contentType"]),
        size=size(body["size"]),
    )


def item_id(path: dict[str, str]) -> str:
    """The ``{id}`` path parameter: one of our ids (a canonical ULID)."""
    value = path.get("id")
    if value is None:
        raise bad_request("id", "required")
    if not ids.is_valid(value):
        raise bad_request("id", "must be a 26-character ULID")
    return value


def list_request(query: dict[str, str]) -> ListRequest:
    """``limit`` (integer 1..100, default 25) and ``cursor`` (opaque) from the query string."""
    reject_unknown(query, LIST_PARAMETERS, "query parameter")
    raw_limit = query.get("limit")
    if raw_limit is None:
        limit = DEFAULT_LIMIT
    elif raw_limit.isascii() and raw_limit.isdigit() and len(raw_limit) <= 3 and 1 <= int(raw_limit) <= MAX_LIMIT:
        limit = int(raw_limit)
    else:
        raise bad_request("limit", f"must be an integer from 1 to {MAX_LIMIT}")
    cursor = query.get("cursor")
    if cursor is not None and not 1 <= len(cursor) <= MAX_CURSOR_CHARS:
        raise bad_request("cursor", "invalid")
    return ListRequest(limit=limit, cursor=cursor)
