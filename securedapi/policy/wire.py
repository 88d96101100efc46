"""Resources as the Pulumi engine hands them to an analyzer: resource options, properties with resource
references marshalled (custom resources as their id, components as their URN), and stack-policy state."""

from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2
from pulumi.runtime.rpc import UNKNOWN

from securedapi.testing import RecordedResource

_RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_SIG_KEY = "4dabf18193072939515e22adb298388d"


def resource_options(r: RecordedResource | None, parent: str | None) -> Any:
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


def sanitize(struct: struct_pb2.Struct | None) -> struct_pb2.Struct:
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


def stack_state(r: RecordedResource, inputs: struct_pb2.Struct | None = None) -> struct_pb2.Struct:
    """The resource state the engine hands to stack policies: a custom resource's outputs with its inputs on top
    (inputs keep their unknowns during preview), a component's registered outputs. ``inputs``: the resource's
    inputs already sanitized (as sent with ``Analyze``)."""
    state = sanitize(r.raw_outputs)
    if r.custom and r.raw_inputs is not None:
        for key, value in (inputs if inputs is not None else sanitize(r.raw_inputs)).fields.items():
            state.fields[key].CopyFrom(value)
    return state
