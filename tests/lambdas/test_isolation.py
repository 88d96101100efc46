"""Users only see and delete their own items; admins see and delete all; cursors are bound to a listing."""

import json
from typing import Any

import pytest
from dashboard import storage

from .conftest import Backend, make_event


def list_ids(backend: Backend, route: str, sub: str, **kwargs: Any) -> tuple[list[str], str | None]:
    response = backend.call(make_event(route, sub=sub, **kwargs))
    assert response.status == 200, response.body
    return [i["id"] for i in response.body["items"]], response.body["nextCursor"]


def test_users_only_list_their_own_items(backend: Backend) -> None:
    mine = [backend.upload("user-a")["id"] for _ in range(3)]
    theirs = [backend.upload("user-b")["id"] for _ in range(2)]
    assert list_ids(backend, "GET /metadata/list", "user-a") == (mine[::-1], None)
    assert list_ids(backend, "GET /metadata/list", "user-b") == (theirs[::-1], None)
    assert list_ids(backend, "GET /metadata/list", "user-c") == ([], None)


def test_other_users_item_is_404_on_get_and_delete(backend: Backend) -> None:
    item = backend.upload("user-a")
    backend.s3.put_object(Bucket=backend.bucket, Key=item["key"], Body=b"secret")
    for method in ("GET", "DELETE"):
        response = backend.call(make_event(f"{method} /metadata/{{id}}", sub="user-b", path={"id": item["id"]}))
        assert (response.status, response.body) == (404, {"message": "Not Found"})
    # non-admin groups do not help
    event = make_event("DELETE /metadata/{id}", sub="user-b", groups=["editors"], path={"id": item["id"]})
    assert backend.call(event).status == 404
    assert backend.item_count() == 1
    assert backend.object_keys() == [item["key"]]
    assert backend.call(make_event("GET /metadata/{id}", sub="user-a", path={"id": item["id"]})).status == 200


def test_delete_removes_the_s3_object(backend: Backend) -> None:
    keep = backend.upload("user-a", filename="keep.txt")
    drop = backend.upload("user-a", filename="drop.txt")
    for item in (keep, drop):
        backend.s3.put_object(Bucket=backend.bucket, Key=item["key"], Body=b"data")
    response = backend.call(make_event("DELETE /metadata/{id}", sub="user-a", path={"id": drop["id"]}))
    assert response.status == 204
    assert backend.object_keys() == [keep["key"]]
    assert backend.item_count() == 1


def test_delete_of_never_uploaded_item_succeeds(backend: Backend) -> None:
    item = backend.upload("user-a")  # the client never PUT the file
    assert backend.call(make_event("DELETE /metadata/{id}", sub="user-a", path={"id": item["id"]})).status == 204
    assert backend.item_count() == 0


@pytest.mark.parametrize("groups", [["admin"], "[admin editors]", '["admin"]'])
def test_admin_deletes_any_users_item_and_object(backend: Backend, groups: Any) -> None:
    item = backend.upload("user-a")
    other = backend.upload("user-b")
    backend.s3.put_object(Bucket=backend.bucket, Key=item["key"], Body=b"data")
    response = backend.call(make_event("DELETE /metadata/{id}", sub="boss", groups=groups, path={"id": item["id"]}))
    assert response.status == 204
    assert backend.object_keys() == []
    assert list_ids(backend, "GET /metadata/list", "user-a") == ([], None)
    assert list_ids(backend, "GET /metadata/list", "user-b") == ([other["id"]], None)
    assert list_ids(backend, "GET /admin/metadata/list", "boss", groups=["admin"]) == ([other["id"]], None)


def test_admin_get_of_other_users_item_is_still_404(backend: Backend) -> None:
    item = backend.upload("user-a")
    event = make_event("GET /metadata/{id}", sub="boss", groups=["admin"], path={"id": item["id"]})
    assert backend.call(event).status == 404


def test_admin_can_delete_own_item(backend: Backend) -> None:
    item = backend.upload("boss")
    event = make_event("DELETE /metadata/{id}", sub="boss", groups=["admin"], path={"id": item["id"]})
    assert backend.call(event).status == 204
    assert backend.item_count() == 0


def walk(backend: Backend, route: str, sub: str, limit: int, groups: Any = None) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        query = {"limit": str(limit), **({"cursor": cursor} if cursor else {})}
        ids_, cursor = list_ids(backend, route, sub, query=query, groups=groups)
        pages.append(ids_)
        if cursor is None:
            return pages
        assert len(pages) < 50, "pagination does not terminate"


def test_user_pagination_across_pages(backend: Backend) -> None:
    mine = [backend.upload("user-a")["id"] for _ in range(7)]
    backend.upload("user-b")
    pages = walk(backend, "GET /metadata/list", "user-a", 3)
    assert pages == [mine[::-1][0:3], mine[::-1][3:6], mine[::-1][6:7]]
    # an exact multiple of the page size ends without a cursor to an empty page
    assert walk(backend, "GET /metadata/list", "user-a", 7) == [mine[::-1]]


def test_admin_pagination_across_pages(backend: Backend) -> None:
    created = [backend.upload(f"user-{i % 3}")["id"] for i in range(8)]
    pages = walk(backend, "GET /admin/metadata/list", "boss", 3, groups=["admin"])
    assert [len(p) for p in pages] == [3, 3, 2]
    assert [i for p in pages for i in p] == created[::-1]


def test_another_users_cursor_is_rejected(backend: Backend) -> None:
    for _ in range(3):
        backend.upload("user-a")
        backend.upload("user-b")
    _, cursor = list_ids(backend, "GET /metadata/list", "user-a", query={"limit": "1"})
    assert cursor
    response = backend.call(make_event("GET /metadata/list", sub="user-b", query={"cursor": cursor}))
    assert (response.status, response.body) == (400, {"message": "cursor: does not belong to this listing"})


def test_cursor_of_one_listing_is_rejected_by_the_other(backend: Backend) -> None:
    for _ in range(3):
        backend.upload("user-a")
    _, user_cursor = list_ids(backend, "GET /metadata/list", "user-a", query={"limit": "1"})
    _, admin_cursor = list_ids(backend, "GET /admin/metadata/list", "user-a", query={"limit": "1"}, groups=["admin"])
    assert user_cursor and admin_cursor
    bad_admin = make_event("GET /admin/metadata/list", sub="user-a", groups=["admin"], query={"cursor": user_cursor})
    assert backend.call(bad_admin).status == 400
    bad_user = make_event("GET /metadata/list", sub="user-a", query={"cursor": admin_cursor})
    assert backend.call(bad_user).status == 400


@pytest.mark.parametrize(
    "key",
    [
        {"pk": "USER#user-a"},
        {"pk": "USER#user-a", "sk": "ITEM#nope"},
        {"pk": "USER#user-a", "sk": 5},
        {"pk": "USER#user-a", "sk": "ITEM#01ARZ3NDEKTSV4RRFFQ69G5FAV", "extra": "x"},
        {"pk": "USER#user-a", "sk": "META#01ARZ3NDEKTSV4RRFFQ69G5FAV"},
        {"pk": "USER#user-a", "sk": "ITEM#01ARZ3NDEKTSV4RRFFQ69G5FAV\n"},
        ["USER#user-a", "ITEM#01ARZ3NDEKTSV4RRFFQ69G5FAV"],
    ],
)
def test_forged_user_cursors_are_rejected(backend: Backend, key: Any) -> None:
    cursor = storage.encode_cursor(key) if isinstance(key, dict) else "WyJVU0VSI3VzZXItYSJd"
    response = backend.call(make_event("GET /metadata/list", sub="user-a", query={"cursor": cursor}))
    assert (response.status, response.body) == (400, {"message": "cursor: not a valid cursor"})


@pytest.mark.parametrize(
    "change",
    [
        {"gsi1pk": "USER#user-a"},
        {"gsi1sk": "2020-01-01T00:00:00.000Z#01ARZ3NDEKTSV4RRFFQ69G5FAV"},
        {"pk": "user-a"},
        {"pk": "USER#a/b"},
        {"pk": "USER#user-a\n"},
        {"sk": "ITEM#zz"},
    ],
)
def test_forged_admin_cursors_are_rejected(backend: Backend, change: dict[str, str]) -> None:
    item = backend.upload("user-a")
    created = backend.call(make_event("GET /metadata/{id}", path={"id": item["id"]})).body["createdAt"]
    valid = {"pk": "USER#user-a", "sk": f"ITEM#{item['id']}", "gsi1pk": "ITEM", "gsi1sk": f"{created}#{item['id']}"}
    cursor = storage.encode_cursor(valid)
    ok = make_event("GET /admin/metadata/list", sub="boss", groups=["admin"], query={"cursor": cursor})
    assert backend.call(ok).status == 200
    forged = storage.encode_cursor({**valid, **change})
    event = make_event("GET /admin/metadata/list", sub="boss", groups=["admin"], query={"cursor": forged})
    assert backend.call(event).status == 400


def test_cursor_is_opaque_urlsafe_text(backend: Backend) -> None:
    for _ in range(2):
        backend.upload("user-a")
    _, cursor = list_ids(backend, "GET /metadata/list", "user-a", query={"limit": "1"})
    assert cursor and set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert json.loads(storage.base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["pk"] == "USER#user-a"
