"""Structured logs: one JSON object per request with request id, route and sub; never the token."""

import json
from typing import Any

import pytest
from dashboard import ids

from .conftest import TOKEN, Backend, make_event


def log_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    out = capsys.readouterr().out
    assert TOKEN not in out
    assert "Bearer" not in out and "authorization" not in out.lower()
    lines = [line for line in out.splitlines() if line.strip()]
    return [json.loads(line) for line in lines]  # every line is JSON


def test_one_json_line_per_request(backend: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    body = json.dumps({"filename": "a.txt", "contentType": "text/plain", "size": 3})
    backend.call(make_event("POST /upload-url", sub="user-a", body=body, request_id="req-1"))
    backend.call(make_event("GET /metadata/{id}", sub="user-b", path={"id": ids.new_id()}, request_id="req-2"))
    backend.call(make_event("GET /health", sub=None, request_id="req-3"))
    lines = log_lines(capsys)
    assert [(x["requestId"], x["route"], x.get("sub"), x["status"]) for x in lines] == [
        ("req-1", "POST /upload-url", "user-a", 201),
        ("req-2", "GET /metadata/{id}", "user-b", 404),
        ("req-3", "GET /health", None, 200),
    ]
    assert all(x["level"] == "INFO" and x["message"] == "request" and x["awsRequestId"] for x in lines)
    assert all(isinstance(x["durationMs"], float | int) for x in lines)
    assert lines[1]["error"] == "Not Found"


def test_errors_are_logged_without_token_or_claims(backend: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    backend.monkeypatch.setenv("TABLE_NAME", "missing-table")
    event = make_event("GET /metadata/list", sub="user-a", request_id="req-err")
    assert backend.call(event).status == 500
    lines = log_lines(capsys)
    assert [x["level"] for x in lines] == ["ERROR", "INFO"]
    assert all(x["requestId"] == "req-err" and x["sub"] == "user-a" for x in lines)
    text = json.dumps(lines)
    claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    assert claims["iss"] not in text and claims["client_id"] not in text


def test_log_level_filters(backend: Backend, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    backend.monkeypatch.setenv("LOG_LEVEL", "ERROR")
    backend.call(make_event("GET /health", sub=None))
    assert capsys.readouterr().out == ""
