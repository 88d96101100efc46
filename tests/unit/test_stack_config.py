"""Stack config: what Pulumi would silently pass (an undeclared key, a YAML boolean for a string) stops the
program naming the file, the line, the key and the fix; the gate and the local stack exit 2."""

import io
import json
import re
import subprocess
import sys

import pytest
import yaml

from securedapi import SecuredHttpApi
from securedapi.components.stack_config import StackConfigError, check_stack_config
from securedapi.gate import main as gate
from securedapi.local.emulator import free_port
from securedapi.testing import ProgramError, record
from tests.unit.conftest import DEV_CONFIG, HANDLERS, ROOT, api_args


def broken(dashboard_copy, extra: str, stack: str = "broken") -> StackConfigError:
    directory = dashboard_copy(stack, DEV_CONFIG + extra)
    with pytest.raises(StackConfigError) as failure:
        record(directory, stack=stack)
    return failure.value


def test_an_undeclared_key_is_refused_naming_the_line_and_the_closest_key(dashboard_copy):
    error = broken(dashboard_copy, '  securedapi:mfaa: "ON"\n')
    assert error.file is not None and error.file.endswith("Pulumi.broken.yaml") and error.line == 6
    assert "securedapi:mfaa is not a configuration key of project 'securedapi'" in str(error)
    assert "did you mean securedapi:mfa?" in str(error)


def test_an_unqualified_undeclared_key_is_in_the_projects_namespace(dashboard_copy):
    error = broken(dashboard_copy, "  logRetention: 7\n")
    assert "securedapi:logRetention is not a configuration key" in str(error)
    assert "did you mean securedapi:logRetentionDays?" in str(error)


def test_a_yaml_boolean_where_a_string_is_declared_gets_a_hint_to_quote_it(dashboard_copy):
    error = broken(dashboard_copy, "  securedapi:mfa: OFF\n")
    assert error.line == 6
    assert "securedapi:mfa must be a string, got false" in str(error)
    assert '(YAML reads the unquoted OFF as the boolean false: quote it, "OFF")' in str(error)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('  securedapi:logRetentionDays: "30"\n', "securedapi:logRetentionDays must be an integer, got '30'"),
        ("  securedapi:deletionProtection: maybe\n", "securedapi:deletionProtection must be a boolean, got maybe"),
        ("  securedapi:corsOrigins: http://localhost:5173\n", "securedapi:corsOrigins must be an array"),
        (
            "  securedapi:corsOrigins:\n    - yes\n",
            "securedapi:corsOrigins must be a list of strings, got the item true",
        ),
    ],
)
def test_a_value_of_the_wrong_declared_type_is_refused(dashboard_copy, extra, message):
    assert message in str(broken(dashboard_copy, extra))


def test_a_region_that_is_not_an_aws_region_is_refused(dashboard_copy):
    directory = dashboard_copy("region", DEV_CONFIG.replace("us-east-1", "us-east1"))
    with pytest.raises(StackConfigError, match=r"Pulumi.region.yaml:2: aws:region 'us-east1' is not an AWS region; "
                       r"did you mean 'us-east-1'\?"):  # fmt: skip
        record(directory, stack="region")


def test_keys_from_the_engines_configuration_are_checked_too(dashboard_copy, monkeypatch):
    directory = dashboard_copy("env", DEV_CONFIG)
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"securedapi:featurPlan": "PLUS", "aws:region": "us-east-1"}))
    with pytest.raises(StackConfigError, match=r"securedapi:featurPlan is not a configuration key.*did you mean "
                       r"securedapi:featurePlan\? .*\(from the engine's configuration\)"):  # fmt: skip
        record(directory, stack="env")


def test_our_stacks_pass_and_every_key_the_program_reads_is_declared():
    for stack in ("dev", "prod"):
        check_stack_config(ROOT, project="securedapi", stack=stack)  # raises on any problem
    read = set(re.findall(r"config\.(?:get|require)\w*\(\"(\w+)\"", (ROOT / "__main__.py").read_text()))
    declared = {key.split(":", 1)[1] for key in yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]}
    assert len(read) > 10 and read <= declared, read - declared


def test_public_true_on_a_route_says_public_takes_a_reason(record):
    routes = {"GET /health": {"handler": "app.handler", "public": True}}
    with pytest.raises(ProgramError, match=r"routes\['GET /health'\]\.public: takes the reason this route needs no "
                       r"token, not a boolean \(got True\); e\.g\. public: 'uptime checks'"):  # fmt: skip
        record(lambda: SecuredHttpApi("web", api_args(routes=routes, code_path=HANDLERS)))


def run_gate(directory, stack: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    status = gate([str(directory), "--stack", stack], stdout=out, stderr=err)
    return status, err.getvalue()


def test_the_gate_exits_2_naming_the_undeclared_key_and_the_closest_one(dashboard_copy):
    directory = dashboard_copy("typo", DEV_CONFIG + '  securedapi:mfaa: "ON"\n')
    status, message = run_gate(directory, "typo")
    assert status == 2
    assert "the program is broken:" in message and "Pulumi.typo.yaml:6: securedapi:mfaa" in message
    assert "did you mean securedapi:mfa?" in message and "Traceback" not in message


def test_the_gate_exits_2_for_a_retention_cloudwatch_refuses(dashboard_copy):
    directory = dashboard_copy("retention", DEV_CONFIG + "  securedapi:logRetentionDays: 8\n")
    status, message = run_gate(directory, "retention")
    assert status == 2
    assert "SecuredHttpApi args.log_retention_days: must be one of CloudWatch Logs' retention periods" in message
    assert "got 8" in message and "Traceback" not in message


def test_the_local_stack_exits_2_naming_the_undeclared_key(dashboard_copy, tmp_path):
    directory = dashboard_copy("typo", DEV_CONFIG + '  securedapi:mfaa: "ON"\n')
    command = [sys.executable, "-m", "securedapi", "local", "--program", str(directory), "--stack", "typo"]
    ports = ["--api-port", str(free_port()), "--aws-port", str(free_port()), "--state-dir", str(tmp_path / "state")]
    result = subprocess.run(command + ports, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "the stack's configuration is broken" in result.stderr
    assert "securedapi:mfaa" in result.stderr and "did you mean securedapi:mfa?" in result.stderr
    assert "Traceback" not in result.stderr
