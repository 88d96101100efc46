"""Cognito rules: public app clients, OAuth flows and redirect URLs, user pool hardening, identity pools."""

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from securedapi.policy.exemptions import (
    CONFIDENTIAL_CLIENTS,
    CONFIDENTIAL_CLIENTS_SCHEMA,
    exempted,
    from_config,
)
from securedapi.policy.rules.common import component_confidential_reason, resource_names
from securedapi.policy.values import (
    IDENTITY_POOL,
    MANAGED_USER_POOL_CLIENT,
    UNKNOWN,
    USER_POOL,
    USER_POOL_CLIENT,
    Graph,
    describe,
    get,
    strings,
    truthy,
    view,
)
from securedapi.urls import url_problem

CLIENT_SECRET = "cognito-client-secret-requires-confidential"


def has_secret(props: dict[str, Any]) -> bool:
    """A client with a secret: ``generateSecret`` true, or a non-empty ``clientSecret`` in its state (a
    ManagedUserPoolClient's secret is chosen by the service that created the client; it shows only there)."""
    secret = get(props, "clientSecret")
    return truthy(get(props, "generateSecret")) or (isinstance(secret, str) and secret != "")


def _client_secret_requires_confidential(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = Graph(args.resources)
    exemptions = from_config(args.get_config(), CONFIDENTIAL_CLIENTS, CLIENT_SECRET, report_violation)
    for client in graph.of_type(USER_POOL_CLIENT):
        if not has_secret(graph.props(client)):
            continue
        declared = component_confidential_reason(graph, client)
        if declared is UNKNOWN or declared:
            continue  # a CognitoIdentity service client: declared confidential, with its reason
        applies, expired = exempted(exemptions, resource_names(graph, client))
        if applies:
            continue
        managed = client.resource_type == MANAGED_USER_POOL_CLIENT
        how = (
            "Fix: use a client without a secret (code flow with PKCE) for browser and mobile apps"
            if managed
            else "Fix: set generateSecret false and use the authorization code flow with PKCE"
        )
        report_violation(
            f"App client {client.name!r} ({describe(client.resource_type, client.name)}) has a client secret "
            f"{'(clientSecret is set)' if managed else '(generateSecret: true)'} but is not declared confidential. "
            "Browser and mobile apps cannot keep a secret; every client is public unless declared otherwise."
            f"{expired} {how}; for a machine-to-machine caller, use a CognitoIdentity service "
            "client (service_clients: declared confidential by the component); or declare the client confidential: "
            f'{{"{CLIENT_SECRET}": {{"{CONFIDENTIAL_CLIENTS}": [{{"client": "{client.name}", "reason": "<why>"}}]}}}}.',
            client.urn,
        )


client_secret_requires_confidential = StackValidationPolicy(
    name=CLIENT_SECRET,
    description="Cognito app clients of any type must not have a secret unless they are declared confidential "
    "(with a reason: a CognitoIdentity service client, or pack config).",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    validate=_client_secret_requires_confidential,
    config_schema=PolicyConfigSchema(properties={CONFIDENTIAL_CLIENTS: CONFIDENTIAL_CLIENTS_SCHEMA}),
    remediation_steps="Set generateSecret false (code flow + PKCE), use a CognitoIdentity service client, or add a "
    "confidentialClients exemption.",
    tags=["cognito", "oauth"],
)


def _client_no_implicit_grant(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind != USER_POOL_CLIENT:
        return
    if "implicit" in strings(get(props, "allowedOauthFlows")):
        report_violation(
            f"App client {args.name!r} allows the implicit grant: tokens are returned in the URL "
            "fragment (browser history, referrers, no refresh). Fix: allowedOauthFlows ['code'] with "
            "PKCE.",
            None,
        )


client_no_implicit_grant = ResourceValidationPolicy(
    name="cognito-client-no-implicit-grant",
    description="Cognito app clients must not allow the OAuth implicit grant.",
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    validate=_client_no_implicit_grant,
    tags=["cognito", "oauth"],
)


def _mfa_enabled(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind != USER_POOL:
        return
    mfa = get(props, "mfaConfiguration")
    if mfa is None or mfa == "OFF":
        report_violation(
            f"User pool {args.name!r} has MFA off (mfaConfiguration {mfa or 'missing'}). Fix: set "
            "mfaConfiguration 'OPTIONAL' or 'ON' with softwareTokenMfaConfiguration {enabled: true}.",
            None,
        )


mfa_enabled = ResourceValidationPolicy(
    name="cognito-mfa-enabled",
    description="User pools should offer or require MFA.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_mfa_enabled,
    tags=["cognito"],
)


def _threat_protection(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind != USER_POOL:
        return
    mode = get(props, "userPoolAddOns", "advancedSecurityMode")
    if mode is UNKNOWN or mode in ("ENFORCED", "AUDIT"):
        return
    tier = get(props, "userPoolTier")
    report_violation(
        f"User pool {args.name!r} has no threat protection (advancedSecurityMode {mode or 'missing'}, "
        f"feature plan {tier or 'default'}): compromised credentials and risky sign-ins are not "
        "detected. Fix: userPoolTier 'PLUS' and userPoolAddOns {advancedSecurityMode: 'ENFORCED'} "
        "('AUDIT' to observe first).",
        None,
    )


threat_protection = ResourceValidationPolicy(
    name="cognito-threat-protection",
    description="User pools should enable threat protection (feature plan PLUS, AUDIT or ENFORCED).",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_threat_protection,
    tags=["cognito"],
)

_CLASSES = {
    "requireLowercase": "lowercase",
    "requireUppercase": "uppercase",
    "requireNumbers": "numbers",
    "requireSymbols": "symbols",
}
MIN_PASSWORD_LENGTH = 12


def _password_policy(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind != USER_POOL:
        return
    policy = get(props, "passwordPolicy")
    if policy is UNKNOWN:
        return
    problems = []
    length = get(policy, "minimumLength")
    if length is None or (isinstance(length, (int, float)) and length < MIN_PASSWORD_LENGTH):
        shown = int(length) if length is not None else "8 (default)"
        problems.append(f"minimum length {shown} < {MIN_PASSWORD_LENGTH}")
    # Without a passwordPolicy Cognito requires every class; in a declared one an omitted class is not required.
    missing = [
        label
        for key, label in _CLASSES.items()
        if policy and get(policy, key) is not UNKNOWN and not truthy(get(policy, key))
    ]
    if missing:
        problems.append(f"does not require {', '.join(missing)}")
    if problems:
        report_violation(
            f"User pool {args.name!r} has a weak password policy: {'; '.join(problems)}. Fix: "
            f"passwordPolicy {{minimumLength: {MIN_PASSWORD_LENGTH}, requireLowercase/Uppercase/"
            "Numbers/Symbols: true}.",
            None,
        )


password_policy = ResourceValidationPolicy(
    name="cognito-password-policy",
    description=f"User pools should require passwords of at least {MIN_PASSWORD_LENGTH} characters with all classes.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_password_policy,
    tags=["cognito"],
)


def _client_no_user_password_auth(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind != USER_POOL_CLIENT:
        return
    flows = strings(get(props, "explicitAuthFlows"))
    bad = [f for f in flows if f in ("ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH")]
    if bad:
        report_violation(
            f"App client {args.name!r} allows {bad[0]}: the password is sent to Cognito in clear (in "
            "TLS) instead of SRP, and the flow bypasses the managed login. Fix: use ALLOW_USER_SRP_AUTH "
            "or the hosted login with the code flow.",
            None,
        )


client_no_user_password_auth = ResourceValidationPolicy(
    name="cognito-client-no-user-password-auth",
    description="App clients should not allow ALLOW_USER_PASSWORD_AUTH.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_client_no_user_password_auth,
    tags=["cognito", "oauth"],
)


def _client_redirect_urls(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind != USER_POOL_CLIENT:
        return
    for prop in ("callbackUrls", "logoutUrls", "defaultRedirectUri"):
        for url in strings(get(props, prop)):
            if not isinstance(url, str):
                continue
            problem = url_problem(url)
            if problem:
                report_violation(
                    f"App client {args.name!r} {prop} {url!r} {problem}; authorization codes could be "
                    "delivered to an attacker. Fix: use exact https URLs (http only for "
                    "localhost/127.0.0.1/[::1]).",
                    None,
                )


client_redirect_urls = ResourceValidationPolicy(
    name="cognito-client-redirect-urls",
    description="Callback and logout URLs should be exact https URLs (http only on loopback, no wildcards).",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_client_redirect_urls,
    tags=["cognito", "oauth"],
)


def _client_prevent_user_existence_errors(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind != USER_POOL_CLIENT:
        return
    value = get(props, "preventUserExistenceErrors")
    if value is not UNKNOWN and value != "ENABLED":
        report_violation(
            f"App client {args.name!r} reveals whether a user exists (preventUserExistenceErrors "
            f"{value or 'missing'}). Fix: preventUserExistenceErrors 'ENABLED'.",
            None,
        )


client_prevent_user_existence_errors = ResourceValidationPolicy(
    name="cognito-client-prevent-user-existence-errors",
    description="App clients should set preventUserExistenceErrors ENABLED.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    validate=_client_prevent_user_existence_errors,
    tags=["cognito"],
)


def _client_token_revocation(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind != USER_POOL_CLIENT:
        return
    value = get(props, "enableTokenRevocation")
    if value is False or (isinstance(value, str) and value.lower() == "false"):
        report_violation(
            f"App client {args.name!r} disables token revocation: refresh tokens of signed-out or "
            "compromised sessions stay valid. Fix: enableTokenRevocation true.",
            None,
        )


client_token_revocation = ResourceValidationPolicy(
    name="cognito-client-token-revocation",
    description="App clients should keep token revocation enabled.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.LOW,
    validate=_client_token_revocation,
    tags=["cognito"],
)


def _identity_pool_no_unauthenticated(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    kind, props = view(args.resource_type, args.props)
    if kind == IDENTITY_POOL and truthy(get(props, "allowUnauthenticatedIdentities")):
        report_violation(
            f"Identity pool {args.name!r} hands AWS credentials to unauthenticated identities. Fix: "
            "allowUnauthenticatedIdentities false (or scope the unauthenticated role to nothing).",
            None,
        )


identity_pool_no_unauthenticated = ResourceValidationPolicy(
    name="cognito-identity-pool-no-unauthenticated",
    description="Identity pools should not allow unauthenticated identities.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_identity_pool_no_unauthenticated,
    tags=["cognito"],
)
