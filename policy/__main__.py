"""The policy pack the Pulumi CLI runs (``pulumi preview --policy-pack policy``): it only builds the pack."""

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)  # the repo: policy.* and the shared components.routes model
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policy.rules import ALL  # noqa: E402

PolicyPack(
    name="securedapi",
    display_name="securedapi: secured HTTP APIs on AWS",
    description="Default-deny API Gateway routes, public Cognito clients without secrets, sound JWT authorizers "
    "and Lambda permissions, plus advisory hardening and cross-resource wiring checks.",
    policies=ALL,
    enforcement_level=EnforcementLevel.ADVISORY,
    tags=["aws", "apigateway", "cognito", "lambda"],
)
