"""JWT authorizers: an audience, no wildcard, an https issuer (Authorizer resources and OpenAPI-declared ones)."""

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from securedapi.policy.openapi import OpenApiError, load
from securedapi.policy.rules.openapi import contains_unknown
from securedapi.policy.values import HTTP_API, JWT_AUTHORIZER, UNKNOWN, get, strings, view

ISSUER_FIX = "issuer = 'https://' + the user pool's endpoint"


def jwt_problems(where: str, audiences: Any, issuer: Any, *, field: str = "jwtConfiguration.audiences") -> list[str]:
    """What is wrong with a JWT authorizer's audiences and issuer (unknown values are not held against it)."""
    problems = []
    if audiences is not UNKNOWN:
        if not strings(audiences):
            problems.append(
                f"{where} has no audience: tokens issued to any client would be accepted. "
                f"Fix: set {field} to your app client ids."
            )
        for audience in strings(audiences):
            if audience is not UNKNOWN and (not isinstance(audience, str) or not audience.strip() or "*" in audience):
                problems.append(
                    f"{where} accepts the audience {audience!r}, a wildcard or empty value. "
                    "Fix: list the exact app client ids."
                )
    if issuer is None or (isinstance(issuer, str) and not issuer.startswith("https://")):
        problems.append(
            f"{where} has issuer {issuer!r}; API Gateway fetches the signing keys from the issuer, "
            f"which must be an https URL. Fix: {ISSUER_FIX}."
        )
    return problems


def _authorizer_problems(name: str, resource_type: str, props: dict[str, Any]) -> list[str]:
    if get(props, "authorizerType") != "JWT":
        return []
    where = f"JWT authorizer {name!r}"
    jwt = get(props, "jwtConfiguration")
    if jwt is UNKNOWN:
        return []
    if not jwt:
        return [
            f"{where} has no jwtConfiguration, so any token would do. Fix: set jwtConfiguration "
            "{issuer: 'https://cognito-idp.<region>.amazonaws.com/<poolId>', audiences: [<clientId>]}."
        ]
    field = "jwtConfiguration.audience" if resource_type.startswith("aws-native:") else "jwtConfiguration.audiences"
    return jwt_problems(where, get(jwt, "audiences"), get(jwt, "issuer"), field=field)


def _body_problems(name: str, props: dict[str, Any]) -> list[str]:
    """The JWT authorizers an HTTP API's OpenAPI body declares (x-amazon-apigateway-authorizer type jwt)."""
    body = get(props, "body")
    if body is None or contains_unknown(body):
        return []
    try:
        document = load(body)
    except OpenApiError:
        return []  # apigw-route-requires-auth reports the unreadable body
    problems = []
    for scheme in document.jwt_schemes:
        where = f"JWT authorizer {scheme.name!r} in the OpenAPI body of HTTP API {name!r}"
        field = f"components.securitySchemes.{scheme.name}.x-amazon-apigateway-authorizer.jwtConfiguration.audience"
        problems += jwt_problems(where, scheme.audiences, scheme.issuer, field=field)
    return problems


def _jwt_authorizer_valid(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind == JWT_AUTHORIZER:
        problems = _authorizer_problems(args.name, args.resource_type, props)
    elif kind == HTTP_API:
        problems = _body_problems(args.name, props)
    else:
        return
    for problem in problems:
        report_violation(problem, None)


jwt_authorizer_valid = ResourceValidationPolicy(
    name="apigw-jwt-authorizer-valid",
    description="JWT authorizers (Authorizer resources and those an OpenAPI body declares) need at least one exact "
    "audience (no wildcard) and an https issuer.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    validate=_jwt_authorizer_valid,
    tags=["apigateway", "jwt"],
)
