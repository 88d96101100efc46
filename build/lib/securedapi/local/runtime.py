"""Lambda functions called in-process: handler import from the code directory, context, environment.

Environment isolation: ``os.environ`` is process-global, so every invocation holds one process-wide
lock (:data:`INVOKE_LOCK`) while it installs its function's variables (the program's
``environment.variables`` plus the Lambda runtime's ``AWS_LAMBDA_FUNCTION_NAME``...), calls the handler
and restores the previous values. Invocations therefore run one at a time — like one warm Lambda
container per function, which also handles one event at a time — in a worker thread, so the event loop
keeps accepting requests (and answering CORS, 401, 403 and 404 without waiting for handlers).

Handler modules are imported (under the lock, with the function's environment) as top-level modules
from the function's code directory, which goes first on ``sys.path``; functions that share a code
directory share its modules, as Lambda functions built from one archive share their code.
"""

import importlib
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from securedapi.local.model import FunctionSpec

INVOKE_LOCK = threading.Lock()
"""Held around environment switch + handler call (see the module docstring)."""


@dataclass
class LambdaContext:
    """The ``context`` argument of a Python Lambda handler."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_s: float
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""
    identity: Any = None
    client_context: Any = None
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self.log_group_name = self.log_group_name or f"/aws/lambda/{self.function_name}"
        self.log_stream_name = self.log_stream_name or time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self._deadline = time.monotonic() + self.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class HandlerImportError(RuntimeError):
    """The handler named by the function cannot be imported (Runtime.ImportModuleError in Lambda)."""


class FunctionRuntime:
    """Calls one function's handler with its environment."""

    def __init__(self, spec: FunctionSpec, region: str) -> None:
        self.spec = spec
        self.region = region
        self._handler: Callable[[Any, Any], Any] | None = None
        self.environment = {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "LAMBDA_TASK_ROOT": str(spec.code_dir),
            "_HANDLER": spec.handler,
            **spec.environment,
        }

    def _load(self) -> Callable[[Any, Any], Any]:
        module_name, _, func_name = self.spec.handler.rpartition(".")
        if not module_name:
            raise HandlerImportError(f"handler {self.spec.handler!r} must be 'module.function'")
        code_dir = str(self.spec.code_dir)
        if code_dir not in sys.path:
            sys.path.insert(0, code_dir)
        top = module_name.split(".")[0]
        loaded = sys.modules.get(top)
        if loaded is not None and not str(getattr(loaded, "__file__", "") or "").startswith(code_dir + os.sep):
            # A module of the same name from elsewhere (another code directory, the host): use ours.
            for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
                del sys.modules[name]
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:
            raise HandlerImportError(f"unable to import module {module_name!r} from {code_dir}: {exc}") from exc
        handler = getattr(module, func_name, None)
        if not callable(handler):
            raise HandlerImportError(f"handler {func_name!r} missing on module {module_name!r}")
        return handler  # type: ignore[no-any-return]

    def context(self) -> LambdaContext:
        return LambdaContext(
            function_name=self.spec.name,
            invoked_function_arn=self.spec.arn,
            memory_limit_in_mb=self.spec.memory_mb,
            timeout_s=self.spec.timeout_s,
        )

    def invoke(self, event: dict[str, Any]) -> Any:
        """Call the handler with ``event`` under the function's environment (blocking; run it in a thread)."""
        with INVOKE_LOCK:
            saved = {k: os.environ.get(k) for k in self.environment}
            os.environ.update(self.environment)
            try:
                if self._handler is None:
                    self._handler = self._load()
                return self._handler(event, self.context())
            finally:
                for key, value in saved.items():
                    if value is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = value


def runtimes_for(functions: list[FunctionSpec], region: str) -> dict[str, FunctionRuntime]:
    """One runtime per function ARN."""
    return {f.arn: FunctionRuntime(f, region) for f in functions}


def code_dirs(functions: list[FunctionSpec]) -> list[Path]:
    return sorted({f.code_dir for f in functions})
