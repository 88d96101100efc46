"""Unknown-safe property access and resource-graph helpers shared by the rules.

pulumi-policy hands rules proxies that raise ``UnknownValueError`` when a value is unknown
(during ``pulumi preview``). If a rule lets that escape, the engine drops the *whole* policy
for that resource (or, for stack policies, for the whole stack) with a "can't run during
preview" note. Rules therefore convert properties with :func:`plain` first: every unknown
becomes the :data:`UNKNOWN` marker, and a rule decides per value ("unknown is never a
violation by itself").
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import UnknownValueError

from securedapi.policy.kinds import canonical, kind_of, source_property
from securedapi.policy.tokens import (  # noqa: F401 (re-exported for the rules)
    COGNITO_IDENTITY,
    FUNCTION_URL,
    HTTP_API,
    HTTP_INTEGRATION,
    HTTP_ROUTE,
    HTTP_STAGE,
    IDENTITY_POOL,
    JWT_AUTHORIZER,
    LAMBDA_FUNCTION,
    LAMBDA_PERMISSION,
    MANAGED_USER_POOL_CLIENT,
    RESOURCE_SERVER,
    REST_API,
    REST_API_POLICY,
    REST_API_PUT,
    REST_INTEGRATION,
    REST_METHOD,
    REST_METHOD_SETTINGS,
    REST_RESOURCE,
    REST_STAGE,
    SECURED_HTTP_API,
    STACK,
    STACK_REFERENCE,
    USAGE_PLAN,
    USER_POOL,
    USER_POOL_CLIENT,
)


class Unknown:
    """The marker for a value that is unknown during preview."""

    _instance: "Unknown | None" = None

    def __new__(cls) -> "Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = Unknown()


def plain(value: Any) -> Any:
    """Copy pulumi-policy proxies into plain dicts/lists, with :data:`UNKNOWN` for unknown values."""
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key in list(value):
            try:
                out[key] = plain(value[key])
            except UnknownValueError:
                out[key] = UNKNOWN
        return out
    if isinstance(value, Sequence):
        items: list[Any] = []
        for i in range(len(value)):
            try:
                items.append(plain(value[i]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def get(data: Any, *path: str | int) -> Any:
    """Walk ``path`` in plain data; ``None`` if missing, :data:`UNKNOWN` if any step is unknown."""
    for key in path:
        if data is UNKNOWN:
            return UNKNOWN
        if isinstance(key, int):
            data = data[key] if isinstance(data, list) and -len(data) <= key < len(data) else None
        else:
            data = data.get(key) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


def strings(value: Any) -> list[Any]:
    """A list property as a list (``[]`` when missing); items may be :data:`UNKNOWN`. Unknown list -> [UNKNOWN]."""
    if value is None:
        return []
    if value is UNKNOWN:
        return [UNKNOWN]
    if isinstance(value, list):
        return value
    return [value]


def truthy(value: Any) -> bool:
    """True for a known true value (``True`` or the string "true")."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def view(resource_type: str, props: Any) -> tuple[str, dict[str, Any]]:
    """A resource policy's view of a resource: its kind (:func:`kind_of`) and its plain, canonical properties."""
    return kind_of(resource_type), canonical(resource_type, plain(props))


def describe(resource_type: str, name: str) -> str:
    """``"Route 'name'"`` (the type's short name and the logical name) for messages."""
    return f"{resource_type.split(':')[-1]} {name!r}"


class Graph:
    """The stack's resources as a graph: by URN and kind, parents, children and property links.

    Resources are indexed by kind (:func:`kind_of`: ``of_type(HTTP_ROUTE)`` includes aws-native routes) and
    their properties read in the rules' vocabulary (:func:`canonical`)."""

    def __init__(self, resources: Iterable[PolicyResource]) -> None:
        self.resources = list(resources)
        self.by_urn = {r.urn: r for r in self.resources}
        self._props: dict[str, dict[str, Any]] = {}
        self._children: dict[str, list[PolicyResource]] = {}
        self._types: dict[str, list[PolicyResource]] = {}
        for r in self.resources:
            self._types.setdefault(kind_of(r.resource_type), []).append(r)
            if r.parent is not None:
                self._children.setdefault(r.parent.urn, []).append(r)

    def props(self, resource: PolicyResource) -> dict[str, Any]:
        """The resource's properties as plain data (cached)."""
        if resource.urn not in self._props:
            self._props[resource.urn] = canonical(resource.resource_type, plain(resource.props)) or {}
        return self._props[resource.urn]

    def of_type(self, resource_type: str) -> list[PolicyResource]:
        return list(self._types.get(resource_type, ()))

    def ancestors(self, resource: PolicyResource) -> list[PolicyResource]:
        """Parent, grandparent, ... (nearest first)."""
        chain: list[PolicyResource] = []
        parent = resource.parent
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = parent.parent
        return chain

    def descendants(self, resource: PolicyResource) -> list[PolicyResource]:
        out: list[PolicyResource] = []
        todo = list(self._children.get(resource.urn, []))
        while todo:
            child = todo.pop(0)
            out.append(child)
            todo.extend(self._children.get(child.urn, []))
        return out

    def dependencies_of(self, resource: PolicyResource, prop: str, resource_type: str) -> list[PolicyResource]:
        """Resources of ``resource_type`` that property ``prop`` depends on (components expanded to children)."""
        found: list[PolicyResource] = []
        for dep in resource.property_dependencies.get(source_property(resource.resource_type, prop), []):
            for candidate in (dep, *self.descendants(dep)):
                if kind_of(candidate.resource_type) == resource_type and candidate not in found:
                    found.append(candidate)
        return found

    def with_id(self, resource_type: str, id_value: Any) -> PolicyResource | Unknown | None:
        """The resource of ``resource_type`` whose ``id`` is ``id_value``; UNKNOWN if some ids are unknown."""
        if not isinstance(id_value, str):
            return UNKNOWN if id_value is UNKNOWN else None
        unknown = False
        for r in self.of_type(resource_type):
            rid = get(self.props(r), "id")
            if rid == id_value:
                return r
            unknown = unknown or rid is UNKNOWN or rid is None
        return UNKNOWN if unknown else None

    def linked(self, resource: PolicyResource, prop: str, resource_type: str) -> PolicyResource | None:
        """The resource that ``resource.<prop>`` refers to: by property dependency (works in preview,
        when ids are unknown) or else by id value."""
        deps = self.dependencies_of(resource, prop, resource_type)
        if len(deps) == 1:
            return deps[0]
        value = get(self.props(resource), prop)
        match = self.with_id(resource_type, value)
        if isinstance(match, PolicyResource):
            return match
        if deps:
            return deps[0]
        return None
