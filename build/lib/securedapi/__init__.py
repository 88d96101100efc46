"""securedapi: a Cognito-secured HTTP API on AWS with Pulumi.

One distribution, one import package:

* :mod:`securedapi.routes`, :mod:`securedapi.urls`, :mod:`securedapi.cors` -- the route/auth model and
  the URL and CORS rules (pure, standard library only);
* :mod:`securedapi.components` -- the ``CognitoIdentity`` and ``SecuredHttpApi`` components;
* :mod:`securedapi.testing` -- run any Pulumi Python program under AWS-shaped mocks and record its graph;
* :mod:`securedapi.policy` -- the policy rules and the pack factory; :mod:`securedapi.gate` -- the offline gate;
* :mod:`securedapi.local` -- the embedded local stack; :mod:`securedapi.cli` -- the ``securedapi`` command.

``from securedapi import CognitoIdentity, SecuredHttpApi`` loads the components (and ``pulumi_aws``)
on first use only, so importing the model stays light.
"""

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

_COMPONENT_NAMES = (
    "CognitoIdentity",
    "CognitoIdentityArgs",
    "IdentityProviderArgs",
    "RouteArgs",
    "SecuredHttpApi",
    "SecuredHttpApiArgs",
)

__all__ = [
    "CognitoIdentity",
    "CognitoIdentityArgs",
    "IdentityProviderArgs",
    "RouteArgs",
    "SecuredHttpApi",
    "SecuredHttpApiArgs",
    "__version__",
]

if TYPE_CHECKING:
    from securedapi.components import (
        CognitoIdentity,
        CognitoIdentityArgs,
        IdentityProviderArgs,
        RouteArgs,
        SecuredHttpApi,
        SecuredHttpApiArgs,
    )


def __getattr__(name: str) -> Any:
    """Load the components on first access (PEP 562)."""
    if name in _COMPONENT_NAMES:
        from securedapi import components

        return getattr(components, name)
    raise AttributeError(f"module 'securedapi' has no attribute {name!r}")
