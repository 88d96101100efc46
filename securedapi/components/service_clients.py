"""Service (machine-to-machine) clients of :class:`~securedapi.components.cognito_identity.CognitoIdentity`.

Each service client is a confidential app client for the OAuth ``client_credentials`` grant: it has a
secret, no callback URLs, no user sign-in flow and only the resource-server scopes granted to it.
Cognito issues client-credentials tokens for custom scopes only ("The client credentials grant ... only
custom scopes", https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-define-resource-servers.html)
and bills machine-to-machine use per app client and per token request
(https://aws.amazon.com/cognito/pricing/): callers cache their token until shortly before it expires.

The component declares every service client confidential in its ``confidentialClients`` output (client
logical name -> reason), which the policy pack reads, so the client-secret rule needs no pack config.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, Required, TypedDict, cast

import pulumi
import pulumi_aws as aws

from securedapi.components.checks import in_range

TOKEN_VALIDITY_DEFAULT = 60
"""Access token lifetime of a service client in minutes, unless it sets ``token_validity_minutes``."""
TOKEN_VALIDITY_RANGE = (5, 1440)
"""Cognito's bounds for an access token's lifetime: 5 minutes to 1 day."""
MAX_SERVICE_CLIENTS = 100
"""A sanity bound (Cognito allows 1,000 app clients per pool; each M2M client is billed monthly)."""
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}[A-Za-z0-9])?$")
_KNOWN_KEYS = ("scopes", "token_validity_minutes", "description")


class ServiceClientArgs(TypedDict, total=False):
    """A machine-to-machine caller: a confidential app client for the client-credentials grant."""

    scopes: Required[Sequence[str]]
    """Resource-server scopes granted to the client: "reports.read" or "dashboard/reports.read". At least one."""
    description: Required[str]
    """Who calls the API with this client and why (1-256 characters); the reason it is declared confidential."""
    token_validity_minutes: int
    """Access token lifetime, 5..1440 minutes. Default: 60. Callers should cache the token until shortly before."""


@dataclass(frozen=True)
class ServiceClient:
    """One validated service client."""

    name: str
    slug: str
    scopes: tuple[str, ...]
    """Full scope names ("<identifier>/<name>")."""
    description: str
    token_validity_minutes: int

    def reason(self) -> str:
        """Why the client has a secret: the reason the policy pack reports for it."""
        return f"service client {self.name!r} of CognitoIdentity (client_credentials only): {self.description}"


def _fail(arg: str, message: str) -> NoReturn:
    raise ValueError(f"CognitoIdentity args.{arg}: {message}")


def parse_service_clients(args: Mapping[str, Any]) -> list[ServiceClient]:
    """Validate ``args["service_clients"]``; raise ``ValueError`` naming the client and the problem."""
    value = args.get("service_clients")
    if value is None:
        return []
    if not isinstance(value, Mapping):
        _fail(
            "service_clients", f"expected a mapping of name -> {{'scopes': [...], 'description': ...}}, got {value!r}"
        )
    if len(value) > MAX_SERVICE_CLIENTS:
        _fail("service_clients", f"at most {MAX_SERVICE_CLIENTS} service clients, got {len(value)}")
    identifier = args.get("resource_server_identifier")
    defined = list(args.get("scopes") or {})
    if value and (identifier is None or not defined):
        _fail(
            "service_clients",
            "service clients need custom scopes (Cognito's client-credentials tokens carry only those): set "
            "resource_server_identifier and scopes",
        )
    clients: list[ServiceClient] = []
    slugs: set[str] = set()
    for name, spec in value.items():
        client = _parse_one(name, spec, str(identifier), defined)
        if client.slug in slugs:
            _fail("service_clients", f"{name!r} differs from another service client name only in case")
        slugs.add(client.slug)
        clients.append(client)
    return clients


def _parse_one(name: Any, spec: Any, identifier: str, defined: Sequence[str]) -> ServiceClient:
    if not isinstance(name, str) or not _NAME.match(name):
        _fail(
            "service_clients",
            f"invalid service client name {name!r}: 1-64 letters, digits, '-' or '_', starting and ending with a "
            "letter or digit (e.g. 'reporting')",
        )
    where = f"service_clients[{name!r}]"
    if not isinstance(spec, Mapping):
        _fail(where, f"expected {{'scopes': [...], 'description': ...}}, got {spec!r}")
    unknown = sorted(set(spec) - set(_KNOWN_KEYS))
    if unknown:
        _fail(f"{where}.{unknown[0]}", f"unknown key; expected one of {list(_KNOWN_KEYS)}")
    description = spec.get("description")
    if not isinstance(description, str) or not description.strip() or len(description) > 256:
        _fail(
            f"{where}.description",
            f"say who calls the API with this client and why (1-256 characters), got {description!r}",
        )
    validity = spec.get("token_validity_minutes", TOKEN_VALIDITY_DEFAULT)
    if not in_range(validity, *TOKEN_VALIDITY_RANGE):
        low, high = TOKEN_VALIDITY_RANGE
        _fail(f"{where}.token_validity_minutes", f"must be an integer between {low} and {high}, got {validity!r}")
    return ServiceClient(
        name=name,
        slug=name.lower(),
        scopes=_scopes(spec.get("scopes"), f"{where}.scopes", identifier, defined),
        description=description.strip(),
        token_validity_minutes=int(validity),
    )


def _scopes(value: Any, where: str, identifier: str, defined: Sequence[str]) -> tuple[str, ...]:
    """Full scope names of a service client's scopes; each must be a scope of the resource server."""
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        _fail(where, f"expected a non-empty list of scope names (e.g. [{defined[0]!r}]), got {value!r}")
    full: list[str] = []
    for scope in value:
        short = scope.removeprefix(f"{identifier}/") if isinstance(scope, str) else None
        if short not in defined:
            known = ", ".join(repr(s) for s in defined)
            hint = " (client-credentials tokens carry custom scopes only)" if scope in _STANDARD else ""
            _fail(where, f"unknown scope {scope!r}{hint}; the resource server {identifier!r} defines {known}")
        name = f"{identifier}/{short}"
        if name in full:
            _fail(where, f"scope {scope!r} is listed twice")
        full.append(name)
    return tuple(full)


_STANDARD = ("openid", "email", "phone", "profile", "aws.cognito.signin.user.admin")


def create_service_clients(
    parent: pulumi.Resource,
    name: str,
    clients: Sequence[ServiceClient],
    pool: aws.cognito.UserPool,
    depends_on: Sequence[pulumi.Resource],
) -> dict[str, aws.cognito.UserPoolClient]:
    """One confidential client-credentials app client per service client, named ``f"{name}-service-{slug}"``."""
    created: dict[str, aws.cognito.UserPoolClient] = {}
    for client in clients:
        created[client.name] = aws.cognito.UserPoolClient(
            client_logical_name(name, client),
            user_pool_id=pool.id,
            generate_secret=True,
            allowed_oauth_flows_user_pool_client=True,
            allowed_oauth_flows=["client_credentials"],
            allowed_oauth_scopes=list(client.scopes),
            # Without explicit flows Cognito enables user sign-in (SRP, custom auth) on the client
            # (UserPoolClientType.ExplicitAuthFlows, Amazon Cognito API reference); a service client signs in no
            # user, and ALLOW_REFRESH_TOKEN_AUTH is the one flow Cognito always requires.
            explicit_auth_flows=["ALLOW_REFRESH_TOKEN_AUTH"],
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            access_token_validity=client.token_validity_minutes,
            token_validity_units={"access_token": "minutes"},
            opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on)),
        )
    return created


def client_logical_name(name: str, client: ServiceClient) -> str:
    """The logical name of a service client's app client: ``<component>-service-<slug>``."""
    return f"{name}-service-{client.slug}"


def service_outputs(
    name: str, clients: Sequence[ServiceClient], created: Mapping[str, aws.cognito.UserPoolClient]
) -> tuple[pulumi.Output[dict[str, str]], pulumi.Output[dict[str, str]], dict[str, str]]:
    """``(ids, secrets, confidential)``: name -> client id, name -> secret (a Pulumi secret) and client logical
    name -> reason (plain, known at preview, for the policy pack)."""
    ids = cast(pulumi.Output[dict[str, str]], pulumi.Output.from_input({c.name: created[c.name].id for c in clients}))
    secrets = cast(
        pulumi.Output[dict[str, str]],
        pulumi.Output.secret({c.name: created[c.name].client_secret for c in clients}),
    )
    confidential = {client_logical_name(name, c): c.reason() for c in clients}
    return ids, secrets, confidential
