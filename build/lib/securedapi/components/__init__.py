"""The securedapi components: a Cognito identity and a JWT-secured HTTP API, reusable from any Pulumi language.

Type tokens: ``securedapi:index:CognitoIdentity`` and ``securedapi:index:SecuredHttpApi``.
"""

from securedapi.components.cognito_identity import CognitoIdentity, CognitoIdentityArgs, IdentityProviderArgs
from securedapi.components.secured_http_api import RouteArgs, SecuredHttpApi, SecuredHttpApiArgs

__all__ = [
    "CognitoIdentity",
    "CognitoIdentityArgs",
    "IdentityProviderArgs",
    "RouteArgs",
    "SecuredHttpApi",
    "SecuredHttpApiArgs",
]
