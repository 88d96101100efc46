"""Policy pack config as the Pulumi CLI parses, reconciles and validates it.

``--policy-pack-config`` JSON is ``{"all": level, "<policy>": level | {"enforcementLevel": level, ...props}}``;
the effective config starts from each policy's level and schema defaults, then ``all``, then per-policy
entries, and each policy's properties are validated against its JSON schema.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from securedapi.policy.exemptions import Exemption, ExemptionError
from securedapi.policy.exemptions import parse_policy_config as parse_exemptions

LEVELS = ("advisory", "mandatory", "remediate", "disabled")
"""The enforcement levels the CLI accepts."""


class ConfigError(Exception):
    """The policy config is broken (bad JSON, unknown enforcement level, schema error, exemption without reason)."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
        super().__init__(f"{where}{message}")
        self.file = file
        self.line = line


@dataclass(frozen=True)
class PolicyMeta:
    """A policy of the pack as the engine sees it (``GetAnalyzerInfo``)."""

    name: str
    description: str
    enforcement: str
    severity: str
    kind: str
    """"resource" or "stack"."""
    config_schema: dict[str, Any] | None = None
    remediation: str = ""


RawConfig = dict[str, tuple[str | None, dict[str, Any] | None]]


def parse_policy_config(document: Any, source: str | None = None) -> RawConfig:
    """Parse a ``--policy-pack-config`` document: ``{name: level | {"enforcementLevel": level, ...props}}``."""
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError('the policy config must be a JSON object {"<policy>": ...}', file=source)
    out: RawConfig = {}
    for key, value in document.items():
        if isinstance(value, str):
            if value not in LEVELS:
                raise ConfigError(
                    f"parsing enforcement level for {key!r}: {value!r} is not a valid enforcement "
                    f"level (one of {', '.join(LEVELS)})",
                    file=source,
                )
            out[key] = (value, None)
        elif isinstance(value, dict):
            props = dict(value)
            level = props.pop("enforcementLevel", None)
            if level is not None and level not in LEVELS:
                raise ConfigError(
                    f"parsing enforcement level for {key!r}: {level!r} is not a valid enforcement "
                    f"level (one of {', '.join(LEVELS)})",
                    file=source,
                )
            if level is None and not props:
                continue
            out[key] = (level, props or None)
        else:
            raise ConfigError(
                f"parsing {key!r}: {value!r} is not a valid value; must be a string or object", file=source
            )
    return out


def load_policy_config(path: str | Path) -> RawConfig:
    """Read and parse a policy config JSON file (errors name the file and line)."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read the policy config: {exc.strerror}", file=str(path)) from None
    if not text.strip():
        return {}
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"invalid JSON: {exc.msg} (column {exc.colno})", file=str(path), line=exc.lineno) from None
    return parse_policy_config(document, str(path))


def reconcile(
    policies: Sequence[PolicyMeta],
    pack_name: str,
    given: RawConfig | None,
    source: str | None = None,
) -> tuple[dict[str, tuple[str, dict[str, Any]]], list[Exemption], list[str]]:
    """Defaults from the schemas, then "all", then per-policy entries; validate; return the effective config,
    the exemptions it declares and notes (ignored keys)."""
    result: dict[str, tuple[str, dict[str, Any]]] = {}
    for p in policies:
        defaults = {
            k: v["default"]
            for k, v in ((p.config_schema or {}).get("properties") or {}).items()
            if isinstance(v, dict) and "default" in v
        }
        result[p.name] = (p.enforcement, defaults)
    notes: list[str] = []
    given = given or {}
    all_level = given.get("all", (None, None))[0]
    if all_level:
        result = {k: (all_level, v[1]) for k, v in result.items()}
    for key, (level, props) in given.items():
        if key == "all":
            continue
        if key not in result:
            notes.append(f"policy config entry {key!r} matches no policy of pack {pack_name!r}; it is ignored")
            continue
        current_level, current_props = result[key]
        result[key] = (level or current_level, {**current_props, **(props or {})})
    errors: list[str] = []
    exemptions: list[Exemption] = []
    for p in policies:
        props = result[p.name][1]
        if p.config_schema and p.name in given:  # schema defaults are valid by construction
            errors += [f"{p.name}: {e}" for e in _schema_errors(p.config_schema, props)]
        try:
            exemptions += parse_exemptions(p.name, props)
        except ExemptionError as exc:
            errors.append(str(exc))
    if errors:
        raise ConfigError("invalid policy config: " + "; ".join(dict.fromkeys(errors)), file=source)
    return result, exemptions, notes


def _schema_errors(schema: dict[str, Any], props: dict[str, Any]) -> list[str]:
    import jsonschema

    full = {"type": "object", "properties": schema.get("properties") or {}}
    if schema.get("required"):
        full["required"] = schema["required"]
    validator = jsonschema.Draft7Validator(full)
    errors = []
    for error in sorted(validator.iter_errors(props), key=lambda e: list(e.absolute_path)):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
        errors.append(f"{path or '(root)'}: {error.message}")
    return errors
