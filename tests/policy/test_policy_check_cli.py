"""securedapi gate: exit codes, text/JSON/SARIF output, broken programs and configs."""

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from securedapi.gate import main

PROJECT_DIR = Path(__file__).resolve().parents[2]

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OPEN = str(FIXTURES / "open_route")
CLEAN = str(FIXTURES / "clean")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def write_config(tmp_path: Path, document: Any) -> str:
    path = tmp_path / "policy-config.json"
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return str(path)


def test_mandatory_violation_exits_1_and_names_everything() -> None:
    code, out, _err = run(OPEN)
    assert code == 1
    assert "MANDATORY  apigw-route-requires-auth" in out and "aws:apigatewayv2/route:Route  'orders-open'" in out
    assert "urn:pulumi:dev::fixture-open-route::" in out and "aws:apigatewayv2/route:Route::orders-open" in out
    assert "FAIL: 1 mandatory" in out


def test_no_mandatory_violation_exits_0() -> None:
    code, out, _err = run(CLEAN)
    assert code == 0 and "apigw-stage-throttling" in out and "PASS: 0 mandatory, 1 advisory" in out


def test_policy_config_lowers_enforcement(tmp_path: Path) -> None:
    assert run(OPEN, "--policy-config", write_config(tmp_path, {"apigw-route-requires-auth": "advisory"}))[0] == 0
    code, out, _err = run(
        OPEN,
        "--format",
        "json",
        "--policy-config",
        write_config(tmp_path, {"apigw-route-requires-auth": {"enforcementLevel": "disabled"}}),
    )
    assert code == 0 and [v["policy"] for v in json.loads(out)["violations"]] == []


def test_exemptions_from_the_cli(tmp_path: Path) -> None:
    entry = {"api": "orders-api", "route": "GET /orders", "reason": "public catalogue"}
    good = write_config(tmp_path, {"apigw-route-requires-auth": {"publicRoutes": [entry]}})
    code, out, _err = run(OPEN, "--policy-config", good)
    assert code == 0 and "exemption (apigw-route-requires-auth): 'GET /orders' on 'orders-api'" in out
    expired = write_config(
        tmp_path, {"apigw-route-requires-auth": {"publicRoutes": [{**entry, "expires": "2020-01-01"}]}}
    )
    code, out, _err = run(OPEN, "--policy-config", expired)
    assert code == 1 and "expired on 2020-01-01" in out
    no_reason = write_config(tmp_path, {"apigw-route-requires-auth": {"publicRoutes": [{**entry, "reason": ""}]}})
    code, out, err = run(OPEN, "--policy-config", no_reason)
    assert code == 2 and out == "" and "reason" in err and "policy-config.json" in err


def test_broken_policy_config_json_names_file_and_line(tmp_path: Path) -> None:
    code, _out, err = run(OPEN, "--policy-config", write_config(tmp_path, '{\n  "all": "advisory",\n}'))
    assert code == 2 and "policy-config.json:3:" in err and "Traceback" not in err


def test_program_that_raises_exits_2_with_file_and_line() -> None:
    code, out, err = run(str(FIXTURES / "raises"))
    assert code == 2 and out == ""
    assert "raises/__main__.py:6: ValueError: the orders table is not configured" in err
    problem = [line for line in err.splitlines() if not line.startswith("securedapi gate: note:")]
    assert "Traceback" not in err and len(problem) == 1  # one paragraph
    code, _out, err = run(str(FIXTURES / "raises"), "--debug")
    assert code == 2 and "Traceback" in err


def test_syntax_error_and_missing_project_exit_2(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("import pulumi\n\nx = (\n")
    code, _out, err = run(str(tmp_path))
    assert code == 2 and "__main__.py:3: SyntaxError" in err
    code, _out, err = run(str(FIXTURES / "no_project"))
    assert code == 2 and "no Pulumi.yaml" in err
    code, _out, err = run(str(tmp_path / "missing"))
    assert code == 2 and "not a directory" in err


def test_json_shape() -> None:
    code, out, _err = run(OPEN, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["resources"] == 3 and report["policies"] == 27
    [violation] = report["violations"]
    assert set(violation) == {"policy", "enforcement", "severity", "resourceType", "name", "urn", "message"}
    assert violation == {
        **violation,
        "policy": "apigw-route-requires-auth",
        "enforcement": "mandatory",
        "severity": "critical",
        "resourceType": "aws:apigatewayv2/route:Route",
        "name": "orders-open",
    }


def test_sarif_shape() -> None:
    code, out, _err = run(OPEN, "--format", "sarif")
    sarif = json.loads(out)
    assert code == 1 and sarif["version"] == "2.1.0" and "sarif" in sarif["$schema"]
    [sarif_run] = sarif["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert len(rules) == 27 and len({r["id"] for r in rules}) == 27
    [result] = sarif_run["results"]
    assert result["ruleId"] == "apigw-route-requires-auth" and result["level"] == "error"
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    [location] = result["locations"]
    assert location["logicalLocations"][0]["fullyQualifiedName"].endswith("::orders-open")
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("open_route/__main__.py")
    assert physical["region"]["startLine"] == 6  # the line that declares "orders-open"
    advisory = json.loads(run(CLEAN, "--format", "sarif")[1])["runs"][0]["results"]
    assert [r["level"] for r in advisory] == ["warning"]


def test_preview_flag_runs_with_unknowns() -> None:
    code, out, _err = run(OPEN, "--preview", "--format", "json")
    assert code == 1 and json.loads(out)["notes"] == []


@pytest.mark.parametrize("stack", ["prod"])
def test_project_stack_passes_the_gate(stack: str) -> None:
    code, out, err = run(str(PROJECT_DIR), "--stack", stack)
    assert code == 0, out + err
    # What passes because a component declared it names its reason: the public health check, the service client.
    assert "declared (apigw-route-requires-auth): 'GET /health' by SecuredHttpApi 'dashboard-api'" in out
    assert (
        "declared (cognito-client-secret-requires-confidential): 'dashboard-identity-service-reporting' by "
        "CognitoIdentity 'dashboard-identity' (reason: \"service client 'reporting' of CognitoIdentity" in out
    )


def test_console_script_defaults_to_the_current_directory_and_exit_codes() -> None:
    env_cwd = str(PROJECT_DIR)
    script = str(Path(sys.executable).parent / "securedapi")
    project = subprocess.run(
        [script, "gate", "--format", "json"],
        cwd=env_cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert project.returncode == 0, project.stderr
    report = json.loads(project.stdout)
    assert report["resources"] > 20
    assert {(d["policy"], d["target"]) for d in report["declarations"]} == {
        ("apigw-route-requires-auth", "GET /health"),
        ("cognito-client-secret-requires-confidential", "dashboard-identity-service-reporting"),
    }
    failing = subprocess.run(
        [sys.executable, "-m", "securedapi", "gate", OPEN], cwd=env_cwd, capture_output=True, text=True, timeout=60
    )
    assert failing.returncode == 1 and "apigw-route-requires-auth" in failing.stdout
