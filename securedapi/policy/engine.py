"""Evaluate the securedapi policy pack with the Pulumi engine's semantics, over the pack's gRPC interface.

No re-implementation of enforcement: the pack is started as Pulumi's language host starts a Python pack
(:mod:`securedapi.policy.pack_process`) and receives the engine's calls:

1. ``GetAnalyzerInfo`` -> the policies, their enforcement levels, types and config schemas;
2. the policy config is parsed and reconciled like the CLI does (:mod:`securedapi.policy.config`) and sent
   with ``Configure``; the stack's identity and config with ``ConfigureStack``;
3. ``Analyze`` for every resource (its inputs), then ``AnalyzeStack`` with every resource's state,
   parent, dependencies and property dependencies;
4. the returned ``AnalyzeDiagnostic``s are the violations (disabled policies never run, remediate
   counts as mandatory, unknown values raise the pack's preview note).

The recording comes from :func:`securedapi.testing.record`.
"""

import datetime
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from securedapi.policy.config import PolicyMeta, RawConfig, reconcile
from securedapi.policy.declarations import Declaration, declarations
from securedapi.policy.exemptions import Exemption
from securedapi.policy.pack_process import PackProcess, language_host_env
from securedapi.policy.wire import resource_options, sanitize, stack_state
from securedapi.testing import RecordedResource, Recording

PACK_ENTRY = Path(__file__).resolve().parent / "__main__.py"
"""The pack as this distribution serves it (what a pack directory's ``__main__.py`` does)."""

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
    declarations: list[Declaration] = field(default_factory=list)
    """Public routes and confidential clients the program's components declared, with their reasons."""

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.enforcement == "mandatory"]


def stack_urn(project: str, stack: str) -> str:
    return f"urn:pulumi:{stack}::{project}::{STACK_TYPE}::{project}-{stack}"


def start_pack(
    *, project: str = "", stack: str = "", config: Mapping[str, str] | None = None, dry_run: bool = False
) -> PackProcess:
    """Launch this distribution's pack with the interpreter running us (returns before it serves)."""
    env = language_host_env(project=project, stack=stack, config=config or {}, dry_run=dry_run)
    root = PACK_ENTRY.parent.parent.parent  # the directory holding the securedapi package: already importable
    return PackProcess(PACK_ENTRY, python=sys.executable, cwd=root, env=env).start()


class PackAnalyzer:
    """A running pack plus the engine-side steps around it: config reconciliation, Analyze, AnalyzeStack."""

    def __init__(self, process: PackProcess | None = None) -> None:
        self.process = process or start_pack()
        self.stub = self.process.wait()
        info = self.stub.GetAnalyzerInfo(empty_pb2.Empty())
        self.name: str = info.name
        self.version: str = info.version
        self.policies: list[PolicyMeta] = [_policy_meta(p) for p in info.policies]
        self.by_name = {p.name: p for p in self.policies}

    def close(self) -> None:
        self.process.close()

    def __enter__(self) -> "PackAnalyzer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- config ----------------------------------------------------------------------------------------------------
    def reconcile(
        self, given: RawConfig | None, source: str | None = None
    ) -> tuple[dict[str, tuple[str, dict[str, Any]]], list[Exemption], list[str]]:
        """The effective config, its exemptions and notes (raises :class:`ConfigError`)."""
        return reconcile(self.policies, self.name, given, source)

    def configure(self, config: Mapping[str, tuple[str, dict[str, Any]]]) -> None:
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, props) in config.items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = LEVELS[level]
            if props:
                entry.properties.update(props)
        self.stub.Configure(request)

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
        self.stub.ConfigureStack(stack_request)

        resources = list(recording.resources)
        by_urn = {r.urn: r for r in resources}
        # The root stack's URN as the program's resources name it as their parent.
        roots = [r.parent for r in resources if r.parent and r.parent not in by_urn]
        surn = roots[0] if roots else stack_urn(recording.project, recording.stack)
        stack_props = struct_pb2.Struct()
        stack_props.update(json.loads(json.dumps(recording.outputs, default=str)))
        diagnostics: list[Any] = []
        default_providers: dict[str, Any] = {}
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
                    sanitize(r.raw_inputs),
                    stack_state(r),
                    list(r.options.get("dependencies") or []),
                    dict(r.options.get("propertyDependencies") or {}),
                    self._provider(r, recording, by_urn, default_providers),
                )
            )
        pending = []
        for type_, name, urn, parent, inputs, _state_struct, _deps, _pdeps, provider in analyzed:
            request = analyzer_pb2.AnalyzeRequest(
                type=type_, properties=inputs, urn=urn, name=name, options=resource_options(by_urn.get(urn), parent)
            )
            if provider is not None:
                request.provider.CopyFrom(provider)
            pending.append((urn, self.stub.Analyze.future(request)))  # pipelined, answered in order below
        stack = analyzer_pb2.AnalyzeStackRequest()
        for type_, name, urn, parent, _inputs, state, deps, pdeps, provider in analyzed:
            resource = stack.resources.add(
                type=type_,
                properties=state,
                urn=urn,
                name=name,
                parent=parent or "",
                dependencies=deps,
                options=resource_options(by_urn.get(urn), parent),
            )
            for prop, urns in pdeps.items():
                resource.propertyDependencies[prop].urns.extend(urns)
            if provider is not None:
                resource.provider.CopyFrom(provider)
        for urn, future in pending:
            for diagnostic in future.result().diagnostics:
                if not diagnostic.urn and not diagnostic.message.startswith("can't run policy"):
                    diagnostic.urn = urn  # the engine attributes resource-policy diagnostics to the resource
                diagnostics.append(diagnostic)
        diagnostics += self.stub.AnalyzeStack(stack).diagnostics  # after every Analyze, as the engine does

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
            declarations=declarations(resources),
        )

    def _provider(
        self,
        r: RecordedResource,
        recording: Recording,
        by_urn: Mapping[str, RecordedResource],
        defaults: dict[str, Any],
    ) -> Any:
        """The provider as the engine describes it: the explicit one, or the package's default provider."""
        if not r.custom or r.type.startswith("pulumi:providers:"):
            return None
        if r.provider:
            urn = r.provider.rsplit("::", 1)[0]
            explicit = by_urn.get(urn)
            if explicit is not None:
                return analyzer_pb2.AnalyzerProviderResource(
                    type=explicit.type, urn=explicit.urn, name=explicit.name, properties=sanitize(explicit.raw_inputs)
                )
        package = r.type.split(":", 1)[0]
        if package not in defaults:  # one default provider per package (the requests copy it)
            props = struct_pb2.Struct()
            props.update({k.split(":", 1)[1]: v for k, v in recording.config.items() if k.startswith(f"{package}:")})
            defaults[package] = analyzer_pb2.AnalyzerProviderResource(
                type=f"pulumi:providers:{package}",
                name="default",
                properties=props,
                urn=f"urn:pulumi:{recording.stack}::{recording.project}::pulumi:providers:{package}::default",
            )
        return defaults[package]


def _policy_meta(info: Any) -> PolicyMeta:
    schema = None
    if info.HasField("configSchema"):
        from google.protobuf.json_format import MessageToDict

        schema = {
            "properties": MessageToDict(info.configSchema.properties),
            "required": list(info.configSchema.required),
        }
    return PolicyMeta(
        name=info.name,
        description=info.description,
        enforcement=LEVEL_NAMES[info.enforcementLevel],
        severity=SEVERITIES.get(info.severity, ""),
        kind="stack" if info.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
        config_schema=schema,
        remediation=info.remediation_steps,
    )
