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
