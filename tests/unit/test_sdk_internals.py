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
