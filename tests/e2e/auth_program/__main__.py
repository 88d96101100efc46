"""Fixture program: user pools and app clients covering the managed login's rules (plain pulumi_aws)."""

import pulumi
import pulumi_aws as aws

CALLBACK = "http://localhost:5173/callback"
LOGOUT = "http://localhost:5173/"
MINUTES = {"access_token": "minutes", "id_token": "minutes", "refresh_token": "days"}

pool = aws.cognito.UserPool(
    "ax-pool",
    username_attributes=["email"],
    auto_verified_attributes=["email"],
    username_configuration={"case_sensitive": False},
    password_policy={
        "minimum_length": 10,
        "require_lowercase": True,
        "require_uppercase": True,
        "require_numbers": True,
        "require_symbols": True,
    },
    mfa_configuration="OPTIONAL",
    software_token_mfa_configuration={"enabled": True},
)
server = aws.cognito.ResourceServer(
    "ax-resource-server",
    user_pool_id=pool.id,
    identifier="ax",
    name="ax",
    scopes=[{"scope_name": "read", "scope_description": "Read"}, {"scope_name": "write", "scope_description": "Write"}],
)
aws.cognito.UserPoolDomain("ax-domain", user_pool_id=pool.id, domain="ax-local")
aws.cognito.UserGroup("ax-group-admin", user_pool_id=pool.id, name="admin")
after_server = pulumi.ResourceOptions(depends_on=[server])


def code_client(name: str, **extra: object) -> aws.cognito.UserPoolClient:
    args: dict[str, object] = {
        "user_pool_id": pool.id,
        "generate_secret": False,
        "explicit_auth_flows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "allowed_oauth_flows_user_pool_client": True,
        "allowed_oauth_flows": ["code"],
        "allowed_oauth_scopes": ["openid", "email", "ax/read"],
        "callback_urls": [CALLBACK, "https://app.example.com/cb"],
        "logout_urls": [LOGOUT],
        "prevent_user_existence_errors": "ENABLED",
        "access_token_validity": 5,
        "id_token_validity": 5,
        "refresh_token_validity": 1,
        "token_validity_units": MINUTES,
    }
    args.update(extra)
    return aws.cognito.UserPoolClient(name, opts=after_server, **args)  # type: ignore[arg-type]


web = code_client("ax-web")
legacy = code_client("ax-legacy", prevent_user_existence_errors="LEGACY")
rotating = code_client("ax-rotating", refresh_token_rotation={"feature": "ENABLED", "retry_grace_period_seconds": 10})
service = aws.cognito.UserPoolClient(
    "ax-service",
    user_pool_id=pool.id,
    generate_secret=True,
    allowed_oauth_flows_user_pool_client=True,
    allowed_oauth_flows=["client_credentials"],
    allowed_oauth_scopes=["ax/read"],
    opts=after_server,
)
password = aws.cognito.UserPoolClient(
    "ax-password",
    user_pool_id=pool.id,
    generate_secret=False,
    explicit_auth_flows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
)

mfa_pool = aws.cognito.UserPool(
    "ax-mfa-pool",
    username_attributes=["email"],
    auto_verified_attributes=["email"],
    mfa_configuration="ON",
    software_token_mfa_configuration={"enabled": True},
)
mfa_web = aws.cognito.UserPoolClient(
    "ax-mfa-web",
    user_pool_id=mfa_pool.id,
    generate_secret=False,
    allowed_oauth_flows_user_pool_client=True,
    allowed_oauth_flows=["code"],
    allowed_oauth_scopes=["openid", "email"],
    callback_urls=[CALLBACK],
)

pulumi.export("poolId", pool.id)
pulumi.export("mfaPoolId", mfa_pool.id)
for name, client in {
    "web": web,
    "legacy": legacy,
    "rotating": rotating,
    "service": service,
    "password": password,
    "mfa": mfa_web,
}.items():
    pulumi.export(f"{name}ClientId", client.id)
pulumi.export("serviceClientSecret", service.client_secret)
