"""The shared route/auth model: parsing, permissions and API Gateway's route priority."""

import pytest

from securedapi.routes import (
    RouteError,
    is_catch_all_key,
    match_route,
    parse_route,
    parse_route_key,
    parse_routes,
    preflight_routes,
)


def test_parse_route_key():
    assert parse_route_key("GET /items/{id}") == ("GET", "/items/{id}")
    assert parse_route_key("$default") == ("ANY", "$default")
    with pytest.raises(RouteError, match="one space"):
        parse_route_key("GET  /x")


@pytest.mark.parametrize(
    ("key", "path"),
    [
        ("GET /items/{id}", "GET/items/{id}"),
        ("ANY /items", "*/items"),
        ("$default", "$default"),
    ],
)
def test_permission_path(key, path):
    assert parse_route(key, {"handler": "a.b"}).permission_path == path


def test_catch_all_routes():
    assert parse_route("$default", {"handler": "a.b"}).is_catch_all
    assert parse_route("ANY /{proxy+}", {"handler": "a.b"}).is_catch_all
    assert not parse_route("GET /{proxy+}", {"handler": "a.b"}).is_catch_all
    assert not parse_route("ANY /x/{proxy+}", {"handler": "a.b"}).is_catch_all


@pytest.mark.parametrize(
    ("key", "catch_all"),
    [
        ("$default", True),
        ("ANY /{proxy+}", True),
        ("ANY /{path+}", True),
        ("GET /{proxy+}", False),
        ("ANY /x/{proxy+}", False),
        ("$connect", False),
        ("sendMessage", False),
        ("GET  /x", False),
    ],
)
def test_catch_all_keys(key, catch_all):
    """The key-only test the policy rules and exemptions share (a malformed key is not a catch-all)."""
    assert is_catch_all_key(key) is catch_all


def test_a_greedy_root_route_under_another_name_can_never_be_public():
    assert parse_route("ANY /{path+}", {"handler": "a.b"}).is_catch_all
    with pytest.raises(RouteError, match="can never be public"):
        parse_route("ANY /{path+}", {"handler": "a.b", "public": "open"})


ROUTES = parse_routes(
    {
        "GET /items/{id}": {"handler": "a.b"},
        "GET /items/special": {"handler": "a.b"},
        "ANY /items/{id}": {"handler": "a.b"},
        "GET /files/{proxy+}": {"handler": "a.b"},
        "ANY /{proxy+}": {"handler": "a.b"},
        "$default": {"handler": "a.b"},
    }
)


@pytest.mark.parametrize(
    ("method", "path", "key", "params"),
    [
        ("GET", "/items/7", "GET /items/{id}", {"id": "7"}),
        ("GET", "/items/special", "GET /items/special", {}),
        ("DELETE", "/items/7", "ANY /items/{id}", {"id": "7"}),
        ("GET", "/files/a/b.txt", "GET /files/{proxy+}", {"proxy": "a/b.txt"}),
        ("POST", "/files/a", "ANY /{proxy+}", {"proxy": "files/a"}),
        ("GET", "/", "$default", {}),
    ],
)
def test_match_priority(method, path, key, params):
    route, found = match_route(ROUTES, method, path)
    assert (route.key, found) == (key, params)


@pytest.mark.parametrize("order", [1, -1])
def test_literal_segments_win_left_to_right_whatever_the_declaration_order(order):
    keys = ["GET /a/{x}/c", "GET /a/b/{y}", "GET /{z}/b/c"]
    routes = parse_routes({key: {"handler": "a.b"} for key in keys[::order]})
    assert match_route(routes, "GET", "/a/b/c")[0].key == "GET /a/b/{y}"
    greedy = parse_routes({key: {"handler": "a.b"} for key in ["GET /a/{x}/{p+}", "GET /a/b/{q+}"][::order]})
    assert match_route(greedy, "GET", "/a/b/c/d")[0].key == "GET /a/b/{q+}"


def test_no_match_without_default():
    routes = parse_routes({"GET /items": {"handler": "a.b"}})
    assert match_route(routes, "GET", "/other") is None
    assert match_route(routes, "POST", "/items") is None
    assert match_route(routes, "GET", "/items/") is None


def _preflight_keys(routes):
    return [r.key for r in preflight_routes(parse_routes(routes))]


def test_preflight_routes():
    assert _preflight_keys({"ANY /x": {"handler": "a.b"}}) == ["OPTIONS /x"]
    assert _preflight_keys({"GET /x/{proxy+}": {"handler": "a.b"}}) == ["OPTIONS /{proxy+}"]
    assert _preflight_keys({"$default": {"handler": "a.b"}}) == ["OPTIONS /{proxy+}", "OPTIONS /"]
    assert _preflight_keys({"ANY /{proxy+}": {"handler": "a.b"}, "ANY /a/{p+}": {"handler": "a.b"}}) == [
        "OPTIONS /{proxy+}",
        "OPTIONS /a/{p+}",
    ]
    assert _preflight_keys({"GET /x/{id}": {"handler": "a.b"}}) == []
    assert _preflight_keys({"ANY /x": {"handler": "a.b", "public": "open"}}) == []
    # the user's own OPTIONS route for that path (any parameter name) is kept
    assert _preflight_keys({"ANY /x/{id}": {"handler": "a.b"}, "OPTIONS /x/{key}": {"handler": "a.b"}}) == []


@pytest.mark.parametrize(
    ("routes", "path"),
    [
        ({"ANY /items": {"handler": "a.b"}}, "/items"),
        ({"ANY /items/{id}": {"handler": "a.b"}, "GET /files/{proxy+}": {"handler": "a.b"}}, "/items/7"),
        ({"$default": {"handler": "a.b"}}, "/"),
        ({"$default": {"handler": "a.b"}, "GET /x": {"handler": "a.b"}}, "/x"),
        ({"ANY /{proxy+}": {"handler": "a.b"}}, "/a/b"),
    ],
)
def test_preflights_never_meet_a_jwt_route(routes, path):
    parsed = parse_routes(routes)
    route, _ = match_route([*parsed, *preflight_routes(parsed)], "OPTIONS", path)
    assert route.public == "CORS preflight"
