"""Check a stack's configuration against what its project declares, before any resource exists.

Pulumi hands a program every ``<project>:<key>`` of ``Pulumi.<stack>.yaml`` whether or not ``Pulumi.yaml``
declares it, so a misspelt key (``securedapi:mfaa``) is silently ignored and its default used. A program
calls :func:`check_stack_config` first; it raises :class:`StackConfigError` (a
:class:`~securedapi.testing.ProgramError`: the gate and the local stack exit 2) naming the file, the line,
the key and the closest declared key, for:

* a key in the project's namespace that ``Pulumi.yaml`` does not declare;
* a value of the wrong type for a declared ``type`` -- with a hint to quote a YAML 1.1 boolean
  (``mfa: OFF`` is the boolean ``false`` to YAML 1.1 readers; ``mfa: "OFF"`` is the string);
* an ``aws:region`` that is not an AWS region.

Keys the engine passes in ``PULUMI_CONFIG`` (e.g. from a Pulumi ESC environment) are checked for declaration
too (their values arrive as strings, so not for types).
"""

from pathlib import Path
from typing import Any

import pulumi
import pulumi.runtime
import yaml

from securedapi.components.checks import closest, region_problem
from securedapi.testing.errors import ProgramError

_TYPES: dict[str, tuple[type, ...]] = {"string": (str,), "integer": (int,), "boolean": (bool,), "array": (list,)}


class StackConfigError(ProgramError):
    """The stack's configuration does not match the project's declared configuration."""


def check_stack_config(directory: str | Path = ".", *, project: str | None = None, stack: str | None = None) -> None:
    """Raise :class:`StackConfigError` for an undeclared, mistyped or invalid key of the stack's config.

    ``directory`` holds ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` (default: the working directory, which
    is the program's directory under ``pulumi up`` and under :func:`securedapi.testing.record`).
    """
    directory = Path(directory).resolve()
    project_file = next((directory / n for n in ("Pulumi.yaml", "Pulumi.yml") if (directory / n).is_file()), None)
    if project_file is None:
        return
    document = yaml.safe_load(project_file.read_text()) or {}
    project = project or str(document.get("name") or pulumi.get_project())
    stack = stack or pulumi.get_stack()
    declared = {_qualify(project, key): spec for key, spec in (document.get("config") or {}).items()}
    stack_file = directory / f"Pulumi.{stack}.yaml"
    entries = _entries(stack_file, project) if stack_file.is_file() else []
    seen = {key for key, *_ in entries}
    env = pulumi.runtime.get_config_env()
    entries += [(key, value, None, None) for key, value in env.items() if key not in seen]
    for key, value, line, raw in entries:
        problem = _problem(project, declared, key, value, raw, typed=line is not None)
        if problem:
            source = "" if line else " (from the engine's configuration)"
            raise StackConfigError(f"{problem}{source}", file=str(stack_file) if line else None, line=line)


def _qualify(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _entries(stack_file: Path, project: str) -> list[tuple[str, Any, int | None, Any]]:
    """``(qualified key, value, line, raw YAML scalar text or None)`` for each key of the stack file's ``config``."""
    try:
        text = stack_file.read_text()
        root = yaml.compose(text)
        values = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise StackConfigError(
            f"invalid YAML: {getattr(exc, 'problem', exc)}", file=str(stack_file), line=mark.line + 1 if mark else None
        ) from exc
    config_node = next(
        (v for k, v in getattr(root, "value", []) if isinstance(k, yaml.ScalarNode) and k.value == "config"), None
    )
    config = values.get("config") if isinstance(values, dict) else None
    if not isinstance(config_node, yaml.MappingNode) or not isinstance(config, dict):
        return []
    entries = []
    for key_node, value_node in config_node.value:
        key = str(key_node.value)
        raw = value_node.value if isinstance(value_node, yaml.ScalarNode) and not value_node.style else None
        entries.append((_qualify(project, key), config.get(key), key_node.start_mark.line + 1, raw))
    return entries


def _problem(project: str, declared: dict[str, Any], key: str, value: Any, raw: Any, *, typed: bool) -> str | None:
    """What is wrong with one entry; ``typed`` for values as YAML typed them (the engine passes strings)."""
    namespace = key.split(":", 1)[0]
    if key == "aws:region" and isinstance(value, str | bool | int | float):
        problem = region_problem(value)
        return f"aws:region {problem}" if problem else None
    if namespace != project:
        return None
    if key not in declared:
        suggestion = closest(key, declared)
        hint = f"did you mean {suggestion}?" if suggestion else f"Pulumi.yaml declares {', '.join(sorted(declared))}."
        return (
            f"{key} is not a configuration key of project {project!r} (Pulumi.yaml does not declare it): {hint} "
            "Fix the key, or declare it under config: in Pulumi.yaml."
        )
    spec = declared[key]
    expected = spec.get("type") if isinstance(spec, dict) else None
    if not typed or expected not in _TYPES or (isinstance(value, dict) and "secure" in value):
        return None
    return _type_problem(key, value, raw, expected, spec)


def _type_problem(key: str, value: Any, raw: Any, expected: str, spec: dict[str, Any]) -> str | None:
    ok = isinstance(value, _TYPES[expected]) and not (expected == "integer" and isinstance(value, bool))
    if ok and expected == "array":
        item_type = (spec.get("items") or {}).get("type")
        bad = [v for v in value if item_type in _TYPES and not isinstance(v, _TYPES[item_type])]
        if bad:
            return f"{key} must be a list of {item_type}s, got the item {_yaml(bad[0])}" + _quote_hint(bad[0], None)
        return None
    if ok:
        return None
    article = "an" if expected[0] in "ai" else "a"
    return f"{key} must be {article} {expected}, got {_yaml(value)}" + (
        _quote_hint(value, raw) if expected == "string" else ""
    )


def _yaml(value: Any) -> str:
    """A value as YAML spells it (``false``, not ``False``)."""
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def _quote_hint(value: Any, raw: Any) -> str:
    """For a value YAML made a boolean or a number: how to write it as a string."""
    if isinstance(value, bool | int | float):
        text = raw if isinstance(raw, str) else ("true" if value is True else "false" if value is False else value)
        kind = "boolean" if isinstance(value, bool) else "number"
        return f' (YAML reads the unquoted {text} as the {kind} {str(value).lower()}: quote it, "{text}")'
    return ""
