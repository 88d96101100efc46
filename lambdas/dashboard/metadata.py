"""``/metadata`` routes: the caller's own items (list, get, delete; admins may delete any item).

An item owned by someone else is indistinguishable from a missing one (404), so ids do not leak.
"""

from typing import Any

from dashboard import config, http, storage, validation
from dashboard.http import HttpError, Request


def cursor_error(exc: storage.CursorError) -> HttpError:
    """The 400 for a cursor this listing did not issue."""
    return http.bad_request("cursor", str(exc))


def page_response(page: storage.Page) -> dict[str, Any]:
    """200 ``{"items": [...], "nextCursor": str | null}``."""
    return http.json_response(200, {"items": [i.public() for i in page.items], "nextCursor": page.cursor})


def list_items(request: Request) -> dict[str, Any]:
    """``GET /metadata/list``: the caller's items, newest first, ``limit`` per page."""
    sub = request.require_sub()
    params = validation.list_request(request.query)
    try:
        start = storage.user_cursor_key(params.cursor, sub) if params.cursor else None
    except storage.CursorError as exc:
        raise cursor_error(exc) from None
    return page_response(storage.Store(config.table_name()).list_user(sub, params.limit, start))


def get_item(request: Request) -> dict[str, Any]:
    """``GET /metadata/{id}``: the caller's item, 404 when missing or someone else's."""
    sub = request.require_sub()
    item_id = validation.item_id(request.path)
    item = storage.Store(config.table_name()).get(sub, item_id)
    if item is None:
        raise HttpError(404, http.NOT_FOUND)
    return http.json_response(200, item.public())


def delete_item(request: Request) -> dict[str, Any]:
    """``DELETE /metadata/{id}``: 204 for the owner or an admin (object and item deleted), else 404."""
    sub = request.require_sub()
    item_id = validation.item_id(request.path)
    store = storage.Store(config.table_name(), config.bucket_name())
    item = store.get(sub, item_id)
    if item is None and request.is_admin:
        item = store.find(item_id)
    if item is None:
        raise HttpError(404, http.NOT_FOUND)
    store.delete(item)
    return http.no_content()
