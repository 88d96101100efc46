"""The securedapi policy rules (Pulumi CrossGuard) and the pack factory.

The rules live here, in the distribution; a pack directory only calls :func:`securedapi_pack`
(the AWSGuard pattern)::

    # policy/__main__.py
    from securedapi.policy import securedapi_pack

    securedapi_pack()

:data:`securedapi.policy.rules.ALL` holds the policy objects (importable without starting a pack);
:mod:`securedapi.gate` evaluates the very same pack offline.
"""

from typing import Any

PACK_NAME = "securedapi"


def securedapi_pack(**overrides: Any) -> None:
    """Build the ``securedapi`` :class:`pulumi_policy.PolicyPack` and serve it to the Pulumi engine.

    ``overrides`` are passed to ``PolicyPack`` (e.g. ``enforcement_level`` or ``initial_config``), so a
    team can publish its own pack with the same rules. Blocks until the engine stops the pack.
    """
    from pulumi_policy import EnforcementLevel, PolicyPack

    from securedapi.policy.rules import ALL

    options: dict[str, Any] = {
        "name": PACK_NAME,
        "display_name": "securedapi: secured HTTP APIs on AWS",
        "description": "Default-deny API Gateway routes (also from OpenAPI bodies, on WebSocket APIs and on APIs of "
        "other stacks), public Cognito clients without secrets, sound JWT authorizers, Lambda permissions and "
        "function URLs, restricted REST resource policies, plus advisory hardening and cross-resource wiring checks.",
        "policies": ALL,
        "enforcement_level": EnforcementLevel.ADVISORY,
        "tags": ["aws", "apigateway", "cognito", "lambda"],
    }
    options.update(overrides)
    PolicyPack(**options)
