"""A Pulumi project's configuration as the engine hands it to a program: ``Pulumi.yaml`` defaults
overlaid with ``Pulumi.<stack>.yaml``, namespaced keys, structured values JSON-encoded."""

import json
from pathlib import Path
from typing import Any

import yaml

from securedapi.testing.errors import ProgramError


def load_project(program_dir: str | Path, stack: str = "dev") -> tuple[str, dict[str, str]]:
    """Read ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml``: the project name and the flat config.

    Config keys are namespaced (``project:key``, ``aws:region``); structured values are
    JSON-encoded strings, as the Pulumi engine hands them to a program.
    """
    directory = Path(program_dir)
    project_file = directory / "Pulumi.yaml"
    if not project_file.is_file():
        project_file = directory / "Pulumi.yml"
    if not project_file.is_file():
        raise ProgramError(f"no Pulumi.yaml in {directory} (is it a Pulumi project directory?)")
    project = _read_yaml(project_file)
    if not isinstance(project, dict) or not isinstance(project.get("name"), str):
        raise ProgramError("Pulumi.yaml must be a mapping with a 'name'", file=str(project_file))
    name = project["name"]
    config: dict[str, str] = {}
    for key, spec in (project.get("config") or {}).items():
        if isinstance(spec, dict) and "default" in spec:
            config[_qualify(name, key)] = _config_string(spec["default"])
        elif not isinstance(spec, dict):
            config[_qualify(name, key)] = _config_string(spec)
    stack_file = directory / f"Pulumi.{stack}.yaml"
    if stack_file.is_file():
        stack_doc = _read_yaml(stack_file) or {}
        if not isinstance(stack_doc, dict) or not isinstance(stack_doc.get("config") or {}, dict):
            raise ProgramError("expected a mapping with a 'config' mapping", file=str(stack_file))
        for key, value in (stack_doc.get("config") or {}).items():
            if isinstance(value, dict) and "secure" in value:
                raise ProgramError(
                    f"config {key!r} is encrypted; set a plain test value with --policy-config or another stack file",
                    file=str(stack_file),
                )
            config[_qualify(name, key)] = _config_string(value)
    return name, config


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ProgramError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}", file=str(path), line=(mark.line + 1) if mark else None
        ) from exc


def _qualify(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _config_string(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
