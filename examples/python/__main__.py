"""The securedapi components used from Python: import the classes, pass typed (TypedDict) args."""

import pulumi

from securedapi import CognitoIdentity, CognitoIdentityArgs, SecuredHttpApi, SecuredHttpApiArgs

config = pulumi.Config()

identity_args: CognitoIdentityArgs = {
    "callback_urls": ["https://app.example.com/callback", "http://localhost:5173/callback"],
    "logout_urls": ["https://app.example.com/"],
    "domain_prefix": config.require("domainPrefix"),
    "mfa": "OPTIONAL",
    "password_minimum_length": 14,
    "resource_server_identifier": "example",
    "scopes": {"read": "Call the example API"},
    "groups": {"admin": "Administrators of the example API"},
}
identity = CognitoIdentity("identity", identity_args)

api_args: SecuredHttpApiArgs = {
    "code_path": "../handlers",  # Lambda handler modules, relative to this project directory
    "issuer": identity.issuer,
    "audiences": [identity.client_id],
    "routes": {
        "GET /health": {"handler": "api.handler", "public": "uptime checks"},
        "GET /me": {"handler": "api.handler", "scopes": ["example/read"]},
        "GET /admin/ping": {"handler": "api.handler", "scopes": ["example/read"], "groups": ["admin"]},
    },
    "cors_origins": ["https://app.example.com"],
    "memory_size": 256,
    "throttling_rate_limit": 20,
}
api = SecuredHttpApi("api", api_args)

pulumi.export("apiUrl", api.api_url)
pulumi.export("routes", api.routes)
pulumi.export("publicRoutes", api.public_routes)
pulumi.export("issuer", identity.issuer)
pulumi.export("clientId", identity.client_id)
pulumi.export("loginUrl", identity.login_url)
pulumi.export("tokenEndpoint", identity.token_endpoint)
