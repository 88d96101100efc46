"""Run a Pulumi Python program in-process under mocks and record its resource graph.

Written once, used by our unit tests, the offline gate and the local stack, and by other teams' tests.
Nothing here talks to a cloud or to the Pulumi CLI: the program runs against a mock monitor whose
answers come from :class:`~securedapi.testing.mocks.AwsMocks` (AWS-shaped ids, ARNs and endpoints),
or from a subclass that creates real resources in an emulator.
"""

import asyncio
import gc
import os
import runpy
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
from pulumi.runtime import settings as pulumi_settings

from securedapi.testing import sdk
from securedapi.testing.config import load_project
from securedapi.testing.errors import ProgramError
from securedapi.testing.mocks import DEFAULT_REGION, AwsMocks, PreviewMocks
from securedapi.testing.recording import RecordedResource, Recording, RecordingMonitor


@contextmanager
def _program_environment(directory: Path | None) -> Iterator[None]:
    """Run with the program's directory as cwd and first on sys.path, as the language host does."""
    if directory is None:
        yield
        return
    old_cwd, old_path = os.getcwd(), list(sys.path)
    os.chdir(directory)
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        os.chdir(old_cwd)
        sys.path[:] = old_path


def run_program(
    program: str | Path | Callable[[], Any],
    *,
    stack: str = "dev",
    project: str | None = None,
    config: Mapping[str, str] | None = None,
    mocks: pulumi.runtime.Mocks | None = None,
    preview: bool = False,
    on_resource: Callable[[RecordedResource], None] | None = None,
) -> Recording:
    """Run a program directory (its ``__main__.py``) or a callable under mocks.

    For a directory, ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` give the project name and
    config; ``config`` entries override them. ``on_resource`` sees each resource as it registers
    (from the SDK's worker threads, while the program still runs). Raises :class:`ProgramError`
    if the program or its configuration is broken.
    """
    directory: Path | None = None
    program_file: str | None = None
    base_config: dict[str, str] = {}
    if callable(program):
        func = program
        project = project or "project"
    else:
        directory = Path(program).resolve()
        main = directory / "__main__.py"
        if not main.is_file():
            raise ProgramError(f"no __main__.py in {directory}")
        project_name, base_config = load_project(directory, stack)
        project = project or project_name
        program_file = str(main)

        def func() -> None:
            runpy.run_path(str(main), run_name="__main__")

    all_config = {**base_config, **(config or {})}
    if mocks is None:
        region = all_config.get("aws:region", DEFAULT_REGION)
        mocks = PreviewMocks(region=region) if preview else AwsMocks(region=region)
    monitor = RecordingMonitor(mocks, on_resource)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the graph is many small, long-lived objects: cyclic GC passes make runs superlinear
    try:
        pulumi_settings.reset_options()
        pulumi.runtime.set_all_config(dict(all_config))
        sdk.install_mocks(mocks, monitor, project=project, stack=stack, preview=preview)
        with _program_environment(directory), sdk.no_source_positions():
            loop.run_until_complete(_run_in_stack(func))
    except Exception as exc:
        raise ProgramError.from_exception(exc, program_file) from exc
    finally:
        if gc_was_enabled:
            gc.enable()
        _drain(loop)
        pulumi_settings.set_root_resource(None)  # type: ignore[arg-type]
        pulumi.runtime.set_all_config({})
    return Recording(
        project=project, stack=stack, resources=monitor.recorded, outputs=monitor.stack_outputs, config=all_config
    )


async def _run_in_stack(func: Callable[[], Any]) -> None:
    """What ``pulumi.runtime.stack.run_in_stack`` does, with a linear wait for outstanding work."""
    await sdk.load_monitor_features()
    root = pulumi.runtime.stack.Stack()
    error: BaseException | None = None
    try:
        func()
    except BaseException as exc:  # re-raised once outstanding RPCs have settled
        error = exc
    finally:
        sdk.finish_stack(root)
    try:
        await sdk.settle()
    except Exception:
        if error is None:
            raise
    if error is not None:
        raise error


def _drain(loop: asyncio.AbstractEventLoop) -> None:
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()
    asyncio.set_event_loop(None)


record = run_program
"""The harness's entry point: ``record(program, stack="dev", config=None, preview=False)``."""
