"""The harness's SDK internals (securedapi.testing.sdk): fail loudly when the pinned pulumi changes."""

import importlib.metadata

from securedapi.testing import sdk


def test_the_installed_sdk_has_every_internal_the_harness_uses() -> None:
    assert sdk.check_sdk() == []


def test_the_distribution_pins_the_tested_minor() -> None:
    requirements = importlib.metadata.requires("securedapi") or []
    assert f"pulumi=={sdk.TESTED_SDK_MINOR}.*" in requirements


def test_check_names_what_is_missing(monkeypatch) -> None:
    from pulumi.runtime import settings

    monkeypatch.delattr(settings, "_load_monitor_feature_support")
    assert any("_load_monitor_feature_support" in problem for problem in sdk.check_sdk())


def test_registrations_under_the_harness_skip_the_stack_walk(monkeypatch) -> None:
    """The SDK walks the stack at each registration (``_get_stack_trace``); the harness turns that off while a
    program runs and restores it afterwards."""
    import traceback

    import pulumi_aws as aws
    from pulumi.runtime import resource as pulumi_resource

    from securedapi.testing import run_program

    walks = []
    original_extract = traceback.extract_stack

    def counting_extract(*args, **kwargs):
        walks.append(1)
        return original_extract(*args, **kwargs)

    monkeypatch.setattr(pulumi_resource.traceback, "extract_stack", counting_extract)
    recording = run_program(lambda: [aws.cloudwatch.LogGroup(f"logs-{i}") for i in range(3)])
    assert len(recording.of_type("aws:cloudwatch/logGroup:LogGroup")) == 3
    assert walks == []
    pulumi_resource._get_stack_trace()  # outside a run: the SDK's own function again
    assert walks == [1]
