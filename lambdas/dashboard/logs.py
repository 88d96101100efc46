"""Structured logging: one JSON object per line on stdout (CloudWatch Logs keeps each line as one event).

Callers pass explicit fields (request id, route, sub, status...). Nothing here ever receives headers,
tokens or claims other than ``sub``, so they cannot end up in the logs.
"""

import json
import sys
import time
import traceback
from typing import Any

from dashboard import config

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}


def log(level: str, message: str, **fields: Any) -> None:
    """Write one JSON log line if ``level`` passes ``LOG_LEVEL`` (read per call)."""
    threshold = LEVELS.get(config.log_level(), 20)
    if LEVELS.get(level, 20) < threshold:
        return
    record = {
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "level": level,
        "message": message,
        **{k: v for k, v in fields.items() if v is not None},
    }
    sys.stdout.write(json.dumps(record, default=str) + "\n")
    sys.stdout.flush()


def info(message: str, **fields: Any) -> None:
    """An INFO line."""
    log("INFO", message, **fields)


def error(message: str, exc: BaseException | None = None, **fields: Any) -> None:
    """An ERROR line, with the exception's type, message and traceback when given."""
    if exc is not None:
        fields["errorType"] = type(exc).__name__
        fields["error"] = str(exc)[:1000]
        fields["stackTrace"] = traceback.format_exception(type(exc), exc, exc.__traceback__)
    log("ERROR", message, **fields)
