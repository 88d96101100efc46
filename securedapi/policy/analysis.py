"""One evaluation of the pack, in the order the Pulumi engine makes its calls.

The engine hands each resource to its analyzers (``Analyze``) as the program registers it, and the whole
stack (``AnalyzeStack``) once the program is done. :class:`Analysis` does the same over a running pack:
:meth:`Analysis.analyze` sends one resource (the call is pipelined, answered later), :meth:`Analysis.finish`
sends the stack and turns the diagnostics into a :class:`~securedapi.policy.report.Report`.
:class:`StreamedAnalysis` lets a program run while the pack starts: resources registered before the pack
is ready wait in a backlog, later ones go out as they register, so the pack works on the other core.
"""

import datetime
import json
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from securedapi.policy.config import RawConfig
from securedapi.policy.declarations import declarations
from securedapi.policy.report import LEVEL_NAMES, SEVERITIES, STACK_TYPE, Report, Violation, stack_urn
from securedapi.policy.wire import resource_options, sanitize, stack_state
from securedapi.testing import RecordedResource, Recording

if TYPE_CHECKING:
    from securedapi.policy.engine import PackAnalyzer

PREVIEW_NOTE = "can't run policy"
"""How pulumi-policy starts the diagnostic of a policy it could not run on unknown values."""


class Analysis:
    """The pack configured for one stack: ``analyze`` each resource as it registers, then ``finish``.

    Configuring raises :class:`~securedapi.policy.config.ConfigError` when the policy config is broken.
    """

    def __init__(
        self,
        analyzer: "PackAnalyzer",
        policy_config: RawConfig | None,
        *,
        config_source: str | None,
        project: str,
        stack: str,
        config: Mapping[str, str],
        dry_run: bool,
    ) -> None:
        self.analyzer = analyzer
        self.project, self.stack, self.stack_config = project, stack, dict(config)
        self.config, self.exemptions, self.notes = analyzer.reconcile(policy_config, config_source)
        analyzer.configure(self.config)
        request = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=stack, project=project, organization="organization", dry_run=dry_run
        )
        for key, value in self.stack_config.items():
            request.config[key] = value
        analyzer.stub.ConfigureStack(request)
        self.stack_urn = stack_urn(project, stack)
        self._by_urn: dict[str, RecordedResource] = {}
        self._sent: dict[str, Any] = {}
        """URN -> the ``AnalyzeRequest`` sent for it (its inputs, options and provider serve ``AnalyzeStack`` too)."""
        self._default_providers: dict[str, Any] = {}
        self._pending: list[tuple[str, Any]] = []
        self._send(STACK_TYPE, f"{project}-{stack}", self.stack_urn, struct_pb2.Struct(), None, None)

    def analyze(self, resource: RecordedResource) -> None:
        """``Analyze`` one resource with its inputs (pipelined: the answer is read by :meth:`finish`)."""
        self._by_urn[resource.urn] = resource
        self._sent[resource.urn] = self._send(
            resource.type,
            resource.name,
            resource.urn,
            sanitize(resource.raw_inputs),
            resource,
            self._provider(resource),
        )

    def finish(self, recording: Recording) -> Report:
        """``AnalyzeStack`` with every resource's state, after every ``Analyze``; return the report."""
        for resource in recording.resources:
            if resource.urn not in self._by_urn:
                self.analyze(resource)
        stack = analyzer_pb2.AnalyzeStackRequest()
        stack.resources.add().CopyFrom(self._stack_resource(recording))
        for resource in recording.resources:
            sent = self._sent[resource.urn]
            entry = stack.resources.add(
                type=resource.type,
                properties=stack_state(resource, sent.properties),
                urn=resource.urn,
                name=resource.name,
                parent=sent.options.parent,
                dependencies=list(resource.options.get("dependencies") or []),
                options=sent.options,
            )
            for prop, urns in (resource.options.get("propertyDependencies") or {}).items():
                entry.propertyDependencies[prop].urns.extend(urns)
            if sent.HasField("provider"):
                entry.provider.CopyFrom(sent.provider)
        diagnostics: list[Any] = []
        for urn, future in self._pending:
            for diagnostic in future.result().diagnostics:
                if not diagnostic.urn and not diagnostic.message.startswith(PREVIEW_NOTE):
                    diagnostic.urn = urn  # the engine attributes resource-policy diagnostics to the resource
                diagnostics.append(diagnostic)
        diagnostics += self.analyzer.stub.AnalyzeStack(stack).diagnostics
        return self._report(recording, diagnostics)

    # -- requests ---------------------------------------------------------------------------------------------------
    def _send(
        self,
        type_: str,
        name: str,
        urn: str,
        inputs: struct_pb2.Struct,
        resource: RecordedResource | None,
        provider: Any,
    ) -> Any:
        """Send one ``AnalyzeRequest`` (pipelined) and return it."""
        parent = (resource.parent or self.stack_urn) if resource else None
        request = analyzer_pb2.AnalyzeRequest(
            type=type_, properties=inputs, urn=urn, name=name, options=resource_options(resource, parent)
        )
        if provider is not None:
            request.provider.CopyFrom(provider)
        self._pending.append((urn, self.analyzer.stub.Analyze.future(request)))
        return request

    def _stack_resource(self, recording: Recording) -> Any:
        outputs = struct_pb2.Struct()
        outputs.update(json.loads(json.dumps(recording.outputs, default=str)))
        return analyzer_pb2.AnalyzerResource(
            type=STACK_TYPE,
            properties=outputs,
            urn=self.stack_urn,
            name=f"{self.project}-{self.stack}",
            options=resource_options(None, None),
        )

    def _provider(self, resource: RecordedResource) -> Any:
        """The provider as the engine describes it: the explicit one, or the package's default provider."""
        if not resource.custom or resource.type.startswith("pulumi:providers:"):
            return None
        if resource.provider:
            explicit = self._by_urn.get(resource.provider.rsplit("::", 1)[0])
            if explicit is not None:
                return analyzer_pb2.AnalyzerProviderResource(
                    type=explicit.type, urn=explicit.urn, name=explicit.name, properties=sanitize(explicit.raw_inputs)
                )
        package = resource.type.split(":", 1)[0]
        if package not in self._default_providers:  # one default provider per package (the requests copy it)
            props = struct_pb2.Struct()
            prefix = f"{package}:"
            props.update({k[len(prefix) :]: v for k, v in self.stack_config.items() if k.startswith(prefix)})
            self._default_providers[package] = analyzer_pb2.AnalyzerProviderResource(
                type=f"pulumi:providers:{package}",
                name="default",
                properties=props,
                urn=f"urn:pulumi:{self.stack}::{self.project}::pulumi:providers:{package}::default",
            )
        return self._default_providers[package]

    # -- report -----------------------------------------------------------------------------------------------------
    def _report(self, recording: Recording, diagnostics: list[Any]) -> Report:
        by_urn = {r.urn: r for r in recording.resources}
        preview_notes: list[str] = []
        violations: list[Violation] = []
        for d in diagnostics:
            if d.message.startswith(PREVIEW_NOTE):
                preview_notes.append(d.message)
                continue
            target = by_urn.get(d.urn)
            message = d.message
            if d.description and message.startswith(d.description):
                message = message[len(d.description) :].lstrip("\n") or d.description
            meta = self.analyzer.by_name.get(d.policyName)
            violations.append(
                Violation(
                    policy=d.policyName,
                    enforcement=LEVEL_NAMES.get(d.enforcementLevel, "advisory"),
                    severity=SEVERITIES.get(d.severity, "") or (meta.severity if meta else ""),
                    resource_type=target.type if target else STACK_TYPE,
                    name=target.name if target else f"{self.project}-{self.stack}",
                    urn=d.urn or self.stack_urn,
                    message=message,
                )
            )
        order = {p.name: i for i, p in enumerate(self.analyzer.policies)}
        # The SDK registers resources from worker threads, in no fixed order: sort for reproducible reports.
        violations.sort(key=lambda v: (order.get(v.policy, len(order)), v.urn, v.message))
        today = datetime.date.today()
        notes = [*self.notes, *sorted(preview_notes)]
        notes += [
            f"{e.policy}: exemption {e.describe()} has expired and no longer applies"
            for e in self.exemptions
            if e.expired(today)
        ]
        return Report(
            project=self.project,
            stack=self.stack,
            violations=violations,
            resources=len(recording.resources),
            policies=self.analyzer.policies,
            levels={name: level for name, (level, _props) in self.config.items()},
            exemptions=self.exemptions,
            notes=notes,
            declarations=declarations(recording.resources),
        )


class StreamedAnalysis:
    """An :class:`Analysis` that is set up in the background while the program runs.

    ``connect`` (run on a thread) waits for the pack and configures it; :meth:`add` is the harness's
    ``on_resource`` callback and may be called from any thread; :meth:`finish` re-raises what setting up
    failed with (a pack that did not start, a broken policy config) before anything else.
    """

    def __init__(self, connect: Callable[[], Analysis]) -> None:
        self._lock = threading.Lock()
        self._backlog: list[RecordedResource] = []
        self._analysis: Analysis | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._connect, args=(connect,), daemon=True)
        self._thread.start()

    def add(self, resource: RecordedResource) -> None:
        with self._lock:
            if self._analysis is None:
                self._backlog.append(resource)
            else:
                self._analysis.analyze(resource)

    def ready(self) -> Analysis:
        """Wait until the pack is configured; raise what stopped it."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._analysis is not None
        return self._analysis

    def finish(self, recording: Recording) -> Report:
        return self.ready().finish(recording)

    def _connect(self, connect: Callable[[], Analysis]) -> None:
        try:
            analysis = connect()
        except BaseException as exc:  # re-raised by ready() in the caller's thread
            self._error = exc
            return
        with self._lock:
            for resource in self._backlog:
                analysis.analyze(resource)
            self._backlog.clear()
            self._analysis = analysis
