"""`securedapi openapi [PROGRAM_DIR] [--stack NAME] [--api NAME]`: the document of any program, exit 2 when broken."""

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from securedapi.cli import main, openapi_main
from securedapi.testing import run_program
from tests.unit.test_openapi import assert_valid

ROOT = Path(__file__).resolve().parents[2]

API = """\
SecuredHttpApi(
    {name!r},
    {{
        "code_path": "handlers",
        "issuer": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc",
        "audiences": ["client"],
        "routes": {routes},
    }},
)
"""


def program(tmp_path: Path, *apis: tuple[str, dict[str, Any]], prelude: str = "") -> Path:
    """A Pulumi program directory declaring the given SecuredHttpApi components."""
    (tmp_path / "Pulumi.yaml").write_text("name: openapi-cli\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "handlers").mkdir(exist_ok=True)
    (tmp_path / "handlers" / "app.py").write_text("def handler(event, context):\n    return {}\n")
    source = "from securedapi import SecuredHttpApi\n" + prelude
    source += "".join(API.format(name=name, routes=repr(routes)) for name, routes in apis)
    (tmp_path / "__main__.py").write_text(source)
    return tmp_path


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = openapi_main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


PUBLIC = {"GET /health": {"handler": "app.handler", "public": "uptime checks"}}
ITEMS = {"GET /items/{id}": {"handler": "app.handler", "scopes": ["api/read"]}}


def test_prints_the_dashboard_stacks_document():
    code, out, err = run(str(ROOT), "--stack", "prod")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert_valid(document)
    recorded = run_program(ROOT, stack="prod").named("dashboard-api").outputs["openapi"]
    assert document == json.loads(recorded)
    assert document["servers"][0] == {"url": "https://api.example.com"}  # Pulumi.prod.yaml's apiDomain


def test_the_console_script_runs_it_in_a_plain_process(tmp_path):
    directory = program(tmp_path, ("only", {**PUBLIC, **ITEMS}))
    result = subprocess.run(
        [sys.executable, "-m", "securedapi", "openapi", "--format", "yaml"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    document = yaml.safe_load(result.stdout)
    assert_valid(document)
    assert document["info"]["title"] == "only"
    assert document["paths"]["/health"]["get"]["security"] == []
    assert document["paths"]["/items/{id}"]["get"]["security"] == [{"oauth2": ["api/read"]}]


def test_several_apis_need_a_choice(tmp_path):
    directory = program(tmp_path, ("public-api", PUBLIC), ("items-api", ITEMS))
    code, out, err = run(str(directory))
    assert (code, out) == (2, "")
    assert "2 SecuredHttpApi components (items-api, public-api)" in err and "--api NAME" in err
    code, out, err = run(str(directory), "--api", "items-api")
    assert (code, err) == (0, "")
    assert set(json.loads(out)["paths"]) == {"/items/{id}"}
    code, out, err = run(str(directory), "--api", "orders")
    assert (code, out) == (2, "")
    assert "no SecuredHttpApi named 'orders'; it declares: items-api, public-api" in err


def test_a_program_without_an_api_is_refused(tmp_path):
    directory = program(tmp_path)
    code, out, err = run(str(directory))
    assert (code, out) == (2, "")
    assert "declares no SecuredHttpApi" in err


def test_a_broken_program_is_one_paragraph_naming_file_and_line(tmp_path):
    directory = program(tmp_path, ("api", PUBLIC), prelude="\nraise RuntimeError('no table configured')\n")
    code, out, err = run(str(directory))
    assert (code, out) == (2, "")
    assert err.startswith("securedapi openapi: the program is broken: ")
    assert f"{directory / '__main__.py'}:3: RuntimeError: no table configured" in err
    assert "(run with --debug for the traceback)" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(str(directory), "--debug")
    assert code == 2 and "Traceback (most recent call last)" in err


def test_bad_component_args_name_the_arg(tmp_path):
    directory = program(tmp_path, ("api", {"POST /x": {"handler": "app.handler", "request_schema": {"type": "strin"}}}))
    code, _, err = run(str(directory))
    assert code == 2
    assert "args.routes['POST /x'].request_schema: not a valid JSON Schema: 'strin'" in err


def test_not_a_program_directory(tmp_path):
    code, _, err = run(str(tmp_path / "missing"))
    assert code == 2 and "is not a directory" in err
    code, _, err = run(str(tmp_path))
    assert code == 2 and "no __main__.py" in err


def test_listed_in_the_top_level_usage(capsys):
    assert main(["--help"]) == 0
    assert "openapi  print the OpenAPI 3.1 document" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        openapi_main(["--help"])
    assert exit_.value.code == 0
    usage = capsys.readouterr().out
    assert "--stack" in usage and "--api NAME" in usage and "program_dir" in usage
