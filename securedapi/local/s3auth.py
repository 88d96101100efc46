"""Presigned S3 URLs checked as S3 checks them, with botocore's own SigV4 code, in front of moto's S3.

moto's server accepts any presigned request. S3 (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html)
recomputes the signature over the request it receives: method, path, query (``X-Amz-*`` but the signature)
and every header named in ``X-Amz-SignedHeaders`` with the value the request carries. So a PUT with
another ``Content-Type`` or ``Content-Length`` than the URL was signed for does not match (403
``SignatureDoesNotMatch``), and a URL past ``X-Amz-Date`` + ``X-Amz-Expires`` is refused (403
``AccessDenied``, "Request has expired"). :class:`PresignedS3App` answers those with S3's error XML and
passes every other request on. The signature is computed by :class:`botocore.auth.S3SigV4QueryAuth`
(``canonical_request``, ``string_to_sign``, ``signature``) with the emulator's fake credentials.
"""

import datetime
import hmac
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, quote
from xml.sax.saxutils import escape

MAX_EXPIRES = 604800  # "X-Amz-Expires must be less than a week (in seconds) that is 604800"
TIMESTAMP = "%Y%m%dT%H%M%SZ"


class PresignError(Exception):
    """A presigned request S3 refuses: its error code, message and extra XML fields."""

    def __init__(self, status: str, code: str, message: str, **fields: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields

    def xml(self) -> bytes:
        extra = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in self.fields.items())
        request_id = uuid.uuid4().hex[:16].upper()
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{self.code}</Code><Message>{escape(self.message)}</Message>{extra}"
            f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
        ).encode()


def _raw_target(environ: dict[str, Any]) -> tuple[str, str]:
    """The request's path and query exactly as sent (the signature covers the encoded form)."""
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        path, _, query = str(raw).partition("?")
        return path, query
    return quote(environ.get("PATH_INFO", ""), safe="/~"), environ.get("QUERY_STRING", "")


def _header(environ: dict[str, Any], name: str) -> str | None:
    key = name.upper().replace("-", "_")
    if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        value = environ.get(key)
        return None if value in (None, "") else str(value)
    value = environ.get(f"HTTP_{key}")
    return None if value is None else str(value)


def is_presigned_s3(environ: dict[str, Any]) -> bool:
    """A request authenticated by query parameters for the S3 service."""
    query = environ.get("QUERY_STRING", "")
    if "X-Amz-Signature=" not in query:
        return False
    credential = (parse_qs(query).get("X-Amz-Credential") or [""])[0]
    return credential.split("/")[3:4] == ["s3"]


def verify(environ: dict[str, Any], secret_keys: Callable[[str], str | None], now: datetime.datetime) -> None:
    """Raise :class:`PresignError` unless the presigned request in ``environ`` is one S3 would accept."""
    from botocore.auth import S3SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    path, query = _raw_target(environ)
    params = {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if params.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256":
        raise PresignError("400 Bad Request", "AuthorizationQueryParametersError", "Unsupported X-Amz-Algorithm.")
    credential = params.get("X-Amz-Credential", "").split("/")
    signed_headers = [h for h in params.get("X-Amz-SignedHeaders", "").split(";") if h]
    try:
        access_key, day, region, service, _ = credential
        signed_at = datetime.datetime.strptime(params["X-Amz-Date"], TIMESTAMP).replace(tzinfo=datetime.UTC)
        expires = int(params["X-Amz-Expires"])
    except (KeyError, ValueError):
        raise PresignError(
            "400 Bad Request",
            "AuthorizationQueryParametersError",
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
            "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
        ) from None
    if not 0 < expires <= MAX_EXPIRES:
        raise PresignError(
            "400 Bad Request",
            "AuthorizationQueryParametersError",
            "X-Amz-Expires must be less than a week (in seconds) that is 604800",
        )
    secret = secret_keys(access_key)
    if secret is None:
        raise PresignError(
            "403 Forbidden",
            "InvalidAccessKeyId",
            "The AWS Access Key Id you provided does not exist in our records.",
            AWSAccessKeyId=access_key,
        )
    expiry = signed_at + datetime.timedelta(seconds=expires)
    if now > expiry:
        raise PresignError(
            "403 Forbidden",
            "AccessDenied",
            "Request has expired",
            **{
                "X-Amz-Expires": str(expires),
                "Expires": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "ServerTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )
    expected, string_to_sign, canonical = signature_for(
        S3SigV4QueryAuth(Credentials(access_key, secret), service, region, expires),
        AWSRequest,
        method=str(environ.get("REQUEST_METHOD", "GET")),
        url=f"http://{_header(environ, 'host') or ''}{path}?{_without_signature(query)}",
        headers={h: _header(environ, h) or "" for h in signed_headers},
        timestamp=params["X-Amz-Date"],
    )
    if day != params["X-Amz-Date"][:8] or not hmac.compare_digest(expected, params.get("X-Amz-Signature", "")):
        raise PresignError(
            "403 Forbidden",
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. "
            "Check your key and signing method.",
            AWSAccessKeyId=access_key,
            StringToSign=string_to_sign,
            SignatureProvided=params.get("X-Amz-Signature", ""),
            CanonicalRequest=canonical,
        )


def _without_signature(query: str) -> str:
    return "&".join(p for p in query.split("&") if p and not p.startswith("X-Amz-Signature="))


def signature_for(
    auth: Any, request_class: Any, *, method: str, url: str, headers: dict[str, str], timestamp: str
) -> tuple[str, str, str]:
    """botocore's signature of a presigned request (and its string to sign and canonical request)."""
    request = request_class(method=method, url=url, headers=headers)
    request.context["timestamp"] = timestamp
    canonical = auth.canonical_request(request)
    string_to_sign = auth.string_to_sign(request, canonical)
    return auth.signature(string_to_sign, request), string_to_sign, canonical


def _drain(environ: dict[str, Any], limit: int = 64 * 1024 * 1024) -> None:
    """Read the refused request's body, so the connection stays usable for the answer."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    stream = environ["wsgi.input"]
    while 0 < length <= limit:
        chunk = stream.read(min(length, 1 << 20))
        if not chunk:
            break
        length -= len(chunk)


class PresignedS3App:
    """WSGI middleware: presigned S3 requests that S3 would refuse get S3's error; the rest go to ``app``."""

    def __init__(self, app: Any, secret_keys: Callable[[str], str | None]) -> None:
        self.app = app
        self.secret_keys = secret_keys

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "OPTIONS" and is_presigned_s3(environ):
            try:
                verify(environ, self.secret_keys, datetime.datetime.now(datetime.UTC))
            except PresignError as error:
                _drain(environ)
                body = error.xml()
                start_response(error.status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
                return [body]
        return self.app(environ, start_response)  # type: ignore[no-any-return]
