"""CognitoIdentity: a user pool, a public app client and a managed-login domain with secure defaults."""

import re
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Required, TypedDict
from urllib.parse import quote

import pulumi
import pulumi_aws as aws

from securedapi.components.dns import alias_records
from securedapi.components.identity_checks import STANDARD_SCOPES, validate_identity_args
from securedapi.components.service_clients import (
    ServiceClientArgs,
    create_service_clients,
    parse_service_clients,
    service_outputs,
)

_RESOURCE_SERVER_NAME = re.compile(r"[^\w\s+=,.@-]")


class IdentityProviderArgs(TypedDict, total=False):
    """A federated identity provider (Google, SAML, OIDC, ...)."""

    provider_name: Required[str]
    """Name of the provider as shown on the managed-login page, e.g. "Google" or "Okta"."""
    provider_type: Required[str]
    """One of Google, SAML, OIDC, Facebook, LoginWithAmazon, SignInWithApple."""
    provider_details: Required[Mapping[str, pulumi.Input[str]]]
    """Provider details as Cognito names them (client_id, client_secret, authorize_scopes, MetadataURL...)."""
    attribute_mapping: Mapping[str, str]
    """User pool attribute -> provider attribute. Default: {"email": "email"}, or the SAML email claim."""


class CognitoIdentityArgs(TypedDict, total=False):
    """Arguments of :class:`CognitoIdentity`. Every key is optional except ``callback_urls`` and one of
    ``domain_prefix`` / ``custom_domain``."""

    callback_urls: Required[Sequence[str]]
    """OAuth redirect URLs of the public client (at most 100): https, or http://localhost only (Cognito's rule)."""
    logout_urls: Sequence[str]
    """Sign-out redirect URLs; same rules as callback_urls. Default: none."""
    domain_prefix: str
    """Managed-login domain prefix: https://<prefix>.auth.<region>.amazoncognito.com."""
    custom_domain: str
    """Custom managed-login domain (e.g. auth.example.com), instead of domain_prefix; needs certificate_arn."""
    certificate_arn: pulumi.Input[str]
    """ACM certificate (in us-east-1) for custom_domain."""
    hosted_zone_id: pulumi.Input[str]
    """Route 53 hosted zone of custom_domain: its A and AAAA alias records are created. Default: none (DNS is yours)."""
    mfa: str
    """MFA mode: OFF, OPTIONAL (default) or ON. TOTP software tokens."""
    feature_plan: str
    """User pool feature plan (userPoolTier): LITE, ESSENTIALS (default) or PLUS. LITE gets the classic hosted UI."""
    threat_protection: str
    """Threat protection mode: OFF (default), AUDIT or ENFORCED. AUDIT/ENFORCED need feature_plan PLUS."""
    deletion_protection: bool
    """Refuse to delete the user pool while this is on. Default: true."""
    password_minimum_length: int
    """Minimum password length, 8..99. Default: 12 (upper, lower, number and symbol always required)."""
    access_token_validity_minutes: int
    """Access token lifetime, 5..1440 minutes. Default: 60."""
    id_token_validity_minutes: int
    """ID token lifetime, 5..1440 minutes. Default: 60."""
    refresh_token_validity_days: int
    """Refresh token lifetime, 1..3650 days. Default: 30."""
    refresh_token_rotation: bool
    """Rotate refresh tokens on every use (10 s grace period; not on LITE). Default: false (revocation is always on)."""
    resource_server_identifier: str
    """Identifier of the resource server for custom scopes, e.g. "dashboard". Default: none (no custom scopes)."""
    scopes: Mapping[str, str]
    """Custom scopes of the resource server: name -> description, as "<identifier>/<name>" in tokens."""
    client_scopes: Sequence[str]
    """Custom scopes (names) granted to the public client. Default: every scope. Leave service-only scopes out."""
    service_clients: Mapping[str, ServiceClientArgs]
    """Machine-to-machine callers: name -> confidential client_credentials client with its scopes. Default: none."""
    groups: Mapping[str, str]
    """User pool groups: name -> description (e.g. {"admin": "Administrators"}). Delivered in cognito:groups."""
    identity_providers: Sequence[IdentityProviderArgs]
    """Federated identity providers offered on the managed-login page. Default: none (Cognito users only)."""
    email_source_arn: pulumi.Input[str]
    """ARN of a verified SES identity (address or domain): mail goes through SES. Default: Cognito's sender."""
    email_from: str
    """From of the pool's mail, "address" or "Name <address>", covered by the SES identity (required for a domain)."""
    email_configuration_set: str
    """SES configuration set for the pool's mail (event publishing, dedicated IPs). Default: none."""


def _default_attribute_mapping(kind: str) -> dict[str, str]:
    if kind == "SAML":
        return {"email": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"}
    return {"email": "email"}


class CognitoIdentity(pulumi.ComponentResource):
    """A Cognito user pool with a public (secret-less) authorization-code client and a managed-login domain."""

    # The class docstring is the schema description: keep it on one line (Python 3.13 dedents multi-line
    # docstrings, 3.11 does not, and the committed components/schema.json must not depend on the version).

    user_pool_id: pulumi.Output[str]
    """Id of the user pool."""
    user_pool_arn: pulumi.Output[str]
    """ARN of the user pool."""
    client_id: pulumi.Output[str]
    """Id of the public app client (the JWT audience)."""
    issuer: pulumi.Output[str]
    """Token issuer: https://cognito-idp.<region>.amazonaws.com/<userPoolId>."""
    jwks_uri: pulumi.Output[str]
    """JSON Web Key Set of the pool: <issuer>/.well-known/jwks.json."""
    domain: pulumi.Output[str]
    """Base URL of the managed-login domain."""
    login_url: pulumi.Output[str]
    """Managed-login authorize URL (code flow, first callback URL). Add PKCE parameters in the client."""
    token_endpoint: pulumi.Output[str]
    """OAuth token endpoint of the managed-login domain."""
    scopes: pulumi.Output[list[str]]
    """Full names of the custom scopes ("<identifier>/<name>") granted to the client."""
    custom_domain_target: pulumi.Output[Optional[str]]
    """DNS target of custom_domain: the CloudFront distribution its alias record points at (none for a prefix)."""
    custom_domain_zone_id: pulumi.Output[Optional[str]]
    """Route 53 hosted zone id of that CloudFront distribution, for the alias record (none for a prefix)."""
    service_client_ids: pulumi.Output[dict[str, str]]
    """Service client name -> app client id (add them to the API's JWT audiences)."""
    service_client_secrets: pulumi.Output[dict[str, str]]
    """Service client name -> client secret, as a Pulumi secret (store it where the calling service reads it)."""
    confidential_clients: pulumi.Output[dict[str, str]]
    """App client logical name -> why it has a secret: the service clients, for the policy pack."""

    def __init__(self, name: str, args: CognitoIdentityArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        """Validate ``args`` (``ValueError`` naming the bad arg, before any child exists), then create the children.

        Secure defaults: email sign-in with verification by code, 12-character passwords with all
        character classes, optional TOTP MFA, deletion protection, no client secret, code flow only
        (PKCE is the client's part), token revocation, user-existence errors hidden, 1 h tokens.
        """
        validate_identity_args(args, CognitoIdentityArgs.__annotations__)
        service_clients = parse_service_clients(args)
        super().__init__("securedapi:index:CognitoIdentity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        pool = aws.cognito.UserPool(f"{name}-pool", **_pool_inputs(args), opts=child)

        identifier = args.get("resource_server_identifier")
        custom_scopes = [f"{identifier}/{scope}" for scope in args.get("scopes") or {}]
        client_scopes = args.get("client_scopes")
        if client_scopes is not None:
            custom_scopes = [f"{identifier}/{scope}" for scope in client_scopes]
        depends: list[pulumi.Resource] = []
        if identifier is not None:
            depends.append(
                aws.cognito.ResourceServer(
                    f"{name}-resource-server",
                    user_pool_id=pool.id,
                    identifier=identifier,
                    name=resource_server_name(identifier),
                    scopes=[{"scope_name": s, "scope_description": d} for s, d in (args.get("scopes") or {}).items()],
                    opts=child,
                )
            )
        providers = []
        for idp in args.get("identity_providers") or []:
            kind = idp["provider_type"]
            depends.append(
                aws.cognito.IdentityProvider(
                    f"{name}-idp-{idp['provider_name'].lower()}",
                    user_pool_id=pool.id,
                    provider_name=idp["provider_name"],
                    provider_type=kind,
                    provider_details=idp["provider_details"],
                    attribute_mapping=idp.get("attribute_mapping") or _default_attribute_mapping(kind),
                    opts=child,
                )
            )
            providers.append(idp["provider_name"])

        callback_urls = list(args["callback_urls"])
        rotation = bool(args.get("refresh_token_rotation"))
        client = aws.cognito.UserPoolClient(
            f"{name}-client",
            user_pool_id=pool.id,
            generate_secret=False,
            allowed_oauth_flows_user_pool_client=True,
            allowed_oauth_flows=["code"],
            allowed_oauth_scopes=[*STANDARD_SCOPES, *custom_scopes],
            callback_urls=callback_urls,
            logout_urls=list(args.get("logout_urls") or []),
            supported_identity_providers=["COGNITO", *providers],
            # With rotation, Cognito refuses ALLOW_REFRESH_TOKEN_AUTH: refreshing goes through the token
            # endpoint or GetTokensFromRefreshToken (Cognito API reference, RefreshTokenRotationType).
            explicit_auth_flows=["ALLOW_USER_SRP_AUTH"]
            if rotation
            else ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            refresh_token_rotation={"feature": "ENABLED", "retry_grace_period_seconds": 10} if rotation else None,
            access_token_validity=args.get("access_token_validity_minutes", 60),
            id_token_validity=args.get("id_token_validity_minutes", 60),
            refresh_token_validity=args.get("refresh_token_validity_days", 30),
            token_validity_units={"access_token": "minutes", "id_token": "minutes", "refresh_token": "days"},
            auth_session_validity=3,
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends),
        )

        services = create_service_clients(self, name, service_clients, pool, depends)
        domain = self._domain(name, args, pool, client)
        for group, description in (args.get("groups") or {}).items():
            aws.cognito.UserGroup(
                f"{name}-group-{group.lower()}", user_pool_id=pool.id, name=group, description=description, opts=child
            )

        custom_domain = args.get("custom_domain")
        region = pool.endpoint.apply(lambda endpoint: endpoint.split(".")[1])
        if custom_domain:
            base_url: pulumi.Output[str] = pulumi.Output.from_input(f"https://{custom_domain}")
        else:
            base_url = pulumi.Output.concat("https://", domain.domain, ".auth.", region, ".amazoncognito.com")
        scope_param = quote(" ".join([*STANDARD_SCOPES, *custom_scopes]), safe="")

        self.user_pool_id = pool.id
        self.user_pool_arn = pool.arn
        self.client_id = client.id
        self.issuer = pool.endpoint.apply(lambda endpoint: f"https://{endpoint}")
        self.jwks_uri = self.issuer.apply(lambda issuer: f"{issuer}/.well-known/jwks.json")
        self.domain = base_url
        self.login_url = pulumi.Output.concat(
            base_url,
            "/oauth2/authorize?response_type=code&client_id=",
            client.id,
            "&redirect_uri=",
            quote(callback_urls[0], safe=""),
            "&scope=",
            scope_param,
        )
        self.token_endpoint = pulumi.Output.concat(base_url, "/oauth2/token")
        self.scopes = pulumi.Output.from_input(custom_scopes)
        ids, secrets, confidential = service_outputs(name, service_clients, services)
        self.service_client_ids = ids
        self.service_client_secrets = secrets
        self.confidential_clients = pulumi.Output.from_input(confidential)
        self.register_outputs(
            {
                "userPoolId": self.user_pool_id,
                "userPoolArn": self.user_pool_arn,
                "clientId": self.client_id,
                "issuer": self.issuer,
                "jwksUri": self.jwks_uri,
                "domain": self.domain,
                "loginUrl": self.login_url,
                "tokenEndpoint": self.token_endpoint,
                "scopes": self.scopes,
                "customDomainTarget": self.custom_domain_target,
                "customDomainZoneId": self.custom_domain_zone_id,
                "serviceClientIds": self.service_client_ids,
                "serviceClientSecrets": self.service_client_secrets,
                "confidentialClients": self.confidential_clients,
            }
        )

    def _domain(
        self, name: str, args: CognitoIdentityArgs, pool: aws.cognito.UserPool, client: aws.cognito.UserPoolClient
    ) -> aws.cognito.UserPoolDomain:
        """The managed-login domain, its branding and (with a hosted zone) its DNS records; sets the DNS outputs.

        The Lite plan offers only the classic hosted UI ("In the Lite feature plan, the classic hosted UI is your
        only option", https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-managed-login.html):
        managed login version 1 and no branding style. Essentials and Plus get managed login (version 2) with
        Cognito's default branding style for the client.
        """
        custom_domain = args.get("custom_domain")
        classic = args.get("feature_plan", "ESSENTIALS") == "LITE"
        domain = aws.cognito.UserPoolDomain(
            f"{name}-domain",
            user_pool_id=pool.id,
            domain=custom_domain or args["domain_prefix"],
            certificate_arn=args.get("certificate_arn") if custom_domain else None,
            managed_login_version=1 if classic else 2,
            opts=pulumi.ResourceOptions(parent=self),
        )
        if not classic:
            aws.cognito.ManagedLoginBranding(
                f"{name}-branding",
                user_pool_id=pool.id,
                client_id=client.id,
                use_cognito_provided_values=True,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[domain]),
            )
        self.custom_domain_target = pulumi.Output.from_input(None)
        self.custom_domain_zone_id = pulumi.Output.from_input(None)
        if custom_domain:
            self.custom_domain_target = domain.cloudfront_distribution
            self.custom_domain_zone_id = domain.cloudfront_distribution_zone_id
            zone = args.get("hosted_zone_id")
            if zone is not None:
                alias_records(
                    name,
                    custom_domain,
                    domain.cloudfront_distribution,
                    domain.cloudfront_distribution_zone_id,
                    zone,
                    self,
                )
        return domain


def resource_server_name(identifier: str) -> str:
    """The resource server's name: its identifier, with what a name may not contain (``[\\w\\s+=,.@-]`` only,
    e.g. the ``:`` and ``/`` of an ``https://`` identifier) replaced by ``-``."""
    return _RESOURCE_SERVER_NAME.sub("-", identifier)


def _pool_inputs(args: CognitoIdentityArgs) -> dict[str, Any]:
    """The user pool's inputs: email sign-in and verification, password policy, MFA, plan, mail."""
    mfa = args.get("mfa", "OPTIONAL")
    inputs: dict[str, Any] = {
        "username_attributes": ["email"],
        "auto_verified_attributes": ["email"],
        "username_configuration": {"case_sensitive": False},
        "verification_message_template": {"default_email_option": "CONFIRM_WITH_CODE"},
        "password_policy": {
            "minimum_length": args.get("password_minimum_length", 12),
            "require_lowercase": True,
            "require_uppercase": True,
            "require_numbers": True,
            "require_symbols": True,
            "temporary_password_validity_days": 7,
        },
        "mfa_configuration": mfa,
        "software_token_mfa_configuration": {"enabled": True} if mfa != "OFF" else None,
        "account_recovery_setting": {"recovery_mechanisms": [{"name": "verified_email", "priority": 1}]},
        "admin_create_user_config": {"allow_admin_create_user_only": False},
        "deletion_protection": "ACTIVE" if args.get("deletion_protection", True) else "INACTIVE",
        "user_pool_tier": args.get("feature_plan", "ESSENTIALS"),
        "user_pool_add_ons": {"advanced_security_mode": args.get("threat_protection", "OFF")},
    }
    if args.get("email_source_arn") is not None:
        # Production mail through SES: Cognito's own sender has a low daily quota
        # (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-email.html).
        inputs["email_configuration"] = {
            "email_sending_account": "DEVELOPER",
            "source_arn": args["email_source_arn"],
            "from_email_address": args.get("email_from"),
            "configuration_set": args.get("email_configuration_set"),
        }
    return inputs
