"""Every route's success path, the router (404, 401, ROUTE_GROUPS), groups parsing and error handling."""

import json
from typing import Any

import pytest
from dashboard import http, ids, storage

from .conftest import Backend, make_event

ADMIN_ONLY = json.dumps({"GET /admin/metadata/list": ["admin"]})


def test_health_is_public_and_touches_no_backend(backend: Backend) -> None:
    backend.monkeypatch.delenv("TABLE_NAME")
    response = backend.call(make_event("GET /health", sub=None))
    assert (response.status, response.body) == (200, {"status": "ok"})


def test_upload_url_creates_pending_item_under_the_callers_prefix(backend: Backend) -> None:
    body = backend.upload("user-a", filename="Q3 report (final).pdf", content_type="application/pdf", size=2048)
    assert set(body) == {"id", "key", "uploadUrl", "expiresIn"}
    assert ids.is_valid(body["id"])
    assert body["key"] == f"users/user-a/{body['id']}/Q3_report__final_.pdf"
    assert body["expiresIn"] == 300
    assert f"/{body['key']}?" in body["uploadUrl"] and "X-Amz-Signature=" in body["uploadUrl"]
    stored = backend.dynamodb.get_item(
        TableName=backend.table, Key={"pk": {"S": "USER#user-a"}, "sk": {"S": f"ITEM#{body['id']}"}}
    )["Item"]
    assert stored["status"] == {"S": "pending"}
    assert stored["filename"] == {"S": "Q3 report (final).pdf"}
    assert stored["size"] == {"N": "2048"}
    assert stored["gsi1pk"] == {"S": "ITEM"}
    assert stored["gsi1sk"] == {"S": f"{stored['createdAt']['S']}#{body['id']}"}
    assert backend.object_keys() == []  # nothing uploaded yet: the client PUTs to the URL


def test_get_list_and_delete_own_items(backend: Backend) -> None:
    first = backend.upload("user-a", filename="a.txt", content_type="text/plain", size=1)
    second = backend.upload("user-a", filename="b.png", content_type="image/png", size=10_485_760)

    got = backend.call(make_event("GET /metadata/{id}", sub="user-a", path={"id": first["id"]}))
    assert got.status == 200
    assert got.body == {
        "id": first["id"],
        "owner": "user-a",
        "key": first["key"],
        "filename": "a.txt",
        "contentType": "text/plain",
        "size": 1,
        "status": "pending",
        "createdAt": ids.created_at(first["id"]),
    }

    listed = backend.call(make_event("GET /metadata/list", sub="user-a"))
    assert listed.status == 200
    assert [i["id"] for i in listed.body["items"]] == [second["id"], first["id"]]  # newest first
    assert listed.body["nextCursor"] is None

    deleted = backend.call(make_event("DELETE /metadata/{id}", sub="user-a", path={"id": first["id"]}))
    assert (deleted.status, deleted.raw["body"]) == (204, "")
    assert backend.call(make_event("GET /metadata/{id}", sub="user-a", path={"id": first["id"]})).status == 404
    assert backend.item_count() == 1
    again = backend.call(make_event("DELETE /metadata/{id}", sub="user-a", path={"id": first["id"]}))
    assert (again.status, again.body) == (404, {"message": "Not Found"})


def test_admin_list_returns_everyones_items(backend: Backend) -> None:
    a = backend.upload("user-a")
    b = backend.upload("user-b")
    response = backend.call(make_event("GET /admin/metadata/list", sub="boss", groups=["admin"]))
    assert response.status == 200
    assert [(i["id"], i["owner"]) for i in response.body["items"]] == [(b["id"], "user-b"), (a["id"], "user-a")]


@pytest.mark.parametrize("groups", [None, ["editors"], "[]", "", ["administrators"], '["editors"]'])
def test_admin_list_is_forbidden_for_non_admins_even_without_route_groups(backend: Backend, groups: Any) -> None:
    backend.upload("user-a")
    response = backend.call(make_event("GET /admin/metadata/list", sub="user-a", groups=groups))
    assert (response.status, response.body) == (403, {"message": "Forbidden"})


@pytest.mark.parametrize(
    "claim",
    [
        "[admin]",  # how API Gateway stringifies a one-element array claim
        "[editors admin]",  # ... and a two-element one
        '["editors","admin"]',  # a JSON list string
        ["editors", "admin"],  # a real list
    ],
)
def test_cognito_groups_claim_in_every_shape(backend: Backend, claim: Any) -> None:
    event = make_event("GET /admin/metadata/list", sub="boss")
    event["requestContext"]["authorizer"]["jwt"]["claims"]["cognito:groups"] = claim
    assert backend.call(event).status == 200


@pytest.mark.parametrize(
    ("claim", "expected"),
    [
        ("[admin editors]", {"admin", "editors"}),
        ("[admin]", {"admin"}),
        ("[]", set()),
        ('["admin", "editors"]', {"admin", "editors"}),
        (["admin", 3, ""], {"admin"}),
        ("admin", {"admin"}),
        ("[adminx]", {"adminx"}),
        (None, set()),
        (42, set()),
        ("[ admin ]", {"admin"}),
        ("[admin", {"admin"}),
    ],
)
def test_parse_groups(claim: Any, expected: set[str]) -> None:
    assert http.parse_groups(claim) == expected


@pytest.mark.parametrize(
    "route",
    [
        "POST /upload-url",
        "GET /metadata/list",
        "GET /metadata/{id}",
        "DELETE /metadata/{id}",
        "GET /admin/metadata/list",
    ],
)
def test_jwt_routes_without_sub_are_unauthorized(backend: Backend, route: str) -> None:
    event = make_event(
        route,
        sub=None,
        path={"id": ids.new_id()} if "{id}" in route else None,
        body=json.dumps({"filename": "a", "contentType": "a/b", "size": 1}),
    )
    response = backend.call(event)
    assert (response.status, response.body) == (401, {"message": "Unauthorized"})
    assert backend.item_count() == 0


@pytest.mark.parametrize("sub", ["", "a/b", "USER#x", "x" * 200, " lead", "user-a\n"])
def test_unusable_sub_is_unauthorized(backend: Backend, sub: str) -> None:
    assert backend.call(make_event("GET /metadata/list", sub=sub)).status == 401


def test_identity_never_comes_from_the_body_or_headers(backend: Backend) -> None:
    body = json.dumps({"filename": "a", "contentType": "a/b", "size": 1})
    event = make_event("POST /upload-url", sub=None, body=body)
    event["headers"]["x-user-sub"] = "user-a"
    event["requestContext"]["authorizer"] = {"lambda": {"sub": "user-a"}}
    assert backend.call(event).status == 401


@pytest.mark.parametrize("route_key", ["GET /nope", "$default", "POST /metadata/list", "ANY /{proxy+}", ""])
def test_unknown_route_is_404(backend: Backend, route_key: str) -> None:
    response = backend.call(make_event(route_key))
    assert (response.status, response.body) == (404, {"message": "Not Found"})


MALFORMED = [{}, {"routeKey": 3}, {"requestContext": "x", "routeKey": "GET /metadata/list"}, None, []]


@pytest.mark.parametrize("event", MALFORMED)
def test_malformed_events_never_500(backend: Backend, event: Any) -> None:
    assert backend.call(event).status in (401, 404)


def test_route_groups_enforced_before_dispatch(backend: Backend) -> None:
    groups = {"GET /metadata/list": ["editors", "admin"], **json.loads(ADMIN_ONLY)}
    backend.monkeypatch.setenv("ROUTE_GROUPS", json.dumps(groups))
    backend.upload("user-a")
    denied = backend.call(make_event("GET /metadata/list", sub="user-a", groups=["viewers"]))
    assert (denied.status, denied.body) == (403, {"message": "Forbidden"})
    assert backend.call(make_event("GET /metadata/list", sub="user-a")).status == 403  # no groups claim at all
    assert backend.call(make_event("GET /metadata/list", sub="user-a", groups=["editors"])).status == 200
    assert backend.call(make_event("GET /metadata/list", sub="user-a", groups='["admin"]')).status == 200
    # routes not listed are not restricted
    assert (
        backend.call(
            make_event(
                "POST /upload-url",
                sub="user-a",
                groups=["viewers"],
                body=json.dumps({"filename": "x", "contentType": "a/b", "size": 1}),
            )
        ).status
        == 201
    )


def test_route_groups_read_per_invocation(backend: Backend) -> None:
    event = make_event("GET /metadata/list", sub="user-a", groups=["editors"])
    assert backend.call(event).status == 200
    backend.monkeypatch.setenv("ROUTE_GROUPS", json.dumps({"GET /metadata/list": ["admin"]}))
    assert backend.call(event).status == 403
    backend.monkeypatch.setenv("ROUTE_GROUPS", json.dumps({"GET /metadata/list": []}))  # nobody: fail closed
    assert backend.call(make_event("GET /metadata/list", sub="user-a", groups=["admin"])).status == 403
    backend.monkeypatch.delenv("ROUTE_GROUPS")
    assert backend.call(event).status == 200


def test_route_groups_on_public_route_require_identity(backend: Backend) -> None:
    backend.monkeypatch.setenv("ROUTE_GROUPS", json.dumps({"GET /health": ["ops"]}))
    assert backend.call(make_event("GET /health", sub=None)).status == 401
    assert backend.call(make_event("GET /health", sub="u", groups=["ops"])).status == 200


@pytest.mark.parametrize("value", ["{not json", "[]", '{"GET /metadata/list": "admin"}', '{"GET /metadata/list": [1]}'])
def test_malformed_route_groups_fails_closed_with_500(
    backend: Backend, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    backend.monkeypatch.setenv("ROUTE_GROUPS", value)
    response = backend.call(make_event("GET /metadata/list", sub="user-a", request_id="req-misconfigured"))
    assert (response.status, response.body) == (500, {"message": "Internal Server Error"})
    errors = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"ERROR"' in line]
    assert errors and errors[0]["requestId"] == "req-misconfigured" and errors[0]["errorType"] == "ConfigError"


def test_backend_failure_is_logged_500(backend: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    backend.monkeypatch.setenv("TABLE_NAME", "no-such-table")
    response = backend.call(make_event("GET /metadata/list", sub="user-a", request_id="req-broken"))
    assert (response.status, response.body) == (500, {"message": "Internal Server Error"})
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    error = next(line for line in lines if line["level"] == "ERROR")
    assert error["requestId"] == "req-broken" and error["route"] == "GET /metadata/list"
    assert error["errorType"] == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("name", "value"),
    [("UPLOAD_URL_EXPIRES", "59"), ("UPLOAD_URL_EXPIRES", "abc"), ("UPLOAD_URL_EXPIRES", "3601"), ("BUCKET_NAME", "")],
)
def test_bad_upload_configuration_is_500_and_writes_nothing(backend: Backend, name: str, value: str) -> None:
    backend.monkeypatch.setenv(name, value)
    body = json.dumps({"filename": "a.txt", "contentType": "text/plain", "size": 1})
    assert backend.call(make_event("POST /upload-url", body=body)).status == 500
    assert backend.item_count() == 0


def test_configuration_is_read_per_invocation(backend: Backend) -> None:
    first = backend.upload("user-a")
    other_table = "metadata-other"
    from .conftest import create_table

    create_table(other_table)
    backend.monkeypatch.setenv("TABLE_NAME", other_table)
    assert backend.call(make_event("GET /metadata/list", sub="user-a")).body["items"] == []
    backend.monkeypatch.setenv("TABLE_NAME", backend.table)
    items = backend.call(make_event("GET /metadata/list", sub="user-a")).body["items"]
    assert [i["id"] for i in items] == [first["id"]]


def test_clients_are_cached_per_endpoint(backend: Backend) -> None:
    storage.reset_clients()
    first = storage.client("dynamodb")
    assert storage.client("dynamodb") is first
    backend.monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5999")
    moved = storage.client("dynamodb")
    assert moved is not first and moved.meta.endpoint_url == "http://127.0.0.1:5999"
    assert storage.client("s3").meta.config.s3["addressing_style"] == "path"
    backend.monkeypatch.delenv("AWS_ENDPOINT_URL")
    assert storage.client("dynamodb") is first
