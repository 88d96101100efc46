"""Property tests: no input gives a 500, and only a valid upload request writes (exactly one item).

The validity oracle below is written from the contract, independently of ``dashboard.validation``.
"""

import base64
import json
import re
import unicodedata
from typing import Any

from dashboard import ids
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Backend, make_event

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LIGHT = settings(SETTINGS, max_examples=100)

_TOKEN = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"


def upload_is_valid(body: Any) -> bool:
    """The contract for ``POST /upload-url`` bodies."""
    if not isinstance(body, dict) or set(body) != {"filename", "contentType", "size"}:
        return False
    name, content_type, size = body["filename"], body["contentType"], body["size"]
    name_ok = (
        isinstance(name, str)
        and 0 < len(name) < 256
        and not any(c in name for c in "/\\")
        and ".." not in name
        and not any(unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") for c in name)
        and name.strip() not in ("", ".")
    )
    type_ok = isinstance(content_type, str) and re.fullmatch(f"{_TOKEN}/{_TOKEN}", content_type) is not None
    size_ok = isinstance(size, int) and not isinstance(size, bool) and 1 <= size <= 10 * 1024 * 1024
    return name_ok and type_ok and size_ok


json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=False), st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
filenames = st.one_of(
    st.text(min_size=0, max_size=300),
    st.from_regex(r"[A-Za-z0-9 ._()-]{1,40}", fullmatch=True),
    st.sampled_from(["..", ".", "a/b", "a\\b", "\u202e.exe", "a\x00", "ok.txt", " ", "x" * 255, "x" * 256]),
)
content_types = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"[a-z]{1,10}/[a-z0-9.+-]{1,20}", fullmatch=True),
    st.sampled_from(["text/plain", "image/svg+xml", "text/plain; charset=utf-8", "*/*", "a/", "/b", "a/b/c"]),
)
sizes = st.one_of(
    st.integers(min_value=-5, max_value=10 * 1024 * 1024 + 5),
    st.sampled_from([0, 1, 10 * 1024 * 1024, 10 * 1024 * 1024 + 1, True, False, 1.0, "12", None, 2**64]),
    json_values,
)
upload_bodies = st.one_of(
    st.fixed_dictionaries(
        {"filename": filenames, "contentType": content_types, "size": sizes},
        optional={"extra": json_values, "owner": st.text(max_size=5)},
    ),
    st.fixed_dictionaries({}, optional={"filename": filenames, "contentType": content_types, "size": sizes}),
    json_values,
)


@SETTINGS
@given(body=upload_bodies, as_base64=st.booleans())
def test_upload_bodies(backend: Backend, body: Any, as_base64: bool) -> None:
    before = backend.item_count()
    response = backend.call(make_event("POST /upload-url", body=json.dumps(body), base64_body=as_base64))
    expected = 201 if upload_is_valid(body) else 400
    assert response.status == expected, (response.body, body)
    assert backend.item_count() == before + (1 if expected == 201 else 0)
    if expected == 400:
        field, _, problem = response.body["message"].partition(": ")
        assert field and problem


@SETTINGS
@given(
    raw=st.one_of(st.text(max_size=200), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))),
    as_base64=st.booleans(),
)
def test_raw_bodies_never_500(backend: Backend, raw: str, as_base64: bool) -> None:
    before = backend.item_count()
    event = make_event("POST /upload-url", base64_body=as_base64)
    event["body"] = raw
    response = backend.call(event)
    assert response.status in (201, 400)
    assert backend.item_count() == before + (response.status == 201)
    if response.status == 201:
        text = base64.b64decode(raw).decode() if as_base64 else raw
        assert upload_is_valid(json.loads(text))


query_values = st.one_of(st.text(max_size=30), st.from_regex(r"[0-9]{1,4}", fullmatch=True), st.text(max_size=300))
queries = st.one_of(
    st.none(),
    st.fixed_dictionaries({}, optional={"limit": query_values, "cursor": query_values}),
    st.dictionaries(st.text(max_size=10), query_values, max_size=3),
)


@LIGHT
@given(
    query=queries,
    route=st.sampled_from(["GET /metadata/list", "GET /admin/metadata/list"]),
    groups=st.sampled_from([None, "[admin]", "[editors]", '["admin"]', "[", 5]),
)
def test_list_queries_never_500_or_write(
    backend: Backend, query: dict[str, str] | None, route: str, groups: Any
) -> None:
    before = backend.item_count()
    event = make_event(route, query=query or None)
    event["requestContext"]["authorizer"]["jwt"]["claims"]["cognito:groups"] = groups
    response = backend.call(event)
    assert response.status in (200, 400, 403)
    assert backend.item_count() == before
    if response.status == 200:
        assert set(response.body) == {"items", "nextCursor"}


path_ids = st.one_of(
    st.text(max_size=40),
    st.from_regex(ids.ID_RE, fullmatch=True),
    st.from_regex(r"[0-9A-Za-z]{26}", fullmatch=True),
)


@LIGHT
@given(item_id=path_ids, method=st.sampled_from(["GET", "DELETE"]), admin=st.booleans())
def test_path_ids_never_500_or_write(backend: Backend, item_id: str, method: str, admin: bool) -> None:
    if backend.item_count() == 0:
        backend.upload("someone-else")
    before = backend.item_count()
    event = make_event(f"{method} /metadata/{{id}}", path={"id": item_id}, groups=["admin"] if admin else None)
    response = backend.call(event)
    assert response.status == (404 if ids.ID_RE.fullmatch(item_id) else 400)
    assert backend.item_count() == before
