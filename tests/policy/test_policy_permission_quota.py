"""lambda-permission-route-scoped on SecuredHttpApi: a function past Lambda's 20 KB resource-based policy quota
(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html) gets one whole-API permission, which
the advisory rule reports with the fix that keeps per-route scopes."""

from collections.abc import Callable
from pathlib import Path

from policy_programs import found, secured_api

from securedapi.policy.engine import Report

RULE = "lambda-permission-route-scoped"

Evaluate = Callable[..., Report]


def api_program(code: Path, routes: int) -> Callable[[], None]:
    return secured_api(code, {f"GET /items{i}/{{id}}": {"handler": "app.handler"} for i in range(routes)})


def test_the_whole_api_permission_of_a_function_past_the_quota_is_advisory(evaluate: Evaluate, tmp_path: Path) -> None:
    report = evaluate(api_program(tmp_path, 60))
    (violation,) = found(report, RULE)
    assert violation.enforcement == "advisory" and violation.name == "svc-permission-app-handler"
    assert "whole API" in violation.message
    assert "20 KB resource-based policy" in violation.message
    assert "split those routes over several handlers" in violation.message
    (meta,) = [p for p in report.policies if p.name == RULE]
    assert "split the routes over several handlers" in meta.remediation
    assert report.mandatory == []


def test_a_function_within_the_quota_keeps_route_scoped_permissions(evaluate: Evaluate, tmp_path: Path) -> None:
    report = evaluate(api_program(tmp_path, 3))
    assert found(report, RULE) == []
    assert report.mandatory == []
