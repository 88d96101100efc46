"""securedapi components: a Cognito identity and a JWT-secured HTTP API, reusable from any Pulumi language."""

from components.cognito_identity import CognitoIdentity, CognitoIdentityArgs, IdentityProviderArgs
from components.secured_http_api import RouteArgs, SecuredHttpApi, SecuredHttpApiArgs

__version__ = "0.1.0"

__all__ = [
    "CognitoIdentity",
    "CognitoIdentityArgs",
    "IdentityProviderArgs",
    "RouteArgs",
    "SecuredHttpApi",
    "SecuredHttpApiArgs",
    "__version__",
]
