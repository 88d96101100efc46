"""Lambda execution environments: worker processes per function, warm reuse, concurrency, timeouts.

Each function has its own pool of execution environments. An environment is a Python process
(:mod:`securedapi.local.worker`) started with that function's environment variables only (the
program's ``environment.variables``, the Lambda runtime's ``AWS_LAMBDA_FUNCTION_NAME``, ``_HANDLER``,
``LAMBDA_TASK_ROOT``..., and the emulator's endpoint and fake credentials), its code directory as the
working directory and first on ``sys.path``. As on Lambda (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html):

* an environment handles one invocation at a time; a request that finds no idle environment starts a
  new one (a cold start: the init phase imports the handler; logged with its ``Init Duration``); a
  finished environment is reused warm, so module-level state lives on per environment;
* a function with ``reservedConcurrentExecutions`` has at most that many environments; a request beyond
  them is throttled (Lambda's ``TooManyRequestsException``, a 500 from API Gateway). Other functions
  have at most :data:`LOCAL_MAX_ENVIRONMENTS` environments here (AWS scales to the account's 1,000):
  further requests wait for one to become free;
* an invocation still running at the function's ``timeout`` is stopped: its environment is killed and
  a later request starts a new one ("Task timed out after N seconds"). An environment whose process
  dies, or whose init fails, is discarded the same way.

Everything here runs on the gateway's event loop (asyncio subprocess pipes, no threads).
"""

import asyncio
import collections
import contextlib
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from securedapi.local.model import FunctionSpec

LOCAL_MAX_ENVIRONMENTS = 10
"""Environments per function without ``reservedConcurrentExecutions`` (requests beyond them wait)."""
WORKER = Path(__file__).with_name("worker.py")
PIPE_LIMIT = 16 * 1024 * 1024
"""Longest protocol line read from a worker (results are refused by the worker above 6 MB)."""
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "TZ")
"""Host variables an environment keeps; every other variable is Lambda's or the program's."""


@dataclass(frozen=True)
class Outcome:
    """How an invocation ended: ``result`` (the handler's JSON result) or an ``error`` of Lambda's kinds."""

    result: Any = None
    error_type: str | None = None
    error_message: str = ""

    @property
    def ok(self) -> bool:
        return self.error_type is None


def function_environment(spec: FunctionSpec, region: str) -> dict[str, str]:
    """The variables a function's environments start with (nothing else of the host's process)."""
    env = {k: v for k in INHERITED if (v := os.environ.get(k)) is not None}
    env.update({k: v for k, v in os.environ.items() if k.startswith("AWS_") and k != "AWS_PROFILE"})
    env.update(
        {
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "LAMBDA_TASK_ROOT": str(spec.code_dir),
            "_HANDLER": spec.handler,
            "SECUREDAPI_LOCAL_FUNCTION_ARN": spec.arn,
        }
    )
    env.update(spec.environment)
    return env


class Environment:
    """One execution environment (a worker process) of one function."""

    def __init__(self, number: int, process: asyncio.subprocess.Process, init_ms: float) -> None:
        self.number = number
        self.process = process
        self.init_ms = init_ms
        self.invocations = 0
        self.timed_out = False

    @property
    def pid(self) -> int:
        return self.process.pid

    async def invoke(self, event_json: str, request_id: str, deadline_ms: int) -> Outcome:
        """Send one event; the caller enforces the timeout (and kills the environment when it passes)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.invocations += 1
        message = '{"id":' + json.dumps(request_id) + ',"deadlineMs":' + str(deadline_ms) + ',"event":' + event_json
        self.process.stdin.write(message.encode("utf-8") + b"}\n")
        try:
            await self.process.stdin.drain()
            line = await self.process.stdout.readline()
        except (ConnectionError, ValueError, asyncio.LimitOverrunError) as exc:
            return Outcome(error_type="Runtime.ExitError", error_message=f"the runtime exited ({exc})")
        if not line:
            code = await self.process.wait()
            return Outcome(
                error_type="Runtime.ExitError",
                error_message=f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}",
            )
        reply = json.loads(line)
        if "error" in reply:
            error = reply["error"]
            return Outcome(error_type=str(error.get("errorType")), error_message=str(error.get("errorMessage")))
        return Outcome(result=reply.get("ok"))

    def time_out(self) -> None:
        """The function's timeout passed: stop the environment (its reply is then end-of-file)."""
        self.timed_out = True
        self.kill()

    def kill(self) -> None:
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)


class InitError(RuntimeError):
    """The environment's init phase failed (the handler cannot be imported)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


class FunctionPool:
    """The execution environments of one function."""

    def __init__(self, spec: FunctionSpec, region: str, log: Callable[[str], None]) -> None:
        self.spec = spec
        self.log = log
        self.environment = function_environment(spec, region)
        reserved = spec.reserved_concurrency
        self.throttles = reserved is not None and reserved >= 0
        self.cap = reserved if reserved is not None and reserved >= 0 else LOCAL_MAX_ENVIRONMENTS
        self.idle: list[Environment] = []
        self.all: set[Environment] = set()
        self.starting = 0
        self.started = 0
        self._waiters: collections.deque[asyncio.Future[Environment | None]] = collections.deque()

    async def _start(self) -> Environment:
        """Start an environment in a slot :meth:`acquire` reserved (``starting``) and run its init phase."""
        self.started += 1
        number = self.started
        try:
            flags = ["-I", "-u"] + (["-B"] if sys.dont_write_bytecode else [])
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                *flags,
                str(WORKER),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=self.environment,
                cwd=str(self.spec.code_dir),
                limit=PIPE_LIMIT,
            )
            assert process.stdout is not None
            first = await process.stdout.readline()
        finally:
            self.starting -= 1
        status = json.loads(first) if first else {"initError": {"errorType": "Runtime.ExitError"}}
        if "initError" in status:
            if process.returncode is None:
                process.kill()
            await process.wait()
            error = status["initError"]
            raise InitError(str(error.get("errorType")), str(error.get("errorMessage", "the runtime exited")))
        environment = Environment(number, process, float(status["init"]["ms"]))
        self.all.add(environment)
        self.log(
            f"[{self.spec.name}] cold start: execution environment #{number} (pid {process.pid}), "
            f"Init Duration: {environment.init_ms:.2f} ms"
        )
        return environment

    async def acquire(self) -> Environment | None:
        """An idle environment, a new one, or None when a function with reserved concurrency is at its cap.

        Requests that wait are served first come, first served: a released environment goes straight to
        the oldest waiter (a newcomer never overtakes it)."""
        if self.idle and not self._waiters:
            return self.idle.pop()
        if len(self.all) + self.starting >= self.cap:
            if self.throttles:
                return None
            waiter: asyncio.Future[Environment | None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                handed = await waiter
            except asyncio.CancelledError:
                given = waiter.result() if waiter.done() and not waiter.cancelled() else None
                if given is not None:
                    self.release(given, alive=True)
                raise
            if handed is not None:
                return handed
            # A slot was freed (an environment ended): start one in it.
        self.starting += 1  # reserve the slot; _start frees it
        try:
            return await self._start()
        except BaseException:
            self._hand_over(None)
            raise

    def _hand_over(self, environment: Environment | None) -> bool:
        """Give an environment (or, with None, a free slot) to the oldest waiter; False if nobody waits."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(environment)
                return True
        return False

    def release(self, environment: Environment, *, alive: bool) -> None:
        if alive and environment.process.returncode is None:
            if not self._hand_over(environment):
                self.idle.append(environment)
            return
        environment.kill()
        self.all.discard(environment)
        self._hand_over(None)

    async def invoke(self, event_json: str, request_id: str) -> Outcome:
        """Run one invocation to its end: its result, its error, or the function's timeout."""
        try:
            environment = await self.acquire()
        except InitError as exc:
            self.log(f"[{self.spec.name}] {request_id} init failed: {exc.error_type}: {exc}")
            return Outcome(error_type=exc.error_type, error_message=str(exc))
        if environment is None:
            return Outcome(error_type="TooManyRequestsException", error_message="Rate Exceeded.")
        timeout = self.spec.timeout_s
        deadline_ms = int((time.time() + timeout) * 1000)
        timer = asyncio.get_running_loop().call_later(timeout, environment.time_out)
        outcome = Outcome(error_type="Runtime.ExitError")
        try:
            outcome = await environment.invoke(event_json, request_id, deadline_ms)
        finally:
            timer.cancel()
            self.release(environment, alive=outcome.error_type != "Runtime.ExitError")
        if environment.timed_out:
            self.log(f"[{self.spec.name}] {request_id} Task timed out after {timeout:.2f} seconds")
            return Outcome(error_type="Sandbox.Timedout", error_message=f"Task timed out after {timeout:.2f} seconds")
        return outcome

    def close(self) -> None:
        for environment in list(self.all):
            environment.kill()
        self.all.clear()
        self.idle.clear()


class Runtime:
    """The execution environments of every function of the API, keyed by function ARN."""

    def __init__(self, functions: list[FunctionSpec], region: str, log: Callable[[str], None]) -> None:
        self.specs = {f.arn: f for f in functions}
        self.region = region
        self.log = log
        self.pools: dict[str, FunctionPool] = {}

    def pool(self, arn: str) -> FunctionPool:
        pool = self.pools.get(arn)
        if pool is None:
            pool = self.pools[arn] = FunctionPool(self.specs[arn], self.region, self.log)
        return pool

    async def invoke(self, spec: FunctionSpec, event_json: str, request_id: str | None = None) -> Outcome:
        return await self.pool(spec.arn).invoke(event_json, request_id or str(uuid.uuid4()))

    def close(self) -> None:
        """Kill every environment (the stack is stopping; no event loop needed)."""
        for pool in self.pools.values():
            pool.close()

    async def aclose(self) -> None:
        """Stop every environment and release its pipes, on the event loop that started it."""
        environments = [e for pool in self.pools.values() for e in pool.all]
        self.close()
        for environment in environments:
            if environment.process.stdin is not None:
                environment.process.stdin.close()
            await environment.process.wait()
