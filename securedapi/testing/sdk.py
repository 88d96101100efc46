"""The Pulumi SDK internals the harness cannot avoid, one function each.

Running a program in-process under mocks needs a few engine-side steps the SDK keeps private: loading the
monitor's feature support, finishing the root stack resource, and waiting for outstanding RPCs and output
tasks (the SDK's own ``wait_for_rpcs`` is quadratic in the number of resources). One more is a saving:
the SDK walks the whole Python stack at every registration to tell the engine where the resource was
declared, which mocks never read (a tenth of a program's run). Each lives here, in one function, and
:func:`check_sdk` fails loudly when the pinned SDK no longer has what they use
(``tests/unit/test_sdk_internals.py`` runs it).
"""

import asyncio
import importlib.metadata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pulumi
import pulumi.runtime
from pulumi.runtime import resource as pulumi_resource
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.proto import source_pb2

TESTED_SDK_MINOR = "3.272"
"""The ``pulumi`` minor these functions were written against (the distribution pins it)."""


class _NoRoot:
    """Placeholder root so ``set_mocks`` does not register a throwaway stack."""


def install_mocks(mocks: pulumi.runtime.Mocks, monitor: Any, *, project: str, stack: str, preview: bool) -> None:
    """``pulumi.runtime.set_mocks`` with ``monitor``, without the throwaway root stack it would register."""
    pulumi_settings.set_root_resource(_NoRoot())  # type: ignore[arg-type]
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=monitor)
    pulumi_settings.set_root_resource(None)  # type: ignore[arg-type]


async def load_monitor_features() -> None:
    """What ``run_in_stack`` does first: ask the monitor which features it supports."""
    await pulumi_settings._load_monitor_feature_support()


def finish_stack(root: pulumi.runtime.stack.Stack) -> None:
    """Register the root stack's outputs, as ``run_in_stack`` does once the program returns."""
    root._finish()


async def settle() -> None:
    """Wait until no RPC and no output task is pending; raise the first unhandled RPC error.

    Each round gathers everything pending at once (linear in the number of resources).
    """
    rpc_manager = pulumi_settings._get_rpc_manager()
    outputs = pulumi_settings.SETTINGS.outputs
    while True:
        rpcs = list(rpc_manager.rpcs)
        rpc_manager.rpcs.clear()
        if rpcs:
            await asyncio.gather(*rpcs, return_exceptions=True)
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
        with pulumi_settings.SETTINGS.lock:
            tasks = list(outputs)
            outputs.clear()
        if tasks:
            for result in await asyncio.gather(*tasks, return_exceptions=True):
                if isinstance(result, Exception):
                    raise result
        if not rpcs and not tasks and not rpc_manager.rpcs and not outputs:
            return


def _no_stack_trace() -> source_pb2.StackTrace:
    return source_pb2.StackTrace()


@contextmanager
def no_source_positions() -> Iterator[None]:
    """Register resources without the stack walk that finds their source position (restored on exit)."""
    original = pulumi_resource._get_stack_trace
    pulumi_resource._get_stack_trace = _no_stack_trace
    try:
        yield
    finally:
        pulumi_resource._get_stack_trace = original


def check_sdk() -> list[str]:
    """What the functions above need from the installed SDK and is missing (empty when all is there)."""
    missing = []
    installed = importlib.metadata.version("pulumi")
    if not installed.startswith(TESTED_SDK_MINOR + "."):
        missing.append(f"pulumi {installed} is not the tested {TESTED_SDK_MINOR}.x")
    for owner, name in (
        (pulumi_settings, "_load_monitor_feature_support"),
        (pulumi_settings, "_get_rpc_manager"),
        (pulumi_settings, "set_root_resource"),
        (pulumi_settings, "reset_options"),
        (pulumi.runtime.stack.Stack, "_finish"),
        (pulumi_resource, "_get_stack_trace"),
    ):
        if not hasattr(owner, name):
            missing.append(f"{getattr(owner, '__name__', owner)}.{name}")
    settings = getattr(pulumi_settings, "SETTINGS", None)
    if settings is None or not hasattr(settings, "outputs") or not hasattr(settings, "lock"):
        missing.append("pulumi.runtime.settings.SETTINGS.outputs/lock")
    manager = pulumi_settings._get_rpc_manager() if hasattr(pulumi_settings, "_get_rpc_manager") else None
    for attr in ("rpcs", "unhandled_exception", "exception_traceback"):
        if manager is None or not hasattr(manager, attr):
            missing.append(f"RPCManager.{attr}")
    return missing
