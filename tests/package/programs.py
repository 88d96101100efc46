"""The multi-language examples as data: load, check against the schema, run through the provider.

The YAML and TypeScript examples are read into one small model (resources with their type token and
property values, output references, config) by a YAML loader and a tokenizer/parser for the subset of
TypeScript the example uses. Anything outside that subset is an error, so the example cannot grow
beyond what the tests check. The model is then

* checked against the package schema (every property exists, types and plain-ness match, required
  inputs are present, referenced outputs exist), and
* run: each resource is constructed through ``ComponentProvider.construct`` (the same code path the
  plugin runs for a ``Construct`` call from the engine: camelCase mapping, required inputs, numbers
  as doubles) under the repository's mocks, so the component validates the example's real values.
"""

import ast
import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml

from securedapi.components.schema_gen import PACKAGE_NAME, build_provider
from securedapi.testing import Recording, run_program


@dataclass(frozen=True)
class Ref:
    """An output of another resource of the program: ``${identity.issuer}`` / ``identity.issuer``."""

    resource: str
    output: str


@dataclass(frozen=True)
class ConfigRef:
    """A project config value (known when the program runs, so it may feed plain inputs)."""

    name: str


@dataclass
class Resource:
    name: str
    """Logical name (the URN name)."""
    token: str
    properties: dict[str, Any]


@dataclass
class Program:
    resources: dict[str, Resource]
    """By program variable (YAML: the resource key; TypeScript: the const name)."""
    outputs: dict[str, Ref]
    config: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Declared config (Pulumi.yaml ``config:``): name -> {type, default, ...}."""


class UnsupportedSyntaxError(ValueError):
    """The example uses something the loader does not model (keep the example inside the subset)."""


# -- YAML ------------------------------------------------------------------------------------------------

_INTERPOLATION = re.compile(r"^\$\{([A-Za-z_][\w-]*)(?:\.([A-Za-z_]\w*))?\}$")


def load_yaml(path: Path) -> Program:
    doc = yaml.safe_load(path.read_text())
    config = {name: dict(spec) for name, spec in (doc.get("config") or {}).items()}
    resources: dict[str, Resource] = {}
    for var, spec in (doc.get("resources") or {}).items():
        unknown = set(spec) - {"type", "properties"}
        if unknown:
            raise UnsupportedSyntaxError(f"resources.{var}: unsupported keys {sorted(unknown)}")
        resources[var] = Resource(var, spec["type"], {})  # registered first: refs are resolved by name
    for var, spec in (doc.get("resources") or {}).items():
        resources[var].properties = _yaml_value(spec.get("properties") or {}, resources, config, f"resources.{var}")
    outputs: dict[str, Ref] = {}
    for name, value in (doc.get("outputs") or {}).items():
        ref = _yaml_value(value, resources, config, f"outputs.{name}")
        if not isinstance(ref, Ref):
            raise UnsupportedSyntaxError(f"outputs.{name}: expected ${{resource.output}}, got {value!r}")
        outputs[name] = ref
    return Program(resources, outputs, config)


def _yaml_value(value: Any, resources: dict[str, Resource], config: dict[str, Any], where: str) -> Any:
    if isinstance(value, dict):
        return {k: _yaml_value(v, resources, config, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [_yaml_value(v, resources, config, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str) and "${" in value:
        match = _INTERPOLATION.match(value)
        if not match:
            raise UnsupportedSyntaxError(f"{where}: only whole-value ${{resource.output}} or ${{config}} is modelled")
        head, member = match.groups()
        if member is not None and head in resources:
            return Ref(head, member)
        if member is None and head in config:
            return ConfigRef(head)
        raise UnsupportedSyntaxError(f"{where}: {value!r} names neither a resource output nor a declared config key")
    return value


# -- TypeScript ------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<ws>\s+)|(?P<comment>//[^\n]*|/\*.*?\*/)
    |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\$]|\\.|\$(?!\{))*`)
    |(?P<number>\d+(?:\.\d+)?)|(?P<ident>[A-Za-z_$][\w$]*)|(?P<punct>[{}\[\](),:;.=*])""",
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    line: int


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos, line = 0, 1
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if not match:
            raise UnsupportedSyntaxError(f"line {line}: unexpected {source[pos : pos + 20]!r}")
        kind = match.lastgroup or ""
        text = match.group()
        if kind not in ("ws", "comment"):
            tokens.append(Token(kind, text, line))
        line += text.count("\n")
        pos = match.end()
    return tokens


class _TsParser:
    """Top-level statements: imports, ``const x = new pulumi.Config()``, ``const x = <config>.require("k")``,
    ``const x = new <sdk>.<Component>("name", {...})`` and ``export const x = <resource>.<output>``."""

    def __init__(self, tokens: list[Token], sdk_alias: str) -> None:
        self.tokens, self.pos, self.sdk = tokens, 0, sdk_alias
        self.config_objects: set[str] = set()
        self.config_values: dict[str, ConfigRef] = {}
        self.resources: dict[str, Resource] = {}
        self.outputs: dict[str, Ref] = {}

    def peek(self, offset: int = 0) -> Token | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def take(self, text: str | None = None, kind: str | None = None) -> Token:
        token = self.peek()
        if token is None or (text is not None and token.text != text) or (kind is not None and token.kind != kind):
            got = f"{token.text!r} (line {token.line})" if token else "end of file"
            raise UnsupportedSyntaxError(f"expected {text or kind}, got {got}")
        self.pos += 1
        return token

    def program(self) -> None:
        while self.peek() is not None:
            token = self.take()
            if token.text == "import":
                while self.take().text != ";":
                    pass
            elif token.text == "export":
                self.take("const")
                name = self.take(kind="ident").text
                self.take("=")
                value = self.expression()
                if not isinstance(value, Ref):
                    raise UnsupportedSyntaxError(f"export {name}: only <resource>.<output> is modelled")
                self.outputs[name] = value
                self.take(";")
            elif token.text == "const":
                self.declaration(self.take(kind="ident").text)
            else:
                raise UnsupportedSyntaxError(f"line {token.line}: unsupported statement starting with {token.text!r}")

    def declaration(self, var: str) -> None:
        self.take("=")
        if self.peek() and self.peek().text == "new":  # type: ignore[union-attr]
            self.take("new")
            namespace = self.take(kind="ident").text
            self.take(".")
            cls = self.take(kind="ident").text
            self.take("(")
            if (namespace, cls) == ("pulumi", "Config"):
                self.take(")")
                self.config_objects.add(var)
            elif namespace == self.sdk:
                name = self.expression()
                if not isinstance(name, str):
                    raise UnsupportedSyntaxError(f"{var}: the resource name must be a string literal")
                self.take(",")
                props = self.expression()
                if not isinstance(props, dict):
                    raise UnsupportedSyntaxError(f"{var}: the args must be an object literal")
                self.take(")")
                self.resources[var] = Resource(name, f"{PACKAGE_NAME}:index:{cls}", props)
            else:
                raise UnsupportedSyntaxError(f"{var}: new {namespace}.{cls} is not modelled")
        else:
            obj = self.take(kind="ident").text
            self.take(".")
            method = self.take(kind="ident").text
            if obj not in self.config_objects or method != "require":
                raise UnsupportedSyntaxError(f'{var}: only <config>.require("key") is modelled')
            self.take("(")
            key = self.expression()
            self.take(")")
            self.config_values[var] = ConfigRef(str(key))
        self.take(";")

    def expression(self) -> Any:
        token = self.take()
        if token.text == "{":
            obj: dict[str, Any] = {}
            while self.peek() and self.peek().text != "}":  # type: ignore[union-attr]
                key_token = self.take()
                if key_token.kind == "string":
                    key = _ts_string(key_token.text)
                elif key_token.kind == "ident":
                    key = key_token.text
                else:
                    raise UnsupportedSyntaxError(f"line {key_token.line}: bad object key {key_token.text!r}")
                self.take(":")  # shorthand properties are not modelled
                if key in obj:
                    raise UnsupportedSyntaxError(f"line {key_token.line}: duplicate key {key!r}")
                obj[key] = self.expression()
                if self.peek() and self.peek().text == ",":  # type: ignore[union-attr]
                    self.take(",")
            self.take("}")
            return obj
        if token.text == "[":
            items: list[Any] = []
            while self.peek() and self.peek().text != "]":  # type: ignore[union-attr]
                items.append(self.expression())
                if self.peek() and self.peek().text == ",":  # type: ignore[union-attr]
                    self.take(",")
            self.take("]")
            return items
        if token.kind == "string":
            return _ts_string(token.text)
        if token.kind == "number":
            return float(token.text) if "." in token.text else int(token.text)
        if token.text in ("true", "false"):
            return token.text == "true"
        if token.kind == "ident":
            if token.text in self.config_values:
                return self.config_values[token.text]
            if token.text in self.resources and self.peek() and self.peek().text == ".":  # type: ignore[union-attr]
                self.take(".")
                return Ref(token.text, self.take(kind="ident").text)
        raise UnsupportedSyntaxError(f"line {token.line}: unsupported expression starting with {token.text!r}")


def _ts_string(text: str) -> str:
    if text[0] == "`":  # the tokenizer only accepts template literals without ${...}
        return text[1:-1]
    return str(ast.literal_eval(text))  # '...' and "..." with simple escapes read the same in Python


def load_typescript(path: Path, sdk_module: str = f"@pulumi/{PACKAGE_NAME}") -> Program:
    """Parse the example; the SDK must be imported as ``import * as <alias> from "@pulumi/securedapi"``."""
    source = path.read_text()
    match = re.search(r'import\s+\*\s+as\s+(\w+)\s+from\s+"' + re.escape(sdk_module) + '"', source)
    if not match:
        raise UnsupportedSyntaxError(f'{path}: no `import * as <alias> from "{sdk_module}"`')
    parser = _TsParser(tokenize(source), match.group(1))
    parser.program()
    project = yaml.safe_load((path.parent / "Pulumi.yaml").read_text())
    config = {name: dict(spec) for name, spec in (project.get("config") or {}).items()}
    for ref in parser.config_values.values():
        if ref.name not in config:
            raise UnsupportedSyntaxError(f"config {ref.name!r} is required but not declared in Pulumi.yaml")
    return Program(parser.resources, parser.outputs, config)


# -- checks against the schema ---------------------------------------------------------------------------


def _shape(prop: dict[str, Any]) -> Any:
    """A property's type without descriptions and plain-ness, for comparing an output with an input."""
    if "$ref" in prop:
        return prop["$ref"]
    kind = prop.get("type")
    if kind == "array":
        return ("array", _shape(prop["items"]))
    if kind == "object" and "additionalProperties" in prop:
        return ("map", _shape(prop["additionalProperties"]))
    return "number" if kind == "integer" else kind


def check_program(program: Program, schema: dict[str, Any]) -> list[str]:
    """Every problem of the program with respect to the schema (empty when it is consistent)."""
    problems: list[str] = []
    for var, resource in program.resources.items():
        spec = schema["resources"].get(resource.token)
        if spec is None:
            problems.append(f"{var}: type {resource.token} is not in the schema")
            continue
        for name in spec.get("requiredInputs", []):
            if name not in resource.properties:
                problems.append(f"{var}: required input {name!r} is missing")
        for name, value in resource.properties.items():
            prop = spec["inputProperties"].get(name)
            if prop is None:
                problems.append(f"{var}.{name}: no such input of {resource.token}")
                continue
            problems += _check_value(value, prop, f"{var}.{name}", program, schema)
    for name, ref in program.outputs.items():
        problems += [f"outputs.{name}: {p}" for p in _output_problems(ref, program, schema)]
    return problems


def _output_problems(ref: Ref, program: Program, schema: dict[str, Any]) -> list[str]:
    resource = program.resources.get(ref.resource)
    if resource is None:
        return [f"no resource {ref.resource!r}"]
    spec = schema["resources"].get(resource.token, {})
    if ref.output not in spec.get("properties", {}):
        return [f"{resource.token} has no output {ref.output!r}"]
    return []


def _check_value(value: Any, prop: dict[str, Any], where: str, program: Program, schema: dict[str, Any]) -> list[str]:
    if isinstance(value, Ref):
        problems = _output_problems(value, program, schema)
        if problems:
            return [f"{where}: {p}" for p in problems]
        if prop.get("plain"):
            return [f"{where}: takes a plain value, not the output {value.resource}.{value.output}"]
        output = schema["resources"][program.resources[value.resource].token]["properties"][value.output]
        if _shape(output) != _shape(prop):
            return [f"{where}: output {value.output} is {_shape(output)}, the input wants {_shape(prop)}"]
        return []
    if isinstance(value, ConfigRef):
        declared = program.config.get(value.name)
        if declared is None:
            return [f"{where}: config {value.name!r} is not declared"]
        kinds = {"string": "", "integer": 0, "boolean": False}
        if declared.get("type") not in kinds:
            return [f"{where}: config {value.name!r} has unsupported type {declared.get('type')!r}"]
        return _check_value(declared.get("default", kinds[declared["type"]]), prop, where, program, schema)
    ref = prop.get("$ref")
    if ref is not None:
        if ref == "pulumi.json#/Any":
            return []
        type_spec = schema["types"].get(ref.removeprefix("#/types/"))
        if type_spec is None:
            return [f"{where}: unresolvable type {ref}"]
        if not isinstance(value, dict):
            return [f"{where}: expected an object ({ref}), got {value!r}"]
        problems = [
            f"{where}: required {name!r} is missing" for name in type_spec.get("required", []) if name not in value
        ]
        for key, item in value.items():
            sub = type_spec.get("properties", {}).get(key)
            if sub is None:
                problems.append(f"{where}.{key}: no such property of {ref}")
            else:
                problems += _check_value(item, sub, f"{where}.{key}", program, schema)
        return problems
    kind = prop.get("type")
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {value!r}"]
        return [
            p
            for i, item in enumerate(value)
            for p in _check_value(item, prop["items"], f"{where}[{i}]", program, schema)
        ]
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{where}: expected a mapping, got {value!r}"]
        values = prop.get("additionalProperties", {})
        return [p for k, item in value.items() for p in _check_value(item, values, f"{where}.{k}", program, schema)]
    ok = {
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "integer": isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer(),
        "number": isinstance(value, int | float) and not isinstance(value, bool),
    }.get(kind or "", False)
    return [] if ok else [f"{where}: expected {kind}, got {value!r}"]


# -- running through the provider ------------------------------------------------------------------------


def run_through_provider(program: Program, project_dir: Path, config: dict[str, Any] | None = None) -> Recording:
    """Construct every resource via ``ComponentProvider.construct`` under mocks, in program order,
    with the project directory as working directory (relative ``codePath`` resolves as under ``pulumi up``)."""
    provider = build_provider()
    values = {name: spec.get("default") for name, spec in program.config.items()}
    values.update(config or {})

    def body() -> None:
        states: dict[str, dict[str, Any]] = {}

        def resolve(value: Any) -> Any:
            if isinstance(value, Ref):
                return states[value.resource][value.output]  # KeyError: referenced before it is constructed
            if isinstance(value, ConfigRef):
                return values[value.name]
            if isinstance(value, dict):
                return {k: resolve(v) for k, v in value.items()}
            if isinstance(value, list):
                return [resolve(v) for v in value]
            return float(value) if isinstance(value, int) and not isinstance(value, bool) else value  # wire: doubles

        for var, resource in program.resources.items():
            result = provider.construct(
                resource.name, resource.token, resolve(resource.properties), pulumi.ResourceOptions()
            )
            states[var] = dict(result.state)
        for name, ref in program.outputs.items():
            pulumi.export(name, resolve(ref))

    with contextlib.chdir(project_dir):
        return run_program(body, project=project_dir.name, stack="example")


def iter_refs(value: Any) -> Iterator[Ref]:
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_refs(item)
