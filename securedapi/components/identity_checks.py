"""Validation of :class:`~securedapi.components.cognito_identity.CognitoIdentity` args: everything Cognito, SES,
ACM or the AWS provider would refuse, and what we consider unsafe, before any child resource exists."""

import re
from collections.abc import Collection, Mapping, Sequence
from email.utils import getaddresses
from typing import Any, NoReturn

from securedapi.components.checks import (
    arn_problem,
    boolean_hint,
    configured_region,
    in_range,
    is_plain,
    region_problem,
    zone_id_problem,
)
from securedapi.routes import GROUP_NAME
from securedapi.urls import callback_url_problem, host_problem

MFA_MODES = ("OFF", "OPTIONAL", "ON")
FEATURE_PLANS = ("LITE", "ESSENTIALS", "PLUS")
THREAT_PROTECTION_MODES = ("OFF", "AUDIT", "ENFORCED")
IDP_TYPES = ("Google", "SAML", "OIDC", "Facebook", "LoginWithAmazon", "SignInWithApple")
STANDARD_SCOPES = ("openid", "email", "profile")
MAX_OAUTH_SCOPES = 50
"""An app client allows at most 50 OAuth scopes (the standard ones included)."""
MAX_URLS = 100
"""At most 100 callback URLs and 100 sign-out URLs per app client."""

_DOMAIN_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_SCOPE_NAME = re.compile(r"^[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]{1,256}$")
_IDENTIFIER = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]{1,256}$")
_CONFIGURATION_SET = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


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
    if len(urls) > MAX_URLS:
        _fail(key, f"at most {MAX_URLS} URLs (Cognito's limit), got {len(urls)}")
    for url in urls:
        problem = callback_url_problem(url)
        if problem:
            _fail(key, f"{url!r} {problem}")
    return list(urls)


def _check_choice(args: Mapping[str, object], key: str, choices: Sequence[str], default: str) -> str:
    value = args.get(key, default)
    if value not in choices:
        _fail(key, f"must be one of {', '.join(choices)}, got {value!r}{boolean_hint(value, choices)}")
    return str(value)


def validate_identity_args(args: Mapping[str, Any], known: Collection[str]) -> None:
    """Raise ``ValueError`` naming the arg and value for anything Cognito would reject or we consider unsafe."""
    unknown = set(args) - set(known)
    if unknown:
        _fail(sorted(unknown)[0], f"unknown argument; expected one of {sorted(known)}")
    region = configured_region()
    if region is not None and region_problem(region):
        raise ValueError(f"CognitoIdentity: the stack's aws:region {region_problem(region)}")
    _check_urls(args, "callback_urls", required=True)
    _check_urls(args, "logout_urls", required=False)
    _check_choice(args, "mfa", MFA_MODES, "OPTIONAL")
    plan = _check_choice(args, "feature_plan", FEATURE_PLANS, "ESSENTIALS")
    threat = _check_choice(args, "threat_protection", THREAT_PROTECTION_MODES, "OFF")
    if threat != "OFF" and plan != "PLUS":
        _fail("threat_protection", f"{threat!r} needs feature_plan 'PLUS', got {plan!r}")
    if plan == "LITE" and args.get("refresh_token_rotation"):
        _fail("refresh_token_rotation", "needs feature_plan 'ESSENTIALS' or 'PLUS' (the Lite plan has no rotation)")
    _check_domain(args)
    _check_email(args)
    _check_int(args, "password_minimum_length", 8, 99)
    _check_int(args, "access_token_validity_minutes", 5, 1440)
    _check_int(args, "id_token_validity_minutes", 5, 1440)
    _check_int(args, "refresh_token_validity_days", 1, 3650)
    _check_scopes(args)
    _check_groups(args)
    _check_identity_providers(args)


def _check_domain(args: Mapping[str, Any]) -> None:
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
    zone = args.get("hosted_zone_id")
    if custom is None:
        if zone is not None:
            _fail("hosted_zone_id", "needs custom_domain (a prefix domain needs no DNS record)")
        return
    problem = host_problem(custom)
    if problem:
        _fail("custom_domain", f"{custom!r} {problem}")
    certificate = args.get("certificate_arn")
    if certificate is None:
        _fail("certificate_arn", "is required with custom_domain (an ACM certificate in us-east-1)")
    # Cognito serves custom domains through CloudFront, which takes certificates from us-east-1 only.
    problem = arn_problem(certificate, "acm", "certificate/", region="us-east-1")
    if problem:
        _fail("certificate_arn", f"{problem} (Cognito custom domains need an ACM certificate in us-east-1)")
    if zone is not None and zone_id_problem(zone):
        _fail("hosted_zone_id", str(zone_id_problem(zone)))


def _check_email(args: Mapping[str, Any]) -> None:
    """SES sending: the identity's ARN, a From address that identity may send as, a configuration set name."""
    source = args.get("email_source_arn")
    for key in ("email_from", "email_configuration_set"):
        if args.get(key) is not None and source is None:
            _fail(key, "needs email_source_arn (the SES identity Cognito sends through)")
    if source is None:
        return
    problem = arn_problem(source, "ses", "identity/")
    if problem:
        _fail("email_source_arn", f"{problem} (the ARN of a verified SES email address or domain identity)")
    identity = source.split(":identity/", 1)[1] if is_plain(source) else None
    sender = args.get("email_from")
    if sender is None:
        if identity is not None and "@" not in identity:
            _fail("email_from", f"is required with the domain identity {identity!r}, e.g. 'Name <no-reply@{identity}>'")
    else:
        address = _address(sender)
        if address is None:
            _fail("email_from", f"must be an address or 'Name <address>', got {sender!r}")
        if identity is not None and not _may_send_as(identity, address):
            _fail("email_from", f"{address!r} is not covered by the SES identity {identity!r} of email_source_arn")
    config_set = args.get("email_configuration_set")
    if config_set is not None and (not isinstance(config_set, str) or not _CONFIGURATION_SET.match(config_set)):
        _fail(
            "email_configuration_set",
            f"must be an SES configuration set name (1-64 of A-Z a-z 0-9 _ -), got {config_set!r}",
        )


def _address(sender: object) -> str | None:
    """The address of ``sender`` (``address`` or ``Name <address>``, RFC 5322), or None if it is not one."""
    if not isinstance(sender, str):
        return None
    pairs = getaddresses([sender])
    if len(pairs) != 1:
        return None
    name, address = pairs[0]
    local, _, domain = address.partition("@")
    bare = sender.strip() in (address, f"<{address}>")
    if (
        not local
        or any(c.isspace() for c in address)
        or host_problem(domain)
        or not (bare or (name and sender.rstrip().endswith(f"<{address}>")))
    ):
        return None
    return address


def _may_send_as(identity: str, address: str) -> bool:
    """SES lets an address identity send as itself, a domain identity as any address of it or its subdomains."""
    address = address.lower()
    identity = identity.lower()
    if "@" in identity:
        return address == identity
    domain = address.rsplit("@", 1)[1]
    return domain == identity or domain.endswith("." + identity)


def _check_scopes(args: Mapping[str, Any]) -> None:
    identifier, scopes = args.get("resource_server_identifier"), args.get("scopes") or {}
    if scopes and identifier is None:
        _fail("scopes", "custom scopes need resource_server_identifier")
    if identifier is not None and (not isinstance(identifier, str) or not _IDENTIFIER.match(identifier)):
        _fail("resource_server_identifier", f"invalid identifier {identifier!r}")
    if len(scopes) > MAX_OAUTH_SCOPES - len(STANDARD_SCOPES):
        _fail("scopes", f"at most {MAX_OAUTH_SCOPES - len(STANDARD_SCOPES)} custom scopes (a client allows 50 in all)")
    for scope, description in scopes.items():
        if not _SCOPE_NAME.match(scope):
            _fail("scopes", f"invalid scope name {scope!r} (no spaces, '/' or quotes)")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            _fail(f"scopes[{scope!r}]", f"the description must be 1-256 characters, got {description!r}")
    _check_client_scopes(args.get("client_scopes"), list(scopes))


def _check_client_scopes(value: Any, defined: list[str]) -> None:
    """``client_scopes``: distinct names of the resource server's scopes."""
    if value is None:
        return
    if isinstance(value, str) or not isinstance(value, Sequence):
        _fail("client_scopes", f"expected a list of scope names, got {value!r}")
    for scope in value:
        if scope not in defined:
            known = ", ".join(repr(s) for s in defined) or "none (set scopes)"
            _fail("client_scopes", f"unknown scope {scope!r}; the resource server defines {known}")
    if len(set(value)) != len(value):
        _fail("client_scopes", f"lists a scope twice: {list(value)!r}")


def _check_groups(args: Mapping[str, Any]) -> None:
    # Child resources are named after lowercased group and provider names: those must be unique too.
    groups: set[str] = set()
    for group, description in (args.get("groups") or {}).items():
        if not GROUP_NAME.match(group):
            _fail("groups", f"invalid group name {group!r}")
        if group.lower() in groups:
            _fail("groups", f"{group!r} differs from another group only in case")
        if description is not None and (not isinstance(description, str) or len(description) > 2048):
            _fail(f"groups[{group!r}]", "the description must be a string of at most 2048 characters")
        groups.add(group.lower())


def _check_identity_providers(args: Mapping[str, Any]) -> None:
    names: set[str] = set()
    for i, idp in enumerate(args.get("identity_providers") or []):
        name, kind = idp.get("provider_name"), idp.get("provider_type")
        if (
            not name
            or not isinstance(name, str)
            or len(name) > 32
            or name.upper() == "COGNITO"
            or name.lower() in names
        ):
            _fail(
                f"identity_providers[{i}].provider_name",
                f"must be a non-empty name of at most 32 characters, unique regardless of case and not COGNITO, "
                f"got {name!r}",
            )
        names.add(name.lower())
        if kind not in IDP_TYPES:
            _fail(f"identity_providers[{i}].provider_type", f"must be one of {', '.join(IDP_TYPES)}, got {kind!r}")
        if not idp.get("provider_details"):
            _fail(f"identity_providers[{i}].provider_details", "is required (client_id, ... or MetadataURL)")
