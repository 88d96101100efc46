"""The API model the local gateway serves, captured generically from the program's recorded resources.

Nothing here knows the project's routes: it reads the standard ``aws:apigatewayv2`` resources the
program registered (API + CORS, JWT authorizers, routes, integrations) and follows each integration's
URI to the ``aws:lambda/function:Function`` it invokes (handler, code directory, environment). The
program stays the single source of truth; the route/auth model is :mod:`securedapi.routes`.
"""

import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from securedapi.routes import DEFAULT_ROUTE, Route, parse_route_key, path_segments
from securedapi.testing import RecordedResource, Recording

API = "aws:apigatewayv2/api:Api"
AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer"
ROUTE = "aws:apigatewayv2/route:Route"
INTEGRATION = "aws:apigatewayv2/integration:Integration"
STAGE = "aws:apigatewayv2/stage:Stage"
FUNCTION = "aws:lambda/function:Function"
COGNITO_ISSUER = re.compile(r"^https://cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([\w-]+)$")


class ModelError(ValueError):
    """The program's API cannot be served locally (the message says why)."""


@dataclass(frozen=True)
class FunctionSpec:
    """A Lambda function as the program declared it."""

    name: str
    arn: str
    handler: str
    code_dir: Path
    environment: dict[str, str]
    runtime: str = "python3.12"
    memory_mb: int = 128
    timeout_s: float = 3.0
    reserved_concurrency: int | None = None
    """``reservedConcurrentExecutions`` when declared (0 or more); None when unreserved."""


@dataclass(frozen=True)
class IntegrationSpec:
    """An API integration; only Lambda proxy integrations (``AWS_PROXY``) are served locally."""

    id: str
    type: str
    uri: str
    payload_format_version: str
    function: FunctionSpec | None
    timeout_ms: int = 30000


@dataclass(frozen=True)
class JwtAuthorizerSpec:
    """A JWT authorizer: the exact issuer and the accepted audiences (client ids)."""

    id: str
    name: str
    issuer: str
    audiences: tuple[str, ...]
    identity_sources: tuple[str, ...] = ("$request.header.Authorization",)


@dataclass(frozen=True)
class CorsSpec:
    """The API's ``corsConfiguration``; header and method names normalized as API Gateway compares them."""

    allow_origins: tuple[str, ...]
    allow_methods: tuple[str, ...] = ()
    allow_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    allow_credentials: bool = False
    max_age: int | None = None

    def allows(self, origin: str) -> bool:
        return "*" in self.allow_origins or origin.rstrip("/") in self.allow_origins


@dataclass(frozen=True)
class RouteTarget:
    """What a route does: its authorization and its integration."""

    route: Route
    authorization_type: str
    authorizer: JwtAuthorizerSpec | None
    scopes: tuple[str, ...]
    integration: IntegrationSpec | None


@dataclass(frozen=True)
class ThrottleSpec:
    """A stage's throttling target for a route: a token bucket of ``burst`` tokens refilled at ``rate`` per second."""

    burst: int
    rate: float


@dataclass(frozen=True)
class StageThrottling:
    """The ``$default`` stage's ``defaultRouteSettings`` and per-route ``routeSettings`` throttling."""

    default: ThrottleSpec | None = None
    routes: dict[str, ThrottleSpec] = field(default_factory=dict)

    def for_route(self, route_key: str) -> ThrottleSpec | None:
        return self.routes.get(route_key, self.default)


@dataclass
class ApiModel:
    """One HTTP API: routes (for :func:`securedapi.routes.match_route`), their targets, CORS."""

    api_id: str
    name: str
    region: str
    account_id: str
    routes: list[Route]
    targets: dict[str, RouteTarget]
    cors: CorsSpec | None
    authorizers: list[JwtAuthorizerSpec] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    throttling: StageThrottling = field(default_factory=StageThrottling)

    @property
    def functions(self) -> list[FunctionSpec]:
        seen: dict[str, FunctionSpec] = {}
        for target in self.targets.values():
            if target.integration and target.integration.function:
                seen.setdefault(target.integration.function.arn, target.integration.function)
        return list(seen.values())


def _strings(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in values or [])


def _int(value: Any, default: int) -> int:
    return default if value is None else int(value)


def cognito_jwks_url(issuer: str, aws_endpoint_url: str | None) -> str:
    """Where to fetch the issuer's JWKS: a Cognito issuer is served by the emulator, any other by itself."""
    match = COGNITO_ISSUER.match(issuer)
    if match and aws_endpoint_url:
        return f"{aws_endpoint_url.rstrip('/')}/{match.group(2)}/.well-known/jwks.json"
    return f"{issuer.rstrip('/')}/.well-known/jwks.json"


def code_directory(code: Any, program_dir: Path, function_name: str) -> Path:
    """The directory that holds a function's modules: a ``FileArchive`` directory (or extracted zip)."""
    path = getattr(code, "path", None)
    if path is None:
        assets = getattr(code, "assets", None)
        if isinstance(assets, dict) and len(assets) == 1:
            return code_directory(next(iter(assets.values())), program_dir, function_name)
        raise ModelError(f"function {function_name!r}: only code=pulumi.FileArchive(<dir or .zip>) runs locally")
    resolved = (program_dir / str(path)).resolve()
    if resolved.is_dir():
        return resolved
    if resolved.is_file() and zipfile.is_zipfile(resolved):
        target = Path(tempfile.mkdtemp(prefix=f"local-{function_name}-"))
        with zipfile.ZipFile(resolved) as archive:
            archive.extractall(target)
        return target
    raise ModelError(f"function {function_name!r}: code archive {str(path)!r} not found under {program_dir}")


def _function(resource: RecordedResource, program_dir: Path) -> FunctionSpec:
    state = resource.state
    name = str(state.get("name") or resource.id or resource.name)
    variables = ((state.get("environment") or {}).get("variables")) or {}
    return FunctionSpec(
        name=name,
        arn=str(state.get("arn", "")),
        handler=str(state.get("handler") or ""),
        code_dir=code_directory(resource.inputs.get("code"), program_dir, name),
        environment={str(k): str(v) for k, v in variables.items()},
        runtime=str(state.get("runtime") or "python3.12"),
        memory_mb=_int(state.get("memorySize"), 128),
        timeout_s=float(state.get("timeout") or 3),
        reserved_concurrency=_reserved(state.get("reservedConcurrentExecutions")),
    )


def _reserved(value: Any) -> int | None:
    """``reservedConcurrentExecutions``: -1 (the provider's default) or absent means unreserved."""
    if value is None or int(value) < 0:
        return None
    return int(value)


def _function_for(uri: str, functions: list[tuple[RecordedResource, FunctionSpec]]) -> FunctionSpec | None:
    """Follow an integration URI (invoke ARN, function ARN or qualified ARN) to the function."""
    for resource, spec in functions:
        out = resource.state
        if uri in {out.get("invokeArn"), out.get("arn"), out.get("qualifiedArn")}:
            return spec
        if spec.arn and f"/functions/{spec.arn}/" in uri:
            return spec
    return None


def build_model(
    recording: Recording,
    program_dir: str | Path,
    *,
    region: str,
    account_id: str = "123456789012",
    api: str | None = None,
) -> ApiModel:
    """Capture the HTTP API (by logical name ``api``, or the only/first one) from a recording."""
    program_dir = Path(program_dir).resolve()
    apis = [r for r in recording.of_type(API) if (r.state.get("protocolType") or "HTTP") == "HTTP"]
    if api is not None:
        apis = [r for r in apis if api in (r.name, r.id)]
    if not apis:
        raise ModelError(
            f"the program declares no HTTP API{f' named {api!r}' if api else ''} "
            "(aws:apigatewayv2/api:Api with protocolType HTTP)"
        )
    api_res = apis[0]
    warnings = (
        [f"serving HTTP API {api_res.name!r}; others are ignored: {', '.join(r.name for r in apis[1:])}"]
        if len(apis) > 1
        else []
    )
    api_id = str(api_res.id)
    state = api_res.state
    if state.get("target") or state.get("routeKey"):
        warnings.append("quick-create target/routeKey on the API is not served locally")

    def belongs(resource: RecordedResource) -> bool:
        return str(resource.state.get("apiId")) == api_id

    functions = [(r, _function(r, program_dir)) for r in recording.of_type(FUNCTION)]
    integrations: dict[str, IntegrationSpec] = {}
    for res in filter(belongs, recording.of_type(INTEGRATION)):
        st = res.state
        uri = str(st.get("integrationUri") or "")
        kind = str(st.get("integrationType") or "")
        function = _function_for(uri, functions) if kind == "AWS_PROXY" else None
        if function is None:
            warnings.append(
                f"integration {res.name!r} ({kind} {uri}) is not a Lambda function of this program; "
                "its routes answer 500"
            )
        integrations[str(res.id)] = IntegrationSpec(
            id=str(res.id),
            type=kind,
            uri=uri,
            payload_format_version=str(st.get("payloadFormatVersion") or "2.0"),
            function=function,
            timeout_ms=_int(st.get("timeoutMilliseconds"), 30000),
        )

    authorizers: dict[str, JwtAuthorizerSpec] = {}
    for res in filter(belongs, recording.of_type(AUTHORIZER)):
        st = res.state
        if st.get("authorizerType") != "JWT":
            warnings.append(
                f"authorizer {res.name!r} ({st.get('authorizerType')}) is not supported locally; its routes answer 403"
            )
            continue
        jwt_config = st.get("jwtConfiguration") or {}
        issuer = str(jwt_config.get("issuer") or "")
        if not issuer:
            raise ModelError(f"JWT authorizer {res.name!r} has no issuer")
        authorizers[str(res.id)] = JwtAuthorizerSpec(
            id=str(res.id),
            name=str(st.get("name") or res.name),
            issuer=issuer,
            audiences=_strings(jwt_config.get("audiences")),
            identity_sources=_strings(st.get("identitySources")) or ("$request.header.Authorization",),
        )

    routes: list[Route] = []
    targets: dict[str, RouteTarget] = {}
    for res in filter(belongs, recording.of_type(ROUTE)):
        st = res.state
        key = str(st.get("routeKey"))
        method, path = parse_route_key(key)
        auth_type = str(st.get("authorizationType") or "NONE")
        scopes = _strings(st.get("authorizationScopes"))
        route = Route(
            key=key,
            method=method,
            path=path,
            public="NONE" if auth_type == "NONE" else None,
            scopes=scopes,
            segments=() if path == DEFAULT_ROUTE else path_segments(path, key),
        )
        target = str(st.get("target") or "")
        integration = integrations.get(target.removeprefix("integrations/")) if target else None
        authorizer = authorizers.get(str(st.get("authorizerId"))) if auth_type == "JWT" else None
        if auth_type == "JWT" and authorizer is None:
            warnings.append(f"route {key!r} references an unknown or unsupported authorizer; it answers 403")
        routes.append(route)
        targets[key] = RouteTarget(
            route=route, authorization_type=auth_type, authorizer=authorizer, scopes=scopes, integration=integration
        )
    if not routes:
        raise ModelError(f"HTTP API {api_res.name!r} has no routes")

    cors_config = state.get("corsConfiguration")
    cors = None
    if cors_config:
        max_age = cors_config.get("maxAge")
        cors = CorsSpec(
            allow_origins=tuple(o.rstrip("/") if o != "*" else o for o in _strings(cors_config.get("allowOrigins"))),
            allow_methods=tuple(m.upper() for m in _strings(cors_config.get("allowMethods"))),
            allow_headers=tuple(h.lower() for h in _strings(cors_config.get("allowHeaders"))),
            expose_headers=tuple(h.lower() for h in _strings(cors_config.get("exposeHeaders"))),
            allow_credentials=bool(cors_config.get("allowCredentials")),
            max_age=None if max_age is None else int(max_age),
        )
    return ApiModel(
        throttling=stage_throttling(recording, api_id),
        api_id=api_id,
        name=api_res.name,
        region=region,
        account_id=account_id,
        routes=routes,
        targets=targets,
        cors=cors,
        authorizers=list(authorizers.values()),
        warnings=warnings,
    )


def _throttle(settings: Any, default: ThrottleSpec | None = None) -> ThrottleSpec | None:
    """A route settings block's throttling; a value it leaves unset comes from ``default`` (or is unlimited)."""
    if not isinstance(settings, dict):
        return default
    burst, rate = settings.get("throttlingBurstLimit"), settings.get("throttlingRateLimit")
    if burst is None and rate is None:
        return default
    return ThrottleSpec(
        burst=int(burst) if burst is not None else (default.burst if default else 5000),
        rate=float(rate) if rate is not None else (default.rate if default else 10000.0),
    )


def stage_throttling(recording: Recording, api_id: str) -> StageThrottling:
    """Throttling of the API's ``$default`` stage (the one the local gateway serves)."""
    for stage in recording.of_type(STAGE):
        st = stage.state
        if str(st.get("apiId")) != api_id or st.get("name") != "$default":
            continue
        default = _throttle(st.get("defaultRouteSettings"))
        routes: dict[str, ThrottleSpec] = {}
        for settings in st.get("routeSettings") or []:
            spec = _throttle(settings, default)
            if isinstance(settings, dict) and settings.get("routeKey") and spec is not None:
                routes[str(settings["routeKey"])] = spec
        return StageThrottling(default=default, routes=routes)
    return StageThrottling()
