"""What an evaluation of the pack found: the violations, the policies and their effective levels."""

from dataclasses import dataclass, field

from pulumi.runtime.proto import analyzer_pb2

from securedapi.policy.config import PolicyMeta
from securedapi.policy.declarations import Declaration
from securedapi.policy.exemptions import Exemption

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
