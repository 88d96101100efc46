"""The estimate of a function's resource-based policy against Lambda's 20 KB quota
(https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html)."""

import json
from collections.abc import Callable
from pathlib import Path

import botocore
import pytest

from securedapi.lambda_policy import (
    ACCOUNT_ID_LENGTH,
    API_ID_LENGTH,
    FUNCTION_NAME_MAX_LENGTH,
    FUNCTION_RESOURCE_POLICY_QUOTA_BYTES,
    LONGEST_PARTITION,
    LONGEST_REGION,
    STATEMENT_ID_MAX_LENGTH,
    WHOLE_API_PERMISSION_PATH,
    fits_function_policy,
    handlers_needed,
    handlers_over_quota,
    invoke_statement,
    policy_bytes,
    policy_document,
    statement_bytes,
)
from securedapi.routes import parse_routes, preflight_routes

PATHS = ["GET/items/{id}", "*/items/{proxy+}", "$default", WHOLE_API_PERMISSION_PATH, "POST/a/b.c/d~e/{x}"]


def compact(value: object) -> int:
    return len(json.dumps(value, separators=(",", ":")))


def statement(path: str, *, sid: str, partition: str, region: str, account: str, function: str, api: str) -> dict:
    """The statement as AWS stores it, from concrete values."""
    arn = f"arn:{partition}:%s:{region}:{account}:%s"
    return invoke_statement(sid, arn % ("lambda", f"function:{function}"), arn % ("execute-api", f"{api}/*/{path}"))


def longest(path: str) -> dict:
    """Every value the component cannot know at its longest: a statement id of 100 characters (AddPermission's
    maximum), a 64-character function name, the longest partition and region, a 12-digit account, a 10-character
    API id."""
    return statement(
        path,
        sid="pulumi-generated_Id-" + "x7" * ((STATEMENT_ID_MAX_LENGTH - 20) // 2),
        partition=LONGEST_PARTITION,
        region=LONGEST_REGION,
        account="9" * ACCOUNT_ID_LENGTH,
        function="my-function_" + "n" * (FUNCTION_NAME_MAX_LENGTH - 12),
        api="z" * API_ID_LENGTH,
    )


def ordinary(path: str) -> dict:
    """What a typical deployment stores: us-east-1, an auto-named statement id and function."""
    return statement(
        path,
        sid="api-permission-get-items-3f9c2e1",
        partition="aws",
        region="us-east-1",
        account="123456789012",
        function="api-fn-app-handler-5d2a9b0",
        api="a1b2c3d4e5",
    )


def botocore_partitions() -> list[dict]:
    data = Path(botocore.__file__).parent / "data" / "endpoints.json"
    partitions: list[dict] = json.loads(data.read_text())["partitions"]
    return partitions


def test_the_assumed_partition_and_region_are_the_longest_aws_has() -> None:
    partitions = botocore_partitions()
    assert max(len(p["partition"]) for p in partitions) == len(LONGEST_PARTITION)
    assert max(len(region) for p in partitions for region in p["regions"]) == len(LONGEST_REGION)


def test_the_quota_is_20_kb() -> None:
    assert FUNCTION_RESOURCE_POLICY_QUOTA_BYTES == 20480  # "bigger than the limit (20480)"


@pytest.mark.parametrize("path", PATHS)
def test_a_statement_of_the_longest_values_is_within_the_estimate(path: str) -> None:
    actual = compact(longest(path))
    assert actual <= statement_bytes(path)
    assert actual == statement_bytes(path)  # and the estimate is that size: no slack besides escaping


def test_characters_an_html_safe_encoder_escapes_count_six_bytes() -> None:
    path = "GET/a&b/c=d/it's"
    encoded = json.dumps(longest(path), separators=(",", ":"))
    for char in "<>&='":  # what Gson writes as \u00XX by default
        encoded = encoded.replace(char, f"\\u{ord(char):04x}")
    assert len(encoded) == compact(longest(path)) + 3 * 5
    assert statement_bytes(path) >= len(encoded)


def test_the_policy_estimate_is_the_size_of_the_document_with_the_longest_values() -> None:
    for count in (0, 1, 7):
        paths = [f"GET/items{i}/{{id}}" for i in range(count)]
        assert compact(policy_document([longest(p) for p in paths])) == policy_bytes(paths)


def most_that_fit(path_of: Callable[[int], str]) -> int:
    n = 0
    while fits_function_policy([path_of(i) for i in range(n + 1)]):
        n += 1
    return n


def test_what_fits_leaves_room_for_the_whole_api_statement_at_the_longest_values() -> None:
    """Pulumi creates the whole-API permission before it deletes the per-route ones (and the other way
    round): both exist for a moment, and that moment must fit the quota too."""
    paths: list[Callable[[int], str]] = [lambda i: f"GET/r{i}", lambda i: f"PATCH/orders/{{id}}/lines{i}/{{line}}"]
    for path_of in paths:
        n = most_that_fit(path_of)
        statements = [longest(path_of(i)) for i in range(n)] + [longest(WHOLE_API_PERMISSION_PATH)]
        assert compact(policy_document(statements)) <= FUNCTION_RESOURCE_POLICY_QUOTA_BYTES
        statements = [longest(path_of(i)) for i in range(n + 2)]
        assert compact(policy_document(statements)) > FUNCTION_RESOURCE_POLICY_QUOTA_BYTES


def test_forty_short_routes_fit_sixty_long_ones_do_not() -> None:
    short = [f"GET/r{i}" for i in range(40)]
    long = [f"GET/{i:03d}" + "x" * 96 for i in range(60)]
    assert fits_function_policy(short)
    assert not fits_function_policy(long)
    # not merely a pessimistic estimate: with ordinary values AWS would refuse those 60 as well
    assert compact(policy_document([ordinary(p) for p in long])) > FUNCTION_RESOURCE_POLICY_QUOTA_BYTES


def test_handlers_over_quota_groups_routes_by_handler_and_ignores_preflights() -> None:
    declared = {f"ANY /big{i}": {"handler": "big.handler"} for i in range(60)}
    declared["GET /small"] = {"handler": "small.handler"}
    routes = parse_routes(declared)
    routes.extend(preflight_routes(routes))  # 60 public OPTIONS routes without a handler
    over = handlers_over_quota(routes)
    assert list(over) == ["big.handler"]
    assert [r.key for r in over["big.handler"]] == [f"ANY /big{i}" for i in range(60)]


def split(routes: list, shares: int) -> list[list]:
    size = -(-len(routes) // shares)
    return [routes[i : i + size] for i in range(0, len(routes), size)]


def test_handlers_needed_is_a_lower_bound_that_suffices_for_alike_routes() -> None:
    routes = parse_routes({f"GET /items{i}/{{id}}": {"handler": "app.handler"} for i in range(200)})
    needed = handlers_needed(routes)
    assert handlers_needed(routes[:10]) == 1
    assert not all(fits_function_policy([r.permission_path for r in share]) for share in split(routes, needed - 1))
    assert all(fits_function_policy([r.permission_path for r in share]) for share in split(routes, needed))
