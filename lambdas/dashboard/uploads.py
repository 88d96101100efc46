"""``POST /upload-url``: register a pending upload and hand out a presigned S3 PUT URL."""

from typing import Any

from dashboard import config, http, ids, storage, validation
from dashboard.http import Request


def create_upload_url(request: Request) -> dict[str, Any]:
    """201 ``{"id","key","uploadUrl","expiresIn"}``; the metadata item is written as ``pending``.

    The URL is signed for the declared content type and size, under ``users/<sub>/<id>/``. Input is
    validated completely before anything is written.
    """
    sub = request.require_sub()
    upload = validation.upload_request(http.json_body(request))
    expires = config.upload_url_expires()
    store = storage.Store(config.table_name(), config.bucket_name())

    item_id = ids.new_id()
    item = storage.Item(
        id=item_id,
        owner=sub,
        object_key=storage.object_key(sub, item_id, upload.filename),
        filename=upload.filename,
        content_type=upload.content_type,
        size=upload.size,
        status=storage.STATUS_PENDING,
        created_at=ids.format_time(ids.timestamp_ms(item_id)),
    )
    url = store.presign_put(item.object_key, item.content_type, item.size, expires)
    store.put_new(item)
    return http.json_response(201, {"id": item.id, "key": item.object_key, "uploadUrl": url, "expiresIn": expires})
