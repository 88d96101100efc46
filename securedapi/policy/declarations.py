"""What components declare to the pack: the reasons behind a passing rule, listed in the gate's report.

``SecuredHttpApi`` declares its public routes (``publicRoutes``: route key -> reason) and ``CognitoIdentity``
its service clients confidential (``confidentialClients``: app client logical name -> reason). The rules read
those outputs (:mod:`securedapi.policy.rules.common`); the gate shows them beside the pack-config exemptions so
every allowed public route and client secret names its reason.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from securedapi.policy.tokens import COGNITO_IDENTITY, SECURED_HTTP_API

_DECLARED = {
    SECURED_HTTP_API: ("publicRoutes", "apigw-route-requires-auth"),
    COGNITO_IDENTITY: ("confidentialClients", "cognito-client-secret-requires-confidential"),
}


def declared_output(component_type: str) -> str:
    """The output in which a component of ``component_type`` declares its reasons (target -> reason)."""
    return _DECLARED[component_type][0]


@dataclass(frozen=True)
class Declaration:
    """One route or client a component declared, with its reason."""

    policy: str
    component: str
    """``"<ComponentType> '<name>'"``, e.g. ``CognitoIdentity 'dashboard-identity'``."""
    target: str
    """The route key or the app client's logical name."""
    reason: str

    def describe(self) -> str:
        return f"{self.target!r} by {self.component} (reason: {self.reason!r})"

    def to_json(self) -> dict[str, str]:
        return {"policy": self.policy, "component": self.component, "target": self.target, "reason": self.reason}


def declarations(resources: Iterable[Any]) -> list[Declaration]:
    """The declarations of the recorded components (resources with ``type``, ``name`` and ``outputs``)."""
    found: list[Declaration] = []
    for resource in resources:
        output, policy = _DECLARED.get(resource.type, (None, None))
        declared = resource.outputs.get(output) if output and isinstance(resource.outputs, dict) else None
        if policy is None or not isinstance(declared, dict):
            continue
        component = f"{resource.type.rsplit(':', 1)[-1]} {resource.name!r}"
        for target, reason in declared.items():
            if isinstance(reason, str) and reason.strip():
                found.append(Declaration(policy, component, str(target), reason))
    return found
