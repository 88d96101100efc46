"""The rules of the securedapi policy pack, one concern per policy, grouped by service.

Import :data:`MANDATORY`, :data:`ADVISORY` or :data:`ALL` to get the policy objects; nothing
here starts a policy pack (:func:`securedapi.policy.securedapi_pack` does).
"""

from pulumi_policy import Policy

from securedapi.policy.rules import (
    apis,
    authorizers,
    cognito,
    cors,
    function_urls,
    lambda_permissions,
    resource_policies,
    rest,
    routes,
    service_clients,
    stages,
    wiring,
)

MANDATORY: list[Policy] = [
    routes.route_requires_auth,
    rest.rest_method_requires_auth,
    apis.no_quick_create,
    cognito.client_secret_requires_confidential,
    cognito.client_no_implicit_grant,
    authorizers.jwt_authorizer_valid,
    lambda_permissions.permission_requires_source,
    function_urls.function_url_requires_auth,
    resource_policies.resource_policy_restricted,
]

ADVISORY: list[Policy] = [
    cognito.mfa_enabled,
    cognito.threat_protection,
    cognito.password_policy,
    stages.stage_access_logs,
    stages.stage_throttling,
    cognito.client_no_user_password_auth,
    cognito.client_redirect_urls,
    routes.jwt_route_scopes,
    cognito.client_prevent_user_existence_errors,
    cognito.client_token_revocation,
    cors.cors_no_wildcard_origin,
    cors.cors_headers_allow_authorization,
    cognito.identity_pool_no_unauthenticated,
    lambda_permissions.permission_route_scoped,
    wiring.jwt_authorizer_wired_to_pool,
    wiring.route_scopes_grantable,
    service_clients.m2m_client_count,
    service_clients.service_client_route_groups,
]

ALL: list[Policy] = [*MANDATORY, *ADVISORY]
