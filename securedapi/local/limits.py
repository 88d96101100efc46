"""The quotas and timeouts of API Gateway HTTP APIs and Lambda that the local stack enforces, with their sources.

* HTTP API quotas, https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html:
  "Payload size 10 MB", "Total combined size of request line and header values 10240 bytes", "Maximum
  integration timeout 30 seconds" (an integration's ``timeoutMilliseconds`` is 50..30,000, default 30,000).
* Lambda quotas, https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html: "Invocation
  payload (request and response) 6 MB each for synchronous", enforced on the serialized JSON (the event
  with its base64-encoded body, the handler's JSON result); Lambda's message names the exact figure,
  "Exceeded maximum allowed payload size (6291556 bytes)".
* Account-level throttling per Region, https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html:
  10,000 requests per second with a burst of 5,000, shared by every API of the account.

What API Gateway answers, https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html
and https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html:

* a failed Lambda invocation (an exception, the function's timeout, a response over the quota, a throttled
  function): 500 ``{"message":"Internal Server Error"}``;
* an integration that has not answered within its timeout: 503 ``{"message":"Service Unavailable"}``
  (the function keeps running until its own timeout, as on AWS);
* a request over the payload or header quota, or an event over Lambda's request quota:
  413 ``{"message":"Request Entity Too Large"}``;
* a throttled request: 429 ``{"message":"Too Many Requests"}``.
"""

from collections.abc import Iterable

MAX_PAYLOAD_BYTES = 10 * 1024 * 1024
"""HTTP API payload quota (10 MB)."""
MAX_REQUEST_LINE_AND_HEADERS_BYTES = 10240
"""HTTP API quota on the request line plus the header values."""
MAX_INTEGRATION_TIMEOUT_MS = 30000
"""No HTTP API integration waits longer (the default ``timeoutMilliseconds``)."""
MAX_LAMBDA_PAYLOAD_BYTES = 6291556
"""Lambda's synchronous invocation quota, on the JSON event and on the JSON response."""
ACCOUNT_RATE_LIMIT = 10000.0
ACCOUNT_BURST_LIMIT = 5000

INTERNAL_SERVER_ERROR = (500, "Internal Server Error")
SERVICE_UNAVAILABLE = (503, "Service Unavailable")
TOO_LARGE = (413, "Request Entity Too Large")
TOO_MANY_REQUESTS = (429, "Too Many Requests")


def request_line_and_headers_size(method: str, target: bytes, headers: Iterable[tuple[bytes, bytes]]) -> int:
    """Bytes of ``METHOD target HTTP/1.1`` plus every header value, as the HTTP API quota counts them."""
    return len(method) + 1 + len(target) + len(" HTTP/1.1") + sum(len(value) for _, value in headers)


def integration_timeout_s(timeout_ms: int | None) -> float:
    """An integration's timeout in seconds, capped at API Gateway's 30 s."""
    if not timeout_ms or timeout_ms <= 0:
        timeout_ms = MAX_INTEGRATION_TIMEOUT_MS
    return min(timeout_ms, MAX_INTEGRATION_TIMEOUT_MS) / 1000.0
