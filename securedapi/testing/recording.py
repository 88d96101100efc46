"""The recorded graph of a program: its resources (type, name, URN, parent, inputs, outputs, options)
and its stack outputs, and the mock monitor that records them."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi.runtime
from google.protobuf import struct_pb2
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor


@dataclass
class RecordedResource:
    """One resource the program registered, as the engine would see it."""

    type: str
    name: str
    urn: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    id: str | None = None
    provider: str | None = None
    raw_inputs: struct_pb2.Struct | None = field(default=None, repr=False)
    """The serialized inputs exactly as sent to the engine (unknowns preserved)."""
    raw_outputs: struct_pb2.Struct | None = field(default=None, repr=False)
    """The serialized outputs (provider state, or a component's registered outputs)."""
    options: dict[str, Any] = field(default_factory=dict)
    """Resource options as the engine sees them: protect, dependencies, property dependencies, aliases..."""

    @property
    def state(self) -> dict[str, Any]:
        """Inputs overlaid with the provider's outputs."""
        return {**self.inputs, **self.outputs}


@dataclass
class Recording:
    """Everything a program did under mocks."""

    project: str
    stack: str
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    config: dict[str, str]

    def of_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def by_urn(self, urn: str) -> RecordedResource:
        for resource in self.resources:
            if resource.urn == urn:
                return resource
        raise KeyError(urn)

    def children(self, parent: RecordedResource) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == parent.urn]

    def by_id(self, type_: str, id_: str) -> RecordedResource | None:
        return next((r for r in self.of_type(type_) if r.id == id_), None)


class RecordingMonitor(MockMonitor):
    """A mock monitor that records every registered resource and the stack outputs.

    ``on_resource`` is called with each resource as it registers (from the SDK's worker threads), as the
    engine hands each registration to its analyzers before the program goes on.
    """

    def __init__(
        self, mocks: pulumi.runtime.Mocks, on_resource: Callable[[RecordedResource], None] | None = None
    ) -> None:
        super().__init__(mocks)
        self.on_resource = on_resource
        self.recorded: list[RecordedResource] = []
        self.stack_outputs: dict[str, Any] = {}
        self.stack_urn: str | None = None

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the engine makes them: children of the stack carry no ``pulumi:pulumi:Stack$`` prefix."""
        if parent and parent.split("::")[2] == "pulumi:pulumi:Stack":
            parent = ""
        return str(super().make_urn(parent, type_, name))

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            self.stack_urn = response.urn
            return response
        resource = RecordedResource(
            type=request.type,
            name=request.name,
            urn=response.urn,
            parent=request.parent or None,
            custom=bool(request.custom),
            inputs=rpc.deserialize_properties(request.object),
            outputs=rpc.deserialize_properties(response.object),
            id=response.id or None,
            provider=request.provider or None,
            raw_inputs=request.object,
            raw_outputs=response.object,
            options={
                "protect": request.protect,
                "dependencies": list(request.dependencies),
                "propertyDependencies": {k: list(v.urns) for k, v in request.propertyDependencies.items()},
                "deleteBeforeReplace": request.deleteBeforeReplace,
                "ignoreChanges": list(request.ignoreChanges),
                "aliases": [a.urn or a.spec.name for a in request.aliases],
                "retainOnDelete": request.retainOnDelete if request.HasField("retainOnDelete") else False,
            },
        )
        self.recorded.append(resource)
        if self.on_resource is not None:
            self.on_resource(resource)
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802
        """Stack exports, and the outputs components register with ``register_outputs``."""
        outputs = rpc.deserialize_properties(request.outputs)
        if request.urn == self.stack_urn:
            self.stack_outputs = outputs
        else:
            for resource in self.recorded:
                if resource.urn == request.urn:
                    resource.outputs.update(outputs)
                    resource.raw_outputs = request.outputs
        return super().RegisterResourceOutputs(request)
