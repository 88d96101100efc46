"""``/admin`` routes: every user's items, for members of the ``admin`` group only.

The router already enforces ``ROUTE_GROUPS``; this module checks ``admin`` itself as well, so the route
stays closed even if the function is deployed without that variable.
"""

from typing import Any

from dashboard import config, http, metadata, storage, validation
from dashboard.http import HttpError, Request


def list_all(request: Request) -> dict[str, Any]:
    """``GET /admin/metadata/list``: all items, newest first, paginated; 403 for non-admins."""
    request.require_sub()
    if not request.is_admin:
        raise HttpError(403, http.FORBIDDEN)
    params = validation.list_request(request.query)
    try:
        start = storage.admin_cursor_key(params.cursor) if params.cursor else None
    except storage.CursorError as exc:
        raise metadata.cursor_error(exc) from None
    return metadata.page_response(storage.Store(config.table_name()).list_all(params.limit, start))
