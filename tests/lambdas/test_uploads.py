"""The presigned upload URL: moto accepts the PUT; the signature binds content type and length.

moto does not verify presigned-URL signatures (a PUT with another content type is accepted), so the
binding is proven by recomputing the SigV4 query signature independently (below, from the AWS spec) for
the request a client would send: it matches for the declared content type/length and differs otherwise.
"""

import hashlib
import hmac
import json
import os
import uuid
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
import requests
from dashboard import ids, storage

from .conftest import Aws, Backend, create_table, make_event


def sigv4_query_signature(method: str, url: str, headers: dict[str, str], secret: str) -> str:
    """The SigV4 signature S3 would compute for a presigned request (AWS SigV4, query-string auth)."""
    parts = urlsplit(url)
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "X-Amz-Signature"]
    query = dict(params)
    canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(params))
    signed = query["X-Amz-SignedHeaders"].split(";")
    values = {k.lower(): " ".join(v.split()) for k, v in headers.items()} | {"host": parts.netloc}
    canonical_headers = "".join(f"{name}:{values.get(name, '')}\n" for name in signed)
    canonical_request = "\n".join(
        [method, parts.path, canonical_query, canonical_headers, ";".join(signed), "UNSIGNED-PAYLOAD"]
    )
    _, date, region, service, terminator = query["X-Amz-Credential"].split("/")
    scope = f"{date}/{region}/{service}/{terminator}"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", query["X-Amz-Date"], scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, terminator):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def signature(url: str) -> str:
    return dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]


def test_presigned_put_uploads_with_the_declared_content_type(backend: Backend) -> None:
    data = b"%PDF-1.7 hello"
    item = backend.upload("user-a", filename="doc.pdf", content_type="application/pdf", size=len(data))
    response = requests.put(item["uploadUrl"], data=data, headers={"Content-Type": "application/pdf"}, timeout=5)
    assert response.status_code == 200
    head = backend.s3.head_object(Bucket=backend.bucket, Key=item["key"])
    assert head["ContentType"] == "application/pdf"
    assert head["ContentLength"] == len(data)
    assert backend.object_keys() == [f"users/user-a/{item['id']}/doc.pdf"]


def test_signature_binds_content_type_and_length(backend: Backend) -> None:
    item = backend.upload("user-a", filename="a.png", content_type="image/png", size=5)
    url = item["uploadUrl"]
    query = dict(parse_qsl(urlsplit(url).query))
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert set(query["X-Amz-SignedHeaders"].split(";")) == {"content-length", "content-type", "host"}
    assert query["X-Amz-Expires"] == "300"
    secret = os.environ["AWS_SECRET_ACCESS_KEY"]
    declared = {"Content-Type": "image/png", "Content-Length": "5"}
    assert sigv4_query_signature("PUT", url, declared, secret) == signature(url)
    for other in (
        {"Content-Type": "text/html", "Content-Length": "5"},
        {"Content-Type": "image/png", "Content-Length": "6000000"},
        {"Content-Length": "5"},
    ):
        assert sigv4_query_signature("PUT", url, other, secret) != signature(url)
    assert sigv4_query_signature("GET", url, declared, secret) != signature(url)


def test_moto_does_not_enforce_presigned_signatures(backend: Backend) -> None:
    """Documents why the signature is checked above: this PUT would be a 403 on real S3."""
    item = backend.upload("user-a", filename="a.png", content_type="image/png", size=5)
    response = requests.put(item["uploadUrl"], data=b"<html>", headers={"Content-Type": "text/html"}, timeout=5)
    assert response.status_code == 200


def test_upload_url_expiry_from_environment(backend: Backend) -> None:
    backend.monkeypatch.setenv("UPLOAD_URL_EXPIRES", "900")
    item = backend.upload("user-a")
    assert item["expiresIn"] == 900
    assert dict(parse_qsl(urlsplit(item["uploadUrl"]).query))["X-Amz-Expires"] == "900"


@pytest.mark.parametrize(
    ("filename", "segment"),
    [
        ("résumé 2024.pdf", "r_sum__2024.pdf"),
        (".bashrc", "bashrc"),
        ("%2e%2e%2fetc", "_2e_2e_2fetc"),
        ("日本語", "___"),
        ("a?b#c&d=e", "a_b_c_d_e"),
    ],
)
def test_object_key_is_safe_and_under_the_callers_prefix(backend: Backend, filename: str, segment: str) -> None:
    item = backend.upload("user-a", filename=filename)
    assert item["key"] == f"users/user-a/{item['id']}/{segment}"
    got = backend.call(make_event("GET /metadata/{id}", path={"id": item["id"]}))
    assert got.body["filename"] == filename


def test_ids_sort_in_issue_order_and_carry_their_time() -> None:
    issued = [ids.new_id() for _ in range(2000)]
    assert issued == sorted(issued) and len(set(issued)) == len(issued)
    assert all(ids.is_valid(i) for i in issued)
    assert ids.created_at("01ARZ3NDEKTSV4RRFFQ69G5FAV") == "2016-07-30T23:54:10.259Z"  # the ULID spec's example
    assert ids.created_at("7ZZZZZZZZZZZZZZZZZZZZZZZZZ") is None  # year 10889: no item can have it


def test_created_at_matches_the_id(backend: Backend) -> None:
    item = backend.upload("user-a")
    got = backend.call(make_event("GET /metadata/{id}", path={"id": item["id"]})).body
    assert got["createdAt"] == ids.created_at(item["id"])
    assert json.dumps(got["createdAt"]).endswith('Z"')


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1"])
def test_upload_url_uses_the_buckets_regional_virtual_hosted_endpoint(
    aws: Aws, monkeypatch: pytest.MonkeyPatch, region: str
) -> None:
    """``<bucket>.s3.<region>.amazonaws.com``, never the global ``<bucket>.s3.amazonaws.com``: a new bucket outside
    us-east-1 answers the global name with a 307 redirect, which a browser's preflight cannot follow
    (https://docs.aws.amazon.com/AmazonS3/latest/API/UsingRouting.html); us-east-1 gets its regional name too."""
    monkeypatch.setenv("AWS_REGION", region)
    suffix = uuid.uuid4().hex[:12]
    table, bucket = f"metadata-{suffix}", f"uploads-{suffix}"
    create_table(table)
    location = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    storage.client("s3").create_bucket(Bucket=bucket, **location)
    monkeypatch.setenv("TABLE_NAME", table)
    monkeypatch.setenv("BUCKET_NAME", bucket)
    item = Backend(table, bucket, monkeypatch, aws).upload("user-a", content_type="text/plain", size=6)
    url = urlsplit(item["uploadUrl"])
    assert (url.scheme, url.hostname, url.path) == ("https", f"{bucket}.s3.{region}.amazonaws.com", "/" + item["key"])
    assert dict(parse_qsl(url.query))["X-Amz-Credential"].split("/")[2] == region  # signed for the bucket's region
    response = requests.put(item["uploadUrl"], data=b"hello!", headers={"Content-Type": "text/plain"}, timeout=5)
    assert response.status_code == 200
    assert storage.client("s3").head_object(Bucket=bucket, Key=item["key"])["ContentLength"] == 6


def test_with_an_endpoint_override_the_upload_url_is_path_style_on_it(
    aws: Aws, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The local stack points the functions at its emulator (``AWS_ENDPOINT_URL``): uploads go there, path style."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    url = urlsplit(storage.Store("table", "uploads-local").presign_put("users/a/b.txt", "text/plain", 6, 300))
    assert (url.scheme, url.netloc, url.path) == ("http", "127.0.0.1:5000", "/uploads-local/users/a/b.txt")
