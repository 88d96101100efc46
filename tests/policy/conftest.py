"""Fixtures for the policy tests: one pack analyzer per session, programs evaluated under mocks."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest

from securedapi.policy.config import parse_policy_config
from securedapi.policy.engine import PackAnalyzer, Report
from securedapi.testing import record, run_program

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def analyzer() -> Iterator[PackAnalyzer]:
    """The pack, started once as Pulumi's language host starts it; reconfigured for every evaluation."""
    with PackAnalyzer() as pack:
        yield pack


@pytest.fixture(scope="session")
def evaluate(analyzer: PackAnalyzer) -> Callable[..., Report]:
    """``evaluate(program, preview=False, config=None, mocks=None)``: record the program and run the pack on it.

    ``mocks`` is a callable ``mocks(preview) -> pulumi.runtime.Mocks`` for programs that need more than the
    harness's AWS mocks (stack references, service-managed outputs)."""

    def run(
        program: Callable[[], Any],
        *,
        preview: bool = False,
        config: dict[str, Any] | None = None,
        mocks: Callable[[bool], pulumi.runtime.Mocks] | None = None,
    ) -> Report:
        if mocks is None:
            recording = record(program, preview=preview)
        else:
            recording = run_program(program, preview=preview, mocks=mocks(preview))
        return analyzer.evaluate(recording, parse_policy_config(config), dry_run=preview)

    return run
