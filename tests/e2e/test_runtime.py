"""Lambda execution environments over real HTTP: timeouts, concurrency, warm reuse, per-environment state.

The fixture program's ``fx-slow`` function (``sleep`` handler, ``timeout=1``) serves ``ANY /slow`` through the
default integration (30 s) and ``GET /slow-integration`` through one with ``timeoutMilliseconds=300``;
``fx-single`` has ``reservedConcurrentExecutions=1``. Statuses: ``securedapi.local.limits`` (AWS docs cited there).
"""

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from .conftest import FixtureApi


def slow(fixture_api: FixtureApi, seconds: float = 0.0, path: str = "/slow") -> requests.Response:
    with requests.Session() as session:
        return session.get(f"{fixture_api.url}{path}?seconds={seconds}", timeout=30)


def report(response: requests.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_warm_environment_is_reused_with_its_module_state(fixture_api: FixtureApi) -> None:
    first, second = report(slow(fixture_api)), report(slow(fixture_api))
    assert second["pid"] == first["pid"]
    assert second["calls"] == first["calls"] + 1  # module-level state lives on in the environment
    assert first["tag"] == "slow" and first["env"]["AWS_LAMBDA_FUNCTION_NAME"].startswith("fx-slow")
    assert 0 < first["remaining"] <= 1000  # context.get_remaining_time_in_millis() against the 1 s timeout
    assert any("[fx-slow" in line and "cold start" in line and "Init Duration" in line for line in fixture_api.logs)


def test_function_timeout_is_500_and_the_environment_is_replaced(fixture_api: FixtureApi) -> None:
    warm = report(slow(fixture_api))
    started = time.monotonic()
    response = slow(fixture_api, 3)  # the warm environment takes it and runs past the 1 s timeout
    elapsed = time.monotonic() - started
    assert response.status_code == 500
    assert response.json() == {"message": "Internal Server Error"}
    assert 0.9 <= elapsed < 2.5, elapsed
    assert any("Task timed out after 1.00 seconds" in line for line in fixture_api.logs)
    fresh = report(slow(fixture_api))
    assert fresh["pid"] != warm["pid"]  # killed and replaced: a cold start with fresh module state
    assert fresh["calls"] == 1


def test_integration_timeout_is_503_while_the_function_goes_on(fixture_api: FixtureApi) -> None:
    started = time.monotonic()
    response = slow(fixture_api, 0.7, "/slow-integration")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json() == {"message": "Service Unavailable"}
    assert 0.25 <= elapsed < 0.65, elapsed
    assert any("IntegrationTimeout" in line for line in fixture_api.logs)
    assert report(slow(fixture_api, 0, "/slow-integration"))["tag"] == "slow"


def test_concurrent_requests_run_in_separate_environments(fixture_api: FixtureApi) -> None:
    report(slow(fixture_api))  # one warm environment; the others start cold
    with ThreadPoolExecutor(3) as pool:
        results = [report(r) for r in pool.map(lambda _: slow(fixture_api, 0.6), range(3))]
    assert len({r["pid"] for r in results}) == 3
    # Invocations slept at the same time in different environments (measured by the handlers themselves, so
    # however long the machine's load made the cold starts, one at a time would never overlap).
    spans = [r["slept"] for r in results]
    assert any(a[0] < b[1] and b[0] < a[1] for i, a in enumerate(spans) for b in spans[i + 1 :])


def test_a_slow_function_does_not_hold_up_other_functions(fixture_api: FixtureApi) -> None:
    assert requests.get(fixture_api.url + "/items/a/b", timeout=10).status_code == 200  # warm
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(slow, fixture_api, 0.8)
        time.sleep(0.1)
        started = time.monotonic()
        other = requests.get(fixture_api.url + "/items/a/b", timeout=10)
        assert other.status_code == 200 and time.monotonic() - started < 0.5
        assert running.result().status_code == 200


def test_reserved_concurrency_throttles_the_function(fixture_api: FixtureApi) -> None:
    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(r.status_code for r in pool.map(lambda _: slow(fixture_api, 0.5, "/single"), range(2)))
    assert statuses == [200, 500]  # Lambda's TooManyRequestsException is API Gateway's 500
    assert any("TooManyRequestsException" in line for line in fixture_api.logs)


def test_a_handler_that_cannot_be_imported_is_500_and_one_log_line(fixture_api: FixtureApi) -> None:
    for _ in range(2):  # the failed environment is discarded; the next request tries a new one
        response = requests.get(fixture_api.url + "/broken", timeout=10)
        assert response.status_code == 500
        assert response.json() == {"message": "Internal Server Error"}
    failures = [line for line in fixture_api.logs if "[fx-broken" in line and "init failed" in line]
    assert len(failures) == 2
    assert "Runtime.ImportModuleError" in failures[0] and "no_such_module" in failures[0]
