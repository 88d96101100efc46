"""The rules of the securedapi policy pack, one concern per policy, grouped by service.

Import :data:`MANDATORY`, :data:`ADVISORY` or :data:`ALL` to get the policy objects; nothing
here starts a policy pack (``policy/__main__.py`` does).
"""

from pulumi_policy import Policy

from policy.rules import apigateway, cognito, lambda_permissions, wiring

MANDATORY: list[Policy] = [
    apigateway.route_requires_auth,
    apigateway.rest_method_requires_auth,
    apigateway.no_quick_create,
    cognito.client_secret_requires_confidential,
    cognito.client_no_implicit_grant,
    apigateway.jwt_authorizer_valid,
    lambda_permissions.permission_requires_source,
]

ADVISORY: list[Policy] = [
    cognito.mfa_enabled,
    cognito.threat_protection,
    cognito.password_policy,
    apigateway.stage_access_logs,
    apigateway.stage_throttling,
    cognito.client_no_user_password_auth,
    cognito.client_redirect_urls,
    apigateway.jwt_route_scopes,
    cognito.client_prevent_user_existence_errors,
    cognito.client_token_revocation,
    apigateway.cors_no_wildcard_origin,
    apigateway.cors_headers_allow_authorization,
    cognito.identity_pool_no_unauthenticated,
    lambda_permissions.permission_route_scoped,
    wiring.jwt_authorizer_wired_to_pool,
    wiring.route_scopes_grantable,
]

ALL: list[Policy] = [*MANDATORY, *ADVISORY]
