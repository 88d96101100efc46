"""Every validation rule: 400 {"message": "<field>: <what is wrong>"} and nothing written."""

import base64
import json
from typing import Any

import pytest
from dashboard import ids

from .conftest import Backend, make_event

VALID = {"filename": "photo.jpg", "contentType": "image/jpeg", "size": 1024}


def with_(**changes: Any) -> str:
    body = {**VALID, **changes}
    return json.dumps({k: v for k, v in body.items() if v is not ...})


CT = "contentType: must be a media type 'type/subtype' (RFC 6838), without parameters"

BODY_ERRORS = [
    pytest.param(None, "body: required", id="no-body"),
    pytest.param("", "body: required", id="empty-body"),
    pytest.param("{", "body: not valid JSON", id="truncated-json"),
    pytest.param("filename=a", "body: not valid JSON", id="form-encoded"),
    pytest.param("[1, 2]", "body: must be a JSON object", id="array"),
    pytest.param('"text"', "body: must be a JSON object", id="string"),
    pytest.param("null", "body: must be a JSON object", id="null"),
    pytest.param(
        '{"filename": "a", "filename": "b", "contentType": "a/b", "size": 1}',
        "body: duplicate field 'filename'",
        id="duplicate-key",
    ),
    pytest.param('{"filename": "a", "contentType": "a/b", "size": NaN}', "body: not valid JSON", id="nan"),
    pytest.param('{"filename": "a", "contentType": "a/b", "size": Infinity}', "body: not valid JSON", id="infinity"),
    pytest.param("[" * 100_000, "body: larger than 65536 bytes", id="oversize"),
    pytest.param("[" * 50_000, "body: nested too deeply", id="deep-nesting"),
    pytest.param(json.dumps({**VALID, "pad": "x" * 70_000}), "body: larger than 65536 bytes", id="oversize-object"),
    pytest.param(with_(owner="user-b"), "owner: unknown field", id="unknown-owner"),
    pytest.param(with_(key="users/user-b/x"), "key: unknown field", id="unknown-key"),
    pytest.param(with_(filename=...), "filename: required", id="missing-filename"),
    pytest.param(with_(contentType=...), "contentType: required", id="missing-contentType"),
    pytest.param(with_(size=...), "size: required", id="missing-size"),
    pytest.param(with_(filename=""), "filename: must be 1 to 255 characters", id="filename-empty"),
    pytest.param(with_(filename="a" * 256), "filename: must be 1 to 255 characters", id="filename-long"),
    pytest.param(with_(filename=7), "filename: must be a string", id="filename-int"),
    pytest.param(with_(filename=None), "filename: must be a string", id="filename-null"),
    pytest.param(with_(filename=["a"]), "filename: must be a string", id="filename-list"),
    pytest.param(with_(filename="../../etc/passwd"), "filename: must not contain '/' or '\\'", id="traversal"),
    pytest.param(with_(filename="dir/a.txt"), "filename: must not contain '/' or '\\'", id="slash"),
    pytest.param(with_(filename="..\\a.txt"), "filename: must not contain '/' or '\\'", id="backslash"),
    pytest.param(with_(filename=".."), "filename: must not contain '..'", id="dotdot"),
    pytest.param(with_(filename="a..txt"), "filename: must not contain '..'", id="inner-dotdot"),
    pytest.param(with_(filename="a\x00.txt"), "filename: must not contain control or invisible characters", id="nul"),
    pytest.param(with_(filename="a\nb"), "filename: must not contain control or invisible characters", id="newline"),
    pytest.param(with_(filename="a\x7f"), "filename: must not contain control or invisible characters", id="del"),
    pytest.param(
        with_(filename="invoice\u202efdp.exe"),
        "filename: must not contain control or invisible characters",
        id="rtl-override",
    ),
    pytest.param(
        '{"filename": "a\\ud800.txt", "contentType": "a/b", "size": 1}',
        "filename: must not contain control or invisible characters",
        id="lone-surrogate",
    ),
    pytest.param(with_(filename="   "), "filename: must name a file", id="blank"),
    pytest.param(with_(filename="."), "filename: must name a file", id="dot"),
    pytest.param(with_(contentType="text"), CT, id="ct-no-subtype"),
    pytest.param(with_(contentType="text/plain; charset=utf-8"), CT, id="ct-params"),
    pytest.param(with_(contentType="text/pl ain"), CT, id="ct-space"),
    pytest.param(with_(contentType="text/plain\r\nx-amz-acl: public-read"), CT, id="ct-crlf"),
    pytest.param(with_(contentType="text/plain\n"), CT, id="ct-trailing-newline"),
    pytest.param(with_(contentType="/plain"), CT, id="ct-no-type"),
    pytest.param(with_(contentType="a/" + "b" * 128), CT, id="ct-long"),
    pytest.param(with_(contentType="*/*"), CT, id="ct-wildcard"),
    pytest.param(with_(contentType=5), "contentType: must be a string", id="ct-int"),
    pytest.param(with_(size=0), "size: must be between 1 and 10485760 bytes", id="size-zero"),
    pytest.param(with_(size=-1), "size: must be between 1 and 10485760 bytes", id="size-negative"),
    pytest.param(with_(size=10_485_761), "size: must be between 1 and 10485760 bytes", id="size-over-10MiB"),
    pytest.param(with_(size=10**40), "size: must be between 1 and 10485760 bytes", id="size-huge"),
    pytest.param(with_(size=True), "size: must be an integer", id="size-bool"),
    pytest.param(with_(size=1.0), "size: must be an integer", id="size-float"),
    pytest.param(with_(size="100"), "size: must be an integer", id="size-string"),
    pytest.param(with_(size=None), "size: must be an integer", id="size-null"),
]


@pytest.mark.parametrize(("body", "message"), BODY_ERRORS)
def test_upload_body_errors(backend: Backend, body: str | None, message: str) -> None:
    response = backend.call(make_event("POST /upload-url", body=body))
    assert (response.status, response.body) == (400, {"message": message})
    assert backend.item_count() == 0


def test_base64_body_is_decoded(backend: Backend) -> None:
    response = backend.call(make_event("POST /upload-url", body=json.dumps(VALID), base64_body=True))
    assert response.status == 201
    assert backend.item_count() == 1


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not base64!", "body: not valid base64"),
        (base64.b64encode(b"\xff\xfe{}").decode(), "body: not valid UTF-8"),
        (base64.b64encode(b"{" * 70_000).decode(), "body: larger than 65536 bytes"),
    ],
)
def test_bad_base64_bodies(backend: Backend, raw: str, message: str) -> None:
    event = make_event("POST /upload-url", base64_body=True)
    event["body"] = raw
    response = backend.call(event)
    assert (response.status, response.body) == (400, {"message": message})
    assert backend.item_count() == 0


def test_limits_are_inclusive(backend: Backend) -> None:
    for body in (
        with_(size=1),
        with_(size=10_485_760),
        with_(filename="a" * 255),
        with_(filename="é.txt"),
        with_(contentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        with_(contentType="image/svg+xml"),
    ):
        assert backend.call(make_event("POST /upload-url", body=body)).status == 201, body
    assert backend.item_count() == 6


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ({}, "id: required"),
        ({"id": "abc"}, "id: must be a 26-character ULID"),
        ({"id": "../../admin"}, "id: must be a 26-character ULID"),
        ({"id": ids.new_id().lower()}, "id: must be a 26-character ULID"),
        ({"id": "8" + ids.new_id()[1:]}, "id: must be a 26-character ULID"),
        ({"id": ids.new_id() + "0"}, "id: must be a 26-character ULID"),
        ({"id": "0" * 25 + "U"}, "id: must be a 26-character ULID"),
        ({"id": ids.new_id() + "\n"}, "id: must be a 26-character ULID"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_bad_path_ids(backend: Backend, path: dict[str, str], message: str, method: str) -> None:
    backend.upload("user-a")
    response = backend.call(make_event(f"{method} /metadata/{{id}}", path=path or None))
    assert (response.status, response.body) == (400, {"message": message})
    assert backend.item_count() == 1


def test_unknown_but_wellformed_id_is_404(backend: Backend) -> None:
    for item_id in (ids.new_id(), "7" + "Z" * 25, "0" * 26):
        for method in ("GET", "DELETE"):
            assert backend.call(make_event(f"{method} /metadata/{{id}}", path={"id": item_id})).status == 404
            admin = make_event(f"{method} /metadata/{{id}}", path={"id": item_id}, sub="boss", groups=["admin"])
            assert backend.call(admin).status == 404


LIMIT = "limit: must be an integer from 1 to 100"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"limit": "0"}, LIMIT),
        ({"limit": "101"}, LIMIT),
        ({"limit": "-1"}, LIMIT),
        ({"limit": "1.5"}, LIMIT),
        ({"limit": "ten"}, LIMIT),
        ({"limit": ""}, LIMIT),
        ({"limit": " 5"}, LIMIT),
        ({"limit": "٣"}, LIMIT),  # a non-ASCII digit
        ({"limit": "1,2"}, LIMIT),  # ?limit=1&limit=2 as API Gateway joins it
        ({"limit": "9" * 5000}, LIMIT),
        ({"cursor": ""}, "cursor: invalid"),
        ({"cursor": "x" * 3000}, "cursor: invalid"),
        ({"cursor": "!!!"}, "cursor: not a valid cursor"),
        ({"cursor": "bm90IGpzb24"}, "cursor: not a valid cursor"),  # base64 of "not json"
        ({"cursor": "W10"}, "cursor: not a valid cursor"),  # base64 of "[]"
        ({"sort": "asc"}, "sort: unknown query parameter"),
        ({"owner": "user-b"}, "owner: unknown query parameter"),
    ],
)
@pytest.mark.parametrize("route", ["GET /metadata/list", "GET /admin/metadata/list"])
def test_bad_list_parameters(backend: Backend, query: dict[str, str], message: str, route: str) -> None:
    response = backend.call(make_event(route, query=query, groups=["admin"]))
    assert (response.status, response.body) == (400, {"message": message})


@pytest.mark.parametrize("limit", ["1", "100", "050"])
def test_valid_limits(backend: Backend, limit: str) -> None:
    assert backend.call(make_event("GET /metadata/list", query={"limit": limit})).status == 200
