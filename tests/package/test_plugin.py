"""The provider plugin as the engine runs it, and the Construct path other languages go through."""

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pulumi
import pytest
import yaml
from google.protobuf import empty_pb2
from pulumi.errors import InputPropertyError
from pulumi.provider.server import ComponentInitError
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from securedapi import __version__
from securedapi.components.schema_gen import SCHEMA_FILE, build_provider
from securedapi.testing import ProgramError, Recording, run_program

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = ROOT / "provider"
API = "securedapi:index:SecuredHttpApi"
IDENTITY = "securedapi:index:CognitoIdentity"


def _clean_env() -> dict[str, str]:
    """No PYTHONPATH: the plugin must find its own package, as under the engine."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}


@pytest.fixture(scope="module")
def plugin(tmp_path_factory) -> Iterator[provider_pb2_grpc.ResourceProviderStub]:
    """`python <plugin dir> <engine address>` from an unrelated working directory, as the language host runs it."""
    process = subprocess.Popen(
        [sys.executable, str(PLUGIN_DIR), "127.0.0.1:1"],  # the engine is only dialled for Construct calls
        cwd=tmp_path_factory.mktemp("program"),
        env=_clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        port = process.stdout.readline().decode().strip()  # type: ignore[union-attr]
        assert port.isdigit(), f"plugin did not announce its port: {port!r} {process.stderr.read().decode()}"  # type: ignore[union-attr]
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield provider_pb2_grpc.ResourceProviderStub(channel)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_plugin_serves_the_committed_schema(plugin):
    served = json.loads(plugin.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=30).schema)
    assert served == json.loads(SCHEMA_FILE.read_text())


def test_plugin_reports_the_package_version(plugin):
    assert plugin.GetPluginInfo(empty_pb2.Empty(), timeout=30).version == __version__


@pytest.mark.parametrize("command", [[str(PLUGIN_DIR / "__main__.py")], [str(PLUGIN_DIR)]])
def test_run_by_hand_explains_itself_instead_of_hanging(command):
    result = subprocess.run([sys.executable, *command], cwd=ROOT, env=_clean_env(), capture_output=True, timeout=60)
    assert result.returncode == 2
    message = result.stderr.decode()
    assert "engine address" in message and "python -m securedapi.components.schema_gen" in message
    assert f"securedapi {__version__}" in message


def test_plugin_manifest_and_requirements():
    manifest = yaml.safe_load((PLUGIN_DIR / "PulumiPlugin.yaml").read_text())
    assert manifest["runtime"]["name"] == "python"
    assert manifest["runtime"]["options"]["virtualenv"] == "venv"  # ignored by provider/.gitignore
    assert "venv/" in (PLUGIN_DIR / ".gitignore").read_text().split()
    lines = [line.split("#")[0].strip() for line in (PLUGIN_DIR / "requirements.txt").read_text().splitlines()]
    # pip runs in the plugin directory: ".." is this repository's distribution, with its own pins
    assert [line for line in lines if line] == [".."]
    assert (PLUGIN_DIR / ".." / "pyproject.toml").is_file()


def test_project_version_is_read_from_the_package():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "securedapi.__version__"}
    assert project["project"]["scripts"] == {"securedapi": "securedapi.cli:main"}
    pins = {d.split("=")[0].rstrip("<>!~ "): d for d in project["project"]["dependencies"]}
    assert pins["pulumi"] == "pulumi==3.272.*" and pins["pulumi-policy"] == "pulumi-policy==1.21.*"


def test_plugin_refuses_an_old_python_with_a_clear_message():
    """The entry point parses on old Pythons and names the version instead of failing with a SyntaxError."""
    import ast

    ast.parse((PLUGIN_DIR / "__main__.py").read_text(), feature_version=(3, 6))
    script = (
        "import runpy, sys; entry = runpy.run_path(sys.argv[1]); "
        "sys.stderr.write(entry['python_problem']((3, 9, 18, 'final', 0)) or ''); "
        "sys.exit(entry['main'].__globals__['python_problem']() is not None)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(PLUGIN_DIR / "__main__.py")], env=_clean_env(), capture_output=True
    )
    assert result.returncode == 0  # this interpreter is new enough
    message = result.stderr.decode()
    assert "needs Python 3.11 or newer" in message and "Python 3.9" in message


# -- Construct, as the engine calls it for YAML/TypeScript/Go/... programs ------------------------------


def construct(token: str, inputs: dict[str, Any]) -> tuple[Recording, dict[str, Any]]:
    provider = build_provider()
    result: dict[str, Any] = {}

    def program() -> None:
        result.update(provider.construct("c", token, inputs, pulumi.ResourceOptions()).state)

    recording = run_program(program, project="construct", stack="test")
    return recording, result


API_INPUTS = {
    "routes": {
        "GET /health": {"handler": "api.handler", "public": "uptime checks"},
        "GET /x": {"handler": "api.handler"},
    },
    "codePath": "examples/handlers",
    "issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
    "audiences": ["client"],
    "memorySize": 512.0,  # every number arrives as a double
    "timeout": 20.0,
}


def test_construct_maps_camel_case_inputs_and_accepts_numbers_as_doubles():
    recording, state = construct(API, API_INPUTS)
    function = recording.of_type("aws:lambda/function:Function")
    assert {f.inputs["memorySize"] for f in function} == {512}
    assert {f.inputs["timeout"] for f in function} == {20}
    assert set(state) >= {"apiId", "apiUrl", "routes", "publicRoutes"}
    component = recording.named("c")
    assert component.type == API and component.outputs["routes"] == {"GET /health": "NONE", "GET /x": "JWT"}


@pytest.mark.parametrize("missing", ["routes", "codePath", "issuer", "audiences"])
def test_construct_rejects_a_missing_required_input(missing):
    inputs = {k: v for k, v in API_INPUTS.items() if k != missing}
    with pytest.raises(ProgramError) as error:
        construct(API, inputs)
    assert isinstance(error.value.cause, InputPropertyError)
    assert f"Missing required input '{missing}'" in str(error.value)


def test_construct_reports_the_components_own_validation():
    with pytest.raises(ProgramError) as error:
        construct(IDENTITY, {"callbackUrls": ["http://app.example.com/cb"], "domainPrefix": "ex"})
    assert isinstance(error.value.cause, ComponentInitError)
    assert "callback_urls" in str(error.value) and "http://app.example.com/cb" in str(error.value)
    with pytest.raises(ProgramError, match=r"route\w*\[.GET /x.\]\.public"):
        construct(API, {**API_INPUTS, "routes": {"GET /x": {"handler": "a.b", "public": ""}}})
    with pytest.raises(ProgramError, match="password_minimum_length"):
        construct(IDENTITY, {"callbackUrls": ["https://a.example.com/cb"], "domainPrefix": "ex",
                             "passwordMinimumLength": 12.5})  # fmt: skip
