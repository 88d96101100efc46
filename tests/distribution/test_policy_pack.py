"""The policy pack launched as Pulumi launches a Python pack, spoken to over its gRPC Analyzer interface.

Pulumi's Python language host (sdk/python/cmd/pulumi-language-python, RunPlugin for kind "analyzer") runs
``<virtualenv>/bin/python -u -m pulumi.policy <engine-address> <pack-dir>`` with the pack directory as the
working directory; the virtualenv is the one PulumiPolicy.yaml names, relative to the pack directory
(pkg/resource/plugin/analyzer_plugin.go, sdk/python/toolchain). The engine then calls GetAnalyzerInfo,
Configure, Analyze (resource policies) and AnalyzeStack (stack policies).
"""

import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from securedapi import __version__
from securedapi.policy.pack_process import PackProcess, language_host_env
from securedapi.policy.rules import ALL, MANDATORY

from .conftest import ROOT

STACK = "urn:pulumi:dev::team::pulumi:pulumi:Stack::team-dev"


def _urn(type_: str, name: str) -> str:
    return f"urn:pulumi:dev::team::{type_}::{name}"


def _struct(values: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def _virtualenv_python(pack: Path) -> str:
    """The interpreter of the virtualenv PulumiPolicy.yaml names (relative to the pack directory)."""
    options = yaml.safe_load((pack / "PulumiPolicy.yaml").read_text())["runtime"]["options"]
    return os.path.abspath(pack / options["virtualenv"] / "bin" / "python")  # a venv python: no symlink resolution


def _launch(pack: Path) -> PackProcess:
    env = language_host_env(project="team", stack="dev", config={"aws:region": "eu-west-1"}, dry_run=True)
    return PackProcess(pack, python=_virtualenv_python(pack), cwd=pack, env=env).start()


def _check_pack(pack: Path) -> None:
    with _launch(pack) as process:
        stub = process.wait()
        info = stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
        assert info.name == "securedapi"
        assert [p.name for p in info.policies] == [p.name for p in ALL]
        mandatory = {p.name for p in info.policies if p.enforcementLevel == analyzer_pb2.MANDATORY}
        assert mandatory == {p.name for p in MANDATORY}

        # A resource policy: an HTTP API created with quick-create `target` (an open $default route).
        api_urn = _urn("aws:apigatewayv2/api:Api", "orders")
        quick = analyzer_pb2.AnalyzeRequest(
            type="aws:apigatewayv2/api:Api",
            name="orders",
            urn=api_urn,
            properties=_struct({"protocolType": "HTTP", "target": "arn:aws:lambda:eu-west-1:1:function:f"}),
        )
        [diagnostic] = stub.Analyze(quick, timeout=30).diagnostics
        assert diagnostic.policyName == "apigw-no-quick-create"
        assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY

        # A stack policy: an open route on an API of the stack.
        route_urn = _urn("aws:apigatewayv2/route:Route", "open")
        stack = analyzer_pb2.AnalyzeStackRequest()
        stack.resources.add(type="pulumi:pulumi:Stack", name="team-dev", urn=STACK)
        stack.resources.add(
            type="aws:apigatewayv2/api:Api",
            name="orders",
            urn=api_urn,
            parent=STACK,
            properties=_struct({"protocolType": "HTTP", "id": "a1b2c3", "name": "orders"}),
        )
        stack.resources.add(
            type="aws:apigatewayv2/route:Route",
            name="open",
            urn=route_urn,
            parent=STACK,
            properties=_struct({"apiId": "a1b2c3", "routeKey": "GET /orders", "authorizationType": "NONE"}),
        )
        found = [d for d in stub.AnalyzeStack(stack, timeout=30).diagnostics if d.urn == route_urn]
        assert [d.policyName for d in found] == ["apigw-route-requires-auth"]
        assert found[0].enforcementLevel == analyzer_pb2.MANDATORY and "GET /orders" in found[0].message


def test_published_pack_alone_starts_and_enforces(installed_pack: Path) -> None:
    """`make pack` output, copied alone to ~/.pulumi/policies/<org>/pulumi-analyzer-securedapi-v<version>, with the
    venv built from its own requirements.txt: no checkout on any path."""
    assert sorted(p.name for p in installed_pack.iterdir() if p.name != "venv") == [
        "PulumiPolicy.yaml",
        "__main__.py",
        "requirements.txt",
        f"securedapi-{__version__}-py3-none-any.whl",
    ]
    project = yaml.safe_load((installed_pack / "PulumiPolicy.yaml").read_text())
    assert project["version"] == __version__ and project["runtime"]["options"]["virtualenv"] == "venv"
    _check_pack(installed_pack)


def test_checkout_pack_directory_runs_as_pulumi_preview_policy_pack_runs_it() -> None:
    """`pulumi preview --policy-pack policy` from this checkout: the pack's virtualenv is the project's .venv."""
    pack = ROOT / "policy"
    assert sorted(p.name for p in pack.iterdir() if p.name != "__pycache__") == [
        "PulumiPolicy.yaml",
        "__main__.py",
        "requirements.txt",
    ]
    assert yaml.safe_load((pack / "PulumiPolicy.yaml").read_text())["version"] == __version__
    _check_pack(pack)


def test_a_pack_whose_dependencies_are_missing_fails_with_its_error(tmp_path: Path) -> None:
    """A pack directory without its venv's packages: the start-up error names the missing module."""
    from securedapi.policy.pack_process import PackStartError

    (tmp_path / "__main__.py").write_text("import securedapi_missing_dependency\n")
    process = PackProcess(tmp_path, env=language_host_env(project="p", stack="s", config={}, dry_run=False))
    with process.start(), pytest.raises(PackStartError, match="securedapi_missing_dependency"):
        process.wait(timeout=30)
