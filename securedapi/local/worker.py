"""One Lambda execution environment: a Python process that imports a handler once and runs its invocations.

Started by :mod:`securedapi.local.runtime` as ``python -I -u worker.py`` with the function's environment
(``LAMBDA_TASK_ROOT``, ``_HANDLER``, the program's variables) and the code directory as working directory.
Standard library only, and no import of the ``securedapi`` package, so the handler's modules are the only
ones on ``sys.path`` besides the interpreter's site-packages (``-I`` keeps this file's folder off it).

Protocol, one JSON document per line: stdin carries ``{"id", "event", "deadlineMs"}``; stdout carries
``{"init": {"ms"}}`` (or ``{"initError": {...}}``) once, then ``{"id", "ok": <result>}`` or
``{"id", "error": {"errorType", "errorMessage", "stackTrace"}}`` per invocation. The handler's own
``print`` and logging go to stderr, which is the local stack's log (Lambda sends both to CloudWatch).
The result is serialized as Lambda's Python runtime does (``json.dumps``, ``Decimal`` as a number) and
refused over Lambda's 6 MB response quota (``Function.ResponseSizeTooLarge``).
"""

import contextlib
import decimal
import importlib
import json
import os
import sys
import time
import traceback
import uuid
from typing import Any, BinaryIO

MAX_RESPONSE_BYTES = 6291556  # securedapi.local.limits.MAX_LAMBDA_PAYLOAD_BYTES (this file imports nothing of ours)


class LambdaContext:
    """The ``context`` argument of a Python Lambda handler."""

    def __init__(self, request_id: str, deadline_ms: int) -> None:
        env = os.environ
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = env.get("SECUREDAPI_LOCAL_FUNCTION_ARN", "")
        self.memory_limit_in_mb = int(env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.aws_request_id = request_id
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))


def _error(exc: BaseException, error_type: str | None = None) -> dict[str, Any]:
    return {
        "errorType": error_type or type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def _decimal(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _die_with_parent() -> None:
    """Linux: be killed when the local stack dies, even mid-invocation (else: EOF on stdin ends the loop)."""
    with contextlib.suppress(Exception):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _load_handler() -> Any:
    spec = os.environ.get("_HANDLER", "")
    module_name, _, function_name = spec.rpartition(".")
    if not module_name:
        raise ValueError(f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)")
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", os.getcwd()))
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise ImportError(f"Unable to import module '{module_name}': {exc}") from exc
    handler = getattr(module, function_name, None)
    if not callable(handler):
        raise AttributeError(f"Handler '{function_name}' missing on module '{module_name}'")
    return handler


def _send(out: BinaryIO, line: str) -> None:
    out.write(line.encode("utf-8") + b"\n")
    out.flush()


def _invoke(handler: Any, message: dict[str, Any]) -> str:
    request_id = str(message.get("id") or uuid.uuid4())
    context = LambdaContext(request_id, int(message.get("deadlineMs") or 0))
    try:
        result = handler(message.get("event"), context)
    except Exception as exc:
        error = _error(exc)
        # What Lambda's Python runtime logs for an unhandled exception.
        trace = "".join(traceback.format_exception(exc)).rstrip()
        print(f"[ERROR] {error['errorType']}: {error['errorMessage']}\n{trace}", file=sys.stderr, flush=True)
        return json.dumps({"id": request_id, "error": error})
    try:
        payload = json.dumps(result, default=_decimal)
    except (TypeError, ValueError) as exc:
        return json.dumps({"id": request_id, "error": _error(exc, "Runtime.MarshalError")})
    if len(payload.encode("utf-8")) > MAX_RESPONSE_BYTES:
        text = f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes)."
        error = {"errorType": "Function.ResponseSizeTooLarge", "errorMessage": text, "stackTrace": []}
        return json.dumps({"id": request_id, "error": error})
    return '{"id":' + json.dumps(request_id) + ',"ok":' + payload + "}"


def main() -> int:
    """Run the init phase, then one invocation per line on stdin until it closes."""
    _die_with_parent()
    requests = os.fdopen(os.dup(0), "rb")
    responses = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # print() in handlers goes to the log, never into the protocol
    started = time.perf_counter()
    try:
        handler = _load_handler()
    except Exception as exc:
        kind = "Runtime.ImportModuleError" if isinstance(exc, ImportError) else "Runtime.HandlerNotFound"
        _send(responses, json.dumps({"initError": _error(exc, kind)}))
        return 1
    _send(responses, json.dumps({"init": {"ms": (time.perf_counter() - started) * 1000}}))
    for line in requests:
        _send(responses, _invoke(handler, json.loads(line)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
