"""The gate analyzes each resource as it registers (the engine calls Analyze from its step generator, then
AnalyzeStack once the program is done): the result is the same as analyzing the finished recording."""

import json
import threading
from pathlib import Path

import pytest
from policy_programs import Platform

from securedapi.gate import evaluate
from securedapi.policy.analysis import StreamedAnalysis
from securedapi.policy.config import ConfigError, parse_policy_config
from securedapi.policy.engine import PackAnalyzer, Report
from securedapi.policy.pack_process import PackStartError
from securedapi.testing import ProgramError, record

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _shape(report: Report) -> list[tuple[str, str, str, str]]:
    return [(v.policy, v.enforcement, v.urn, v.message) for v in report.violations]


@pytest.mark.parametrize("fixture", ["open_route", "clean"])
def test_streamed_gate_reports_what_analyzing_the_recording_reports(analyzer: PackAnalyzer, fixture: str) -> None:
    streamed = evaluate(FIXTURES / fixture)
    after = analyzer.evaluate(record(FIXTURES / fixture))
    assert streamed.violations and _shape(streamed) == _shape(after)
    assert streamed.resources == after.resources and streamed.notes == after.notes


def test_resources_registered_before_the_pack_is_ready_are_analyzed(analyzer: PackAnalyzer) -> None:
    recording = record(lambda: Platform("p", open_route=True))
    half = len(recording.resources) // 2
    configured = threading.Event()

    def connect():  # a pack that becomes ready only after half the program has registered
        configured.wait(10)
        return analyzer.analysis(None, project=recording.project, stack=recording.stack, config=recording.config)

    streamed = StreamedAnalysis(connect)
    for resource in recording.resources[:half]:
        streamed.add(resource)
    configured.set()
    streamed.ready()
    for resource in recording.resources[half:]:
        streamed.add(resource)
    report = streamed.finish(recording)
    assert any(v.enforcement == "mandatory" for v in report.violations)
    assert _shape(report) == _shape(analyzer.evaluate(recording))


def test_a_broken_config_is_reported_before_a_broken_program() -> None:
    broken = parse_policy_config({"apigw-route-requires-auth": {"publicRoutes": [{"api": "a", "route": "GET /x"}]}})
    with pytest.raises(ConfigError, match="reason"):
        evaluate(FIXTURES / "raises", policy_config=broken)
    with pytest.raises(ProgramError, match="the orders table is not configured"):
        evaluate(FIXTURES / "raises")


def test_a_pack_that_cannot_start_is_reported_at_ready() -> None:
    def connect():
        raise PackStartError("the policy pack did not start: exit status 1")

    streamed = StreamedAnalysis(connect)
    streamed.add(record(lambda: Platform("p", open_route=False)).resources[0])  # kept in the backlog, never sent
    with pytest.raises(PackStartError, match="did not start"):
        streamed.ready()


def test_reports_are_reproducible() -> None:
    """The SDK registers resources from worker threads in no fixed order; the report's order is fixed."""
    first, second = (evaluate(FIXTURES / "open_route") for _ in range(2))
    assert json.dumps(_shape(first)) == json.dumps(_shape(second))
    assert _shape(first) == sorted(_shape(first), key=lambda v: ([p.name for p in first.policies].index(v[0]), v[2]))
