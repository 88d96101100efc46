"""Shared test setup: the project root is importable (components, policy, local, lambdas' tests), and ONE
local stack of the project's program per session for the end-to-end and browser tests."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from stack_harness import RunningStack, run_stack  # noqa: E402


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """`securedapi local` on the project's own program, on free ports, with a private state dir."""
    yield from run_stack(tmp_path_factory.mktemp("local-state"))


SHARED_SESSION_DIRS = {"distribution": "distribution", "e2e": "stack", "browser": "stack"}
"""Test directories whose files share an expensive session fixture: the wheel and the venvs built from it; the
project's local stack (end-to-end and browser tests, started once instead of once per worker: on 2 cores the
CPU a second stack costs outweighs running those files on one worker)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With ``pytest -n 2 --dist loadgroup`` (make test), the files that share a session fixture run on one
    worker, so it is built once; every other file is a group of its own."""
    for item in items:
        relative = Path(str(item.fspath)).resolve().relative_to(ROOT / "tests")
        group = SHARED_SESSION_DIRS.get(relative.parts[0], relative.as_posix())
        item.add_marker(pytest.mark.xdist_group(group))
