"""SecuredHttpApi: an API Gateway HTTP API whose routes are JWT-protected unless declared public with a reason."""

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Required, TypedDict, cast

import pulumi
import pulumi_aws as aws

from securedapi import cors
from securedapi.components.api_checks import validate_api_args
from securedapi.components.api_document import document_output
from securedapi.components.dns import alias_records
from securedapi.components.invoke_permissions import invoke_permission, whole_api_permission
from securedapi.lambda_policy import handlers_over_quota
from securedapi.routes import Route

ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "routeKey": "$context.routeKey",
        "status": "$context.status",
        "sub": "$context.authorizer.claims.sub",
        "authorizerError": "$context.authorizer.error",
        "integrationError": "$context.integrationErrorMessage",
        "ip": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "responseLatency": "$context.responseLatency",
    }
)


class RouteArgs(TypedDict, total=False):
    """One route of the API. The key of the ``routes`` mapping is the route key, e.g. "GET /items/{id}"."""

    handler: Required[str]
    """Lambda handler as "module.function" inside code_path, e.g. "app.handler". Required."""
    public: str
    """Reason this route needs no token (e.g. "uptime checks"). Omit for JWT-protected (the default)."""
    scopes: Sequence[str]
    """OAuth scopes the access token must carry (any one of them). Default: default_scopes."""
    groups: Sequence[str]
    """Cognito groups allowed to call the route (any one); enforced by the backend from cognito:groups."""
    request_schema: Mapping[str, Any]
    """JSON Schema of the request body, for the OpenAPI document (API Gateway does not validate it). Default: none."""
    response_schema: Mapping[str, Any]
    """JSON Schema of a successful (2XX) response body, for the OpenAPI document. Default: none."""


class SecuredHttpApiArgs(TypedDict, total=False):
    """Arguments of :class:`SecuredHttpApi`. ``routes``, ``code_path``, ``issuer`` and ``audiences`` are required."""

    routes: Required[Mapping[str, RouteArgs]]
    """Route key -> route. Every route requires a valid JWT unless it is declared public with a reason."""
    code_path: Required[str]
    """Directory holding the Lambda handler modules (packaged as one archive)."""
    issuer: Required[pulumi.Input[str]]
    """JWT issuer, https only (CognitoIdentity.issuer)."""
    audiences: Required[Sequence[pulumi.Input[str]]]
    """Accepted audiences: app client ids (CognitoIdentity.client_id). Several clients may be listed."""
    default_scopes: Sequence[str]
    """Scopes for JWT routes that declare none; set them to refuse Cognito ID tokens. Default: none."""
    environment: Mapping[str, pulumi.Input[str]]
    """Environment variables of every function (e.g. table and bucket names)."""
    policy_documents: Sequence[pulumi.Input[str]]
    """IAM policy documents (JSON) granted to the functions' role, e.g. access to a table. Default: none."""
    runtime: str
    """Lambda runtime. Default: python3.12."""
    memory_size: int
    """Function memory in MB, 128..10240. Default: 256."""
    timeout: int
    """Function timeout in seconds, 1..29 (API Gateway waits 30 s at most). Default: 10."""
    cors_origins: Sequence[str]
    """Allowed browser origins (scheme://host[:port]). Default: none (CORS off)."""
    cors_allow_headers: Sequence[str]
    """Extra request headers to allow; authorization and content-type are always allowed. Never "*"."""
    cors_expose_headers: Sequence[str]
    """Response headers browsers may read. Default: none."""
    cors_allow_credentials: bool
    """Allow cookies/credentials on cross-origin requests. Not allowed with a "*" origin. Default: false."""
    cors_max_age: int
    """Seconds browsers may cache a preflight, 0..86400. Default: 600."""
    throttling_burst_limit: int
    """Stage-wide burst limit. Default: 100."""
    throttling_rate_limit: float
    """Stage-wide steady-state requests per second. Default: 50."""
    log_retention_days: int
    """Days to keep the access and function logs: a CloudWatch period (1, 3, 5, 7, 14, 30, ... 3653). Default: 30."""
    custom_domain: str
    """Custom domain for the API (e.g. api.example.com); needs certificate_arn. Default: none."""
    certificate_arn: pulumi.Input[str]
    """Regional ACM certificate for custom_domain (in the stack's region)."""
    hosted_zone_id: pulumi.Input[str]
    """Route 53 hosted zone of custom_domain: its A and AAAA alias records are created. Default: none (DNS is yours)."""
    auth_domain: pulumi.Input[str]
    """Managed-login base URL (CognitoIdentity.domain): the OpenAPI document's OAuth flows use its endpoints."""


def resource_slug(text: str, taken: set[str]) -> str:
    """A readable, unique logical-name suffix for a route key or handler ("GET /a/{id}" -> "get-a-id")."""
    base = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("$", "")).strip("-") or "root"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def handler_slugs(routes: list[Route]) -> dict[str, str]:
    """Handler -> the logical-name suffix of its function, integration and log group, in handler order."""
    taken: set[str] = set()
    return {handler: resource_slug(handler, taken) for handler in sorted({r.handler for r in routes if r.handler})}


class SecuredHttpApi(pulumi.ComponentResource):
    """An HTTP API whose routes need a valid JWT unless declared public with a reason, backed by Lambda."""

    # The class docstring is the schema description: keep it on one line (see CognitoIdentity).

    api_id: pulumi.Output[str]
    """Id of the HTTP API."""
    api_url: pulumi.Output[str]
    """Invoke URL of the $default stage."""
    authorizer_id: pulumi.Output[str]
    """Id of the JWT authorizer."""
    routes: pulumi.Output[dict[str, str]]
    """Route key -> authorization type ("JWT" or "NONE"), preflight routes included."""
    public_routes: pulumi.Output[dict[str, str]]
    """Route key -> reason, for every route that needs no token."""
    custom_domain_target: pulumi.Output[Optional[str]]
    """DNS target (regional domain name) for custom_domain, when set."""
    custom_domain_zone_id: pulumi.Output[Optional[str]]
    """Route 53 hosted zone id of that target, for an alias record, when custom_domain is set."""
    openapi: pulumi.Output[str]
    """The OpenAPI 3.1 document of the API (JSON): every route, its parameters, security, schemas and errors."""

    def __init__(self, name: str, args: SecuredHttpApiArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        """Validate ``args`` (``ValueError`` naming the bad arg, before any child exists), then create the children.

        One JWT authorizer, default-deny routes, Lambda integrations (payload 2.0), invoke permissions
        scoped to method and route (to the whole API for a function whose per-route permissions would not fit
        its 20 KB resource-based policy: a warning names the handler), CORS that allows Authorization
        explicitly, access logs, throttling.
        Routes without scopes accept Cognito ID tokens as well as access tokens: set ``default_scopes``
        (or per-route ``scopes``) to accept access tokens only.
        """
        routes = validate_api_args(args, SecuredHttpApiArgs.__annotations__, name)
        super().__init__("securedapi:index:SecuredHttpApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        retention = args.get("log_retention_days", 30)
        default_scopes = list(args.get("default_scopes") or [])

        cors_configuration = (
            cast(aws.apigatewayv2.ApiCorsConfigurationArgsDict, cors.configuration(args, routes))
            if cors.enabled(args)
            else None
        )
        api = aws.apigatewayv2.Api(
            f"{name}-api", protocol_type="HTTP", cors_configuration=cors_configuration, opts=child
        )
        access_logs = aws.cloudwatch.LogGroup(f"{name}-access-logs", retention_in_days=retention, opts=child)
        stage = aws.apigatewayv2.Stage(
            f"{name}-stage",
            api_id=api.id,
            name="$default",
            auto_deploy=True,
            access_log_settings={"destination_arn": access_logs.arn, "format": ACCESS_LOG_FORMAT},
            default_route_settings={
                "throttling_burst_limit": args.get("throttling_burst_limit", 100),
                "throttling_rate_limit": args.get("throttling_rate_limit", 50),
            },
            opts=child,
        )
        authorizer = aws.apigatewayv2.Authorizer(
            f"{name}-authorizer",
            api_id=api.id,
            authorizer_type="JWT",
            identity_sources=["$request.header.Authorization"],
            jwt_configuration={"issuer": args["issuer"], "audiences": list(args["audiences"])},
            name=f"{name}-jwt",
            opts=child,
        )

        function_slugs = handler_slugs(routes)
        integrations = self._functions(name, args, routes, function_slugs, api, retention)
        over_quota = handlers_over_quota(routes)
        targets = {
            handler: integration.id.apply(lambda i: f"integrations/{i}")
            for handler, (integration, _) in integrations.items()
        }
        taken: set[str] = set()
        for route in routes:
            slug = resource_slug(route.key, taken)
            scopes = list(route.scopes) or ([] if route.is_public else default_scopes)
            integration = integrations.get(route.handler or "")
            aws.apigatewayv2.Route(
                f"{name}-route-{slug}",
                api_id=api.id,
                route_key=route.key,
                target=targets[route.handler] if integration and route.handler else None,
                authorization_type="NONE" if route.is_public else "JWT",
                authorizer_id=None if route.is_public else authorizer.id,
                authorization_scopes=scopes or None,
                opts=child,
            )
            if integration and route.handler not in over_quota:
                invoke_permission(
                    f"{name}-permission-{slug}", integration[1], api.execution_arn, route.permission_path, self
                )
        for handler, own in over_quota.items():  # one permission per function past the policy quota
            permission_slug = resource_slug(function_slugs[handler], taken)  # never a route's permission name
            function = integrations[handler][1]
            logical_name = f"{name}-permission-{permission_slug}"
            whole_api_permission(logical_name, name, handler, own, function, api.execution_arn, self)

        self._custom_domain(name, args, api, stage)
        self.api_id = api.id
        self.api_url = stage.invoke_url
        self.authorizer_id = authorizer.id
        self.routes = pulumi.Output.from_input({r.key: "NONE" if r.is_public else "JWT" for r in routes})
        self.public_routes = pulumi.Output.from_input({r.key: r.public for r in routes if r.public})
        self.openapi = document_output(name, args, routes, self.api_url)
        self.register_outputs(
            {
                "apiId": self.api_id,
                "apiUrl": self.api_url,
                "authorizerId": self.authorizer_id,
                "routes": self.routes,
                "publicRoutes": self.public_routes,
                "customDomainTarget": self.custom_domain_target,
                "customDomainZoneId": self.custom_domain_zone_id,
                "openapi": self.openapi,
            }
        )

    def _custom_domain(
        self, name: str, args: SecuredHttpApiArgs, api: aws.apigatewayv2.Api, stage: aws.apigatewayv2.Stage
    ) -> None:
        """The custom domain (regional, TLS 1.2, IPv4 and IPv6), its API mapping and, with a hosted zone, its DNS
        records; sets the DNS outputs (none without a custom domain)."""
        self.custom_domain_target = pulumi.Output.from_input(None)
        self.custom_domain_zone_id = pulumi.Output.from_input(None)
        custom_domain = args.get("custom_domain")
        if not custom_domain:
            return
        domain = aws.apigatewayv2.DomainName(
            f"{name}-domain",
            domain_name=custom_domain,
            domain_name_configuration={
                "certificate_arn": args["certificate_arn"],
                "endpoint_type": "REGIONAL",
                "security_policy": "TLS_1_2",
                "ip_address_type": "dualstack",
            },
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.apigatewayv2.ApiMapping(
            f"{name}-mapping",
            api_id=api.id,
            domain_name=domain.id,
            stage=stage.id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        target = domain.domain_name_configuration.target_domain_name
        zone_id = domain.domain_name_configuration.hosted_zone_id
        self.custom_domain_target = target
        self.custom_domain_zone_id = zone_id
        if args.get("hosted_zone_id") is not None:
            alias_records(name, custom_domain, target, zone_id, args["hosted_zone_id"], self)

    def _functions(
        self,
        name: str,
        args: SecuredHttpApiArgs,
        routes: list[Route],
        slugs: dict[str, str],
        api: aws.apigatewayv2.Api,
        retention: int,
    ) -> dict[str, tuple[aws.apigatewayv2.Integration, aws.lambda_.Function]]:
        """One role for the API, one function + log group + integration per distinct handler (``slugs``: handler ->
        the suffix of its children's logical names)."""
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            opts=child,
        )
        for i, document in enumerate(args.get("policy_documents") or []):
            aws.iam.RolePolicy(f"{name}-role-policy-{i}", role=role.id, policy=document, opts=child)
        code = pulumi.FileArchive(args["code_path"])
        environment = dict(args.get("environment") or {})
        result: dict[str, tuple[aws.apigatewayv2.Integration, aws.lambda_.Function]] = {}
        log_arns = []
        for handler, slug in slugs.items():
            logs = aws.cloudwatch.LogGroup(f"{name}-fn-{slug}-logs", retention_in_days=retention, opts=child)
            log_arns.append(logs.arn)
            groups = {r.key: list(r.groups) for r in routes if r.handler == handler and r.groups}
            variables = {**environment, **({"ROUTE_GROUPS": json.dumps(groups, sort_keys=True)} if groups else {})}
            function = aws.lambda_.Function(
                f"{name}-fn-{slug}",
                role=role.arn,
                runtime=args.get("runtime", "python3.12"),
                handler=handler,
                code=code,
                memory_size=args.get("memory_size", 256),
                timeout=args.get("timeout", 10),
                architectures=["arm64"],
                environment={"variables": variables} if variables else None,
                logging_config={"log_format": "JSON", "log_group": logs.name},
                opts=child,
            )
            integration = aws.apigatewayv2.Integration(
                f"{name}-integration-{slug}",
                api_id=api.id,
                integration_type="AWS_PROXY",
                integration_method="POST",
                integration_uri=function.invoke_arn,
                payload_format_version="2.0",
                timeout_milliseconds=30000,
                opts=child,
            )
            result[handler] = (integration, function)
        aws.iam.RolePolicy(
            f"{name}-role-logs",
            role=role.id,
            policy=pulumi.Output.all(*log_arns).apply(
                lambda arns: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": [f"{arn}:*" for arn in arns],
                            }
                        ],
                    }
                )
            ),
            opts=child,
        )
        return result
