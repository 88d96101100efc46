"""``/reports`` routes: aggregate figures for service clients (the client-credentials grant).

``GET /reports/summary`` needs the ``dashboard/reports.read`` scope (checked by the API's JWT authorizer),
which only the ``reporting`` service client is granted. It returns counts, never items or owners' ids.
"""

from typing import Any

from dashboard import config, http, storage, validation
from dashboard.http import Request


def summary(request: Request) -> dict[str, Any]:
    """``GET /reports/summary``: number of uploads, distinct owners, total bytes, uploads per status, the
    oldest and newest upload time (null when there are none). Takes no query parameters."""
    request.require_sub()
    validation.reject_unknown(request.query, (), "query parameter")
    totals = storage.Store(config.table_name()).summary()
    return http.json_response(
        200,
        {
            "uploads": totals.uploads,
            "owners": totals.owners,
            "totalBytes": totals.total_bytes,
            "byStatus": dict(sorted(totals.by_status.items())),
            "oldest": totals.oldest,
            "newest": totals.newest,
        },
    )
