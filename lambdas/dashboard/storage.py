"""DynamoDB and S3 access for upload metadata, and the opaque pagination cursors.

Key design (one table, string attributes, created by the infrastructure component):

==============  =====================================  =============================================
attribute       value                                  role
==============  =====================================  =============================================
``pk``          ``USER#<sub>``                         table HASH key: one partition per owner
``sk``          ``ITEM#<id>``                          table RANGE key; ids are ULIDs, so a user's
                                                       items sort by creation time
``gsi1pk``      ``ITEM`` (constant)                    HASH key of the GSI ``byCreated``
``gsi1sk``      ``<createdAt>#<id>``                   RANGE key of ``byCreated`` (projection ALL):
                                                       the admin listing, newest first, no Scan
==============  =====================================  =============================================

Other attributes: ``id``, ``owner`` (the sub), ``objectKey`` (S3 key), ``filename``, ``contentType``,
``size`` (N), ``status`` (``pending`` until an upload-completion flow marks it), ``createdAt``
(ISO 8601 UTC with milliseconds, the ULID's timestamp, so ``gsi1sk`` is computable from the id alone).

Access patterns: get/delete one of a user's items = GetItem/DeleteItem on ``(pk, sk)``; a user's list =
Query ``pk`` (newest first); the admin list = Query ``byCreated`` on ``gsi1pk = "ITEM"``; the admin delete
of another user's item = Query ``byCreated`` on ``gsi1pk = "ITEM" AND gsi1sk = <createdAt>#<id>``.

S3 objects live at ``users/<sub>/<id>/<safe filename>``. Uploads use presigned PUT URLs on the bucket's
regional virtual-hosted endpoint whose signature binds the content type and length, so the declared type
and size (≤ 10 MiB) are what S3 accepts.

Cursors are urlsafe base64 (no padding) of the JSON of the last returned item's key; they are decoded
and checked (shape, formats, owner) before being sent to DynamoDB.

boto3 clients are created lazily, once per (service, region, endpoint) and reused by warm invocations;
the key follows ``AWS_REGION``/``AWS_ENDPOINT_URL*`` so a changed endpoint gets a new client.
"""

import base64
import binascii
import json
import os
import re
import threading
from collections.abc import Mapping
from typing import Any, NamedTuple

import boto3
from botocore.config import Config

from dashboard import ids

USER_PREFIX = "USER#"
ITEM_PREFIX = "ITEM#"
ALL_ITEMS = "ITEM"
GSI_NAME = "byCreated"
STATUS_PENDING = "pending"

TABLE_KEY = ("pk", "sk")
INDEX_KEY = ("pk", "sk", "gsi1pk", "gsi1sk")

_CLIENT_LOCK = threading.Lock()
_CLIENTS: dict[tuple[str, str, str], Any] = {}


def _endpoint(service: str) -> str:
    specific = os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}", "")
    return specific or os.environ.get("AWS_ENDPOINT_URL", "")


def s3_addressing(endpoint: str) -> dict[str, str]:
    """How presigned URLs address the bucket: ``https://<bucket>.s3.<region>.amazonaws.com/<key>`` on AWS.

    The regional virtual-hosted endpoint in every region, us-east-1 included: the global endpoint
    (``<bucket>.s3.amazonaws.com``) answers requests for a new bucket outside us-east-1 with a
    307 Temporary Redirect until DNS catches up (up to 24 hours), and a browser's CORS preflight
    cannot follow a redirect (https://docs.aws.amazon.com/AmazonS3/latest/API/UsingRouting.html,
    https://repost.aws/knowledge-center/s3-http-307-response). Virtual-hosted style is S3's
    recommended style (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html).
    With an endpoint override (an emulator on loopback, ``AWS_ENDPOINT_URL``) path style is used,
    since the emulator's host has no bucket subdomains.
    """
    if endpoint:
        return {"addressing_style": "path"}
    return {"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"}


def client(service: str) -> Any:
    """A cached boto3 client for ``service`` in the current region/endpoint (created on first use)."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or ""
    endpoint = _endpoint(service)
    cache_key = (service, region, endpoint)
    cached = _CLIENTS.get(cache_key)
    if cached is not None:
        return cached
    with _CLIENT_LOCK:
        cached = _CLIENTS.get(cache_key)
        if cached is None:
            options: dict[str, Any] = {
                "retries": {"mode": "standard", "max_attempts": 3},
                "connect_timeout": 3,
                "read_timeout": 10,
            }
            if service == "s3":
                options["signature_version"] = "s3v4"  # SigV4 presigning: the signature binds the signed headers
                options["s3"] = s3_addressing(endpoint)
            # boto3 itself honours AWS_ENDPOINT_URL(_<SERVICE>); a fresh Session keeps creation thread-safe.
            cached = boto3.session.Session().client(service, region_name=region or None, config=Config(**options))
            _CLIENTS[cache_key] = cached
    return cached


def reset_clients() -> None:
    """Forget the cached clients (tests, benchmarks)."""
    with _CLIENT_LOCK:
        _CLIENTS.clear()


def user_pk(sub: str) -> str:
    """Partition key of a user's items."""
    return f"{USER_PREFIX}{sub}"


def item_sk(item_id: str) -> str:
    """Sort key of an item."""
    return f"{ITEM_PREFIX}{item_id}"


def safe_filename(name: str) -> str:
    """The filename as an S3 key segment: ASCII letters, digits, ``.``, ``_`` and ``-`` only."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", name).lstrip(".")
    return cleaned[:200] or "file"


def object_key(sub: str, item_id: str, filename: str) -> str:
    """S3 key of an upload: ``users/<sub>/<id>/<safe filename>``."""
    return f"users/{sub}/{item_id}/{safe_filename(filename)}"


class Item(NamedTuple):
    """Metadata of one upload."""

    id: str
    owner: str
    object_key: str
    filename: str
    content_type: str
    size: int
    status: str
    created_at: str

    def public(self) -> dict[str, Any]:
        """The item as returned by the API."""
        return {
            "id": self.id,
            "owner": self.owner,
            "key": self.object_key,
            "filename": self.filename,
            "contentType": self.content_type,
            "size": self.size,
            "status": self.status,
            "createdAt": self.created_at,
        }

    def key_attributes(self) -> dict[str, str]:
        """All key attributes (table and index) of the item."""
        return {
            "pk": user_pk(self.owner),
            "sk": item_sk(self.id),
            "gsi1pk": ALL_ITEMS,
            "gsi1sk": f"{self.created_at}#{self.id}",
        }

    def to_dynamo(self) -> dict[str, dict[str, str]]:
        """The item in DynamoDB's attribute-value format."""
        strings = {
            **self.key_attributes(),
            "id": self.id,
            "owner": self.owner,
            "objectKey": self.object_key,
            "filename": self.filename,
            "contentType": self.content_type,
            "status": self.status,
            "createdAt": self.created_at,
        }
        return {**{k: {"S": v} for k, v in strings.items()}, "size": {"N": str(self.size)}}

    @classmethod
    def from_dynamo(cls, attrs: Mapping[str, Any]) -> "Item":
        """Read an item back (a malformed stored item raises: that is a 500, not a client error)."""
        return cls(
            id=attrs["id"]["S"],
            owner=attrs["owner"]["S"],
            object_key=attrs["objectKey"]["S"],
            filename=attrs["filename"]["S"],
            content_type=attrs["contentType"]["S"],
            size=int(attrs["size"]["N"]),
            status=attrs["status"]["S"],
            created_at=attrs["createdAt"]["S"],
        )


class Summary(NamedTuple):
    """Aggregate figures over every item."""

    uploads: int
    owners: int
    total_bytes: int
    by_status: dict[str, int]
    oldest: str | None
    newest: str | None


class Page(NamedTuple):
    """One page of a listing."""

    items: list[Item]
    cursor: str | None


class CursorError(ValueError):
    """A pagination cursor that is not one this API issued for this listing."""


def encode_cursor(key: Mapping[str, str]) -> str:
    """Opaque cursor for a key (urlsafe base64 of its JSON, no padding)."""
    raw = json.dumps(dict(key), separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, fields: tuple[str, ...]) -> dict[str, str]:
    """Decode a cursor into a key with exactly ``fields`` (all strings); :class:`CursorError` otherwise."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise CursorError("not a valid cursor") from None
    if not isinstance(value, dict) or set(value) != set(fields) or not all(isinstance(v, str) for v in value.values()):
        raise CursorError("not a valid cursor")
    return value


def _item_id_from_sk(sk: str) -> str:
    item_id = sk.removeprefix(ITEM_PREFIX)
    if not sk.startswith(ITEM_PREFIX) or not ids.is_valid(item_id):
        raise CursorError("not a valid cursor")
    return item_id


def user_cursor_key(token: str, sub: str) -> dict[str, str]:
    """The start key of a user listing; the cursor must belong to ``sub``."""
    key = decode_cursor(token, TABLE_KEY)
    _item_id_from_sk(key["sk"])
    if key["pk"] != user_pk(sub):
        raise CursorError("does not belong to this listing")
    return key


def admin_cursor_key(token: str) -> dict[str, str]:
    """The start key of the admin listing (a ``byCreated`` index key)."""
    key = decode_cursor(token, INDEX_KEY)
    item_id = _item_id_from_sk(key["sk"])
    owner = key["pk"].removeprefix(USER_PREFIX)
    if not key["pk"].startswith(USER_PREFIX) or not ids.is_valid_sub(owner):
        raise CursorError("not a valid cursor")
    if key["gsi1pk"] != ALL_ITEMS or key["gsi1sk"] != f"{ids.created_at(item_id)}#{item_id}":
        raise CursorError("not a valid cursor")
    return key


def _typed(key: Mapping[str, str]) -> dict[str, dict[str, str]]:
    return {k: {"S": v} for k, v in key.items()}


class Store:
    """Upload metadata in one DynamoDB table and upload objects in one S3 bucket."""

    def __init__(self, table: str, bucket: str | None = None) -> None:
        self.table = table
        self.bucket = bucket
        self.dynamodb = client("dynamodb")

    def _s3(self) -> tuple[Any, str]:
        if not self.bucket:
            raise RuntimeError("no bucket configured for this store")
        return client("s3"), self.bucket

    def presign_put(self, key: str, content_type: str, size: int, expires: int) -> str:
        """A presigned PUT URL for ``key``; the signature binds Content-Type and Content-Length."""
        s3, bucket = self._s3()
        url: str = s3.generate_presigned_url(
            "put_object",
            Params={"Bucket": bucket, "Key": key, "ContentType": content_type, "ContentLength": size},
            ExpiresIn=expires,
            HttpMethod="PUT",
        )
        return url

    def put_new(self, item: Item) -> None:
        """Write a new item (never overwrites)."""
        self.dynamodb.put_item(
            TableName=self.table,
            Item=item.to_dynamo(),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def get(self, owner: str, item_id: str) -> Item | None:
        """One of ``owner``'s items, or None."""
        response = self.dynamodb.get_item(
            TableName=self.table,
            Key=_typed({"pk": user_pk(owner), "sk": item_sk(item_id)}),
            ConsistentRead=True,
        )
        attrs = response.get("Item")
        return Item.from_dynamo(attrs) if attrs else None

    def find(self, item_id: str) -> Item | None:
        """Any user's item by id, through the ``byCreated`` index (for admins)."""
        created = ids.created_at(item_id)
        if created is None:
            return None
        response = self.dynamodb.query(
            TableName=self.table,
            IndexName=GSI_NAME,
            KeyConditionExpression="gsi1pk = :pk AND gsi1sk = :sk",
            ExpressionAttributeValues=_typed({":pk": ALL_ITEMS, ":sk": f"{created}#{item_id}"}),
            Limit=1,
        )
        found = response.get("Items") or []
        return Item.from_dynamo(found[0]) if found else None

    def delete(self, item: Item) -> None:
        """Delete the upload object, then the item (so a failure never orphans an object)."""
        s3, bucket = self._s3()
        if not item.object_key.startswith(f"users/{item.owner}/"):
            raise RuntimeError(f"item {item.id} has an object key outside its owner's prefix")
        s3.delete_object(Bucket=bucket, Key=item.object_key)
        self.dynamodb.delete_item(TableName=self.table, Key=_typed({"pk": user_pk(item.owner), "sk": item_sk(item.id)}))

    def _page(self, query: dict[str, Any], limit: int, key_fields: tuple[str, ...]) -> Page:
        # Ask for one more than the page: its presence says whether a next page exists, so the last page
        # never carries a cursor to an empty page.
        response = self.dynamodb.query(TableName=self.table, Limit=limit + 1, ScanIndexForward=False, **query)
        raw = response.get("Items") or []
        more = len(raw) > limit or bool(response.get("LastEvaluatedKey"))
        items = [Item.from_dynamo(a) for a in raw[:limit]]
        cursor = None
        if more and items:
            last = items[-1].key_attributes()
            cursor = encode_cursor({k: last[k] for k in key_fields})
        return Page(items=items, cursor=cursor)

    def list_user(self, owner: str, limit: int, start_key: Mapping[str, str] | None) -> Page:
        """``owner``'s items, newest first."""
        query: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": _typed({":pk": user_pk(owner)}),
            "ConsistentRead": True,
        }
        if start_key:
            query["ExclusiveStartKey"] = _typed(start_key)
        return self._page(query, limit, TABLE_KEY)

    def list_all(self, limit: int, start_key: Mapping[str, str] | None) -> Page:
        """Every user's items, newest first, from the ``byCreated`` index."""
        query: dict[str, Any] = {
            "IndexName": GSI_NAME,
            "KeyConditionExpression": "gsi1pk = :pk",
            "ExpressionAttributeValues": _typed({":pk": ALL_ITEMS}),
        }
        if start_key:
            query["ExclusiveStartKey"] = _typed(start_key)
        return self._page(query, limit, INDEX_KEY)

    def summary(self) -> Summary:
        """Counts over every item, read from the ``byCreated`` index (only the attributes it needs, page by page:
        one Query page is at most 1 MB, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html)."""
        owners: set[str] = set()
        by_status: dict[str, int] = {}
        uploads = total = 0
        oldest = newest = None
        query: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": GSI_NAME,
            "KeyConditionExpression": "gsi1pk = :pk",
            "ExpressionAttributeValues": _typed({":pk": ALL_ITEMS}),
            "ProjectionExpression": "#owner, #size, #status, createdAt",
            "ExpressionAttributeNames": {"#owner": "owner", "#size": "size", "#status": "status"},
        }
        while True:
            response = self.dynamodb.query(**query)
            for attrs in response.get("Items") or []:
                uploads += 1
                owners.add(attrs["owner"]["S"])
                total += int(attrs["size"]["N"])
                status = attrs["status"]["S"]
                by_status[status] = by_status.get(status, 0) + 1
                created = attrs["createdAt"]["S"]
                oldest = created if oldest is None or created < oldest else oldest
                newest = created if newest is None or created > newest else newest
            if not response.get("LastEvaluatedKey"):
                return Summary(uploads, len(owners), total, by_status, oldest, newest)
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
