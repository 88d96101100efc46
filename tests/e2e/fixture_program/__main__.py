"""Fixture program: a user pool and an HTTP API that exercises the local gateway's corner cases.

Plain pulumi_aws (no project components), so the local stack's model capture is tested generically.
"""

import json

import pulumi
import pulumi_aws as aws

pool = aws.cognito.UserPool("fx-pool", username_attributes=["email"], auto_verified_attributes=["email"])
server = aws.cognito.ResourceServer(
    "fx-resource-server",
    user_pool_id=pool.id,
    identifier="fx",
    name="fx",
    scopes=[
        {"scope_name": "read", "scope_description": "Read"},
        {"scope_name": "report", "scope_description": "Read reports (the service client)"},
    ],
)
client = aws.cognito.UserPoolClient(
    "fx-client",
    user_pool_id=pool.id,
    generate_secret=False,
    explicit_auth_flows=["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    prevent_user_existence_errors="ENABLED",
    allowed_oauth_flows_user_pool_client=True,
    allowed_oauth_flows=["code"],
    allowed_oauth_scopes=["openid", "fx/read"],
    callback_urls=["http://localhost:5173/callback"],
    opts=pulumi.ResourceOptions(depends_on=[server]),
)
# A machine-to-machine caller: client credentials, a secret, only the report scope.
service = aws.cognito.UserPoolClient(
    "fx-service",
    user_pool_id=pool.id,
    generate_secret=True,
    allowed_oauth_flows_user_pool_client=True,
    allowed_oauth_flows=["client_credentials"],
    allowed_oauth_scopes=["fx/report"],
    explicit_auth_flows=["ALLOW_REFRESH_TOKEN_AUTH"],
    opts=pulumi.ResourceOptions(depends_on=[server]),
)
aws.cognito.UserGroup("fx-group-admin", user_pool_id=pool.id, name="admin")
table = aws.dynamodb.Table(
    "fx-table", billing_mode="PAY_PER_REQUEST", hash_key="pk", attributes=[{"name": "pk", "type": "S"}]
)

api = aws.apigatewayv2.Api(
    "fx-api",
    protocol_type="HTTP",
    cors_configuration={
        "allow_origins": ["https://app.example.com"],
        "allow_methods": ["GET", "POST", "OPTIONS"],
        "allow_headers": ["authorization", "content-type"],
        "expose_headers": ["x-fixture"],
        "allow_credentials": True,
        "max_age": 300,
    },
)
authorizer = aws.apigatewayv2.Authorizer(
    "fx-authorizer",
    api_id=api.id,
    authorizer_type="JWT",
    identity_sources=["$request.header.Authorization"],
    jwt_configuration={
        "issuer": pool.endpoint.apply(lambda e: f"https://{e}"),
        "audiences": [client.id, service.id],
    },
)
role = aws.iam.Role(
    "fx-role",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)

FUNCTIONS = {
    "echo": {"FUNCTION_TAG": "echo", "TABLE_NAME": table.name},
    "other": {"FUNCTION_TAG": "other"},
    "ping": {"FUNCTION_TAG": "ping"},
    "boom": {"FUNCTION_TAG": "boom"},
    "raw": {"FUNCTION_TAG": "raw"},
    "fancy": {"FUNCTION_TAG": "fancy"},
}
# Lambda fidelity: a 1 s timeout ("slow"), a reserved concurrency of 1 ("single"); "slow-integration" is the
# slow function behind an integration that gives up after 300 ms.
SLEEPERS = {"slow": {"timeout": 1}, "single": {"timeout": 5, "reserved_concurrent_executions": 1}}
HANDLERS = {"broken": "no_such_module.handler"}  # its init phase fails (Runtime.ImportModuleError)
integrations = {}
for fn_name, variables in {**FUNCTIONS, **{k: {"FUNCTION_TAG": k} for k in [*SLEEPERS, *HANDLERS]}}.items():
    options = SLEEPERS.get(fn_name, {"timeout": 5})
    function = aws.lambda_.Function(
        f"fx-{fn_name}",
        role=role.arn,
        runtime="python3.12",
        handler=HANDLERS.get(fn_name, f"fixture_handlers.{'sleep' if fn_name in SLEEPERS else fn_name}"),
        code=pulumi.FileArchive("./handlers"),
        memory_size=128,
        environment={"variables": variables},
        **options,
    )
    integrations[fn_name] = aws.apigatewayv2.Integration(
        f"fx-integration-{fn_name}",
        api_id=api.id,
        integration_type="AWS_PROXY",
        integration_uri=function.invoke_arn,
        payload_format_version="2.0",
    )
    if fn_name == "slow":
        integrations["slow-integration"] = aws.apigatewayv2.Integration(
            "fx-integration-slow-300ms",
            api_id=api.id,
            integration_type="AWS_PROXY",
            integration_uri=function.invoke_arn,
            payload_format_version="2.0",
            timeout_milliseconds=300,
        )

ROUTES = {
    "GET /ping": ("ping", "JWT", None),
    "GET /echo/{id}": ("echo", "JWT", None),
    "POST /echo": ("echo", "NONE", None),
    "GET /scoped": ("echo", "JWT", ["fx/read"]),
    "GET /signin-scope": ("echo", "JWT", ["aws.cognito.signin.user.admin"]),
    "GET /report": ("echo", "JWT", ["fx/report"]),
    "ANY /items/{proxy+}": ("other", "NONE", None),
    "GET /items/special": ("echo", "NONE", None),
    "GET /items/{id}": ("echo", "NONE", None),
    "GET /boom": ("boom", "NONE", None),
    "GET /raw": ("raw", "NONE", None),
    "GET /fancy": ("fancy", "NONE", None),
    "ANY /slow": ("slow", "NONE", None),
    "GET /slow-integration": ("slow-integration", "NONE", None),
    "GET /single": ("single", "NONE", None),
    "GET /throttled": ("ping", "NONE", None),
    "GET /broken": ("broken", "NONE", None),
    "$default": ("other", "NONE", None),
}
for key, (fn_name, auth, scopes) in ROUTES.items():
    slug = "".join(c if c.isalnum() else "-" for c in key.lower()).strip("-") or "default"
    aws.apigatewayv2.Route(
        f"fx-route-{slug}",
        api_id=api.id,
        route_key=key,
        target=integrations[fn_name].id.apply(lambda i: f"integrations/{i}"),
        authorization_type=auth,
        authorizer_id=authorizer.id if auth == "JWT" else None,
        authorization_scopes=scopes,
    )
stage = aws.apigatewayv2.Stage(
    "fx-stage",
    api_id=api.id,
    name="$default",
    auto_deploy=True,
    default_route_settings={"throttling_burst_limit": 2000, "throttling_rate_limit": 1000},
    route_settings=[{"route_key": "GET /throttled", "throttling_burst_limit": 3, "throttling_rate_limit": 1}],
)

pulumi.export("apiUrl", stage.invoke_url)
pulumi.export("userPoolId", pool.id)
pulumi.export("userPoolClientId", client.id)
pulumi.export("serviceClientId", service.id)
pulumi.export("issuer", pool.endpoint.apply(lambda e: f"https://{e}"))
