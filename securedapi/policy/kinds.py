"""Resource kinds: the pulumi-aws type a rule is written for, and the other types of the same kind.

A rule reads one property vocabulary, pulumi-aws's (``aws:apigatewayv2/route:Route`` with ``routeKey``,
``authorizationType``...). Other providers' types of the same kind are read through it:

* ``aws:cognito/managedUserPoolClient:ManagedUserPoolClient`` is an app client like ``UserPoolClient``;
* the ``aws-native`` provider (CloudFormation's schema in lowerCamelCase) names some properties
  differently: ``allowedOAuthFlows`` for ``allowedOauthFlows``, ``restApiId`` for ``restApi``,
  ``authType`` for ``authorizationType``, ``jwtConfiguration.audience`` for ``...audiences``. Its
  resources are referred to by an id output (``apiId``, ``restApiId``, ``resourceId``, ``clientId``...),
  which becomes ``id`` here.

:func:`kind_of` gives the rule's type for any type token (unfamiliar ones are their own kind) and
:func:`canonical` rewrites plain property data into the rule's vocabulary. Property names follow the
aws-native schema (CloudFormation ``AWS::ApiGatewayV2::*``, ``AWS::ApiGateway::*``, ``AWS::Cognito::UserPoolClient``,
``AWS::Lambda::Permission``, ``AWS::Lambda::Url``, ``AWS::Lambda::Function``).
"""

from typing import Any

from securedapi.policy.tokens import (
    FUNCTION_URL,
    HTTP_API,
    HTTP_ROUTE,
    HTTP_STAGE,
    IDENTITY_POOL,
    JWT_AUTHORIZER,
    LAMBDA_FUNCTION,
    LAMBDA_PERMISSION,
    MANAGED_USER_POOL_CLIENT,
    RESOURCE_SERVER,
    REST_API,
    REST_METHOD,
    REST_RESOURCE,
    USER_POOL,
    USER_POOL_CLIENT,
)

Renames = tuple[tuple[str, str], ...]
"""(source path, rule path) pairs; a path is dot-separated ("jwtConfiguration.audience")."""

_NATIVE_CLIENT: Renames = (
    ("allowedOAuthFlows", "allowedOauthFlows"),
    ("allowedOAuthScopes", "allowedOauthScopes"),
    ("allowedOAuthFlowsUserPoolClient", "allowedOauthFlowsUserPoolClient"),
    ("clientId", "id"),
)

KINDS: dict[str, tuple[str, Renames]] = {
    MANAGED_USER_POOL_CLIENT: (USER_POOL_CLIENT, ()),
    "aws-native:cognito:UserPoolClient": (USER_POOL_CLIENT, _NATIVE_CLIENT),
    "aws-native:apigatewayv2:Api": (HTTP_API, (("apiId", "id"),)),
    "aws-native:apigatewayv2:Route": (HTTP_ROUTE, (("routeId", "id"),)),
    "aws-native:apigatewayv2:Authorizer": (
        JWT_AUTHORIZER,
        (("authorizerId", "id"), ("jwtConfiguration.audience", "jwtConfiguration.audiences")),
    ),
    "aws-native:apigateway:RestApi": (REST_API, (("restApiId", "id"),)),
    "aws-native:apigateway:Resource": (REST_RESOURCE, (("restApiId", "restApi"), ("resourceId", "id"))),
    "aws-native:apigateway:Method": (REST_METHOD, (("restApiId", "restApi"), ("authorizationType", "authorization"))),
    "aws-native:lambda:Permission": (LAMBDA_PERMISSION, (("functionName", "function"),)),
    "aws-native:lambda:Url": (FUNCTION_URL, (("authType", "authorizationType"), ("targetFunctionArn", "functionName"))),
    "aws-native:lambda:Function": (LAMBDA_FUNCTION, (("functionName", "name"),)),
    "aws-native:apigatewayv2:Stage": (HTTP_STAGE, (("stageName", "name"),)),
    "aws-native:cognito:UserPool": (
        USER_POOL,
        (("userPoolId", "id"), ("providerName", "endpoint"), ("policies.passwordPolicy", "passwordPolicy")),
    ),
    "aws-native:cognito:UserPoolResourceServer": (RESOURCE_SERVER, ()),
    "aws-native:cognito:IdentityPool": (IDENTITY_POOL, ()),
}
"""Type token -> (the pulumi-aws type whose rules apply, property renames)."""


def kind_of(resource_type: str) -> str:
    """The pulumi-aws type whose rules apply to ``resource_type`` (itself when it has no alias)."""
    entry = KINDS.get(resource_type)
    return entry[0] if entry else resource_type


def source_property(resource_type: str, prop: str) -> str:
    """The top-level property of ``resource_type`` that holds the rule's property ``prop``."""
    entry = KINDS.get(resource_type)
    for source, target in entry[1] if entry else ():
        if target.split(".", 1)[0] == prop and "." not in target:
            return source
    return prop


def canonical(resource_type: str, props: Any) -> dict[str, Any]:
    """``props`` (plain data) in the vocabulary of the rules for ``kind_of(resource_type)``."""
    if not isinstance(props, dict):
        return {}
    entry = KINDS.get(resource_type)
    if not entry or not entry[1]:
        return props
    out = dict(props)
    for source, target in entry[1]:
        _move(out, source.split("."), target.split("."))
    return out


def _move(data: dict[str, Any], source: list[str], target: list[str]) -> None:
    """Move the value at path ``source`` to path ``target`` (copying the objects it changes)."""
    parent = data
    for key in source[:-1]:
        child = parent.get(key)
        if not isinstance(child, dict):
            return
        parent[key] = dict(child)
        parent = parent[key]
    if parent.get(source[-1]) is None:
        return
    value = parent.pop(source[-1])
    parent = data
    for key in target[:-1]:
        child = parent.get(key)
        parent[key] = dict(child) if isinstance(child, dict) else {}
        parent = parent[key]
    parent[target[-1]] = value
