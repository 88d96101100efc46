"""Evaluate the securedapi policy pack in-process with the Pulumi engine's semantics.

No re-implementation of enforcement: the pack is built by ``policy/__main__.py`` exactly as the
Pulumi CLI builds it, but instead of serving it over gRPC we keep pulumi-policy's own analyzer
servicer (``_PolicyAnalyzerServicer``, which ``PolicyPack`` creates before starting its server) and
call its RPC methods directly, as the engine would:

1. ``GetAnalyzerInfo`` -> the policies, their enforcement levels and config schemas;
2. the policy config is parsed and reconciled like the CLI does (``--policy-pack-config`` JSON:
   ``{"all": level, "<policy>": level | {"enforcementLevel": level, ...properties}}``, schema
   defaults, JSON-schema validation) and sent with ``Configure``;
3. ``Analyze`` for every resource (its inputs), then ``AnalyzeStack`` with every resource's state,
   parent, dependencies and property dependencies;
4. the returned ``AnalyzeDiagnostic``s are the violations (disabled policies never run, remediate
   counts as mandatory, unknown values raise the servicer's preview note).

The recording comes from :func:`components.mockrun.run_program`.
"""

import datetime
import json
import runpy
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi.runtime.rpc import UNKNOWN

from components.mockrun import RecordedResource, Recording
from policy.exemptions import Exemption, ExemptionError
from policy.exemptions import parse_policy_config as parse_exemptions

PACK_DIR = Path(__file__).resolve().parent
PACK_MAIN = PACK_DIR / "__main__.py"
STACK_TYPE = "pulumi:pulumi:Stack"
LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
LEVEL_NAMES = {v: k for k, v in LEVELS.items()}
SEVERITIES = {
    analyzer_pb2.POLICY_SEVERITY_UNSPECIFIED: "",
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}
_RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_SIG_KEY = "4dabf18193072939515e22adb298388d"


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


@dataclass
class Violation:
    """One diagnostic the pack reported."""

    policy: str
    enforcement: str
    severity: str
    resource_type: str
    name: str
    urn: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {
            "policy": self.policy,
            "enforcement": self.enforcement,
            "severity": self.severity,
            "resourceType": self.resource_type,
            "name": self.name,
            "urn": self.urn,
            "message": self.message,
        }


@dataclass
class Report:
    """The outcome of evaluating the pack on one recording."""

    project: str
    stack: str
    violations: list[Violation]
    resources: int
    policies: list[PolicyMeta]
    levels: dict[str, str]
    """Effective enforcement level per policy after config."""
    exemptions: list[Exemption] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Things that are not violations: policies that could not run on unknown values, ignored config keys."""

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "mandatory"]


def stack_urn(project: str, stack: str) -> str:
    return f"urn:pulumi:{stack}::{project}::{STACK_TYPE}::{project}-{stack}"


class _CapturedError(Exception):
    """Raised to leave PolicyPack() once its servicer exists, before it starts serving."""


def load_servicer() -> Any:
    """Run ``policy/__main__.py`` and keep the analyzer servicer its ``PolicyPack`` builds, instead of serving it."""
    from pulumi_policy import policy as pp

    original = pp._PolicyAnalyzerServicer
    captured: list[Any] = []

    class Capturing(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            captured.append(self)
            raise _CapturedError

    pp._PolicyAnalyzerServicer = Capturing  # type: ignore[misc]
    try:
        runpy.run_path(str(PACK_MAIN), run_name="__main__")
    except _CapturedError:
        pass
    finally:
        pp._PolicyAnalyzerServicer = original  # type: ignore[misc]
    if not captured:
        raise RuntimeError(f"{PACK_MAIN} did not build a PolicyPack")
    return captured[0]


# -- policy config, as the Pulumi CLI parses and reconciles it ------------------------------------------------------

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


class PackAnalyzer:
    """The pack's analyzer servicer plus the engine-side steps around it."""

    def __init__(self) -> None:
        self.servicer = load_servicer()
        info = self.servicer.GetAnalyzerInfo(empty_pb2.Empty(), None)
        self.name: str = info.name
        self.version: str = info.version
        self.policies: list[PolicyMeta] = []
        from pulumi_policy import StackValidationPolicy

        originals = {p.name: p for p in self.servicer._PolicyAnalyzerServicer__policies}
        for p in info.policies:
            original = originals.get(p.name)
            schema = None
            if original is not None and original.config_schema is not None:
                schema = {
                    "properties": dict(original.config_schema.properties),
                    "required": list(original.config_schema.required or []),
                }
            self.policies.append(
                PolicyMeta(
                    name=p.name,
                    description=p.description,
                    enforcement=LEVEL_NAMES[p.enforcementLevel],
                    severity=SEVERITIES.get(p.severity, ""),
                    kind="stack" if isinstance(originals.get(p.name), StackValidationPolicy) else "resource",
                    config_schema=schema,
                    remediation=p.remediation_steps,
                )
            )
        self.by_name = {p.name: p for p in self.policies}

    # -- config ----------------------------------------------------------------------------------------------------
    def reconcile(
        self,
        given: RawConfig | None,
        source: str | None = None,
    ) -> tuple[dict[str, tuple[str, dict[str, Any]]], list[Exemption], list[str]]:
        """Defaults from the schemas, then "all", then per-policy entries; validate; return the effective config,
        the exemptions it declares and notes (ignored keys)."""
        result: dict[str, tuple[str, dict[str, Any]]] = {}
        for p in self.policies:
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
                notes.append(f"policy config entry {key!r} matches no policy of pack {self.name!r}; it is ignored")
                continue
            current_level, current_props = result[key]
            result[key] = (level or current_level, {**current_props, **(props or {})})
        errors: list[str] = []
        exemptions: list[Exemption] = []
        for p in self.policies:
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

    def configure(self, config: Mapping[str, tuple[str, dict[str, Any]]]) -> None:
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, props) in config.items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = LEVELS[level]
            if props:
                entry.properties.update(props)
        self.servicer.Configure(request, None)

    # -- analysis ----------------------------------------------------------------------------------------------------
    def evaluate(
        self,
        recording: Recording,
        policy_config: RawConfig | None = None,
        *,
        config_source: str | None = None,
        dry_run: bool = False,
    ) -> Report:
        """Analyze every resource, then the stack; return the violations."""
        config, exemptions, notes = self.reconcile(policy_config, config_source)
        self.configure(config)
        stack_request = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=recording.stack, project=recording.project, organization="organization", dry_run=dry_run
        )
        for key, value in recording.config.items():
            stack_request.config[key] = value
        self.servicer.ConfigureStack(stack_request, None)

        resources = list(recording.resources)
        by_urn = {r.urn: r for r in resources}
        # The root stack's URN as the program's resources name it as their parent.
        roots = [r.parent for r in resources if r.parent and r.parent not in by_urn]
        surn = roots[0] if roots else stack_urn(recording.project, recording.stack)
        stack_props = struct_pb2.Struct()
        stack_props.update(json.loads(json.dumps(recording.outputs, default=str)))
        diagnostics: list[Any] = []
        analyzed: list[tuple[str, str, str, str | None, Any, Any, list[str], dict[str, list[str]], Any]] = [
            (
                STACK_TYPE,
                f"{recording.project}-{recording.stack}",
                surn,
                None,
                struct_pb2.Struct(),
                stack_props,
                [],
                {},
                None,
            )
        ]
        for r in resources:
            analyzed.append(
                (
                    r.type,
                    r.name,
                    r.urn,
                    r.parent or surn,
                    _sanitize(r.raw_inputs),
                    _state(r),
                    list(r.options.get("dependencies") or []),
                    dict(r.options.get("propertyDependencies") or {}),
                    self._provider(r, recording, by_urn),
                )
            )
        for type_, name, urn, parent, inputs, _state_struct, _deps, _pdeps, provider in analyzed:
            request = analyzer_pb2.AnalyzeRequest(
                type=type_, properties=inputs, urn=urn, name=name, options=_options(by_urn.get(urn), parent)
            )
            if provider is not None:
                request.provider.CopyFrom(provider)
            for diagnostic in self.servicer.Analyze(request, None).diagnostics:
                if not diagnostic.urn and not diagnostic.message.startswith("can't run policy"):
                    diagnostic.urn = urn  # the engine attributes resource-policy diagnostics to the resource
                diagnostics.append(diagnostic)
        stack = analyzer_pb2.AnalyzeStackRequest()
        for type_, name, urn, parent, _inputs, state, deps, pdeps, provider in analyzed:
            resource = stack.resources.add(
                type=type_,
                properties=state,
                urn=urn,
                name=name,
                parent=parent or "",
                dependencies=deps,
                options=_options(by_urn.get(urn), parent),
            )
            for prop, urns in pdeps.items():
                resource.propertyDependencies[prop].urns.extend(urns)
            if provider is not None:
                resource.provider.CopyFrom(provider)
        diagnostics += self.servicer.AnalyzeStack(stack, None).diagnostics

        violations: list[Violation] = []
        for d in diagnostics:
            if d.message.startswith("can't run policy"):
                notes.append(d.message)
                continue
            target = by_urn.get(d.urn)
            message = d.message
            if d.description and message.startswith(d.description):
                message = message[len(d.description) :].lstrip("\n") or d.description
            meta = self.by_name.get(d.policyName)
            violations.append(
                Violation(
                    policy=d.policyName,
                    enforcement=LEVEL_NAMES.get(d.enforcementLevel, "advisory"),
                    severity=SEVERITIES.get(d.severity, "") or (meta.severity if meta else ""),
                    resource_type=target.type if target else STACK_TYPE,
                    name=target.name if target else f"{recording.project}-{recording.stack}",
                    urn=d.urn or surn,
                    message=message,
                )
            )
        levels = {name: level for name, (level, _props) in config.items()}
        today = datetime.date.today()
        for exemption in exemptions:
            if exemption.expired(today):
                notes.append(f"{exemption.policy}: exemption {exemption.describe()} has expired and no longer applies")
        return Report(
            project=recording.project,
            stack=recording.stack,
            violations=violations,
            resources=len(resources),
            policies=self.policies,
            levels=levels,
            exemptions=exemptions,
            notes=notes,
        )

    def _provider(self, r: RecordedResource, recording: Recording, by_urn: Mapping[str, RecordedResource]) -> Any:
        """The provider as the engine describes it: the explicit one, or the package's default provider."""
        if not r.custom or r.type.startswith("pulumi:providers:"):
            return None
        if r.provider:
            urn = r.provider.rsplit("::", 1)[0]
            explicit = by_urn.get(urn)
            if explicit is not None:
                return analyzer_pb2.AnalyzerProviderResource(
                    type=explicit.type, urn=explicit.urn, name=explicit.name, properties=_sanitize(explicit.raw_inputs)
                )
        package = r.type.split(":", 1)[0]
        props = struct_pb2.Struct()
        props.update({k.split(":", 1)[1]: v for k, v in recording.config.items() if k.startswith(f"{package}:")})
        return analyzer_pb2.AnalyzerProviderResource(
            type=f"pulumi:providers:{package}",
            name="default",
            properties=props,
            urn=f"urn:pulumi:{recording.stack}::{recording.project}::pulumi:providers:{package}::default",
        )


def _options(r: RecordedResource | None, parent: str | None) -> Any:
    opts = (r.options if r else {}) or {}
    dbr = bool(opts.get("deleteBeforeReplace"))
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=bool(opts.get("protect")),
        ignoreChanges=list(opts.get("ignoreChanges") or []),
        deleteBeforeReplace=dbr,
        deleteBeforeReplaceDefined=dbr,
        aliases=[a for a in opts.get("aliases") or [] if a],
        parent=parent or "",
    )


def _sanitize(struct: struct_pb2.Struct | None) -> struct_pb2.Struct:
    """A copy of ``struct`` with resource references marshalled as the engine sends them to analyzers
    (custom resources as their id, components as their URN)."""
    out = struct_pb2.Struct()
    if struct is not None:
        out.CopyFrom(struct)
        _downgrade_refs(out)
    return out


def _downgrade_refs(struct: struct_pb2.Struct) -> None:
    for key, value in struct.fields.items():
        _downgrade_value(value)
        replacement = _ref_replacement(value)
        if replacement is not None:
            struct.fields[key].string_value = replacement


def _downgrade_value(value: struct_pb2.Value) -> None:
    if value.HasField("struct_value"):
        _downgrade_refs(value.struct_value)
    elif value.HasField("list_value"):
        for i, item in enumerate(value.list_value.values):
            _downgrade_value(item)
            replacement = _ref_replacement(item)
            if replacement is not None:
                value.list_value.values[i].string_value = replacement


def _ref_replacement(value: struct_pb2.Value) -> str | None:
    """What the engine sends for a resource reference: a custom resource's id, else its URN (unknown if neither)."""
    if not value.HasField("struct_value"):
        return None
    ref = value.struct_value
    sig = ref.fields.get(_SIG_KEY)
    if sig is None or sig.string_value != _RESOURCE_REF_SIG:
        return None
    rid = ref.fields["id"].string_value if "id" in ref.fields else ""
    urn = ref.fields["urn"].string_value if "urn" in ref.fields else ""
    return rid or urn or UNKNOWN


def _state(r: RecordedResource) -> struct_pb2.Struct:
    """The resource state the engine hands to stack policies: a custom resource's outputs with its inputs on top
    (inputs keep their unknowns during preview), a component's registered outputs."""
    state = _sanitize(r.raw_outputs)
    if r.custom and r.raw_inputs is not None:
        for key, value in _sanitize(r.raw_inputs).fields.items():
            state.fields[key].CopyFrom(value)
    return state


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
