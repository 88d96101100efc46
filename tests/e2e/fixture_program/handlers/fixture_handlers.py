"""Handlers of the fixture program: they report what the gateway gave them."""

import base64
import json
import os
import time
from typing import Any

SEEN_AT_IMPORT = os.environ.get("FUNCTION_TAG")
CALLS = 0  # module state: lives as long as the execution environment


def _env() -> dict[str, Any]:
    return {k: os.environ.get(k) for k in ("FUNCTION_TAG", "TABLE_NAME", "AWS_LAMBDA_FUNCTION_NAME")}


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    import json

    return {
        "statusCode": 200,
        "headers": {
            "content-type": "application/json",
            "x-fixture": "echo",
            "access-control-allow-origin": "https://evil.example",
        },
        "body": json.dumps(
            {
                "event": event,
                "env": _env(),
                "context": {
                    "function_name": context.function_name,
                    "aws_request_id": context.aws_request_id,
                    "memory_limit_in_mb": context.memory_limit_in_mb,
                    "remaining": context.get_remaining_time_in_millis(),
                },
            }
        ),
    }


def other(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"route": event["routeKey"], "path": event.get("pathParameters"), "env": _env()}


def ping(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": "pong"}


def boom(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise RuntimeError("boom")


def raw(event: dict[str, Any], context: Any) -> list[str]:
    return ["not", "a", "response"]


def fancy(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {
        "statusCode": 201,
        "headers": {"content-type": "application/octet-stream"},
        "cookies": ["a=1; Path=/", "b=2; HttpOnly"],
        "body": base64.b64encode(b"\x00\x01binary").decode(),
        "isBase64Encoded": True,
    }


def sleep(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Sleep ``?seconds=``; answer ``?bytes=`` bytes, or which environment ran and how often."""
    global CALLS
    CALLS += 1
    query = event.get("queryStringParameters") or {}
    started = time.time()
    time.sleep(float(query.get("seconds", 0)))
    size = int(query.get("bytes", 0))
    if size:
        return {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": "x" * size}
    report = {"pid": os.getpid(), "calls": CALLS, "tag": os.environ.get("FUNCTION_TAG"), "env": _env()}
    report["remaining"] = context.get_remaining_time_in_millis()
    report["bodyLength"] = len(event.get("body") or "")
    report["slept"] = [started, time.time()]
    return {"statusCode": 200, "headers": {"content-type": "application/json"}, "body": json.dumps(report)}
