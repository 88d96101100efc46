"""Cross-resource rules: is the JWT authorizer wired to a user pool and client of this stack, and can a
token ever carry the scopes a route requires? Mistakes here deploy fine and then reject every call."""

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from securedapi.policy.values import (
    HTTP_ROUTE,
    JWT_AUTHORIZER,
    RESOURCE_SERVER,
    UNKNOWN,
    USER_POOL,
    USER_POOL_CLIENT,
    Graph,
    get,
    strings,
)

STANDARD_SCOPES = frozenset({"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"})
"""Scopes Cognito defines itself; access tokens carry them when the client is granted them."""


def _pool_of(graph: Graph, resource: PolicyResource) -> PolicyResource | None:
    return graph.linked(resource, "userPoolId", USER_POOL)


def issuer_pool(graph: Graph, authorizer: PolicyResource) -> tuple[PolicyResource | None, str | None]:
    """The user pool the authorizer's issuer names, and a problem if the issuer names no pool of this stack.

    Known values are compared exactly (``https://`` + the pool's ``endpoint``); while they are unknown
    (preview), the pool the issuer depends on is used. An issuer outside Cognito (another IdP) is no problem.
    """
    issuer = get(graph.props(authorizer), "jwtConfiguration", "issuer")
    dep_pools = graph.dependencies_of(authorizer, "jwtConfiguration", USER_POOL)
    fallback = dep_pools[0] if len(dep_pools) == 1 else None
    if issuer is UNKNOWN:
        return fallback, None
    if not isinstance(issuer, str):
        return None, None
    endpoints = {pool.urn: get(graph.props(pool), "endpoint") for pool in graph.of_type(USER_POOL)}
    for pool in graph.of_type(USER_POOL):
        endpoint = endpoints[pool.urn]
        if isinstance(endpoint, str) and issuer == f"https://{endpoint}":
            return pool, None
    if any(not isinstance(e, str) for e in endpoints.values()):
        return fallback, None
    if "cognito-idp." not in issuer and not dep_pools:
        return None, None  # another identity provider
    known = ", ".join(f"{p.name} -> https://{endpoints[p.urn]}" for p in graph.of_type(USER_POOL)) or "none"
    return None, (
        f"JWT authorizer {authorizer.name!r} has issuer {issuer!r}, which is not 'https://' + the "
        f"endpoint of a user pool in this stack (pools: {known}). API Gateway compares 'iss' exactly, "
        "so tokens of your pool are rejected (401). Fix: issuer = pool.endpoint.apply(lambda e: f'https://{e}') "
        "(CognitoIdentity.issuer); if the pool lives in another stack, disable this advisory policy."
    )


def audience_clients(
    graph: Graph, authorizer: PolicyResource, pool: PolicyResource
) -> tuple[list[PolicyResource], list[str]]:
    """The app clients the authorizer accepts as audiences, and problems (not a client, client of another pool)."""
    audiences = strings(get(graph.props(authorizer), "jwtConfiguration", "audiences"))
    clients: list[PolicyResource] = []
    problems: list[str] = []
    unresolved = False
    for audience in audiences:
        if not isinstance(audience, str):
            unresolved = True
            continue
        match = graph.with_id(USER_POOL_CLIENT, audience)
        if isinstance(match, PolicyResource):
            clients.append(match)
        elif match is UNKNOWN:
            unresolved = True
        else:
            problems.append(
                f"JWT authorizer {authorizer.name!r} accepts audience {audience!r}, which is not the id of "
                f"an app client of user pool {pool.name!r} in this stack: no token of the pool carries "
                "it, so every call is rejected (401). Fix: audiences = [client.id]."
            )
    if unresolved:
        clients += [
            c for c in graph.dependencies_of(authorizer, "jwtConfiguration", USER_POOL_CLIENT) if c not in clients
        ]
    for client in clients:
        owner = _pool_of(graph, client)
        if owner is not None and owner is not pool:
            problems.append(
                f"JWT authorizer {authorizer.name!r} accepts audience client {client.name!r} of user pool "
                f"{owner.name!r}, but its issuer is user pool {pool.name!r}: that client's tokens carry "
                "another 'iss' and are always rejected. Fix: use a client of the issuer's pool."
            )
    return clients, problems


def _jwt_authorizer_wired_to_pool(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = Graph(args.resources)
    for authorizer in graph.of_type(JWT_AUTHORIZER):
        if get(graph.props(authorizer), "authorizerType") != "JWT":
            continue
        pool, problem = issuer_pool(graph, authorizer)
        if problem:
            report_violation(problem, authorizer.urn)
        if pool is not None:
            for problem in audience_clients(graph, authorizer, pool)[1]:
                report_violation(problem, authorizer.urn)


jwt_authorizer_wired_to_pool = StackValidationPolicy(
    name="apigw-jwt-authorizer-wired-to-pool",
    description="A JWT authorizer's issuer should be https:// + the endpoint of a user pool in the stack, and its "
    "audiences ids of that pool's app clients.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_jwt_authorizer_wired_to_pool,
    tags=["apigateway", "cognito", "jwt"],
)


def _defined_scopes(graph: Graph, pool: PolicyResource) -> set[str] | None:
    """Full scope names (identifier/scope) of the pool's resource servers, None if some are unknown."""
    defined = set(STANDARD_SCOPES)
    for server in graph.of_type(RESOURCE_SERVER):
        props = graph.props(server)
        owner = _pool_of(graph, server)
        if owner is None and get(props, "userPoolId") is UNKNOWN:
            return None  # it may belong to this pool (preview)
        if owner is not pool:
            continue
        identifier = get(props, "identifier")
        scopes = get(props, "scopes")
        if not isinstance(identifier, str) or scopes is UNKNOWN:
            return None
        for scope in strings(scopes):
            name = get(scope, "scopeName")
            if not isinstance(name, str):
                return None
            defined.add(f"{identifier}/{name}")
    return defined


def _granted_scopes(graph: Graph, clients: list[PolicyResource]) -> set[str] | None:
    granted: set[str] = set()
    for client in clients:
        for scope in strings(get(graph.props(client), "allowedOauthScopes")):
            if not isinstance(scope, str):
                return None
            granted.add(scope)
    return granted


def _route_scopes_grantable(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = Graph(args.resources)
    for route in graph.of_type(HTTP_ROUTE):
        props = graph.props(route)
        if get(props, "authorizationType") != "JWT":
            continue
        scopes = [s for s in strings(get(props, "authorizationScopes")) if isinstance(s, str)]
        authorizer = graph.linked(route, "authorizerId", JWT_AUTHORIZER) if scopes else None
        pool = issuer_pool(graph, authorizer)[0] if authorizer is not None else None
        if authorizer is None or pool is None:
            continue
        clients = audience_clients(graph, authorizer, pool)[0]
        defined = _defined_scopes(graph, pool)
        granted = _granted_scopes(graph, clients)
        key = get(props, "routeKey")
        for scope in scopes:
            if defined is not None and scope not in defined:
                report_violation(
                    f"Route {key!r} ({route.name!r}) requires scope {scope!r}, which no resource server of user pool "
                    f"{pool.name!r} defines (defined: {', '.join(sorted(defined))}). No token can carry it, so the "
                    "route can never be called (403). Fix: add the scope to the pool's resource server "
                    "('<identifier>/<scopeName>') and grant it to the client, or correct authorizationScopes.",
                    route.urn,
                )
            elif granted is not None and clients and scope not in granted:
                report_violation(
                    f"Route {key!r} ({route.name!r}) requires scope {scope!r}, which is not granted "
                    f"(allowedOauthScopes) to any audience client ({', '.join(c.name for c in clients)}), so the "
                    "route can never be called (403). Fix: add the scope to the client's allowedOauthScopes.",
                    route.urn,
                )


route_scopes_grantable = StackValidationPolicy(
    name="apigw-route-scopes-grantable",
    description="Every scope a JWT route requires should be defined by a resource server of the authorizer's user "
    "pool and granted to an audience client; otherwise the route can never be called.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    validate=_route_scopes_grantable,
    tags=["apigateway", "cognito", "jwt"],
)
