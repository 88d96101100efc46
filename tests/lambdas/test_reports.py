"""``GET /reports/summary`` (service clients) and the router keeping service tokens off the user routes."""

import json

import pytest
from dashboard import ids, storage

from .conftest import Backend, make_event

SERVICE = "4ne9v1ed7l3b0hlu5qd0o6nkkr"
"""A client id: the ``sub`` of a client-credentials token."""


def summary(backend: Backend, **event: object) -> tuple[int, object]:
    response = backend.call(make_event("GET /reports/summary", sub=SERVICE, service=True, **event))  # type: ignore[arg-type]
    return response.status, response.body


def test_summary_of_an_empty_table(backend: Backend) -> None:
    assert summary(backend) == (
        200,
        {"uploads": 0, "owners": 0, "totalBytes": 0, "byStatus": {}, "oldest": None, "newest": None},
    )


def test_summary_counts_every_users_uploads(backend: Backend) -> None:
    first = backend.upload("user-a", size=100)
    backend.upload("user-a", size=20)
    last = backend.upload("user-b", size=3)
    status, body = summary(backend)
    assert status == 200
    assert body == {
        "uploads": 3,
        "owners": 2,
        "totalBytes": 123,
        "byStatus": {"pending": 3},
        "oldest": ids.created_at(first["id"]),
        "newest": ids.created_at(last["id"]),
    }


def test_summary_reads_every_page(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Query page ends at 1 MB: the summary follows LastEvaluatedKey (here every page holds one item)."""
    for size in (1, 2, 3):
        backend.upload("user-a", size=size)
    store_query = storage.Store.summary
    calls: list[dict[str, object]] = []

    def one_per_page(self: storage.Store) -> storage.Summary:
        original = self.dynamodb.query

        def query(**kwargs: object) -> dict[str, object]:
            calls.append(kwargs)
            return dict(original(**kwargs, Limit=1))

        monkeypatch.setattr(self, "dynamodb", type("C", (), {"query": staticmethod(query)})())
        return store_query(self)

    monkeypatch.setattr(storage.Store, "summary", one_per_page)
    status, body = summary(backend)
    assert (status, body["uploads"], body["totalBytes"]) == (200, 3, 6)  # type: ignore[index]
    assert len(calls) >= 3 and "ExclusiveStartKey" in calls[-1]


def test_summary_takes_no_query_parameters(backend: Backend) -> None:
    assert summary(backend, query={"limit": "5"}) == (400, {"message": "limit: unknown query parameter"})


@pytest.mark.parametrize(
    ("route", "path", "body"),
    [
        ("GET /metadata/list", None, None),
        ("GET /metadata/{id}", {"id": "01J0000000000000000000000A"}, None),
        ("DELETE /metadata/{id}", {"id": "01J0000000000000000000000A"}, None),
        ("POST /upload-url", None, json.dumps({"filename": "a.txt", "contentType": "text/plain", "size": 1})),
        ("GET /admin/metadata/list", None, None),
    ],
)
def test_service_tokens_are_refused_on_user_routes(backend: Backend, route: str, path: object, body: object) -> None:
    """Its ``sub`` is the client, not a user: no uploads under a client's prefix, no one's items (403, no write)."""
    backend.monkeypatch.setenv("ROUTE_GROUPS", json.dumps({"GET /admin/metadata/list": ["admin"]}))
    event = make_event(route, sub=SERVICE, service=True, path=path, body=body)  # type: ignore[arg-type]
    response = backend.call(event)
    assert (response.status, response.body) == (403, {"message": "Forbidden"})
    assert backend.item_count() == 0


def test_user_tokens_are_still_users(backend: Backend) -> None:
    """A user's access token carries ``username`` and its own ``client_id``: not a service token."""
    response = backend.call(make_event("GET /metadata/list", sub="5b1c2a7e-user"))
    assert response.status == 200
    user_with_report_scope = backend.call(make_event("GET /reports/summary", sub="5b1c2a7e-user"))
    assert user_with_report_scope.status == 200  # the gateway's scope check decides who reaches the route


@pytest.mark.parametrize(
    ("claims", "service"),
    [
        ({"sub": SERVICE, "client_id": SERVICE, "token_use": "access", "scope": "dashboard/reports.read"}, True),
        ({"sub": "u-1", "client_id": SERVICE, "token_use": "access", "username": "u-1"}, False),  # user access token
        ({"sub": SERVICE, "client_id": SERVICE, "token_use": "access", "username": "x"}, False),
        ({"sub": "u-1", "aud": SERVICE, "token_use": "id", "cognito:username": "u-1"}, False),  # ID token
        ({"sub": SERVICE, "client_id": SERVICE, "token_use": "id"}, False),
        ({}, False),
    ],
)
def test_service_token_detection(claims: dict[str, str], service: bool) -> None:
    from dashboard import http

    assert http.is_service_token(claims) is service
