"""Evaluate the securedapi policy pack with the Pulumi engine's semantics, over the pack's gRPC interface.

No re-implementation of enforcement: the pack is started as Pulumi's language host starts a Python pack
(:mod:`securedapi.policy.pack_process`) and receives the engine's calls:

1. ``GetAnalyzerInfo`` -> the policies, their enforcement levels, types and config schemas;
2. the policy config is parsed and reconciled like the CLI does (:mod:`securedapi.policy.config`) and sent
   with ``Configure``; the stack's identity and config with ``ConfigureStack``;
3. ``Analyze`` for every resource (its inputs) as it registers, then ``AnalyzeStack`` with every
   resource's state, parent, dependencies and property dependencies (:mod:`securedapi.policy.analysis`);
4. the returned ``AnalyzeDiagnostic``s are the violations (disabled policies never run, remediate
   counts as mandatory, unknown values raise the pack's preview note).

The recording comes from :func:`securedapi.testing.record`.
"""

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2

from securedapi.policy.analysis import Analysis
from securedapi.policy.config import PolicyMeta, RawConfig, reconcile
from securedapi.policy.exemptions import Exemption
from securedapi.policy.pack_process import PackProcess, language_host_env
from securedapi.policy.report import LEVEL_NAMES, LEVELS, SEVERITIES, Report, Violation, stack_urn
from securedapi.testing import Recording

__all__ = ["PackAnalyzer", "Report", "Violation", "stack_urn", "start_pack"]

PACK_ENTRY = Path(__file__).resolve().parent / "__main__.py"
"""The pack as this distribution serves it (what a pack directory's ``__main__.py`` does)."""


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
    def analysis(
        self,
        policy_config: RawConfig | None = None,
        *,
        config_source: str | None = None,
        project: str,
        stack: str,
        config: Mapping[str, str],
        dry_run: bool = False,
    ) -> Analysis:
        """Configure the pack for one stack; resources are then analyzed one by one as they register."""
        return Analysis(
            self,
            policy_config,
            config_source=config_source,
            project=project,
            stack=stack,
            config=config,
            dry_run=dry_run,
        )

    def evaluate(
        self,
        recording: Recording,
        policy_config: RawConfig | None = None,
        *,
        config_source: str | None = None,
        dry_run: bool = False,
    ) -> Report:
        """Analyze every resource of a finished recording, then the stack; return the violations."""
        analysis = self.analysis(
            policy_config,
            config_source=config_source,
            project=recording.project,
            stack=recording.stack,
            config=recording.config,
            dry_run=dry_run,
        )
        return analysis.finish(recording)


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
