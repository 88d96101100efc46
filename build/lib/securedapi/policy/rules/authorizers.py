"""JWT authorizers: an audience, no wildcard, an https issuer."""

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from securedapi.policy.values import (
    JWT_AUTHORIZER,
    UNKNOWN,
    get,
    plain,
    strings,
)


def _jwt_authorizer_valid(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != JWT_AUTHORIZER:
        return
    props = plain(args.props)
    if get(props, "authorizerType") != "JWT":
        return
    where = f"JWT authorizer {args.name!r}"
    jwt = get(props, "jwtConfiguration")
    if jwt is UNKNOWN:
        return
    if not jwt:
        report_violation(
            f"{where} has no jwtConfiguration, so any token would do. Fix: set jwtConfiguration "
            "{issuer: 'https://cognito-idp.<region>.amazonaws.com/<poolId>', audiences: [<clientId>]}.",
            None,
        )
        return
    audiences = get(jwt, "audiences")
    if audiences is not UNKNOWN:
        known = [a for a in strings(audiences) if a is not UNKNOWN]
        if not strings(audiences):
            report_violation(
                f"{where} has no audience: tokens issued to any client would be accepted. "
                "Fix: set jwtConfiguration.audiences to your app client ids.",
                None,
            )
        for audience in known:
            if not isinstance(audience, str) or not audience.strip() or "*" in audience:
                report_violation(
                    f"{where} accepts the audience {audience!r}, a wildcard or empty value. "
                    "Fix: list the exact app client ids.",
                    None,
                )
    issuer = get(jwt, "issuer")
    if issuer is None or (isinstance(issuer, str) and not issuer.startswith("https://")):
        report_violation(
            f"{where} has issuer {issuer!r}; API Gateway fetches the signing keys from the issuer, "
            "which must be an https URL. Fix: issuer = 'https://' + the user pool's endpoint.",
            None,
        )


jwt_authorizer_valid = ResourceValidationPolicy(
    name="apigw-jwt-authorizer-valid",
    description="JWT authorizers need at least one exact audience (no wildcard) and an https issuer.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    validate=_jwt_authorizer_valid,
    tags=["apigateway", "jwt"],
)
