"""What an execution environment starts with: its function's variables and Lambda's, nothing else of the host."""

from pathlib import Path

import pytest

from securedapi.local.model import FunctionSpec
from securedapi.local.runtime import function_environment


def test_environment_is_the_functions_own(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOST_SECRET", "leak")
    monkeypatch.setenv("TABLE_NAME", "the-host's")
    monkeypatch.setenv("AWS_PROFILE", "developer")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    spec = FunctionSpec(
        name="fn-a",
        arn="arn:aws:lambda:eu-west-1:123456789012:function:fn-a",
        handler="app.handler",
        code_dir=tmp_path,
        environment={"TABLE_NAME": "items"},
        memory_mb=256,
    )
    env = function_environment(spec, "eu-west-1")
    assert "HOST_SECRET" not in env and "AWS_PROFILE" not in env
    assert env["TABLE_NAME"] == "items"  # the program's value wins
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5000"  # the emulator
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "fn-a" and env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["_HANDLER"] == "app.handler" and env["LAMBDA_TASK_ROOT"] == str(tmp_path)
