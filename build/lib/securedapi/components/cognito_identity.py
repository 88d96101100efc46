"""CognitoIdentity: a user pool, a public app client and a managed-login domain with secure defaults."""

import re
from collections.abc import Mapping, Sequence
from typing import NoReturn, Optional, Required, TypedDict
from urllib.parse import quote

import pulumi
import pulumi_aws as aws

from securedapi.components.checks import in_range
from securedapi.routes import GROUP_NAME
from securedapi.urls import url_problem

MFA_MODES = ("OFF", "OPTIONAL", "ON")
FEATURE_PLANS = ("LITE", "ESSENTIALS", "PLUS")
THREAT_PROTECTION_MODES = ("OFF", "AUDIT", "ENFORCED")
IDP_TYPES = ("Google", "SAML", "OIDC", "Facebook", "LoginWithAmazon", "SignInWithApple")
STANDARD_SCOPES = ("openid", "email", "profile")

_DOMAIN_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_SCOPE_NAME = re.compile(r"^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$")
_IDENTIFIER = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]{1,256}$")


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
    """OAuth redirect URLs of the public client. https, or http on localhost/127.0.0.1 only; no wildcards."""
    logout_urls: Sequence[str]
    """Sign-out redirect URLs; same rules as callback_urls. Default: none."""
    domain_prefix: str
    """Managed-login domain prefix: https://<prefix>.auth.<region>.amazoncognito.com."""
    custom_domain: str
    """Custom managed-login domain (e.g. auth.example.com), instead of domain_prefix; needs certificate_arn."""
    certificate_arn: pulumi.Input[str]
    """ACM certificate (in us-east-1) for custom_domain."""
    mfa: str
    """MFA mode: OFF, OPTIONAL (default) or ON. TOTP software tokens."""
    feature_plan: str
    """User pool feature plan (userPoolTier): LITE, ESSENTIALS (default) or PLUS."""
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
    """Rotate refresh tokens on every use (10 s retry grace period). Default: false (revocation is always on)."""
    resource_server_identifier: str
    """Identifier of the resource server for custom scopes, e.g. "dashboard". Default: none (no custom scopes)."""
    scopes: Mapping[str, str]
    """Custom scopes of the resource server: name -> description. Granted to the client as "<identifier>/<name>"."""
    groups: Mapping[str, str]
    """User pool groups: name -> description (e.g. {"admin": "Administrators"}). Delivered in cognito:groups."""
    identity_providers: Sequence[IdentityProviderArgs]
    """Federated identity providers offered on the managed-login page. Default: none (Cognito users only)."""


def _fail(arg: str, message: str) -> NoReturn:
    raise ValueError(f"CognitoIdentity args.{arg}: {message}")


def _check_int(args: Mapping[str, object], key: str, low: int, high: int) -> None:
    value = args.get(key)
    if value is not None and not in_range(value, low, high):
        _fail(key, f"must be an integer between {low} and {high}, got {value!r}")


def _check_urls(args: Mapping[str, object], key: str, required: bool) -> list[str]:
    urls = args.get(key)
    if urls is None:
        if required:
            _fail(key, "at least one URL is required")
        return []
    if isinstance(urls, str) or not isinstance(urls, Sequence) or (required and not urls):
        _fail(key, f"expected a non-empty list of URLs, got {urls!r}")
    for url in urls:
        problem = url_problem(url)
        if problem:
            _fail(key, f"{url!r} {problem}")
    return list(urls)


def _check_choice(args: Mapping[str, object], key: str, choices: Sequence[str], default: str) -> str:
    value = args.get(key, default)
    if value not in choices:
        _fail(key, f"must be one of {', '.join(choices)}, got {value!r}")
    return str(value)


def validate_identity_args(args: CognitoIdentityArgs) -> None:
    """Raise ``ValueError`` naming the arg and value for anything Cognito would reject or we consider unsafe."""
    unknown = set(args) - set(CognitoIdentityArgs.__annotations__)
    if unknown:
        _fail(sorted(unknown)[0], f"unknown argument; expected one of {sorted(CognitoIdentityArgs.__annotations__)}")
    _check_urls(args, "callback_urls", required=True)
    _check_urls(args, "logout_urls", required=False)
    _check_choice(args, "mfa", MFA_MODES, "OPTIONAL")
    plan = _check_choice(args, "feature_plan", FEATURE_PLANS, "ESSENTIALS")
    threat = _check_choice(args, "threat_protection", THREAT_PROTECTION_MODES, "OFF")
    if threat != "OFF" and plan != "PLUS":
        _fail("threat_protection", f"{threat!r} needs feature_plan 'PLUS', got {plan!r}")
    prefix, custom = args.get("domain_prefix"), args.get("custom_domain")
    if (prefix is None) == (custom is None):
        _fail("domain_prefix", "set exactly one of domain_prefix and custom_domain")
    if prefix is not None and (
        not isinstance(prefix, str) or not _DOMAIN_PREFIX.match(prefix) or re.search("aws|amazon|cognito", prefix)
    ):
        _fail(
            "domain_prefix",
            f"{prefix!r} must be 1-63 lowercase letters, digits or hyphens, and must not "
            "contain 'aws', 'amazon' or 'cognito'",
        )
    if custom is not None:
        if not isinstance(custom, str) or "." not in custom or "/" in custom or ":" in custom:
            _fail("custom_domain", f"{custom!r} must be a host name such as auth.example.com")
        if args.get("certificate_arn") is None:
            _fail("certificate_arn", "is required with custom_domain (an ACM certificate in us-east-1)")
    _check_int(args, "password_minimum_length", 8, 99)
    _check_int(args, "access_token_validity_minutes", 5, 1440)
    _check_int(args, "id_token_validity_minutes", 5, 1440)
    _check_int(args, "refresh_token_validity_days", 1, 3650)
    identifier, scopes = args.get("resource_server_identifier"), args.get("scopes") or {}
    if scopes and identifier is None:
        _fail("scopes", "custom scopes need resource_server_identifier")
    if identifier is not None and (not isinstance(identifier, str) or not _IDENTIFIER.match(identifier)):
        _fail("resource_server_identifier", f"invalid identifier {identifier!r}")
    for scope in scopes:
        if not _SCOPE_NAME.match(scope):
            _fail("scopes", f"invalid scope name {scope!r} (no spaces, '/' or quotes)")
    # Child resources are named after lowercased group and provider names: those must be unique too.
    groups: set[str] = set()
    for group in args.get("groups") or {}:
        if not GROUP_NAME.match(group):
            _fail("groups", f"invalid group name {group!r}")
        if group.lower() in groups:
            _fail("groups", f"{group!r} differs from another group only in case")
        groups.add(group.lower())
    names: set[str] = set()
    for i, idp in enumerate(args.get("identity_providers") or []):
        name, kind = idp.get("provider_name"), idp.get("provider_type")
        if not name or not isinstance(name, str) or name.upper() == "COGNITO" or name.lower() in names:
            _fail(
                f"identity_providers[{i}].provider_name",
                f"must be a non-empty name, unique regardless of case and not COGNITO, got {name!r}",
            )
        names.add(name.lower())
        if kind not in IDP_TYPES:
            _fail(f"identity_providers[{i}].provider_type", f"must be one of {', '.join(IDP_TYPES)}, got {kind!r}")
        if not idp.get("provider_details"):
            _fail(f"identity_providers[{i}].provider_details", "is required (client_id, ... or MetadataURL)")


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

    def __init__(self, name: str, args: CognitoIdentityArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        """Validate ``args`` (``ValueError`` naming the bad arg, before any child exists), then create the children.

        Secure defaults: email sign-in with verification by code, 12-character passwords with all
        character classes, optional TOTP MFA, deletion protection, no client secret, code flow only
        (PKCE is the client's part), token revocation, user-existence errors hidden, 1 h tokens.
        """
        validate_identity_args(args)
        super().__init__("securedapi:index:CognitoIdentity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        mfa = args.get("mfa", "OPTIONAL")
        plan = args.get("feature_plan", "ESSENTIALS")

        pool = aws.cognito.UserPool(
            f"{name}-pool",
            username_attributes=["email"],
            auto_verified_attributes=["email"],
            username_configuration={"case_sensitive": False},
            verification_message_template={"default_email_option": "CONFIRM_WITH_CODE"},
            password_policy={
                "minimum_length": args.get("password_minimum_length", 12),
                "require_lowercase": True,
                "require_uppercase": True,
                "require_numbers": True,
                "require_symbols": True,
                "temporary_password_validity_days": 7,
            },
            mfa_configuration=mfa,
            software_token_mfa_configuration={"enabled": True} if mfa != "OFF" else None,
            account_recovery_setting={"recovery_mechanisms": [{"name": "verified_email", "priority": 1}]},
            admin_create_user_config={"allow_admin_create_user_only": False},
            deletion_protection="ACTIVE" if args.get("deletion_protection", True) else "INACTIVE",
            user_pool_tier=plan,
            user_pool_add_ons={"advanced_security_mode": args.get("threat_protection", "OFF")},
            opts=child,
        )

        identifier = args.get("resource_server_identifier")
        custom_scopes = [f"{identifier}/{scope}" for scope in args.get("scopes") or {}]
        depends: list[pulumi.Resource] = []
        if identifier is not None:
            depends.append(
                aws.cognito.ResourceServer(
                    f"{name}-resource-server",
                    user_pool_id=pool.id,
                    identifier=identifier,
                    name=identifier,
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
            explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            refresh_token_rotation=(
                {"feature": "ENABLED", "retry_grace_period_seconds": 10} if args.get("refresh_token_rotation") else None
            ),
            access_token_validity=args.get("access_token_validity_minutes", 60),
            id_token_validity=args.get("id_token_validity_minutes", 60),
            refresh_token_validity=args.get("refresh_token_validity_days", 30),
            token_validity_units={"access_token": "minutes", "id_token": "minutes", "refresh_token": "days"},
            auth_session_validity=3,
            opts=pulumi.ResourceOptions(parent=self, depends_on=depends),
        )

        custom_domain = args.get("custom_domain")
        domain = aws.cognito.UserPoolDomain(
            f"{name}-domain",
            user_pool_id=pool.id,
            domain=custom_domain or args["domain_prefix"],
            certificate_arn=args.get("certificate_arn") if custom_domain else None,
            managed_login_version=2,
            opts=child,
        )
        aws.cognito.ManagedLoginBranding(
            f"{name}-branding",
            user_pool_id=pool.id,
            client_id=client.id,
            use_cognito_provided_values=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[domain]),
        )
        for group, description in (args.get("groups") or {}).items():
            aws.cognito.UserGroup(
                f"{name}-group-{group.lower()}", user_pool_id=pool.id, name=group, description=description, opts=child
            )

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
            }
        )
