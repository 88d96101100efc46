"""Contract tests: schemathesis generates requests from the OpenAPI document the local stack serves and sends
them to the running stack with real tokens (a user's for user routes, an admin's for group routes, the
service client's for its routes). No response is a 500, every response matches the document (status,
content type, body schema), and every non-public operation answers 401 without a token.

The budget is small (a few examples per operation, derandomized) to keep ``make test`` fast; every route of
the dev stack is throttled per route well above it."""

from typing import Any

import jwt
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from securedapi.local.service_tokens import client_credentials_token

from .conftest import RunningStack

EXAMPLES = 4
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
BUDGET = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def document(stack: RunningStack) -> dict[str, Any]:
    served = requests.get(stack.outputs["openapiUrl"], timeout=10).json()
    validate(served)  # openapi-spec-validator: a valid OpenAPI 3.1 document
    return dict(served)


@pytest.fixture(scope="module")
def bearer(stack: RunningStack) -> dict[str, str]:
    """A token per kind of caller the document names."""
    return {
        "user": stack.token("contract-user"),
        "admin": stack.token("contract-admin", "admin"),
        "service": client_credentials_token(stack.outputs, "reporting").access_token,
    }


def caller(definition: dict[str, Any], service_scopes: set[str]) -> str | None:
    """Who calls an operation: nobody (public), the service client (its scopes), an admin (groups) or a user."""
    security = definition.get("security")
    if security == []:
        return None
    scopes = {scope for requirement in security or [] for scope in requirement.get("oauth2", [])}
    if scopes and scopes <= service_scopes:
        return "service"
    return "admin" if definition.get("x-securedapi-groups") else "user"


def conforms(operation: Any, base_url: str, session: requests.Session, headers: dict[str, str]) -> None:
    """Generated cases of one operation, sent with ``headers``: each response matches the document."""

    @BUDGET
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, session=session, headers=headers)
        case.validate_response(response, checks=CHECKS)

    run()


def refused_without_token(operation: Any, base_url: str, session: requests.Session) -> None:
    """A generated case of a non-public operation without a token: 401 {"message": "Unauthorized"}, documented."""

    @settings(BUDGET, max_examples=1)
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        response = case.call(base_url=base_url, session=session, headers={})
        assert response.status_code == 401, (case.method, case.formatted_path, response.text)
        assert response.json() == {"message": "Unauthorized"}
        case.validate_response(response, checks=CHECKS)

    run()


def test_the_running_stack_honours_its_document(document: dict[str, Any], bearer: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_dict(document)
    service_scopes = set(jwt.decode(bearer["service"], options={"verify_signature": False})["scope"].split())
    session = requests.Session()
    base_url = document["servers"][0]["url"]  # the local API, as the served document says
    tested: dict[str, str | None] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        definition = document["paths"][operation.path][operation.method.lower()]
        who = caller(definition, service_scopes)
        tested[operation.label] = who
        conforms(operation, base_url, session, {"Authorization": f"Bearer {bearer[who]}"} if who else {})
        if who is not None:
            refused_without_token(operation, base_url, session)
    # Every operation of the document ran, with the caller it needs.
    assert tested == {
        "GET /health": None,
        "POST /upload-url": "user",
        "GET /metadata/list": "user",
        "GET /metadata/{id}": "user",
        "DELETE /metadata/{id}": "user",
        "GET /admin/metadata/list": "admin",
        "GET /reports/summary": "service",
    }
